package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
)

// queryFixture is one collection whose media types allow STIX 2.0 and 2.1,
// holding the versions below in date_added order (each request's objects in
// envelope order, one microsecond apart since the clock is pinned).
type queryFixture struct {
	db   store.Store
	coll store.Collection
	// byLabel maps a fixture label to its stored record.
	byLabel map[string]store.Record
	// labels maps a date_added position back to its label.
	labels map[uint64]string
}

// fixtureObject is one version in the query fixture.
type fixtureObject struct {
	label, json string
	id          string
	version     string // the expected version string ("" for the SCO)
	spec        string
}

var (
	ind1  = sid("indicator", 1)
	ind3  = sid("indicator", 3)
	mal2  = sid("malware", 2)
	ip4   = sid("ipv4-addr", 4)
	ap5   = sid("attack-pattern", 5)
	tool6 = sid("tool", 6)
)

// fixtureRequests are the Add Objects requests that build the fixture.
//
//	ind1: a1 (Jan), a3 (Mar, written without fraction), then a2 (Feb) added
//	      last, out of modified order
//	mal2: m1, m2
//	ind3: b1 (one version)
//	ip4:  an SCO (no created/modified, implied spec 2.1)
//	ap5:  a STIX 2.0 object (no spec_version)
//	tool6: t1 (2.0), t2 (2.1), t3 (2.0, the latest modified)
var fixtureRequests = [][]fixtureObject{
	{
		{label: "a1", json: sdo("indicator", 1, "2.1", "2020-01-01T00:00:00.000Z"), id: ind1, version: "2020-01-01T00:00:00.000Z", spec: "2.1"},
		{label: "m1", json: sdo("malware", 2, "2.1", "2021-01-01T00:00:00.000Z", `"is_family":false`), id: mal2, version: "2021-01-01T00:00:00.000Z", spec: "2.1"},
		{label: "a3", json: sdo("indicator", 1, "2.1", "2020-03-01T00:00:00Z"), id: ind1, version: "2020-03-01T00:00:00Z", spec: "2.1"},
		{label: "b1", json: sdo("indicator", 3, "2.1", "2020-01-05T00:00:00.000Z"), id: ind3, version: "2020-01-05T00:00:00.000Z", spec: "2.1"},
	},
	{
		{label: "a2", json: sdo("indicator", 1, "2.1", "2020-02-01T00:00:00.000Z"), id: ind1, version: "2020-02-01T00:00:00.000Z", spec: "2.1"},
		{label: "ip", json: `{ "type": "ipv4-addr",  "id": "` + ip4 + `", "value": "10.0.0.4" }`, id: ip4, spec: "2.1"},
		{label: "ap", json: sdo("attack-pattern", 5, "", "2019-01-01T00:00:00.000Z"), id: ap5, version: "2019-01-01T00:00:00.000Z", spec: "2.0"},
	},
	{
		{label: "m2", json: sdo("malware", 2, "2.1", "2021-06-01T00:00:00.000Z", `"is_family":true`), id: mal2, version: "2021-06-01T00:00:00.000Z", spec: "2.1"},
		{label: "t1", json: sdo("tool", 6, "", "2018-01-01T00:00:00.000Z"), id: tool6, version: "2018-01-01T00:00:00.000Z", spec: "2.0"},
		{label: "t2", json: sdo("tool", 6, "2.1", "2018-06-01T00:00:00.000Z"), id: tool6, version: "2018-06-01T00:00:00.000Z", spec: "2.1"},
		{label: "t3", json: sdo("tool", 6, "", "2019-01-01T00:00:00.000Z"), id: tool6, version: "2019-01-01T00:00:00.000Z", spec: "2.0"},
	},
}

// fixtureOrder lists the labels in date_added order.
var fixtureOrder = []string{"a1", "m1", "a3", "b1", "a2", "ip", "ap", "m2", "t1", "t2", "t3"}

