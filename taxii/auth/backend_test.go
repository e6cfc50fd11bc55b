package auth_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"liaison/store"
	"liaison/store/bolt"
	"liaison/store/postgres"
	"liaison/store/postgres/pgtest"
	"liaison/store/storetest"
)

// backendVar chooses the store the worlds of these tests (newWorld,
// newSharingWorld) are built on: bolt (the default) or postgres, in the
// database pgtest.EnvVar names. .ci/run runs the package once with each.
const backendVar = "LIAISON_TEST_BACKEND"

// openStore opens an empty store of the chosen backend, closed when tb
// ends. postgres without a test database fails the test: the run asked
// for it.
func openStore(tb testing.TB) store.Store {
	tb.Helper()
	o := store.Options{PasswordCost: storetest.CheapPasswordCost()}
	var db store.Store
	var err error
	switch b := os.Getenv(backendVar); b {
	case "", "bolt":
		db, err = bolt.Open(filepath.Join(tb.TempDir(), "db"), bolt.Options{Options: o})
	case "postgres":
		if !pgtest.Available() {
			tb.Fatalf("%s=postgres needs %s, a PostgreSQL connection string", backendVar, pgtest.EnvVar)
		}
		db, err = postgres.Open(context.Background(), pgtest.URL(tb), postgres.Options{Options: o})
	default:
		tb.Fatalf("%s=%q: use bolt or postgres", backendVar, b)
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
