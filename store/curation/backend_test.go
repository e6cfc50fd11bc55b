package curation_test

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

// backendVar chooses the store the service's tests run on: bolt (the
// default) or postgres, in the database pgtest.EnvVar names. .ci/run runs
// the package once with each.
const backendVar = "LIAISON_TEST_BACKEND"

// testBackend returns the backend the tests run on. postgres without a
// test database fails the test: the run asked for it.
func testBackend(t *testing.T) string {
	switch b := os.Getenv(backendVar); b {
	case "", "bolt":
		return "bolt"
	case "postgres":
		if !pgtest.Available() {
			t.Fatalf("%s=postgres needs %s, a PostgreSQL connection string", backendVar, pgtest.EnvVar)
		}
		return b
	default:
		t.Fatalf("%s=%q: use bolt or postgres", backendVar, b)
		return ""
	}
}

// openStore opens an empty store of the chosen backend, closed (and, for
// bbolt, checked) when t ends.
func openStore(t *testing.T) store.Store {
	t.Helper()
	o := store.Options{PasswordCost: storetest.CheapPasswordCost()}
	if testBackend(t) == "bolt" {
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
