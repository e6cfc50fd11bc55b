package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
)

func (s *suite) testAddObjects_DateAdded(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})

	// Each step adds n new indicators with the clock at now; the first of
	// them must get expectFirst and the rest follow one microsecond apart.
	steps := []struct {
		name        string
		now         time.Time
		n           int
		expectFirst time.Time
	}{
		{"PinnedClockOneRequest", pinnedNow, 5, pinnedMicros},
		{"PinnedClockNextRequest", pinnedNow, 3, pinnedMicros.Add(5 * time.Microsecond)},
		{"ClockWithinBumpedRange", pinnedNow.Add(2 * time.Microsecond), 2, pinnedMicros.Add(8 * time.Microsecond)},
		{"ClockAhead", pinnedNow.Add(time.Second), 2, pinnedMicros.Add(time.Second)},
		{"ClockBackwards", pinnedNow.Add(-time.Hour), 2, pinnedMicros.Add(time.Second + 2*time.Microsecond)},
		{"SubMicrosecondClock", time.Date(2030, 1, 1, 0, 0, 0, 999, time.UTC), 1, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	next := 0
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			setNow(db, s.now)
			var objs []string
			var ids []string
			for range s.n {
				next++
				objs = append(objs, indicator(next, "2020-01-01T00:00:00.000Z"))
				ids = append(ids, sid("indicator", next))
			}
			st := mustAdd(t, db, c, objs...)
			if st.SuccessCount != s.n {
				t.Fatalf("SuccessCount = %d, want %d: %+v", st.SuccessCount, s.n, st)
			}
			q := everything
			q.IDs = ids
			recs := mustQuery(t, db, c.ID, q).Records
			if len(recs) != s.n {
				t.Fatalf("query returned %d records, want %d", len(recs), s.n)
			}
			for i, r := range recs {
				want := s.expectFirst.Add(time.Duration(i) * time.Microsecond)
				if !r.DateAdded.Equal(want) || r.DateAdded.Location() != time.UTC {
					t.Errorf("%s date_added = %s, want %s (UTC)", r.ID, stix.FormatTAXII(r.DateAdded), stix.FormatTAXII(want))
				}
				if r.ID != ids[i] {
					t.Errorf("record %d is %s, want %s (envelope order)", i, r.ID, ids[i])
				}
				if r.Position != uint64(r.DateAdded.UnixMicro()) {
					t.Errorf("Position %d != date_added %d in microseconds", r.Position, r.DateAdded.UnixMicro())
				}
				if r.DateAdded.Nanosecond()%1000 != 0 {
					t.Errorf("date_added %v has sub-microsecond digits", r.DateAdded)
				}
			}
			last, err := db.CollectionLastAdded(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := recs[len(recs)-1].DateAdded; !last.Equal(want) {
				t.Errorf("CollectionLastAdded = %v, want %v", last, want)
			}
		})
	}

	t.Run("StrictlyIncreasingOverall", func(t *testing.T) {
		recs := mustQuery(t, db, c.ID, everything).Records
		if len(recs) != next {
			t.Fatalf("collection holds %d versions, want %d", len(recs), next)
		}
		for i := 1; i < len(recs); i++ {
			if recs[i].Position <= recs[i-1].Position {
				t.Errorf("date_added %d at %d not after %d", recs[i].Position, i, recs[i-1].Position)
			}
		}
	})
}

// date_added is per collection (reference §9 item 23): the same object added
// to two collections gets each collection's own next date_added.
func (s *suite) testAddObjects_DateAddedPerCollection(t *testing.T) {
	db := s.open(t)
	c1 := mustCreateCollection(t, db, testRoot, store.Collection{})
	c2 := mustCreateCollection(t, db, testRoot, store.Collection{})
	mustAdd(t, db, c1, indicator(1, "2020-01-01T00:00:00.000Z"), indicator(2, "2020-01-01T00:00:00.000Z"))
	mustAdd(t, db, c2, indicator(2, "2020-01-01T00:00:00.000Z"))
	recs := mustQuery(t, db, c2.ID, everything).Records
	if len(recs) != 1 || !recs[0].DateAdded.Equal(pinnedMicros) {
		t.Fatalf("c2 records = %+v, want one added at %v", recs, pinnedMicros)
	}
	if n := len(mustQuery(t, db, c1.ID, everything).Records); n != 2 {
		t.Errorf("c1 holds %d versions, want 2", n)
	}
}

