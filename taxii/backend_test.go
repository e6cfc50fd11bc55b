package taxii_test

import (
	"context"
	"testing"

	"liaison/store"
	"liaison/store/postgres"
	"liaison/store/postgres/pgtest"
)

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
