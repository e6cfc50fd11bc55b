package storetest

import (
	"context"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
)

// costCollection fills a new collection with n objects, added in requests
// of at most 1000: indicators, five malware objects spread evenly (a rare
// type), and one indicator (costTarget) with three versions added at the
// start, just after the middle and at the end.
func costCollection(tb testing.TB, db store.Store, n int) store.Collection {
	tb.Helper()
	c := mustCreateCollection(tb, db, testRoot, store.Collection{})
	var batch []string
	for i := range n {
		switch {
		case i == 0:
			batch = append(batch, indicator(costTarget, "2020-01-01T00:00:00.000Z"))
		case i == n/2+1:
			batch = append(batch, indicator(costTarget, "2020-02-01T00:00:00.000Z"))
		case i == n-1:
			batch = append(batch, indicator(costTarget, "2020-03-01T00:00:00.000Z"))
		case i%(n/5) == n/10:
			batch = append(batch, sdo("malware", i, "2.1", "2020-01-01T00:00:00.000Z", `"is_family":false`))
		default:
			batch = append(batch, indicator(i, "2020-01-01T00:00:00.000Z"))
		}
		if len(batch) == 1000 || i == n-1 {
			mustAdd(tb, db, c, batch...)
			batch = batch[:0]
		}
	}
	return c
}

const costTarget = 1 << 30

// The work a query does (Page.Scanned) depends on the page it serves, not
// on the size of the collection; a client with a clearance (which admits
// every object here) costs the same.
func (s *suite) testQuery_CostIndependentOfSize(t *testing.T) {
	db := s.open(t)
	sizes := []int{1000, 20000}
	colls := make([]store.Collection, len(sizes))
	for i, n := range sizes {
		colls[i] = costCollection(t, db, n)
	}
	target := sid("indicator", costTarget)
	tests := []struct {
		name        string
		given       func(last time.Time) store.Query
		expectCount int
	}{
		{"FirstPage", func(time.Time) store.Query { return store.Query{Limit: 10} }, 10},
		{"FirstPageAll", func(time.Time) store.Query { return store.Query{Limit: 10, Versions: allVer} }, 10},
		{"FirstPageFirst", func(time.Time) store.Query { return store.Query{Limit: 10, Versions: firstVer} }, 10},
		{"RareType", func(time.Time) store.Query { return store.Query{Limit: 10, Types: []string{"malware"}} }, 5},
		{"RareTypeAll", func(time.Time) store.Query {
			return store.Query{Limit: 10, Types: []string{"malware"}, Versions: allVer}
		}, 5},
		{"ID", func(time.Time) store.Query { return store.Query{Limit: 10, IDs: []string{target}} }, 1},
		{"IDAll", func(time.Time) store.Query { return store.Query{Limit: 10, IDs: []string{target}, Versions: allVer} }, 3},
		{"ObjectID", func(time.Time) store.Query { return store.Query{Limit: 10, ObjectID: target} }, 1},
		{"IDAndType", func(time.Time) store.Query {
			return store.Query{Limit: 10, IDs: []string{target}, Types: []string{"indicator"}}
		}, 1},
		{"AddedAfterNearEnd", func(last time.Time) store.Query {
			return store.Query{Limit: 10, AddedAfter: last.Add(-20 * time.Microsecond)}
		}, 10},
		{"AfterNearEnd", func(last time.Time) store.Query {
			return store.Query{Limit: 10, After: uint64(last.UnixMicro()) - 5}
		}, 5},
	}
	green := &store.Clearance{Level: stix.TLPGreen, Default: stix.TLPClear}
	for _, tt := range tests {
		for _, cl := range []struct {
			suffix    string
			clearance *store.Clearance
		}{{"", nil}, {"/Cleared", green}} {
			t.Run(tt.name+cl.suffix, func(t *testing.T) {
				scanned := make([]int, len(sizes))
				for i, c := range colls {
					last, err := db.CollectionLastAdded(context.Background(), c.ID)
					if err != nil {
						t.Fatal(err)
					}
					q := tt.given(last)
					q.Clearance = cl.clearance
					page := mustQuery(t, db, c.ID, q)
					if len(page.Records) != tt.expectCount {
						t.Fatalf("%d objects: %d records, want %d", sizes[i], len(page.Records), tt.expectCount)
					}
					scanned[i] = page.Scanned
					if page.Scanned < len(page.Records) || page.Scanned > 4*10+8 {
						t.Errorf("%d objects: Scanned = %d, want between the page size and 48", sizes[i], page.Scanned)
					}
				}
				if scanned[0] != scanned[1] {
					t.Errorf("Scanned = %d at %d objects but %d at %d objects", scanned[0], sizes[0], scanned[1], sizes[1])
				}
			})
		}
	}
}

// An object with many versions must not make queries expensive. The
// default selection (each object's current version) is served from the
// current-version indexes, so its cost does not depend on the number of
// versions at all; other selections read an object's versions once per
// query, so theirs grows linearly (it once grew quadratically: every
// visited version re-read all the others).
func (s *suite) testQuery_CostWithManyVersions(t *testing.T) {
	db := s.open(t)
	counts := []int{100, 1000}
	scanned := make([]int, len(counts))
	firstScanned := make([]int, len(counts))
	for i, n := range counts {
		c := mustCreateCollection(t, db, testRoot, store.Collection{})
		var objs []string
		base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for v := range n {
			objs = append(objs, indicator(1, base.Add(time.Duration(v)*time.Minute).Format("2006-01-02T15:04:05.000Z")))
		}
		mustAdd(t, db, c, objs...)
		page := mustQuery(t, db, c.ID, store.Query{Limit: 10})
		if len(page.Records) != 1 || page.Records[0].VersionText != base.Add(time.Duration(n-1)*time.Minute).Format("2006-01-02T15:04:05.000Z") {
			t.Fatalf("%d versions: records %+v, want the latest version only", n, page.Records)
		}
		scanned[i] = page.Scanned
		page = mustQuery(t, db, c.ID, store.Query{Limit: 10, Versions: store.VersionSelect{First: true}})
		if len(page.Records) != 1 || page.Records[0].VersionText != base.Format("2006-01-02T15:04:05.000Z") {
			t.Fatalf("%d versions: first = %+v", n, page.Records)
		}
		firstScanned[i] = page.Scanned
	}
	if scanned[0] != scanned[1] {
		t.Errorf("default query scanned %d entries at %d versions, %d at %d", scanned[0], counts[0], scanned[1], counts[1])
	}
	if firstScanned[1] > 20*firstScanned[0] {
		t.Errorf("first: 10x the versions cost %.0fx the scans (%d -> %d)", float64(firstScanned[1])/float64(firstScanned[0]), firstScanned[0], firstScanned[1])
	}
	t.Logf("Scanned: %d versions -> %d, %d versions -> %d", counts[0], scanned[0], counts[1], scanned[1])
	if scanned[1] > 20*scanned[0] {
		t.Errorf("10x the versions of one object cost %.0fx the scans (%d -> %d): quadratic", float64(scanned[1])/float64(scanned[0]), scanned[0], scanned[1])
	}
}