func (s *suite) newQueryFixture(t *testing.T) *queryFixture {
	t.Helper()
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{
		MediaTypes: []string{stix.MediaType(stix.SpecVersion21), stix.MediaType(stix.SpecVersion20)},
	})
	f := &queryFixture{db: db, coll: c, byLabel: map[string]store.Record{}, labels: map[uint64]string{}}
	var objs []fixtureObject
	for _, req := range fixtureRequests {
		var js []string
		for _, o := range req {
			js = append(js, o.json)
		}
		if st := mustAdd(t, db, c, js...); st.SuccessCount != len(req) || st.FailureCount != 0 {
			t.Fatalf("fixture add: %+v", st)
		}
		objs = append(objs, req...)
	}
	recs := mustQuery(t, db, c.ID, everything).Records
	if len(recs) != len(objs) {
		t.Fatalf("fixture holds %d versions, want %d", len(recs), len(objs))
	}
	for i, r := range recs {
		o := objs[i]
		if o.label != fixtureOrder[i] {
			t.Fatalf("fixtureOrder[%d] = %s, fixture has %s", i, fixtureOrder[i], o.label)
		}
		f.byLabel[o.label] = r
		f.labels[r.Position] = o.label
		// The stored record is the input: compacted bytes, its id, its
		// version as written, its (implied) spec version, date_added in
		// order one microsecond apart.
		want := store.Record{
			DateAdded:   pinnedMicros.Add(time.Duration(i) * time.Microsecond),
			Position:    uint64(pinnedMicros.UnixMicro()) + uint64(i),
			ID:          o.id,
			VersionText: o.version,
			SpecVersion: o.spec,
			Raw:         compact(t, o.json),
		}
		if o.version == "" {
			want.VersionText = stix.FormatTAXII(want.DateAdded)
		}
		if !reflect.DeepEqual(r, want) {
			t.Fatalf("fixture record %s =\n %+v\nwant\n %+v", o.label, r, want)
		}
	}
	return f
}

func (f *queryFixture) added(label string) time.Time { return f.byLabel[label].DateAdded }

func (f *queryFixture) labelsOf(t *testing.T, recs []store.Record) []string {
	t.Helper()
	out := []string{}
	for _, r := range recs {
		l, ok := f.labels[r.Position]
		if !ok {
			t.Fatalf("record %+v is not in the fixture", r)
		}
		want := f.byLabel[l]
		if !reflect.DeepEqual(r, want) && !(r.Raw == nil && recordsEqualNoBody(r, want)) {
			t.Errorf("record %s = %+v, want %+v", l, r, want)
		}
		out = append(out, l)
	}
	return out
}

func recordsEqualNoBody(a, b store.Record) bool {
	b.Raw = nil
	return reflect.DeepEqual(a, b)
}

type queryCase struct {
	name      string
	given     func(f *queryFixture) store.Query
	expect    []string // labels in order
	expectErr error
}

func vs(at ...string) []time.Time {
	var out []time.Time
	for _, s := range at {
		t, err := stix.ParseTimestamp(s)
		if err != nil {
			panic(err)
		}
		out = append(out, t)
	}
	return out
}

func q(query store.Query) func(*queryFixture) store.Query {
	return func(*queryFixture) store.Query { return query }
}

var (
	both     = []string{"2.0", "2.1"}
	allVer   = store.VersionSelect{All: true}
	firstVer = store.VersionSelect{First: true}
	lastVer  = store.VersionSelect{Last: true}
)

