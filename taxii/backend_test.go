package taxii_test

import (
	"context"
	"os"
	"testing"

	"liaison/store"
	"liaison/store/postgres"
	"liaison/store/postgres/pgtest"
)

// backendVar chooses the store the fixture tests run on: bolt (the
// default) or postgres, in the database pgtest.EnvVar names. .ci/run runs
// the package once with each.
const backendVar = "LIAISON_TEST_BACKEND"

// testBackend returns the backend the fixture is built on. postgres
// without a test database fails the test: the run asked for it.
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

// newPostgresFixture builds the fixture in a PostgreSQL schema of the
// test's own, through the store's API as the bbolt image is built, and
// returns it with the clock pinned at tTest.
func newPostgresFixture(t *testing.T) *fixture {
	t.Helper()
	clk := &clock{now: tPublic}
	db, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{Options: store.Options{Now: clk.Now}})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	colls := loadFixture(t, db, clk)
	clk.Set(tTest)
	return newFixtureOn(t, db, clk, colls)
}
