package auth_test

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

// openStore opens an empty store of the chosen backend, closed when tb
// ends. postgres without a test database fails the test: the run asked
// for it.
func openStore(tb testing.TB) store.Store {
	tb.Helper()
	o := store.Options{PasswordCost: storetest.CheapPasswordCost()}
	var db store.Store
	var err error
	if pgtest.Backend(tb) == "postgres" {
		db, err = postgres.Open(context.Background(), pgtest.URL(tb), postgres.Options{Options: o})
	} else {
		db, err = bolt.Open(filepath.Join(tb.TempDir(), "db"), bolt.Options{Options: o})
	}
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return db
}