func (s *suite) testCollectionLastAdded(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	t.Run("Empty", func(t *testing.T) {
		last, err := db.CollectionLastAdded(ctx, c.ID)
		if err != nil || !last.IsZero() {
			t.Errorf("CollectionLastAdded = %v, %v; want zero", last, err)
		}
	})
	t.Run("ErrCollectionNotFound", func(t *testing.T) {
		if _, err := db.CollectionLastAdded(ctx, testUUID(9)); !errors.Is(err, store.ErrCollectionNotFound) {
			t.Errorf("error = %v, want ErrCollectionNotFound", err)
		}
	})
	t.Run("KeptAfterDelete", func(t *testing.T) {
		mustAdd(t, db, c, indicator(1, "2020-01-01T00:00:00.000Z"), indicator(2, "2020-01-01T00:00:00.000Z"))
		if _, err := db.DeleteObject(ctx, c.ID, sid("indicator", 2), store.VersionSelect{}, nil, nil); err != nil {
			t.Fatal(err)
		}
		last, err := db.CollectionLastAdded(ctx, c.ID)
		if err != nil || !last.Equal(pinnedMicros.Add(time.Microsecond)) {
			t.Errorf("CollectionLastAdded = %v, %v; want %v (never decreases)", last, err, pinnedMicros.Add(time.Microsecond))
		}
		// A later add must not reuse the deleted date_added.
		mustAdd(t, db, c, indicator(3, "2020-01-01T00:00:00.000Z"))
		q := everything
		q.IDs = []string{sid("indicator", 3)}
		recs := mustQuery(t, db, c.ID, q).Records
		if len(recs) != 1 || !recs[0].DateAdded.Equal(pinnedMicros.Add(2*time.Microsecond)) {
			t.Errorf("re-added records = %+v, want date_added %v", recs, pinnedMicros.Add(2*time.Microsecond))
		}
	})
}

func (s *suite) testAddObjects_Duplicates(t *testing.T) {
	const (
		mod1 = "2020-01-01T00:00:00.000Z"
		mod2 = "2020-02-01T00:00:00.000Z"
	)
	base := indicator(1, mod1)
	tests := []struct {
		name string
		// givenFirst is added in one request, givenSecond in the next, both
		// with the clock at pinnedNow (the SCO case advances it).
		givenFirst  string
		givenSecond string
		expectOK    bool   // the second object is a success
		expectMsg   bool   // its status detail carries a message
		expectVer   string // its status version ("" = date_added of first)
		expectCount int    // versions of the id stored afterwards
	}{
		{"Identical", base, base, true, true, mod1, 1},
		{"Whitespace", base, "  {\n" + base[1:len(base)-1] + "\n}  ", true, true, mod1, 1},
		{"KeyOrder", base,
			fmt.Sprintf(`{"name":"indicator 1","modified":%q,"created":"2017-01-01T00:00:00.000Z","id":%q,"spec_version":"2.1","type":"indicator","valid_from":"2017-01-01T00:00:00Z","pattern_type":"stix","pattern":"[ipv4-addr:value = '10.0.0.1']"}`, mod1, sid("indicator", 1)),
			true, true, mod1, 1},
		{"NestedKeyOrder",
			sdo("indicator", 1, "2.1", mod1, `"x_nested":{"a":1,"b":[{"c":true,"d":null}]}`),
			sdo("indicator", 1, "2.1", mod1, `"x_nested":{"b":[{"d":null,"c":true}],"a":1}`),
			true, true, mod1, 1},
		{"DifferentContent", base, sdo("indicator", 1, "2.1", mod1, `"x_changed":true`), false, true, mod1, 1},
		{"DifferentArrayOrder",
			sdo("indicator", 1, "2.1", mod1, `"labels":["a","b"]`),
			sdo("indicator", 1, "2.1", mod1, `"labels":["b","a"]`),
			false, true, mod1, 1},
		{"SameInstantOtherText", base, indicator(1, "2020-01-01T00:00:00Z"), false, true, "2020-01-01T00:00:00Z", 1},
		{"NewVersion", base, indicator(1, mod2), true, false, mod2, 2},
		{"SCOIdentical", ipv4(1, "10.0.0.1"), ipv4(1, "10.0.0.1"), true, true, "", 1},
		{"SCOWhitespace", ipv4(1, "10.0.0.1"), " " + ipv4(1, "10.0.0.1") + "\n", true, true, "", 1},
		{"SCOOtherContent", ipv4(1, "10.0.0.1"), ipv4(1, "10.0.0.2"), true, false, "second", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := s.open(t)
			c := mustCreateCollection(t, db, testRoot, store.Collection{})
			first := mustAdd(t, db, c, tt.givenFirst)
			if first.SuccessCount != 1 || first.Successes[0].Message != "" {
				t.Fatalf("first add = %+v, want one success without message", first)
			}
			firstVersion := first.Successes[0].Version
			// A later clock shows that a duplicate SCO keeps its first version.
			setNow(db, pinnedNow.Add(time.Hour))
			second := mustAdd(t, db, c, tt.givenSecond)

			var d store.StatusDetail
			if tt.expectOK {
				if second.SuccessCount != 1 || second.FailureCount != 0 || len(second.Successes) != 1 {
					t.Fatalf("second add = %+v, want one success", second)
				}
				d = second.Successes[0]
			} else {
				if second.SuccessCount != 0 || second.FailureCount != 1 || len(second.Failures) != 1 {
					t.Fatalf("second add = %+v, want one failure", second)
				}
				d = second.Failures[0]
			}
			if d.ID != mustPeek(t, 0, tt.givenFirst).ID {
				t.Errorf("status detail id = %q, want the object's", d.ID)
			}
			if (d.Message != "") != tt.expectMsg {
				t.Errorf("status detail message = %q, want a message: %v", d.Message, tt.expectMsg)
			}
			switch tt.expectVer {
			case "":
				if d.Version != firstVersion {
					t.Errorf("duplicate SCO version = %q, want the first one %q", d.Version, firstVersion)
				}
			case "second":
				if want := stix.FormatTAXII(pinnedNow.Add(time.Hour)); d.Version != want {
					t.Errorf("new SCO version = %q, want its date_added %q", d.Version, want)
				}
			default:
				if d.Version != tt.expectVer {
					t.Errorf("status version = %q, want %q", d.Version, tt.expectVer)
				}
			}

			q := everything
			q.ObjectID = mustPeek(t, 0, tt.givenFirst).ID
			recs := mustQuery(t, db, c.ID, q).Records
			if len(recs) != tt.expectCount {
				t.Fatalf("stored %d versions, want %d: %+v", len(recs), tt.expectCount, recs)
			}
			if got, want := string(recs[0].Raw), string(compact(t, tt.givenFirst)); got != want {
				t.Errorf("first stored version changed:\n got %s\nwant %s", got, want)
			}
			if recs[0].VersionText != firstVersion {
				t.Errorf("first stored version text = %q, want %q", recs[0].VersionText, firstVersion)
			}
		})
	}
}