var queryCases = []queryCase{
	// Version selection (TAXII 2.1 §3.4.1).
	{name: "DefaultIsLatestPerObject", given: q(store.Query{}), expect: []string{"a3", "b1", "ip", "ap", "m2", "t2"}},
	{name: "Last", given: q(store.Query{Versions: lastVer}), expect: []string{"a3", "b1", "ip", "ap", "m2", "t2"}},
	{name: "First", given: q(store.Query{Versions: firstVer}), expect: []string{"a1", "m1", "b1", "ip", "ap", "t2"}},
	{name: "All", given: q(store.Query{Versions: allVer}), expect: []string{"a1", "m1", "a3", "b1", "a2", "ip", "ap", "m2", "t2"}},
	{name: "AllBothSpecs", given: q(everything), expect: fixtureOrder},
	{name: "FirstAndLast", given: q(store.Query{Versions: store.VersionSelect{First: true, Last: true}}), expect: []string{"a1", "m1", "a3", "b1", "ip", "ap", "m2", "t2"}},
	{name: "AtStoredWithoutFraction", given: q(store.Query{Versions: store.VersionSelect{At: vs("2020-03-01T00:00:00.000Z")}}), expect: []string{"a3"}},
	{name: "AtStoredWithFraction", given: q(store.Query{Versions: store.VersionSelect{At: vs("2020-02-01T00:00:00Z")}}), expect: []string{"a2"}},
	{name: "AtMicrosecondForm", given: q(store.Query{Versions: store.VersionSelect{At: vs("2020-02-01T00:00:00.000000Z")}}), expect: []string{"a2"}},
	{name: "AtOneNanosecondOff", given: q(store.Query{Versions: store.VersionSelect{At: vs("2020-02-01T00:00:00.000000001Z")}}), expect: []string{}},
	{name: "AtNonUTCLocation", given: q(store.Query{Versions: store.VersionSelect{At: []time.Time{time.Date(2020, 2, 1, 1, 0, 0, 0, time.FixedZone("CET", 3600))}}}), expect: []string{"a2"}},
	{name: "AtTwoValues", given: q(store.Query{Versions: store.VersionSelect{At: vs("2020-01-01T00:00:00Z", "2021-06-01T00:00:00Z")}}), expect: []string{"a1", "m2"}},
	{name: "AtUnknown", given: q(store.Query{Versions: store.VersionSelect{At: vs("1999-01-01T00:00:00Z")}}), expect: []string{}},
	{name: "FirstAndAt", given: q(store.Query{Versions: store.VersionSelect{First: true, At: vs("2020-02-01T00:00:00Z")}}), expect: []string{"a1", "m1", "b1", "a2", "ip", "ap", "t2"}},
	{name: "AtOfOlderSpecVersion", given: q(store.Query{Versions: store.VersionSelect{At: vs("2018-01-01T00:00:00Z")}}), expect: []string{}},

	// match[id] and match[type].
	{name: "ID", given: q(store.Query{IDs: []string{ind1}}), expect: []string{"a3"}},
	{name: "IDRepeated", given: q(store.Query{IDs: []string{ind1, ind1}}), expect: []string{"a3"}},
	{name: "IDsAll", given: q(store.Query{IDs: []string{mal2, ind1}, Versions: allVer}), expect: []string{"a1", "m1", "a3", "a2", "m2"}},
	{name: "IDUnknown", given: q(store.Query{IDs: []string{sid("indicator", 99)}}), expect: []string{}},
	{name: "IDFirst", given: q(store.Query{IDs: []string{ind1}, Versions: firstVer}), expect: []string{"a1"}},
	{name: "Type", given: q(store.Query{Types: []string{"indicator"}}), expect: []string{"a3", "b1"}},
	{name: "TypeAll", given: q(store.Query{Types: []string{"indicator"}, Versions: allVer}), expect: []string{"a1", "a3", "b1", "a2"}},
	{name: "TwoTypes", given: q(store.Query{Types: []string{"malware", "indicator"}}), expect: []string{"a3", "b1", "m2"}},
	{name: "TypeSCO", given: q(store.Query{Types: []string{"ipv4-addr"}}), expect: []string{"ip"}},
	{name: "TypeUnknown", given: q(store.Query{Types: []string{"campaign"}}), expect: []string{}},
	{name: "TypeIsNotAPrefix", given: q(store.Query{Types: []string{"indicat"}}), expect: []string{}},
	{name: "IDsAndType", given: q(store.Query{IDs: []string{ind1, mal2}, Types: []string{"malware"}}), expect: []string{"m2"}},
	{name: "IDAndOtherType", given: q(store.Query{IDs: []string{ind1}, Types: []string{"malware"}}), expect: []string{}},

	// match[spec_version]: default is the latest spec version held per object.
	{name: "Spec20", given: q(store.Query{SpecVersions: []string{"2.0"}}), expect: []string{"ap", "t3"}},
	{name: "Spec21", given: q(store.Query{SpecVersions: []string{"2.1"}}), expect: []string{"a3", "b1", "ip", "m2", "t2"}},
	{name: "SpecBoth", given: q(store.Query{SpecVersions: both}), expect: []string{"a3", "b1", "ip", "ap", "m2", "t3"}},
	{name: "Spec20All", given: q(store.Query{SpecVersions: []string{"2.0"}, Versions: allVer}), expect: []string{"ap", "t1", "t3"}},
	{name: "Spec20First", given: q(store.Query{SpecVersions: []string{"2.0"}, Versions: firstVer}), expect: []string{"ap", "t1"}},
	{name: "Spec21First", given: q(store.Query{SpecVersions: []string{"2.1"}, Versions: firstVer}), expect: []string{"a1", "m1", "b1", "ip", "t2"}},
	{name: "Spec20AtOf21Version", given: q(store.Query{SpecVersions: []string{"2.0"}, Versions: store.VersionSelect{At: vs("2018-06-01T00:00:00Z")}}), expect: []string{}},
	{name: "Spec21At", given: q(store.Query{SpecVersions: []string{"2.1"}, Versions: store.VersionSelect{At: vs("2018-06-01T00:00:00Z")}}), expect: []string{"t2"}},
	{name: "SpecUnknown", given: q(store.Query{SpecVersions: []string{"2.2"}}), expect: []string{}},
	{name: "SpecDefaultOnID", given: q(store.Query{IDs: []string{tool6}, Versions: allVer}), expect: []string{"t2"}},

	// added_after: strictly after, and applied after version selection:
	// an object whose current version came before added_after is not
	// listed, even if an older version of it came after (a2 after a3).
	{name: "AddedAfterKeepsCurrentVersion", given: func(f *queryFixture) store.Query {
		return store.Query{AddedAfter: f.added("b1")}
	}, expect: []string{"ip", "ap", "m2", "t2"}},
	{name: "AddedAfterFirst", given: func(f *queryFixture) store.Query {
		return store.Query{AddedAfter: f.added("m1"), Versions: firstVer}
	}, expect: []string{"b1", "ip", "ap", "t2"}},
	{name: "AddedAfterExclusive", given: func(f *queryFixture) store.Query {
		q := everything
		q.AddedAfter = f.added("t2")
		return q
	}, expect: []string{"t3"}},
	{name: "AddedAfterOneMicroBefore", given: func(f *queryFixture) store.Query {
		q := everything
		q.AddedAfter = f.added("t2").Add(-time.Microsecond)
		return q
	}, expect: []string{"t2", "t3"}},
	{name: "AddedAfterSubMicroBefore", given: func(f *queryFixture) store.Query {
		q := everything
		q.AddedAfter = f.added("t2").Add(-500 * time.Nanosecond)
		return q
	}, expect: []string{"t2", "t3"}},
	{name: "AddedAfterSubMicroAfter", given: func(f *queryFixture) store.Query {
		q := everything
		q.AddedAfter = f.added("t2").Add(500 * time.Nanosecond)
		return q
	}, expect: []string{"t3"}},
	{name: "AddedAfterLast", given: func(f *queryFixture) store.Query {
		q := everything
		q.AddedAfter = f.added("t3")
		return q
	}, expect: []string{}},
	{name: "AddedAfterEpochBefore", given: q(store.Query{AddedAfter: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)}), expect: []string{"a3", "b1", "ip", "ap", "m2", "t2"}},
	{name: "AddedAfterOtherZone", given: func(f *queryFixture) store.Query {
		q := everything
		q.AddedAfter = f.added("t2").In(time.FixedZone("X", -7*3600))
		return q
	}, expect: []string{"t3"}},
	{name: "AddedAfterAndSpecDefault", given: func(f *queryFixture) store.Query {
		// tool6's latest spec version (2.1) is decided over all its
		// versions, before added_after: t3 (2.0) does not qualify.
		return store.Query{IDs: []string{tool6}, AddedAfter: f.added("t2")}
	}, expect: []string{}},

	// One object (Get an Object, Get Object Versions).
	{name: "ObjectID", given: q(store.Query{ObjectID: ind1}), expect: []string{"a3"}},
	{name: "ObjectIDAll", given: q(store.Query{ObjectID: ind1, Versions: allVer}), expect: []string{"a1", "a3", "a2"}},
	{name: "ObjectIDOverridesIDs", given: q(store.Query{ObjectID: ind1, IDs: []string{mal2}}), expect: []string{"a3"}},
	{name: "ObjectIDSpec20", given: q(store.Query{ObjectID: tool6, SpecVersions: []string{"2.0"}}), expect: []string{"t3"}},
	{name: "ObjectIDFilteredOut", given: func(f *queryFixture) store.Query {
		return store.Query{ObjectID: ind1, AddedAfter: f.added("a2")}
	}, expect: []string{}},
	{name: "ObjectIDOtherType", given: q(store.Query{ObjectID: ind1, Types: []string{"malware"}}), expect: []string{}},
	{name: "ObjectIDUnknown", given: q(store.Query{ObjectID: sid("indicator", 99)}), expectErr: store.ErrObjectNotFound},
	{name: "ObjectIDPrefixOfNothing", given: q(store.Query{ObjectID: "indicator"}), expectErr: store.ErrObjectNotFound},
	{name: "ObjectIDWrongCase", given: q(store.Query{ObjectID: strings.ToUpper(ind1)}), expectErr: store.ErrObjectNotFound},
}

