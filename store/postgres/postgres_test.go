package postgres_test

import (
	"context"
	"testing"

	"liaison/store"
	"liaison/store/postgres"
	"liaison/store/postgres/pgtest"
	"liaison/store/storetest"
)

// TestConformance runs the storage contract's conformance suite on
// PostgreSQL stores, each in a schema of its own.
func TestConformance(t *testing.T) {
	pgtest.Skip(t)
	storetest.Run(t, func(t *testing.T, o store.Options) store.Store {
		return openTest(t, pgtest.URL(t), o)
	})
}

// openTest opens a store on url, closed when t ends.
func openTest(tb testing.TB, url string, o store.Options) *postgres.Store {
	tb.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{Options: o})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}
