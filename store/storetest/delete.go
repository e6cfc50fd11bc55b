package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"liaison/store"
)

func (s *suite) testDeleteObject(t *testing.T) {
	const (
		v1 = "2018-01-01T00:00:00.000Z" // spec 2.0
		v2 = "2018-06-01T00:00:00.000Z" // spec 2.1
		v3 = "2019-01-01T00:00:00.000Z" // spec 2.1
	)
	target := sid("tool", 6)
	targetJSON := map[string]string{
		v1: sdo("tool", 6, "", v1),
		v2: sdo("tool", 6, "2.1", v2),
		v3: sdo("tool", 6, "2.1", v3),
	}
	// Bystanders that no delete may touch: another tool, an indicator with
	// two versions and an SCO.
	others := []string{
		sdo("tool", 7, "2.1", v1),
		indicator(1, "2020-01-01T00:00:00.000Z"),
		indicator(1, "2020-02-01T00:00:00.000Z"),
		ipv4(2, "10.0.0.2"),
	}

	tests := []struct {
		name         string
		givenID      string
		givenVer     store.VersionSelect
		givenSpec    []string
		expectN      int
		expectErr    error
		expectRemain []string // versions of target left, in date_added order
	}{
		{name: "ZeroDeletesAll", expectN: 3},
		{name: "All", givenVer: allVer, expectN: 3},
		{name: "Last", givenVer: lastVer, expectN: 1, expectRemain: []string{v1, v2}},
		// Without a spec version filter, first, last and explicit versions
		// are chosen among the latest spec version's (2.1), as GET does.
		{name: "First", givenVer: firstVer, expectN: 1, expectRemain: []string{v1, v3}},
		{name: "FirstAndLast", givenVer: store.VersionSelect{First: true, Last: true}, expectN: 2, expectRemain: []string{v1}},
		{name: "At", givenVer: store.VersionSelect{At: vs(v2)}, expectN: 1, expectRemain: []string{v1, v3}},
		{name: "AtSameInstantOtherText", givenVer: store.VersionSelect{At: vs("2018-06-01T00:00:00Z")}, expectN: 1, expectRemain: []string{v1, v3}},
		{name: "AtTwo", givenVer: store.VersionSelect{At: vs(v2, v3)}, expectN: 2, expectRemain: []string{v1}},
		{name: "AtOfOlderSpecNeedsSpec", givenVer: store.VersionSelect{At: vs(v1, v3)}, expectN: 1, expectRemain: []string{v1, v2}},
		{name: "AtOfOlderSpecWithSpec", givenVer: store.VersionSelect{At: vs(v1)}, givenSpec: []string{"2.0"}, expectN: 1, expectRemain: []string{v2, v3}},
		{name: "Spec20", givenSpec: []string{"2.0"}, expectN: 1, expectRemain: []string{v2, v3}},
		{name: "Spec21", givenSpec: []string{"2.1"}, expectN: 2, expectRemain: []string{v1}},
		{name: "Spec21First", givenVer: firstVer, givenSpec: []string{"2.1"}, expectN: 1, expectRemain: []string{v1, v3}},
		{name: "Spec21Last", givenVer: lastVer, givenSpec: []string{"2.1"}, expectN: 1, expectRemain: []string{v1, v2}},
		{name: "Spec20Last", givenVer: lastVer, givenSpec: []string{"2.0"}, expectN: 1, expectRemain: []string{v2, v3}},
		{name: "AtOfOtherSpec", givenVer: store.VersionSelect{At: vs(v2)}, givenSpec: []string{"2.0"}, expectErr: store.ErrObjectNotFound, expectRemain: []string{v1, v2, v3}},
		{name: "AtUnknown", givenVer: store.VersionSelect{At: vs("2017-01-01T00:00:00Z")}, expectErr: store.ErrObjectNotFound, expectRemain: []string{v1, v2, v3}},
		{name: "SpecUnknown", givenSpec: []string{"2.2"}, expectErr: store.ErrObjectNotFound, expectRemain: []string{v1, v2, v3}},
		{name: "UnknownObject", givenID: sid("tool", 99), expectErr: store.ErrObjectNotFound, expectRemain: []string{v1, v2, v3}},
		{name: "PrefixOfID", givenID: "tool", expectErr: store.ErrObjectNotFound, expectRemain: []string{v1, v2, v3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := s.open(t)
			c := mustCreateCollection(t, db, testRoot, store.Collection{})
			mustAdd(t, db, c, targetJSON[v1], others[0], others[1])
			mustAdd(t, db, c, targetJSON[v2], others[2], targetJSON[v3], others[3])
			before := mustQuery(t, db, c.ID, everything).Records

			id := target
			if tt.givenID != "" {
				id = tt.givenID
			}
			n, err := db.DeleteObject(ctx, c.ID, id, tt.givenVer, tt.givenSpec, nil)
			if !errors.Is(err, tt.expectErr) {
				t.Fatalf("DeleteObject error = %v, want %v", err, tt.expectErr)
			}
			if n != tt.expectN {
				t.Errorf("DeleteObject deleted %d, want %d", n, tt.expectN)
			}

			// The remaining versions, by id, by type and in full.
			if got := versionsOf(t, db, c.ID, target); !slices.Equal(got, tt.expectRemain) {
				t.Errorf("versions left = %v, want %v", got, tt.expectRemain)
			}
			byType := everything
			byType.Types = []string{"tool"}
			var toolVersions []string
			for _, r := range mustQuery(t, db, c.ID, byType).Records {
				if r.ID == target {
					toolVersions = append(toolVersions, r.VersionText)
				}
			}
			if !slices.Equal(toolVersions, tt.expectRemain) {
				t.Errorf("match[type]=tool finds versions %v, want %v", toolVersions, tt.expectRemain)
			}
			var wantAll []store.Record
			for _, r := range before {
				if r.ID != target || slices.Contains(tt.expectRemain, r.VersionText) {
					wantAll = append(wantAll, r)
				}
			}
			if got := mustQuery(t, db, c.ID, everything).Records; !reflect.DeepEqual(got, wantAll) {
				t.Errorf("collection after delete =\n %+v\nwant\n %+v", got, wantAll)
			}
			// Get an Object with the default version selection.
			_, err = db.Query(ctx, c.ID, store.Query{ObjectID: target, Limit: 10})
			if len(tt.expectRemain) == 0 && !errors.Is(err, store.ErrObjectNotFound) {
				t.Errorf("Query(ObjectID) after deleting every version: error %v, want ErrObjectNotFound", err)
			}
			if len(tt.expectRemain) > 0 && err != nil {
				t.Errorf("Query(ObjectID): %v", err)
			}

			// What was deleted can be added again, as a new version.
			var readd []string
			for _, v := range []string{v1, v2, v3} {
				if !slices.Contains(tt.expectRemain, v) {
					readd = append(readd, targetJSON[v])
				}
			}
			if len(readd) > 0 {
				st := mustAdd(t, db, c, readd...)
				for _, d := range st.Successes {
					if d.Message != "" {
						t.Errorf("re-adding deleted %s %s: %q, want it stored", d.ID, d.Version, d.Message)
					}
				}
				if st.SuccessCount != len(readd) {
					t.Errorf("re-add status = %+v, want %d successes", st, len(readd))
				}
				if got := versionsOf(t, db, c.ID, target); len(got) != 3 {
					t.Errorf("after re-add the target has versions %v, want 3", got)
				}
			}
		})
	}
}

