package bolt_test

import (
	"context"
	"sync"
	"testing"

	"liaison/stix"
	"liaison/store"
)

// TestAddObjects_Concurrent adds envelopes from several goroutines at once
// (their commits are shared): every object lands once, each request's
// status counts all of its objects, and date_added is unique and
// increasing in the order the collection returns them.
func TestAddObjects_Concurrent(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	c := MustCreateCollection(t, db, testRoot, store.Collection{})
	const posters, requests, perRequest = 8, 15, 20
	var wg sync.WaitGroup
	errs := make(chan error, posters*requests)
	for p := range posters {
		wg.Go(func() {
			for r := range requests {
				req := store.AddRequest{APIRoot: c.APIRoot, Collection: c.ID, Owner: testUser, Total: perRequest}
				for i := range perRequest {
					n := (p*requests+r)*perRequest + i
					o, err := stix.Peek(i, []byte(indicator(n, "2020-01-01T00:00:00.000Z")))
					if err != nil {
						errs <- err
						return
					}
					req.Objects = append(req.Objects, o)
				}
				st, err := db.AddObjects(ctx, req)
				if err != nil {
					errs <- err
					return
				}
				if st.SuccessCount != perRequest || st.FailureCount != 0 || len(st.Successes) != perRequest {
					t.Errorf("poster %d request %d: status %d successes, %d failures; want %d, 0", p, r, st.SuccessCount, st.FailureCount, perRequest)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("AddObjects: %v", err)
	}
	recs := MustQuery(t, db, c.ID, store.Query{Limit: 10000}).Records
	if want := posters * requests * perRequest; len(recs) != want {
		t.Fatalf("collection holds %d objects, want %d", len(recs), want)
	}
	seen := map[string]bool{}
	for i, r := range recs {
		if seen[r.ID] {
			t.Errorf("%s returned twice", r.ID)
		}
		seen[r.ID] = true
		if i > 0 && r.Position <= recs[i-1].Position {
			t.Errorf("record %d: date_added %d not after the previous one's %d", i, r.Position, recs[i-1].Position)
		}
	}
	last, err := db.CollectionLastAdded(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !last.Equal(recs[len(recs)-1].DateAdded) {
		t.Errorf("CollectionLastAdded = %v, want the last record's %v", last, recs[len(recs)-1].DateAdded)
	}
}