func (s *suite) testQuery(t *testing.T) {
	f := s.newQueryFixture(t)
	for _, tt := range queryCases {
		t.Run(tt.name, func(t *testing.T) {
			query := tt.given(f)
			query.Limit = 100
			page, err := f.db.Query(context.Background(), f.coll.ID, query)
			if !errors.Is(err, tt.expectErr) {
				t.Fatalf("Query(%+v) error = %v, want %v", query, err, tt.expectErr)
			}
			if err != nil {
				return
			}
			if got := f.labelsOf(t, page.Records); !reflect.DeepEqual(got, tt.expect) {
				t.Errorf("Query(%+v) = %v, want %v", query, got, tt.expect)
			}
			if page.More {
				t.Error("More = true for a page under its limit")
			}
		})
	}
}

// Every query, paged by Position with small limits, returns what one big
// page returns, each record once, and More is true exactly on the pages
// that are not the last.
func (s *suite) testQuery_PagingByPosition(t *testing.T) {
	f := s.newQueryFixture(t)
	for _, tt := range queryCases {
		if tt.expectErr != nil {
			continue
		}
		for _, limit := range []int{1, 2, 3} {
			query := tt.given(f)
			query.Limit = limit
			var got []store.Record
			for pages := 0; ; pages++ {
				if pages > len(fixtureOrder)+1 {
					t.Fatalf("%s: paging does not end", tt.name)
				}
				page := mustQuery(t, f.db, f.coll.ID, query)
				if len(page.Records) > limit {
					t.Fatalf("%s: page of %d records over limit %d", tt.name, len(page.Records), limit)
				}
				got = append(got, page.Records...)
				if !page.More {
					break
				}
				if len(page.Records) != limit {
					t.Errorf("%s: More with a short page of %d (limit %d)", tt.name, len(page.Records), limit)
				}
				query.After = page.Records[len(page.Records)-1].Position
			}
			if labels := f.labelsOf(t, got); !reflect.DeepEqual(labels, tt.expect) {
				t.Errorf("%s limit %d: paged %v, want %v", tt.name, limit, labels, tt.expect)
			}
		}
	}
}