func (s *suite) testAddObjects_DuplicateInOneRequest(t *testing.T) {
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	o := indicator(1, "2020-01-01T00:00:00.000Z")
	sco := ipv4(2, "10.0.0.2")
	st := mustAdd(t, db, c, o, sco, o, sco)
	if st.SuccessCount != 4 || st.FailureCount != 0 {
		t.Fatalf("status = %+v, want 4 successes", st)
	}
	for i, d := range st.Successes {
		if dup := i >= 2; (d.Message != "") != dup {
			t.Errorf("success %d = %+v, want a message only for the repeated objects", i, d)
		}
	}
	if st.Successes[1].Version != st.Successes[3].Version || st.Successes[1].Version != stix.FormatTAXII(pinnedMicros.Add(time.Microsecond)) {
		t.Errorf("SCO versions %q and %q, want both its date_added", st.Successes[1].Version, st.Successes[3].Version)
	}
	if n := len(mustQuery(t, db, c.ID, everything).Records); n != 2 {
		t.Errorf("collection holds %d versions, want 2", n)
	}
}

func (s *suite) testAddObjects_SCOVersion(t *testing.T) {
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	mustAdd(t, db, c, indicator(1, "2020-01-01T00:00:00.000Z"))
	st := mustAdd(t, db, c, ipv4(1, "10.0.0.1"))
	want := stix.FormatTAXII(pinnedMicros.Add(time.Microsecond)) // the collection's next date_added
	if st.Successes[0].Version != want {
		t.Errorf("SCO version = %q, want its date_added %q", st.Successes[0].Version, want)
	}
	recs := mustQuery(t, db, c.ID, store.Query{ObjectID: sid("ipv4-addr", 1)}).Records
	if len(recs) != 1 {
		t.Fatalf("records = %+v, want one", recs)
	}
	r := recs[0]
	if r.VersionText != want || stix.FormatTAXII(r.DateAdded) != want || r.SpecVersion != "2.1" {
		t.Errorf("record = %+v, want version %s = date_added, spec 2.1", r, want)
	}
	// The version is an explicit match[version] value like any other.
	q := store.Query{ObjectID: r.ID, Versions: store.VersionSelect{At: []time.Time{ts(t, want)}}}
	if got := mustQuery(t, db, c.ID, q).Records; len(got) != 1 {
		t.Errorf("match[version]=%s returned %d records, want 1", want, len(got))
	}
}

