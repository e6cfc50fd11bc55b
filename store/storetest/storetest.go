// Package storetest is the conformance suite of the storage contract: the
// behaviour every backend of store.Store must show, as tests. A backend
// runs it from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, o store.Options) store.Store {
//			return openForTest(t, o) // a new, empty store; closed at cleanup
//		})
//	}
//
// The suite pins the store's clock through Options.Now, makes password
// hashes cheap (Options.PasswordCost) and sets Options.StatusRetention
// where a test needs it; the opener passes the options on unchanged. The rules the tests check are written in the
// documentation of package store.
package storetest

import (
	"sync"
	"testing"
	"time"

	"liaison/store"
)

// CheapPasswordCost is a password hash cost for tests: the production
// cost (store.DefaultPasswordCost) spends tens of milliseconds on every
// hash by design, and tests' passwords guard nothing.
func CheapPasswordCost() store.PasswordCost {
	return store.PasswordCost{Memory: 64, Time: 1, Threads: 1}
}

// Opener opens a new, empty store with the given options for the test t,
// and closes it when t ends (t.Cleanup), after any check of its own.
type Opener func(t *testing.T, o store.Options) store.Store

// Option changes how Run tests a backend.
type Option func(*suite)

// Restorer opens a store on a backup written by store.FileStore.Backup,
// for the test t, with the given options.
type Restorer func(t *testing.T, backup []byte, o store.Options) store.Store

// WithRestore makes Run test backups: the backend implements
// store.FileStore, and restore opens what its Backup wrote.
func WithRestore(restore Restorer) Option {
	return func(s *suite) { s.restore = restore }
}

// Run runs the conformance suite against the stores open returns, one or
// more per test.
func Run(t *testing.T, open Opener, opts ...Option) {
	s := &suite{opener: open}
	for _, o := range opts {
		o(s)
	}
	for _, tc := range []struct {
		name string
		test func(*suite, *testing.T)
	}{
		{"CreateAPIRoot", (*suite).testCreateAPIRoot},
		{"APIRoots", (*suite).testAPIRoots},
		{"APIRoot", (*suite).testAPIRoot},
		{"UpdateAPIRoot", (*suite).testUpdateAPIRoot},
		{"RemoveAPIRootAndCollection", (*suite).testRemoveAPIRootAndCollection},

		{"CreateCollection", (*suite).testCreateCollection},
		{"Collection", (*suite).testCollection},
		{"Collection_EmptyKeyMatchesNothing", (*suite).testCollection_EmptyKeyMatchesNothing},
		{"Collections", (*suite).testCollections},
		{"UpdateCollection", (*suite).testUpdateCollection},
		{"CollectionStats", (*suite).testCollectionStats},

		{"AddObjects_DateAdded", (*suite).testAddObjects_DateAdded},
		{"AddObjects_DateAddedPerCollection", (*suite).testAddObjects_DateAddedPerCollection},
		{"CollectionLastAdded", (*suite).testCollectionLastAdded},
		{"AddObjects_Duplicates", (*suite).testAddObjects_Duplicates},
		{"AddObjects_DuplicateInOneRequest", (*suite).testAddObjects_DuplicateInOneRequest},
		{"AddObjects_SCOVersion", (*suite).testAddObjects_SCOVersion},
		{"AddObjects_SCOKeyOrderIsDuplicate", (*suite).testAddObjects_SCOKeyOrderIsDuplicate},
		{"AddObjects_LargeIntegersCompareExactly", (*suite).testAddObjects_LargeIntegersCompareExactly},
		{"AddObjects_ErrCollectionNotFound", (*suite).testAddObjects_ErrCollectionNotFound},
		{"AddObjects_Atomic", (*suite).testAddObjects_Atomic},

		{"Query", (*suite).testQuery},
		{"Query_PagingByPosition", (*suite).testQuery_PagingByPosition},
		{"Query_NoBody", (*suite).testQuery_NoBody},
		{"Query_RawIsCopy", (*suite).testQuery_RawIsCopy},
		{"Query_Errors", (*suite).testQuery_Errors},
		{"Query_More", (*suite).testQuery_More},
		{"Query_PagingOneRequest", (*suite).testQuery_PagingOneRequest},
		{"Query_MaxScan", (*suite).testQuery_MaxScan},
		{"Query_MaxBytes", (*suite).testQuery_MaxBytes},
		{"Query_CostIndependentOfSize", (*suite).testQuery_CostIndependentOfSize},
		{"Query_CostWithManyVersions", (*suite).testQuery_CostWithManyVersions},

		{"Sharing", (*suite).testSharing},
		{"Sharing_MaxScan", (*suite).testSharing_MaxScan},
		{"Sharing_Settings", (*suite).testSharing_Settings},

		{"DeleteObject", (*suite).testDeleteObject},
		{"DeleteObject_SCO", (*suite).testDeleteObject_SCO},
		{"DeleteObject_ErrCollectionNotFound", (*suite).testDeleteObject_ErrCollectionNotFound},
		{"DeleteObject_Many", (*suite).testDeleteObject_Many},
		{"Lookups_AnyBytes", (*suite).testLookups_AnyBytes},

		{"AddObjects_Status", (*suite).testAddObjects_Status},
		{"Status", (*suite).testStatus},
		{"Status_OtherRootReturnsNothing", (*suite).testStatus_OtherRootReturnsNothing},
		{"PurgeStatuses", (*suite).testPurgeStatuses},

		{"CreateUser", (*suite).testCreateUser},
		{"Passwords", (*suite).testPasswords},
		{"Grants", (*suite).testGrants},
		{"APIKeys", (*suite).testAPIKeys},

		{"Audit", (*suite).testAudit},
		{"Audit_AnyBytes", (*suite).testAudit_AnyBytes},
		{"Activity", (*suite).testActivity},
		{"CursorSecret", (*suite).testCursorSecret},

		{"Backup", (*suite).testBackupUnderWrites},
		{"Copy", (*suite).testCopy},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(s, t) })
	}
}

// suite is one run of the conformance suite.
type suite struct {
	opener  Opener
	restore Restorer
}

// testStore is a store under test with the clock it reads.
type testStore struct {
	store.Store
	clock *clock
}

// clock is a settable clock for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// setNow pins db's clock to t.
func setNow(db *testStore, t time.Time) {
	db.clock.mu.Lock()
	defer db.clock.mu.Unlock()
	db.clock.now = t
}

// open opens a new store with its clock pinned to pinnedNow.
func (s *suite) open(tb testing.TB) *testStore {
	tb.Helper()
	return s.openWith(tb, store.Options{})
}

// openWith is open with options; their clock is replaced with one pinned
// to pinnedNow, and passwords are hashed cheaply.
func (s *suite) openWith(tb testing.TB, o store.Options) *testStore {
	tb.Helper()
	t, ok := tb.(*testing.T)
	if !ok {
		tb.Fatalf("the conformance suite runs in tests only")
	}
	clk := &clock{now: pinnedNow}
	o.Now = clk.Now
	o.PasswordCost = CheapPasswordCost()
	return &testStore{Store: s.opener(t, o), clock: clk}
}

// checker is implemented by backends that can check their own
// consistency; the suite asks them to after heavy changes.
type checker interface {
	Check() error
}
