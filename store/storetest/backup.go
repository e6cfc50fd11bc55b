package storetest

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"liaison/store"
)

// A backup taken while writers are busy opens, passes the backend's
// consistency check, and holds exactly the objects committed before it
// began or a later consistent state: every object it has is intact. It
// applies to backends that back themselves up (store.FileStore), when Run
// was given WithRestore.
func (s *suite) testBackupUnderWrites(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	backups, ok := db.Store.(store.FileStore)
	if !ok || s.restore == nil {
		t.Skip("the backend does not back itself up (store.FileStore), or Run has no WithRestore")
	}
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
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
		if _, err := backups.Backup(ctx, &buf); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()

	restored := s.restore(t, buf.Bytes(), store.Options{Now: db.clock.Now})
	if c, ok := restored.(checker); ok {
		if err := c.Check(); err != nil {
			t.Fatalf("backup fails the consistency check: %v", err)
		}
	}
	got := mustQuery(t, restored, c.ID, store.Query{Limit: 1000000, Versions: store.VersionSelect{All: true}}).Records
	live := mustQuery(t, db, c.ID, store.Query{Limit: 1000000, Versions: store.VersionSelect{All: true}}).Records
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
	st, err := db.CollectionStats(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
