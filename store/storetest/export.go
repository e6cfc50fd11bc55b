package storetest

import (
	"testing"

	"liaison/store"
)

// Helpers for a backend's own tests, the same the suite uses.

// MustCreateCollection creates a collection in root (creating the root
// when it does not exist yet) and fails tb on error.
func MustCreateCollection(tb testing.TB, db store.Store, root string, c store.Collection) store.Collection {
	tb.Helper()
	return mustCreateCollection(tb, db, root, c)
}

// MustAdd adds the objects (STIX JSON) to c as the suite's user, alice,
// and fails tb on error.
func MustAdd(tb testing.TB, db store.Store, c store.Collection, objects ...string) store.Status {
	tb.Helper()
	return mustAdd(tb, db, c, objects...)
}

// MustQuery runs q (with limit 10000 when q.Limit is zero) and fails tb on
// error.
func MustQuery(tb testing.TB, db store.Store, coll string, q store.Query) store.Page {
	tb.Helper()
	return mustQuery(tb, db, coll, q)
}
