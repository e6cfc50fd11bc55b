package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
)

// exportLines returns a store's export, one JSON line per item.
func exportLines(t *testing.T, db store.Store) []string {
	t.Helper()
	var out []string
	err := db.(store.Exporter).Export(context.Background(), func(it store.Item) error {
		b, err := json.Marshal(it)
		out = append(out, string(b))
		return err
	})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return out
}

// copyStore imports src's export into dst.
func copyStore(t *testing.T, src, dst store.Store) error {
	t.Helper()
	ctx := context.Background()
	w, err := dst.(store.Importer).Import(ctx)
	if err != nil {
		return err
	}
	if err := src.(store.Exporter).Export(ctx, func(it store.Item) error { return w.Write(ctx, it) }); err != nil {
		return err
	}
	return w.Close(ctx)
}

// A database copied through Export and Import exports the same items, and
// works the same: its objects keep their date_added, its users their
// passwords, its keys their tokens, its cursors their secret. It applies
// to backends that implement store.Exporter and store.Importer.
func (s *suite) testCopy(t *testing.T) {
	ctx := context.Background()
	src := s.open(t)
	if _, ok := src.Store.(store.Exporter); !ok {
		t.Skip("the backend does not implement store.Exporter")
	}
	if _, ok := src.Store.(store.Importer); !ok {
		t.Skip("the backend does not implement store.Importer")
	}
	mustCreateRoot(t, src, "r2")
	a := mustCreateCollection(t, src, testRoot, store.Collection{Alias: "a", PublicRead: true,
		MediaTypes: []string{stix.MediaType(stix.SpecVersion21), stix.MediaType(stix.SpecVersion20)}})
	removed := mustCreateCollection(t, src, testRoot, store.Collection{})
	b := mustCreateCollection(t, src, "r2", store.Collection{Title: "B", AnonymousClearance: "green", DefaultMarking: "amber",
		RequireMarking: true, StrictOrgs: []string{partnerOrg}})
	if err := src.RemoveCollection(ctx, removed.ID, false); err != nil { // a gap in Seq
		t.Fatal(err)
	}
	st := mustAdd(t, src, a, indicator(1, "2020-01-01T00:00:00.000Z"), indicator(1, "2020-02-01T00:00:00.000Z"),
		ipv4(2, "10.0.0.2"), sdo("tool", 3, "", "2019-01-01T00:00:00.000Z"), indicator(4, "2020-01-01T00:00:00.000Z"))
	setNow(src, pinnedNow.Add(time.Second))
	mustAdd(t, src, a, ipv4(2, "10.0.0.3"), sdo("tool", 3, "2.1", "2018-01-01T00:00:00.000Z"))
	mustAdd(t, src, b, indicator(5, "2020-01-01T00:00:00.000Z"))
	// Marked versions, and a re-marking: a GREEN version shadowed by a
	// RED one, which a GREEN client must still see in the copy.
	mustAdd(t, src, b, marked(6, "2020-01-01T00:00:00.000Z", stix.TLPGreen), marked(7, "2020-01-01T00:00:00.000Z", stix.TLPAmberStrict, `"created_by_ref":"`+vendorOrg+`"`),
		marked(8, "2020-01-01T00:00:00.000Z", stix.TLPNone, `"object_marking_refs":["`+stix.TLPMarkingID(stix.TLPGreen)+`","`+statement+`"]`))
	mustAdd(t, src, b, marked(6, "2020-02-01T00:00:00.000Z", stix.TLPRed))
	// The last version goes: LastAdded is beyond every stored version.
	if _, err := src.DeleteObject(ctx, a.ID, sid("tool", 3), store.VersionSelect{}, []string{"2.1"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := src.CreateUser(ctx, "alice", false, "a long passphrase"); err != nil {
		t.Fatal(err)
	}
	if _, err := src.CreateUser(ctx, "bob", true, ""); err != nil {
		t.Fatal(err)
	}
	if err := src.SetGrant(ctx, "alice", a.ID, store.Grant{Read: true, Write: true}); err != nil {
		t.Fatal(err)
	}
	if err := src.SetGrant(ctx, "alice", b.ID, store.Grant{Read: true, Clearance: "amber+strict", AllowMarkings: []string{statement}}); err != nil {
		t.Fatal(err)
	}
	if err := src.SetOrg(ctx, "alice", vendorOrg); err != nil {
		t.Fatal(err)
	}
	_, token, err := src.CreateAPIKey(ctx, "alice", pinnedNow.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	old, _, err := src.CreateAPIKey(ctx, "bob", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.RevokeAPIKey(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	if err := src.TouchAPIKeys(ctx, map[string]time.Time{old.ID: pinnedNow.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	for i, when := range []time.Time{pinnedNow, pinnedNow.Add(789 * time.Nanosecond), pinnedNow.Add(time.Hour)} {
		if err := src.RecordAudit(ctx, store.AuditEntry{Time: when, User: "bob", Remote: "local", Action: "test", Target: testUUID(i), Outcome: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.RecordActivity(ctx, []store.Activity{
		{Principal: "alice", Collection: a.ID, Requests: 3, LastRequest: pinnedNow, LastServed: pinnedMicros, Day: "2024-05-06", ServedToday: 4, ServedTotal: 9},
		{Principal: "anonymous", Collection: b.ID, Requests: 1, LastRequest: pinnedNow, LastError: "400 bad", LastErrorAt: pinnedNow},
	}); err != nil {
		t.Fatal(err)
	}

	dst := s.open(t)
	if err := copyStore(t, src.Store, dst.Store); err != nil {
		t.Fatalf("copy: %v", err)
	}
	want, got := exportLines(t, src.Store), exportLines(t, dst.Store)
	if !reflect.DeepEqual(got, want) {
		for i := range max(len(got), len(want)) {
			var g, w string
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Fatalf("the copy's export differs at item %d:\n got %s\nwant %s", i, g, w)
			}
		}
	}

	// The copy works as the original, for every client.
	alice, err := dst.User(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	bCopy, err := dst.Collection(ctx, "r2", b.ID)
	if err != nil {
		t.Fatal(err)
	}
	aliceB := store.GrantClearance(alice.Grants[b.ID], alice.Org, bCopy)
	if aliceB.Level != stix.TLPAmberStrict || aliceB.Org != vendorOrg || aliceB.Default != stix.TLPAmber || !slices.Equal(aliceB.Allow, []string{statement}) {
		t.Errorf("alice's clearance on the copy of b: %+v", aliceB)
	}
	anonB := store.AnonymousClearance(bCopy)
	if got := ids(mustQuery(t, dst, b.ID, store.Query{Clearance: &anonB})); !slices.Equal(got, []string{sid("indicator", 6) + "@2020-01-01T00:00:00.000Z"}) {
		t.Errorf("an anonymous client (GREEN) of the copy of b sees %v, want object 6's GREEN version only", got)
	}
	green := &store.Clearance{Level: stix.TLPGreen, Default: stix.TLPAmber}
	for _, c := range []store.Collection{a, b} {
		for _, q := range []store.Query{{}, everything, {Clearance: green}, {Clearance: &aliceB}, {Clearance: &anonB},
			{Clearance: green, Versions: store.VersionSelect{All: true}}} {
			if g, w := mustQuery(t, dst, c.ID, q), mustQuery(t, src, c.ID, q); !reflect.DeepEqual(g.Records, w.Records) {
				t.Errorf("query %+v of %s: the copy answers\n %+v\nthe original\n %+v", q, c.Title, g.Records, w.Records)
			}
		}
		gl, _ := dst.CollectionLastAdded(ctx, c.ID)
		wl, _ := src.CollectionLastAdded(ctx, c.ID)
		if !gl.Equal(wl) {
			t.Errorf("LastAdded of the copy %v, of the original %v", gl, wl)
		}
	}
	if got, _, err := dst.Status(ctx, testRoot, st.ID); err != nil || !reflect.DeepEqual(got, st) {
		t.Errorf("status in the copy = %+v, %v", got, err)
	}
	if _, err := dst.VerifyPassword(ctx, "alice", "a long passphrase"); err != nil {
		t.Errorf("alice's password in the copy: %v", err)
	}
	if u, _, err := dst.VerifyAPIKey(ctx, token); err != nil || u.Name != "alice" {
		t.Errorf("alice's key in the copy: %v", err)
	}
	ks, _ := src.CursorSecret(ctx)
	kd, _ := dst.CursorSecret(ctx)
	if string(ks) != string(kd) {
		t.Error("the copy signs cursors with another secret: clients' next tokens would be refused")
	}
	// New versions and collections follow the copied ones.
	setNow(dst, pinnedNow)
	mustAdd(t, dst, a, indicator(9, "2020-01-01T00:00:00.000Z"))
	last, _ := src.CollectionLastAdded(ctx, a.ID)
	if recs := versionsOf(t, dst, a.ID, sid("indicator", 9)); len(recs) != 1 {
		t.Fatalf("versions of a new object in the copy: %v", recs)
	}
	if l, _ := dst.CollectionLastAdded(ctx, a.ID); !l.Equal(last.Add(time.Microsecond)) {
		t.Errorf("a version added to the copy got %v, want the copied collection's next, %v", l, last.Add(time.Microsecond))
	}
	if c := mustCreateCollection(t, dst, testRoot, store.Collection{}); c.Seq <= b.Seq {
		t.Errorf("a new collection in the copy has Seq %d, not after the copied %d", c.Seq, b.Seq)
	}

	// Only into an empty database.
	if err := copyStore(t, src.Store, dst.Store); !errors.Is(err, store.ErrNotEmpty) {
		t.Errorf("a copy into a database that holds some: %v, want ErrNotEmpty", err)
	}
}
