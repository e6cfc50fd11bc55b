package curation_test

import (
	"context"
	"path/filepath"
	"testing"

	"liaison/store"
	"liaison/store/bolt"
	"liaison/store/postgres"
	"liaison/store/postgres/pgtest"
	"liaison/store/storetest"
)

// openStore opens an empty store of the chosen backend, closed (and, for
// bbolt, checked) when t ends.
func openStore(t *testing.T) store.Store {
	t.Helper()
	o := store.Options{PasswordCost: storetest.CheapPasswordCost()}
	if pgtest.Backend(t) == "bolt" {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{Options: o})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := db.Check(); err != nil {
				t.Error(err)
			}
			db.Close()
		})
		return db
	}
	db, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{Options: o})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}
