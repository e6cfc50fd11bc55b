package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"liaison/store"
)

// testLookups_AnyBytes: names, ids and aliases are looked up exactly,
// whatever their bytes: one holding a NUL or bytes that are not UTF-8
// (which clients can put in a URL's path) names nothing, and the lookup
// answers with the not-found error of what it looked for, as for any
// other unknown name, never with another error (which the server would
// answer with a 500).
func (s *suite) testLookups_AnyBytes(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{Alias: "coll"})
	mustAdd(t, db, c, indicator2(1, "2020-01-01T00:00:00.000Z"))
	if _, err := db.CreateUser(ctx, testUser, false, ""); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"a\x00b", "\xff\xfe", "indicator--\x00"} {
		for _, tc := range []struct {
			name string
			err  error
			want error
		}{
			{"APIRoot", second(db.APIRoot(ctx, bad)), store.ErrAPIRootNotFound},
			{"Collections", second(db.Collections(ctx, bad)), store.ErrAPIRootNotFound},
			{"Collection in a missing root", second(db.Collection(ctx, bad, c.ID)), store.ErrAPIRootNotFound},
			{"Collection", second(db.Collection(ctx, testRoot, bad)), store.ErrCollectionNotFound},
			{"CollectionLastAdded", second(db.CollectionLastAdded(ctx, bad)), store.ErrCollectionNotFound},
			{"Query of a collection", second(db.Query(ctx, bad, store.Query{Limit: 10})), store.ErrCollectionNotFound},
			{"Query of an object", second(db.Query(ctx, c.ID, store.Query{ObjectID: bad, Limit: 10})), store.ErrObjectNotFound},
			{"Query of an object, all versions", second(db.Query(ctx, c.ID, store.Query{ObjectID: bad, Limit: 10, Versions: store.VersionSelect{All: true}})), store.ErrObjectNotFound},
			{"DeleteObject", second(db.DeleteObject(ctx, c.ID, bad, store.VersionSelect{}, nil, nil)), store.ErrObjectNotFound},
			{"DeleteObject of a collection", second(db.DeleteObject(ctx, bad, "indicator--"+testUUID(1), store.VersionSelect{}, nil, nil)), store.ErrCollectionNotFound},
			{"User", second(db.User(ctx, bad)), store.ErrUserNotFound},
		} {
			if !errors.Is(tc.err, tc.want) {
				t.Errorf("%s(%q): %v, want %v", tc.name, bad, tc.err, tc.want)
			}
		}
		// A token is a header's value: its key id may hold any byte.
		token := "lsn_" + (bad + strings.Repeat("x", 16))[:16] + "_" + strings.Repeat("a", 43)
		if _, _, err := db.VerifyAPIKey(ctx, token); !errors.Is(err, store.ErrBadAPIKey) {
			t.Errorf("VerifyAPIKey(%q): %v, want %v", token, err, store.ErrBadAPIKey)
		}
		if _, _, err := db.Status(ctx, testRoot, bad); !errors.Is(err, store.ErrStatusNotFound) {
			t.Errorf("Status(%q): %v, want %v", bad, err, store.ErrStatusNotFound)
		}
		// Filters that name nothing match nothing.
		for _, q := range []store.Query{{IDs: []string{bad}}, {Types: []string{bad}}, {IDs: []string{bad}, Versions: store.VersionSelect{All: true}},
			{Types: []string{bad}, Versions: store.VersionSelect{All: true}}} {
			q.Limit = 10
			if p, err := db.Query(ctx, c.ID, q); err != nil || len(p.Records) != 0 {
				t.Errorf("Query(%+v) = %d records, %v; want none", q, len(p.Records), err)
			}
		}
	}
}

// second returns the error of a call that returns a value and an error.
func second[T any](_ T, err error) error { return err }

// testAudit_AnyBytes: an audit entry is recorded whatever bytes its text
// holds (a DELETE's target carries the object id of the request's path,
// NUL or bytes that are not UTF-8 included): the trail keeps the entry,
// its text in valid UTF-8, the rest of it as given.
func (s *suite) testAudit_AnyBytes(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	e := store.AuditEntry{User: "alice", Remote: "192.0.2.1", Action: "object.delete", Target: "api1/c indicator--\x00\xff", Detail: "d\x00", Outcome: "object not found \xfe"}
	if err := db.RecordAudit(ctx, e); err != nil {
		t.Fatalf("RecordAudit: %v", err)
	}
	got, err := db.Audit(ctx, store.AuditQuery{})
	if err != nil || len(got) != 1 {
		t.Fatalf("Audit = %+v, %v; want the entry", got, err)
	}
	g := got[0]
	for _, f := range []string{g.Target, g.Detail, g.Outcome} {
		if !utf8.ValidString(f) {
			t.Errorf("the entry's text %q is not UTF-8", f)
		}
	}
	if g.User != e.User || g.Action != e.Action || g.Remote != e.Remote || !strings.HasPrefix(g.Target, "api1/c indicator--") {
		t.Errorf("Audit = %+v; want %+v", g, e)
	}
}