// Same content means equal JSON, key order and spacing aside, for SCOs as
// for versioned objects: a re-post of an identical SCO serialised with
// another key order is an exact duplicate, not a new version (reference §9
// item 25). SCOs are hashed in canonical form for this.
func (s *suite) testAddObjects_SCOKeyOrderIsDuplicate(t *testing.T) {
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	id := sid("ipv4-addr", 1)
	first := mustAdd(t, db, c, fmt.Sprintf(`{"type":"ipv4-addr","id":%q,"value":"10.0.0.1"}`, id))
	second := mustAdd(t, db, c, fmt.Sprintf(`{"value":"10.0.0.1","id":%q,"type":"ipv4-addr"}`, id))
	if got := versionsOf(t, db, c.ID, id); len(got) != 1 {
		t.Errorf("identical SCO in another key order stored %d versions %v, want 1", len(got), got)
	}
	if second.Successes[0].Version != first.Successes[0].Version || second.Successes[0].Message == "" {
		t.Errorf("second add detail = %+v, want the first version %q with a duplicate message", second.Successes[0], first.Successes[0].Version)
	}
}

// Numbers compare exactly when content is compared: integers beyond 2^53
// that differ are different content, so the second post is a conflict, not
// a duplicate whose content is silently dropped.
func (s *suite) testAddObjects_LargeIntegersCompareExactly(t *testing.T) {
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	const mod = "2020-01-01T00:00:00.000Z"
	mustAdd(t, db, c, sdo("indicator", 1, "2.1", mod, `"x_serial":9007199254740993`))
	st := mustAdd(t, db, c, sdo("indicator", 1, "2.1", mod, `"x_serial":9007199254740992`))
	if st.FailureCount != 1 {
		t.Errorf("status = %+v, want a failure: the content differs in x_serial", st)
	}
}

func (s *suite) testAddObjects_ErrCollectionNotFound(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	req := addRequest(t, c, indicator(1, "2020-01-01T00:00:00.000Z"))
	req.Collection = testUUID(77)
	st, err := db.AddObjects(ctx, req)
	if !errors.Is(err, store.ErrCollectionNotFound) {
		t.Fatalf("error = %v, want ErrCollectionNotFound", err)
	}
	if !reflect.DeepEqual(st, store.Status{}) {
		t.Errorf("status = %+v, want the zero Status on error", st)
	}
	// No status resource was stored: nothing is left to purge later.
	setNow(db, pinnedNow.Add(store.DefaultStatusRetention+time.Hour))
	if n, err := db.PurgeStatuses(ctx); err != nil || n != 0 {
		t.Errorf("PurgeStatuses = %d, %v; want 0 statuses stored by the failed request", n, err)
	}
}

// AddObjects is one transaction: when it fails half way, none of the
// objects, the collection's date_added counter or the status is kept.
func (s *suite) testAddObjects_Atomic(t *testing.T) {
	tests := []struct {
		name     string
		givenCtx func() context.Context
	}{
		// AddObjects checks the context every 1024 objects; this one is
		// cancelled at the second check, after 1024 objects were written.
		{"CancelledHalfWay", func() context.Context { return &cancelAfter{Context: context.Background(), n: 1} }},
		{"CancelledBefore", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := s.open(t)
			c := mustCreateCollection(t, db, testRoot, store.Collection{})
			var objs []string
			for i := range 1500 {
				objs = append(objs, indicator(i, "2020-01-01T00:00:00.000Z"))
			}
			_, err := db.AddObjects(tt.givenCtx(), addRequest(t, c, objs...))
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
			if recs := mustQuery(t, db, c.ID, everything).Records; len(recs) != 0 {
				t.Errorf("a failed AddObjects left %d versions behind", len(recs))
			}
			if last, err := db.CollectionLastAdded(context.Background(), c.ID); err != nil || !last.IsZero() {
				t.Errorf("CollectionLastAdded = %v, %v; want zero", last, err)
			}
			// The next request starts at the clock, not after the lost ones.
			mustAdd(t, db, c, indicator(5000, "2020-01-01T00:00:00.000Z"))
			recs := mustQuery(t, db, c.ID, everything).Records
			if len(recs) != 1 || !recs[0].DateAdded.Equal(pinnedMicros) {
				t.Errorf("records after retry = %+v, want one at %v", recs, pinnedMicros)
			}
			setNow(db, pinnedNow.Add(store.DefaultStatusRetention+time.Hour))
			if n, err := db.PurgeStatuses(context.Background()); err != nil || n != 1 {
				t.Errorf("PurgeStatuses = %d, %v; want 1 (only the retry's status)", n, err)
			}
		})
	}
}
