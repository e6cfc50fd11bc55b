package bolt_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"liaison/store"
	"liaison/store/bolt"
	"liaison/store/storetest"
)

// TestConformance runs the storage contract's conformance suite on bbolt
// stores, each in a fresh file checked at cleanup.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, o store.Options) store.Store {
		return openChecked(t, filepath.Join(t.TempDir(), "db"), o)
	}, storetest.WithRestore(func(t *testing.T, backup []byte, o store.Options) store.Store {
		path := filepath.Join(t.TempDir(), "backup.db")
		if err := os.WriteFile(path, backup, 0o600); err != nil {
			t.Fatal(err)
		}
		return openChecked(t, path, o)
	}))
}

// openChecked opens the store at path; on cleanup it runs the bbolt
// consistency check and closes the store.
func openChecked(tb testing.TB, path string, o store.Options) *bolt.Store {
	tb.Helper()
	db, err := bolt.Open(path, bolt.Options{Options: o})
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Check(); err != nil {
			tb.Errorf("Check: %v", err)
		}
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

// pinnedNow is the instant the tests' stores have their clock pinned to.
var pinnedNow = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

// pinnedMicros is pinnedNow truncated to microseconds, the first date_added
// a collection gets while the clock stays pinned.
var pinnedMicros = pinnedNow.Truncate(time.Microsecond)

const (
	testRoot = "api1"
	testUser = "alice"
)

func pinned() time.Time { return pinnedNow }

// MustOpenDB opens a store in a fresh file under tb.TempDir() with its
// clock pinned to pinnedNow, checked and closed at cleanup.
func MustOpenDB(tb testing.TB) *bolt.Store {
	tb.Helper()
	return MustOpenDBAt(tb, filepath.Join(tb.TempDir(), "db"))
}

// MustOpenDBAt is MustOpenDB for a given file.
func MustOpenDBAt(tb testing.TB, path string) *bolt.Store {
	tb.Helper()
	return openChecked(tb, path, store.Options{Now: pinned, PasswordCost: storetest.CheapPasswordCost()})
}

// openDB opens the store at path with the clock pinned, for tests that
// close it themselves.
func openDB(tb testing.TB, path string) *bolt.Store {
	tb.Helper()
	db, err := bolt.Open(path, bolt.Options{Options: store.Options{Now: pinned, PasswordCost: storetest.CheapPasswordCost()}})
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	return db
}

// The suite's helpers, for this backend's own tests.
var (
	MustCreateCollection = storetest.MustCreateCollection
	MustAdd              = storetest.MustAdd
	MustQuery            = storetest.MustQuery
)

var (
	// everything selects every stored version of a collection.
	everything = store.Query{Versions: store.VersionSelect{All: true}, SpecVersions: []string{"2.0", "2.1"}}
	allVer     = store.VersionSelect{All: true}
)

// indicator returns a STIX 2.1 indicator n with the given modified.
func indicator(n int, modified string) string {
	id := fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", n, n)
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":"2017-01-01T00:00:00.000Z","modified":%q,"name":"indicator %d",`+
		`"pattern":"[ipv4-addr:value = '10.%d.%d.%d']","pattern_type":"stix","valid_from":"2017-01-01T00:00:00Z"}`, id, modified, n, n>>16&255, n>>8&255, n&255)
}
