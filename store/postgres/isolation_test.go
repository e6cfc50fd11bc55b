package postgres_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"liaison/store"
	"liaison/store/postgres/pgtest"
	"liaison/store/storetest"
)

// A database (or role) whose default isolation level is REPEATABLE READ
// or SERIALIZABLE must not make writers to one collection fail: their
// allocation of date_added waits for the collection's lock and then reads
// what the writer before them committed, which is READ COMMITTED's
// behaviour; under a snapshot taken before the wait PostgreSQL refuses
// the lock with a serialization failure instead. DeleteObject takes the
// same lock.
func TestWritersUnderStricterDefaultIsolation(t *testing.T) {
	for _, level := range []string{"repeatable read", "serializable"} {
		t.Run(level, func(t *testing.T) {
			u, err := url.Parse(pgtest.URL(t))
			if err != nil {
				t.Skip("the test database is not named by a URL")
			}
			q := u.Query()
			q.Set("default_transaction_isolation", level)
			u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // the server reads no + as a space
			ctx := context.Background()
			db := openTest(t, u.String(), store.Options{PasswordCost: storetest.CheapPasswordCost()})
			if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"}); err != nil {
				t.Fatal(err)
			}
			c, err := db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "C"})
			if err != nil {
				t.Fatal(err)
			}
			const writers, requests = 4, 10
			var wg sync.WaitGroup
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range requests {
						first := (w*requests + i) * 2
						if _, err := db.AddObjects(ctx, addRequest(t, c, first, 2)); err != nil {
							t.Errorf("AddObjects: %v", err)
							return
						}
						id := fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", first, first)
						if _, err := db.DeleteObject(ctx, c.ID, id, store.VersionSelect{}, nil, nil); err != nil {
							t.Errorf("DeleteObject: %v", err)
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}
