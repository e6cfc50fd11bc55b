package bolt_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"liaison/store"
)

func ptr[T any](v T) *T { return &v }

func TestDB_UpdateAPIRoot(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	MustCreateRoot(t, db, "a")
	MustCreateRoot(t, db, "b")
	r, err := db.UpdateAPIRoot(ctx, "a", store.APIRootUpdate{Title: ptr("New"), MaxLimit: ptr(50), DefaultLimit: ptr(10), Default: ptr(true)})
	if err != nil || r.Title != "New" || r.MaxLimit != 50 || r.DefaultLimit != 10 || !r.Default {
		t.Fatalf("UpdateAPIRoot = %+v, %v", r, err)
	}
	if _, err := db.UpdateAPIRoot(ctx, "b", store.APIRootUpdate{Default: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if a, _ := db.APIRoot(ctx, "a"); a.Default {
		t.Error("two default API roots")
	}
	for _, u := range []store.APIRootUpdate{{Title: ptr("")}, {DefaultLimit: ptr(51)}, {MaxObjects: ptr(0)}} {
		if _, err := db.UpdateAPIRoot(ctx, "a", u); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("UpdateAPIRoot(%+v) = %v, want ErrInvalid", u, err)
		}
	}
	if _, err := db.UpdateAPIRoot(ctx, "zzz", store.APIRootUpdate{}); !errors.Is(err, store.ErrAPIRootNotFound) {
		t.Errorf("unknown root: %v", err)
	}
}

func TestDB_RemoveAPIRootAndCollection(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	MustCreateRoot(t, db, "a")
	c := MustCreateCollection(t, db, "a", store.Collection{Alias: "x"})
	MustAdd(t, db, c, indicator(1, "2020-01-01T00:00:00.000Z"))
	if _, err := db.CreateUser(ctx, "u", false, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.SetGrant(ctx, "u", c.ID, store.Grant{Read: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveAPIRoot(ctx, "a", false); !errors.Is(err, store.ErrNotEmpty) {
		t.Fatalf("removing a root with collections: %v", err)
	}
	if err := db.RemoveCollection(ctx, c.ID, false); !errors.Is(err, store.ErrNotEmpty) {
		t.Fatalf("removing a collection with objects: %v", err)
	}
	if err := db.RemoveCollection(ctx, c.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection(ctx, "a", "x"); !errors.Is(err, store.ErrCollectionNotFound) {
		t.Errorf("collection after removal: %v", err)
	}
	if u, _ := db.User(ctx, "u"); len(u.Grants) != 0 {
		t.Errorf("grants on a removed collection remain: %v", u.Grants)
	}
	c2 := MustCreateCollection(t, db, "a", store.Collection{Alias: "x"}) // the alias is free again
	MustAdd(t, db, c2, indicator(2, "2020-01-01T00:00:00.000Z"))
	if err := db.RemoveAPIRoot(ctx, "a", true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.APIRoot(ctx, "a"); !errors.Is(err, store.ErrAPIRootNotFound) {
		t.Errorf("root after forced removal: %v", err)
	}
	if err := db.RemoveCollection(ctx, c2.ID, true); !errors.Is(err, store.ErrCollectionNotFound) {
		t.Errorf("collection of a removed root: %v", err)
	}
}

func TestDB_UpdateCollection(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	MustCreateRoot(t, db, "a")
	c1 := MustCreateCollection(t, db, "a", store.Collection{Alias: "one"})
	MustCreateCollection(t, db, "a", store.Collection{Alias: "two"})
	got, err := db.UpdateCollection(ctx, c1.ID, store.CollectionUpdate{Title: ptr("T"), Alias: ptr("uno"), PublicRead: ptr(true), RejectCustom: ptr(true)})
	if err != nil || got.Title != "T" || got.Alias != "uno" || !got.PublicRead || !got.RejectCustom {
		t.Fatalf("UpdateCollection = %+v, %v", got, err)
	}
	if _, err := db.Collection(ctx, "a", "uno"); err != nil {
		t.Errorf("lookup by new alias: %v", err)
	}
	for _, tc := range []struct {
		u    store.CollectionUpdate
		want error
	}{
		{store.CollectionUpdate{Alias: ptr("two")}, store.ErrExists},
		{store.CollectionUpdate{Alias: ptr("Bad Alias")}, store.ErrInvalid},
		{store.CollectionUpdate{Title: ptr("")}, store.ErrInvalid},
		{store.CollectionUpdate{MediaTypes: ptr([]string{"text/plain"})}, store.ErrInvalid},
	} {
		if _, err := db.UpdateCollection(ctx, c1.ID, tc.u); !errors.Is(err, tc.want) {
			t.Errorf("UpdateCollection(%+v) = %v, want %v", tc.u, err, tc.want)
		}
	}
	if got, _ := db.UpdateCollection(ctx, c1.ID, store.CollectionUpdate{Alias: ptr("")}); got.Alias != "" {
		t.Errorf("alias not removed: %+v", got)
	}
}

func TestDB_CollectionStats(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	c := MustCreateCollection(t, db, testRoot, store.Collection{})
	if s, err := db.CollectionStats(ctx, c.ID); err != nil || s.Objects != 0 || s.Versions != 0 || !s.FirstAdded.IsZero() {
		t.Fatalf("empty stats = %+v, %v", s, err)
	}
	objs := []string{indicator(1, "2020-01-01T00:00:00.000Z"), indicator(1, "2020-02-01T00:00:00.000Z"), indicator(2, "2020-01-01T00:00:00.000Z")}
	MustAdd(t, db, c, objs...)
	s, err := db.CollectionStats(ctx, c.ID)
	want := 0
	for _, o := range objs {
		want += len(compact(t, o))
	}
	if err != nil || s.Objects != 2 || s.Versions != 3 || s.Bytes != int64(want) || !s.FirstAdded.Before(s.LastAdded) {
		t.Fatalf("stats = %+v, %v (want 2 objects, 3 versions, %d bytes)", s, err, want)
	}
}

// A backup taken while writers are busy opens, passes bbolt's consistency
// check, and holds exactly the objects committed before it began or a
// later consistent state: every object it has is intact.
func TestDB_BackupUnderWrites(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	c := MustCreateCollection(t, db, testRoot, store.Collection{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := db.AddObjects(ctx, addRequest(t, c, indicator(i+1, "2020-01-01T00:00:00.000Z"))); err != nil {
				t.Error(err) // not Fatal: this is not the test's goroutine
				return
			}
		}
	}()
	var buf bytes.Buffer
	for buf.Len() == 0 || mustStats(t, db, c.ID).Versions < 20 {
		buf.Reset()
		if _, err := db.Backup(ctx, &buf); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()

	path := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	restored := MustOpenDBAt(t, path)
	if err := restored.Check(); err != nil {
		t.Fatalf("backup fails the consistency check: %v", err)
	}
	got := MustQuery(t, restored, c.ID, store.Query{Limit: 1000000, Versions: store.VersionSelect{All: true}}).Records
	live := MustQuery(t, db, c.ID, store.Query{Limit: 1000000, Versions: store.VersionSelect{All: true}}).Records
	if len(got) == 0 || len(got) > len(live) {
		t.Fatalf("backup holds %d versions, live %d", len(got), len(live))
	}
	for i, r := range got { // a prefix of the live collection, byte for byte
		if r.ID != live[i].ID || !bytes.Equal(r.Raw, live[i].Raw) || r.Position != live[i].Position {
			t.Fatalf("version %d differs: %s vs %s", i, r.ID, live[i].ID)
		}
	}
}

func mustStats(t *testing.T, db store.Store, id string) store.CollectionStats {
	s, err := db.CollectionStats(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
