package auth_test

import (
	"context"
	"testing"
	"time"

	"liaison/taxii"
	"liaison/taxii/auth"
)

// TestKeyUseRecorded: the latest use of a cached key is what Flush
// stores, also when the cache was invalidated in between, and a flush
// with no use since stores nothing new.
func TestKeyUseRecorded(t *testing.T) {
	w := newWorld(t)
	acc := auth.NewAccounts(w.db)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	acc.Now = func() time.Time { return now }
	srv := taxii.NewServer(w.db, []byte("k"))
	srv.Access = acc
	w.handler = srv.Handler()
	lastUsed := func() time.Time {
		t.Helper()
		if err := acc.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		keys, err := w.db.APIKeys(context.Background(), "writer")
		if err != nil {
			t.Fatal(err)
		}
		var latest time.Time
		for _, k := range keys {
			if k.LastUsed.After(latest) {
				latest = k.LastUsed
			}
		}
		return latest
	}
	w.do(t, "writer", "GET", "/taxii2/", "") // verified and cached
	now = now.Add(time.Second)
	w.do(t, "writer", "GET", "/taxii2/", "") // from the cache
	if got := lastUsed(); !got.Equal(now) {
		t.Fatalf("last used %v, want %v", got, now)
	}
	now = now.Add(time.Second)
	w.do(t, "writer", "GET", "/taxii2/", "")
	acc.Invalidate()
	if got := lastUsed(); !got.Equal(now) {
		t.Fatalf("after Invalidate: last used %v, want %v", got, now)
	}
	used := now
	now = now.Add(time.Second)
	if got := lastUsed(); !got.Equal(used) {
		t.Fatalf("without a use: last used %v, want %v", got, used)
	}
}