func (s *suite) testQuery_NoBody(t *testing.T) {
	f := s.newQueryFixture(t)
	page := mustQuery(t, f.db, f.coll.ID, store.Query{Versions: allVer, SpecVersions: both, NoBody: true})
	if len(page.Records) != len(fixtureOrder) {
		t.Fatalf("got %d records, want %d", len(page.Records), len(fixtureOrder))
	}
	for _, r := range page.Records {
		if r.Raw != nil {
			t.Errorf("%s: Raw = %s, want nil with NoBody", r.ID, r.Raw)
		}
		want := f.byLabel[f.labels[r.Position]]
		want.Raw = nil
		if !reflect.DeepEqual(r, want) {
			t.Errorf("record = %+v, want %+v", r, want)
		}
	}
}

// Raw is a copy: it stays valid after the transaction and changing it does
// not change what is stored.
func (s *suite) testQuery_RawIsCopy(t *testing.T) {
	f := s.newQueryFixture(t)
	q := store.Query{ObjectID: ind3}
	r1 := mustQuery(t, f.db, f.coll.ID, q).Records[0]
	want := append([]byte(nil), r1.Raw...)
	for i := range r1.Raw {
		r1.Raw[i] = 'x'
	}
	mustAdd(t, f.db, f.coll, indicator(500, "2020-01-01T00:00:00.000Z")) // a write in between
	if r2 := mustQuery(t, f.db, f.coll.ID, q).Records[0]; string(r2.Raw) != string(want) {
		t.Errorf("stored Raw = %s, want %s", r2.Raw, want)
	}
}

