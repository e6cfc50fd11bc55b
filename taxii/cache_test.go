package taxii_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"liaison/store"
	"liaison/taxii"
)

// countingStore is the fixture's real store, counting the reads of API
// roots and collections.
type countingStore struct {
	store.Store
	roots, colls atomic.Int64
}

func (s *countingStore) APIRoot(ctx context.Context, name string) (store.APIRoot, error) {
	s.roots.Add(1)
	return s.Store.APIRoot(ctx, name)
}

func (s *countingStore) Collection(ctx context.Context, root, idOrAlias string) (store.Collection, error) {
	s.colls.Add(1)
	return s.Store.Collection(ctx, root, idOrAlias)
}

// TestResourceCache: requests naming the same API root and collection, by
// id or alias, read them from the store once per ResourceCacheTTL; a change
// shows at once after ResourcesChanged, and by itself once the TTL has
// passed; what does not exist is never kept.
func TestResourceCache(t *testing.T) {
	f := newFixture(t)
	st := &countingStore{Store: f.db}
	srv := taxii.NewServer(st, testKey)
	srv.ResourceCacheTTL = time.Hour
	h := srv.Handler()
	get := func(path string) int {
		t.Helper()
		return serve(t, h, f.repl.Replace(path), request{}).status
	}
	for range 10 {
		for _, path := range []string{"/api1/collections/{public}/objects/", "/api1/collections/high-value/manifest/"} {
			if code := get(path); code != http.StatusOK {
				t.Fatalf("GET %s: %d", path, code)
			}
		}
	}
	if r, c := st.roots.Load(), st.colls.Load(); r != 1 || c != 2 {
		t.Errorf("20 requests read %d API roots and %d collections, want 1 and 2", r, c)
	}

	// An unknown collection is looked up each time: a client's made-up
	// names are not kept.
	before := st.colls.Load()
	for range 3 {
		if code := get("/api1/collections/no-such-alias/objects/"); code != http.StatusNotFound {
			t.Fatalf("unknown alias: %d", code)
		}
	}
	if n := st.colls.Load() - before; n != 3 {
		t.Errorf("3 requests for an unknown alias read the store %d times, want 3", n)
	}

	private := false
	if _, err := f.db.UpdateCollection(context.Background(), f.id("public"), store.CollectionUpdate{PublicRead: &private}); err != nil {
		t.Fatal(err)
	}
	if code := get("/api1/collections/{public}/objects/"); code != http.StatusOK {
		t.Fatalf("within the TTL, without ResourcesChanged: %d, want the cached collection's 200", code)
	}
	srv.ResourcesChanged()
	if code := get("/api1/collections/{public}/objects/"); code != http.StatusNotFound {
		t.Fatalf("after ResourcesChanged: %d, want 404 for a collection no longer public", code)
	}

	srv.ResourceCacheTTL = time.Millisecond
	srv.ResourcesChanged()
	if code := get("/api1/collections/{public}/objects/"); code != http.StatusNotFound {
		t.Fatalf("kept for a millisecond: %d, want 404", code)
	}
	public := true
	if _, err := f.db.UpdateCollection(context.Background(), f.id("public"), store.CollectionUpdate{PublicRead: &public}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	if code := get("/api1/collections/{public}/objects/"); code != http.StatusOK {
		t.Fatalf("once the TTL has passed: %d, want 200", code)
	}
}