func (s *suite) testDeleteObject_SCO(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	id := sid("ipv4-addr", 1)
	first := mustAdd(t, db, c, ipv4(1, "10.0.0.1"), ipv4(1, "10.0.0.9"))
	n, err := db.DeleteObject(ctx, c.ID, id, store.VersionSelect{At: vs(first.Successes[0].Version)}, nil, nil)
	if err != nil || n != 1 {
		t.Fatalf("DeleteObject = %d, %v; want 1", n, err)
	}
	if got := versionsOf(t, db, c.ID, id); !slices.Equal(got, []string{first.Successes[1].Version}) {
		t.Fatalf("versions left = %v, want %v", got, first.Successes[1].Version)
	}
	// The deleted content is no longer a duplicate: it gets a new version.
	setNow(db, pinnedNow.Add(time.Minute))
	st := mustAdd(t, db, c, ipv4(1, "10.0.0.1"))
	if d := st.Successes[0]; d.Message != "" || d.Version == first.Successes[0].Version {
		t.Errorf("re-added SCO detail = %+v, want a new version", d)
	}
	// The kept content still is.
	st = mustAdd(t, db, c, ipv4(1, "10.0.0.9"))
	if d := st.Successes[0]; d.Message == "" || d.Version != first.Successes[1].Version {
		t.Errorf("re-posted kept SCO detail = %+v, want a duplicate of %s", d, first.Successes[1].Version)
	}
}

func (s *suite) testDeleteObject_ErrCollectionNotFound(t *testing.T) {
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	mustAdd(t, db, c, indicator(1, "2020-01-01T00:00:00.000Z"))
	_, err := db.DeleteObject(context.Background(), testUUID(5), sid("indicator", 1), store.VersionSelect{}, nil, nil)
	if !errors.Is(err, store.ErrCollectionNotFound) {
		t.Errorf("error = %v, want ErrCollectionNotFound", err)
	}
	if got := versionsOf(t, db, c.ID, sid("indicator", 1)); len(got) != 1 {
		t.Errorf("object of another collection lost versions: %v", got)
	}
}

// Deleting many versions and objects keeps the store consistent (a backend
// that can check itself is checked), and every query agrees on what is
// left.
func (s *suite) testDeleteObject_Many(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	var objs []string
	for i := range 300 {
		objs = append(objs, indicator(i, "2020-01-01T00:00:00.000Z"), indicator(i, "2020-02-01T00:00:00.000Z"))
	}
	mustAdd(t, db, c, objs...)
	for i := 0; i < 300; i += 2 {
		if _, err := db.DeleteObject(ctx, c.ID, sid("indicator", i), store.VersionSelect{}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < 300; i += 2 {
		if _, err := db.DeleteObject(ctx, c.ID, sid("indicator", i), lastVer, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if c, ok := db.Store.(checker); ok {
		if err := c.Check(); err != nil {
			t.Fatal(err)
		}
	}
	recs := mustQuery(t, db, c.ID, store.Query{Types: []string{"indicator"}}).Records
	if len(recs) != 150 {
		t.Fatalf("%d indicators left, want 150", len(recs))
	}
	for _, r := range recs {
		if r.VersionText != "2020-01-01T00:00:00.000Z" {
			t.Errorf("%s left at version %s, want the first", r.ID, r.VersionText)
		}
	}
	if n := len(mustQuery(t, db, c.ID, everything).Records); n != 150 {
		t.Errorf("%d versions left, want 150", n)
	}
}
