package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"liaison/store"
)

// A sparse filter cannot make one page scan the whole collection: the page
// ends after MaxScan entries with More and a Resume position, and pages
// that follow from Resume find every match exactly once.
func (s *suite) testQuery_MaxScan(t *testing.T) {
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	var objs []string
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 1000
	for i := range n {
		objs = append(objs, indicator(i+1, base.Add(time.Duration(i)*time.Second).Format("2006-01-02T15:04:05.000Z")))
	}
	mustAdd(t, db, c, objs...)
	// Two versions match match[version]=<ts>: objects 10 and 990.
	want := []time.Time{base.Add(9 * time.Second), base.Add(989 * time.Second)}
	q := store.Query{Limit: 10, MaxScan: 100, Versions: store.VersionSelect{At: want}}

	var found []string
	pages := 0
	for {
		page := mustQuery(t, db, c.ID, q)
		pages++
		if page.Scanned > q.MaxScan+1 {
			t.Fatalf("page %d scanned %d entries, budget %d", pages, page.Scanned, q.MaxScan)
		}
		for _, r := range page.Records {
			found = append(found, r.VersionText)
		}
		if !page.More {
			break
		}
		if page.Resume < q.After {
			t.Fatalf("page %d resumes at %d, before its start %d", pages, page.Resume, q.After)
		}
		q.After = page.Resume
		if pages > 2*n/q.MaxScan+2 {
			t.Fatalf("no end after %d pages", pages)
		}
	}
	if got := strings.Join(found, ","); got != "2020-01-01T00:00:09.000Z,2020-01-01T00:16:29.000Z" {
		t.Errorf("found %s", got)
	}
	if pages < n/q.MaxScan {
		t.Errorf("%d pages: the budget did not end pages early", pages)
	}
}

// A page holds at most MaxBytes of objects (but always at least one), and
// paging by Resume still visits every object once.
func (s *suite) testQuery_MaxBytes(t *testing.T) {
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	var objs []string
	for i := range 20 {
		objs = append(objs, indicator(i+1, fmt.Sprintf("2020-01-01T00:00:%02d.000Z", i)))
	}
	mustAdd(t, db, c, objs...)
	size := len(mustQuery(t, db, c.ID, store.Query{Limit: 1}).Records[0].Raw)
	for _, maxBytes := range []int{1, size, 3*size + 1} {
		q := store.Query{Limit: 100, MaxBytes: maxBytes}
		seen := map[string]bool{}
		for {
			page := mustQuery(t, db, c.ID, q)
			total := 0
			for _, r := range page.Records {
				total += len(r.Raw)
				if seen[r.ID] {
					t.Fatalf("MaxBytes %d: %s served twice", maxBytes, r.ID)
				}
				seen[r.ID] = true
			}
			if len(page.Records) == 0 || (len(page.Records) > 1 && total > maxBytes) {
				t.Fatalf("MaxBytes %d: page of %d records, %d bytes", maxBytes, len(page.Records), total)
			}
			if !page.More {
				break
			}
			q.After = page.Resume
		}
		if len(seen) != 20 {
			t.Errorf("MaxBytes %d: %d objects served, want 20", maxBytes, len(seen))
		}
	}
}