func (s *suite) testQuery_Errors(t *testing.T) {
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	mustAdd(t, db, c, indicator(1, "2020-01-01T00:00:00.000Z"))
	tests := []struct {
		name      string
		coll      string
		limit     int
		expectErr error // nil: any error
	}{
		{"ErrCollectionNotFound", testUUID(42), 10, store.ErrCollectionNotFound},
		{"ZeroLimit", c.ID, 0, nil},
		{"NegativeLimit", c.ID, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := db.Query(context.Background(), tt.coll, store.Query{Limit: tt.limit})
			if err == nil || (tt.expectErr != nil && !errors.Is(err, tt.expectErr)) {
				t.Errorf("Query error = %v, want %v", err, tt.expectErr)
			}
			if len(page.Records) != 0 {
				t.Errorf("records %+v returned with an error", page.Records)
			}
		})
	}
}

func (s *suite) testQuery_More(t *testing.T) {
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	const n = 10
	var objs []string
	for i := range n {
		objs = append(objs, indicator(i, "2020-01-01T00:00:00.000Z"))
	}
	mustAdd(t, db, c, objs...)
	// The same collection plus one older version of object 0, which the
	// default query skips: More must not count it.
	mustAdd(t, db, c, indicator(0, "2019-01-01T00:00:00.000Z"))
	all := mustQuery(t, db, c.ID, store.Query{}).Records
	if len(all) != n {
		t.Fatalf("default query returned %d, want %d", len(all), n)
	}

	tests := []struct {
		name        string
		givenAfter  int // records already served (0: first page)
		givenLimit  int
		expectCount int
		expectMore  bool
	}{
		{"LimitBelowCount", 0, n - 1, n - 1, true},
		{"LimitEqualsCount", 0, n, n, false},
		{"LimitAboveCount", 0, n + 1, n, false},
		{"LimitOne", 0, 1, 1, true},
		{"LaterPageLimitEqualsRemaining", 4, n - 4, n - 4, false},
		{"LaterPageLimitBelowRemaining", 4, n - 5, n - 5, true},
		{"LastRecordServed", n, 5, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := store.Query{Limit: tt.givenLimit}
			if tt.givenAfter > 0 {
				q.After = all[tt.givenAfter-1].Position
			}
			page := mustQuery(t, db, c.ID, q)
			if len(page.Records) != tt.expectCount || page.More != tt.expectMore {
				t.Errorf("page has %d records, More %v; want %d, %v", len(page.Records), page.More, tt.expectCount, tt.expectMore)
			}
			if tt.expectCount > 0 && page.Records[0].Position != all[tt.givenAfter].Position {
				t.Errorf("page starts at %d, want %d", page.Records[0].Position, all[tt.givenAfter].Position)
			}
		})
	}
}

// Paging by the last Position (the next cursor) and by the last date_added
// (the client's added_after fallback, TAXII 2.1 §3.5) visit every object
// exactly once, even when all of them came in one request with the clock
// pinned.
func (s *suite) testQuery_PagingOneRequest(t *testing.T) {
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	const n = 50
	var objs []string
	for i := range n {
		if i%5 == 0 {
			objs = append(objs, ipv4(i, fmt.Sprintf("10.1.0.%d", i)))
		} else {
			objs = append(objs, indicator(i, "2020-01-01T00:00:00.000Z"))
		}
	}
	mustAdd(t, db, c, objs...)

	tests := []struct {
		name string
		next func(q *store.Query, last store.Record)
	}{
		{"After", func(q *store.Query, last store.Record) { q.After = last.Position }},
		{"AddedAfter", func(q *store.Query, last store.Record) { q.AddedAfter = last.DateAdded }},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 7, 10, n} {
			seen := map[string]int{}
			q := store.Query{Limit: limit}
			pages := 0
			for {
				pages++
				if pages > n+2 {
					t.Fatalf("%s limit %d: paging does not end", tt.name, limit)
				}
				page := mustQuery(t, db, c.ID, q)
				for _, r := range page.Records {
					seen[r.ID]++
				}
				if !page.More {
					break
				}
				tt.next(&q, page.Records[len(page.Records)-1])
			}
			if len(seen) != n {
				t.Errorf("%s limit %d: visited %d objects, want %d", tt.name, limit, len(seen), n)
			}
			for id, k := range seen {
				if k != 1 {
					t.Errorf("%s limit %d: %s visited %d times", tt.name, limit, id, k)
				}
			}
			if want := (n + limit - 1) / limit; pages != want {
				t.Errorf("%s limit %d: %d pages, want %d", tt.name, limit, pages, want)
			}
		}
	}
}
