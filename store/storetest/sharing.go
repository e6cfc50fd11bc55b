package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
)

// Marked objects for the sharing tests.
const (
	vendorOrg  = "identity--6d6e6f70-0000-4000-8000-0000000000a1"
	partnerOrg = "identity--6d6e6f70-0000-4000-8000-0000000000a2"
	statement  = "marking-definition--6d6e6f70-0000-4000-8000-0000000000b1"
)

func marked(n int, modified string, level stix.TLPLevel, extra ...string) string {
	if level != stix.TLPNone {
		extra = append(extra, fmt.Sprintf(`"object_marking_refs":[%q]`, stix.TLPMarkingID(level)))
	}
	return indicator2(n, modified, extra...)
}

// indicator2 is indicator with extra properties.
func indicator2(n int, modified string, extra ...string) string {
	return sdo("indicator", n, "2.1", modified, append([]string{
		fmt.Sprintf(`"pattern":"[ipv4-addr:value = '10.0.0.%d']"`, n&255), `"pattern_type":"stix"`, `"valid_from":"2017-01-01T00:00:00Z"`}, extra...)...)
}

// ids returns the ids of a page's records.
func ids(p store.Page) []string {
	out := []string{}
	for _, r := range p.Records {
		out = append(out, r.ID+"@"+r.VersionText)
	}
	return out
}

// walk pages through q one record at a time, as a client following next
// does, and returns what it saw.
func walk(tb testing.TB, db store.Store, coll string, q store.Query) []string {
	tb.Helper()
	q.Limit = 1
	out := []string{}
	for range 1000 {
		p := mustQuery(tb, db, coll, q)
		out = append(out, ids(p)...)
		if !p.More {
			return out
		}
		q.After = p.Resume
	}
	tb.Fatal("the walk does not end")
	return nil
}

// testSharing: a version the client's clearance does not admit does not
// exist for it, on default queries, with every version filter, on object
// lookups and deletes; paging stays exact.
func (s *suite) testSharing(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{Title: "Shared"})
	const v1, v2, v3 = "2020-01-01T00:00:00.000Z", "2020-02-01T00:00:00.000Z", "2020-03-01T00:00:00.000Z"
	mustAdd(t, db, c,
		marked(1, v1, stix.TLPClear),
		marked(2, v1, stix.TLPGreen),
		marked(3, v1, stix.TLPAmber),
		marked(4, v1, stix.TLPAmberStrict, `"created_by_ref":"`+vendorOrg+`"`),
		marked(5, v1, stix.TLPRed),
		marked(6, v1, stix.TLPNone), // unmarked: the default
		marked(7, v1, stix.TLPGreen, `"granular_markings":[{"marking_ref":"`+stix.TLPMarkingID(stix.TLPRed)+`","selectors":["name"]}]`), // a RED part
		marked(8, v1, stix.TLPNone, `"object_marking_refs":["`+stix.TLPMarkingID(stix.TLPGreen)+`","`+statement+`"]`),                   // another marking
	)
	// Object 9 is re-marked: GREEN, then RED, then GREEN again; object 10
	// GREEN, then RED.
	mustAdd(t, db, c, marked(9, v1, stix.TLPGreen), marked(10, v1, stix.TLPGreen))
	mustAdd(t, db, c, marked(9, v2, stix.TLPRed), marked(10, v2, stix.TLPRed))
	mustAdd(t, db, c, marked(9, v3, stix.TLPGreen))

	id := func(n int, v string) string { return sid("indicator", n) + "@" + v }
	clear := &store.Clearance{Level: stix.TLPClear, Default: stix.TLPClear}
	green := &store.Clearance{Level: stix.TLPGreen, Default: stix.TLPClear}
	greenDefaultAmber := &store.Clearance{Level: stix.TLPGreen, Default: stix.TLPAmber}
	amberStrictVendor := &store.Clearance{Level: stix.TLPAmberStrict, Org: vendorOrg, Default: stix.TLPClear}
	amberStrictPartner := &store.Clearance{Level: stix.TLPAmberStrict, Org: partnerOrg, Default: stix.TLPClear}
	amberStrictShared := &store.Clearance{Level: stix.TLPAmberStrict, Org: partnerOrg, StrictOrg: true, Default: stix.TLPClear}
	red := &store.Clearance{Level: stix.TLPRed, Default: stix.TLPClear}
	redAllowed := &store.Clearance{Level: stix.TLPRed, Allow: []string{statement}, Default: stix.TLPClear}

	for _, tc := range []struct {
		name string
		cl   *store.Clearance
		q    store.Query
		want []string
	}{
		// The default query: each object's newest version the client may see.
		{"clear", clear, store.Query{}, []string{id(1, v1), id(6, v1)}},
		{"green", green, store.Query{}, []string{id(1, v1), id(2, v1), id(6, v1), id(10, v1), id(9, v3)}},
		{"green, unmarked default amber", greenDefaultAmber, store.Query{}, []string{id(1, v1), id(2, v1), id(10, v1), id(9, v3)}},
		{"amber+strict of the creator", amberStrictVendor, store.Query{}, []string{id(1, v1), id(2, v1), id(3, v1), id(4, v1), id(6, v1), id(10, v1), id(9, v3)}},
		{"amber+strict of another org", amberStrictPartner, store.Query{}, []string{id(1, v1), id(2, v1), id(3, v1), id(6, v1), id(10, v1), id(9, v3)}},
		{"amber+strict of an org the collection names", amberStrictShared, store.Query{}, []string{id(1, v1), id(2, v1), id(3, v1), id(4, v1), id(6, v1), id(10, v1), id(9, v3)}},
		{"red, not AMBER+STRICT of another org", red, store.Query{}, []string{id(1, v1), id(2, v1), id(3, v1), id(5, v1), id(6, v1), id(7, v1), id(10, v2), id(9, v3)}},
		{"red with the statement", redAllowed, store.Query{}, []string{id(1, v1), id(2, v1), id(3, v1), id(5, v1), id(6, v1), id(7, v1), id(8, v1), id(10, v2), id(9, v3)}},
		{"no clearance: everything", nil, store.Query{}, []string{id(1, v1), id(2, v1), id(3, v1), id(4, v1), id(5, v1), id(6, v1), id(7, v1), id(8, v1), id(10, v2), id(9, v3)}},
		// Other filters apply to what the client may see.
		{"green, all versions", green, store.Query{Versions: store.VersionSelect{All: true}}, []string{id(1, v1), id(2, v1), id(6, v1), id(9, v1), id(10, v1), id(9, v3)}},
		{"green, last", green, store.Query{Versions: store.VersionSelect{Last: true}}, []string{id(1, v1), id(2, v1), id(6, v1), id(10, v1), id(9, v3)}},
		{"green, first", green, store.Query{Versions: store.VersionSelect{First: true}}, []string{id(1, v1), id(2, v1), id(6, v1), id(9, v1), id(10, v1)}},
		{"green, spec 2.1", green, store.Query{SpecVersions: []string{"2.1"}}, []string{id(1, v1), id(2, v1), id(6, v1), id(10, v1), id(9, v3)}},
		{"green, one object", green, store.Query{IDs: []string{sid("indicator", 10)}}, []string{id(10, v1)}},
		{"red, one object", red, store.Query{IDs: []string{sid("indicator", 10)}}, []string{id(10, v2)}},
		{"green, a type", green, store.Query{Types: []string{"indicator"}}, []string{id(1, v1), id(2, v1), id(6, v1), id(10, v1), id(9, v3)}},
		{"green, another type", green, store.Query{Types: []string{"malware"}}, []string{}},
		{"green, no body", green, store.Query{NoBody: true}, []string{id(1, v1), id(2, v1), id(6, v1), id(10, v1), id(9, v3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Clearance = tc.cl
			if got := ids(mustQuery(t, db, c.ID, q)); !slices.Equal(got, tc.want) {
				t.Errorf("one page:\n got %v\nwant %v", got, tc.want)
			}
			// Paging exactly: one record a page, following Resume.
			if got := walk(t, db, c.ID, q); !slices.Equal(got, tc.want) {
				t.Errorf("paged one at a time:\n got %v\nwant %v", got, tc.want)
			}
			// A page never claims more when nothing follows for the client.
			q.Limit = len(tc.want)
			if len(tc.want) > 0 && mustQuery(t, db, c.ID, q).More {
				t.Errorf("a page holding everything says more")
			}
		})
	}

	// An object none of whose versions the client may see does not exist.
	for n, cl := range map[int]*store.Clearance{5: green, 4: amberStrictPartner, 8: red, 7: green} {
		if _, err := db.Query(ctx, c.ID, store.Query{ObjectID: sid("indicator", n), Limit: 10, Clearance: cl}); !errors.Is(err, store.ErrObjectNotFound) {
			t.Errorf("object %d at %v: %v, want ErrObjectNotFound", n, cl.Level, err)
		}
		if _, err := db.DeleteObject(ctx, c.ID, sid("indicator", n), store.VersionSelect{}, nil, cl); !errors.Is(err, store.ErrObjectNotFound) {
			t.Errorf("delete object %d at %v: %v, want ErrObjectNotFound", n, cl.Level, err)
		}
	}
	// A delete by a restricted client deletes only what it may see.
	if n, err := db.DeleteObject(ctx, c.ID, sid("indicator", 10), store.VersionSelect{All: true}, nil, green); err != nil || n != 1 {
		t.Fatalf("delete every version of object 10 at green = %d, %v; want 1", n, err)
	}
	if got := versionsOf(t, db, c.ID, sid("indicator", 10)); !slices.Equal(got, []string{v2}) {
		t.Errorf("object 10 after the green delete: %v, want only its RED version", got)
	}
	if got := ids(mustQuery(t, db, c.ID, store.Query{IDs: []string{sid("indicator", 10)}, Clearance: green})); len(got) != 0 {
		t.Errorf("object 10 at green after the delete: %v", got)
	}
	// Deleting object 9's newest version makes its RED one the newest: a
	// green client sees the first again, a red one the second.
	if _, err := db.DeleteObject(ctx, c.ID, sid("indicator", 9), store.VersionSelect{At: []time.Time{ts(t, v3)}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	for cl, want := range map[*store.Clearance][]string{green: {id(9, v1)}, red: {id(9, v2)}} {
		if got := walk(t, db, c.ID, store.Query{IDs: []string{sid("indicator", 9)}, Clearance: cl}); !slices.Equal(got, want) {
			t.Errorf("object 9 at %v after its third version went: %v, want %v", cl.Level, got, want)
		}
	}
	s.testSharingStrict(t, db)
}

// testSharingStrict: the organisation rule of TLP:AMBER+STRICT holds
// beside RED, and for unmarked objects in a collection whose default is
// AMBER+STRICT, also when their creator changes from version to version.
func (s *suite) testSharingStrict(t *testing.T, db store.Store) {
	c := mustCreateCollection(t, db, testRoot, store.Collection{Title: "Strict"})
	const v1, v2 = "2020-01-01T00:00:00.000Z", "2020-02-01T00:00:00.000Z"
	by := func(org string) string { return `"created_by_ref":"` + org + `"` }
	mustAdd(t, db, c,
		marked(1, v1, stix.TLPRed, by(vendorOrg), `"granular_markings":[{"marking_ref":"`+stix.TLPMarkingID(stix.TLPAmberStrict)+`","selectors":["name"]}]`),
		marked(2, v1, stix.TLPNone, by(vendorOrg), `"object_marking_refs":["`+stix.TLPMarkingID(stix.TLPAmberStrict)+`","`+stix.TLPMarkingID(stix.TLPRed)+`"]`),
		marked(3, v1, stix.TLPNone, by(vendorOrg)),
	)
	mustAdd(t, db, c, marked(3, v2, stix.TLPNone, by(partnerOrg)))
	id := func(n int, v string) string { return sid("indicator", n) + "@" + v }
	for _, tc := range []struct {
		name string
		cl   *store.Clearance
		want []string
	}{
		{"red of the creator", &store.Clearance{Level: stix.TLPRed, Org: vendorOrg, Default: stix.TLPAmberStrict}, []string{id(1, v1), id(2, v1), id(3, v1)}},
		{"red of another org", &store.Clearance{Level: stix.TLPRed, Org: partnerOrg, Default: stix.TLPAmberStrict}, []string{id(3, v2)}},
		{"red of an org the collection names", &store.Clearance{Level: stix.TLPRed, Org: partnerOrg, StrictOrg: true, Default: stix.TLPAmberStrict}, []string{id(1, v1), id(2, v1), id(3, v2)}},
		{"red without an org", &store.Clearance{Level: stix.TLPRed, Default: stix.TLPAmberStrict}, []string{}},
		{"red, unmarked default clear", &store.Clearance{Level: stix.TLPRed, Org: partnerOrg, Default: stix.TLPClear}, []string{id(3, v2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := store.Query{Clearance: tc.cl}
			if got := ids(mustQuery(t, db, c.ID, q)); !slices.Equal(got, tc.want) {
				t.Errorf("one page:\n got %v\nwant %v", got, tc.want)
			}
			if got := walk(t, db, c.ID, q); !slices.Equal(got, tc.want) {
				t.Errorf("paged one at a time:\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

// testSharing_MaxScan: entries a client may not see count against
// MaxScan like any other: a restricted client's page in a collection it
// may see little of ends at the budget with More set, and paging from
// Resume still finds every version it may see, once.
func (s *suite) testSharing_MaxScan(t *testing.T) {
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	const n = 1000
	var objs []string
	for i := range n {
		if i == 499 {
			continue // added below
		}
		level := stix.TLPRed
		if i == 9 || i == 989 {
			level = stix.TLPGreen
		}
		objs = append(objs, marked(i+1, "2020-01-01T00:00:00.000Z", level))
	}
	mustAdd(t, db, c, objs...)
	// A re-marking: object 500 goes from GREEN to RED, after the others.
	mustAdd(t, db, c, marked(500, "2020-01-01T00:00:00.000Z", stix.TLPGreen))
	mustAdd(t, db, c, marked(500, "2020-02-01T00:00:00.000Z", stix.TLPRed))
	green := &store.Clearance{Level: stix.TLPGreen, Default: stix.TLPClear}
	for _, tc := range []struct {
		name string
		q    store.Query
	}{
		{"default", store.Query{}},
		{"all versions", store.Query{Versions: store.VersionSelect{All: true}}},
		{"a type", store.Query{Types: []string{"indicator"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Clearance, q.Limit, q.MaxScan = green, 10, 100
			var found []string
			pages := 0
			for {
				page := mustQuery(t, db, c.ID, q)
				pages++
				// The last entry visited may cost the versions of its object
				// besides (a shadow's newer versions): a few past the budget.
				if page.Scanned > q.MaxScan+5 {
					t.Fatalf("page %d scanned %d entries, budget %d", pages, page.Scanned, q.MaxScan)
				}
				found = append(found, ids(page)...)
				if !page.More {
					break
				}
				if page.Resume <= q.After {
					t.Fatalf("page %d resumes at %d, not after its start %d", pages, page.Resume, q.After)
				}
				q.After = page.Resume
				if pages > 2*n/q.MaxScan+2 {
					t.Fatalf("no end after %d pages", pages)
				}
			}
			// Object 500's GREEN version, added after the others, is what
			// a GREEN client sees of it.
			want := []string{sid("indicator", 10) + "@2020-01-01T00:00:00.000Z", sid("indicator", 990) + "@2020-01-01T00:00:00.000Z",
				sid("indicator", 500) + "@2020-01-01T00:00:00.000Z"}
			if !slices.Equal(found, want) {
				t.Errorf("found %v, want %v", found, want)
			}
			if pages < n/q.MaxScan {
				t.Errorf("%d pages: the budget did not end pages early", pages)
			}
		})
	}
}

// testSharing_Settings: organisations, clearances and the sharing settings
// of collections are kept as given and read back alike by every lookup;
// what is not a TLP level, a marking definition or an identity is
// ErrInvalid and changes nothing.
func (s *suite) testSharing_Settings(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{AnonymousClearance: "green", DefaultMarking: "amber",
		RequireMarking: true, StrictOrgs: []string{partnerOrg}})
	want := c
	for _, got := range []func() (store.Collection, error){
		func() (store.Collection, error) { return db.Collection(ctx, testRoot, c.ID) },
		func() (store.Collection, error) {
			cs, err := db.Collections(ctx, testRoot)
			if err != nil || len(cs) != 1 {
				return store.Collection{}, fmt.Errorf("Collections = %v, %v", cs, err)
			}
			return cs[0], nil
		},
	} {
		if g, err := got(); err != nil || !reflect.DeepEqual(g, want) {
			t.Errorf("read back %+v, %v; want %+v", g, err, want)
		}
	}
	amberStrict, none := "amber+strict", []string{}
	u, err := db.UpdateCollection(ctx, c.ID, store.CollectionUpdate{AnonymousClearance: &amberStrict, StrictOrgs: &none})
	if err != nil || u.AnonymousClearance != "amber+strict" || len(u.StrictOrgs) != 0 || u.DefaultMarking != "amber" || !u.RequireMarking {
		t.Errorf("UpdateCollection = %+v, %v", u, err)
	}
	if g, err := db.Collection(ctx, testRoot, c.ID); err != nil || g.AnonymousClearance != "amber+strict" || g.StrictOrgs != nil {
		t.Errorf("after the update: %+v, %v (no strict organisations read back as nil)", g, err)
	}
	purple := "purple"
	if _, err := db.UpdateCollection(ctx, c.ID, store.CollectionUpdate{DefaultMarking: &purple}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a default marking of purple: %v, want ErrInvalid", err)
	}

	if _, err := db.CreateUser(ctx, "alice", false, ""); err != nil {
		t.Fatal(err)
	}
	grant := store.Grant{Read: true, Clearance: "amber", AllowMarkings: []string{statement}}
	if err := db.SetGrant(ctx, "alice", c.ID, grant); err != nil {
		t.Fatal(err)
	}
	if err := db.SetOrg(ctx, "alice", vendorOrg); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		name string
		err  error
	}{
		{"clearance", db.SetGrant(ctx, "alice", c.ID, store.Grant{Read: true, Clearance: "purple"})},
		{"allowed marking", db.SetGrant(ctx, "alice", c.ID, store.Grant{Read: true, AllowMarkings: []string{vendorOrg}})},
		{"organisation", db.SetOrg(ctx, "alice", statement)},
	} {
		if !errors.Is(bad.err, store.ErrInvalid) {
			t.Errorf("a bad %s: %v, want ErrInvalid", bad.name, bad.err)
		}
	}
	if err := db.SetOrg(ctx, "bob", vendorOrg); !errors.Is(err, store.ErrUserNotFound) {
		t.Errorf("SetOrg of a missing user: %v, want ErrUserNotFound", err)
	}
	check := func(u store.User, err error) {
		t.Helper()
		if err != nil || u.Org != vendorOrg || !reflect.DeepEqual(u.Grants, map[string]store.Grant{c.ID: grant}) {
			t.Errorf("alice = %+v, %v; want her organisation and her grant", u, err)
		}
	}
	check(db.User(ctx, "alice"))
	users, err := db.Users(ctx)
	if err != nil || len(users) != 1 {
		t.Fatalf("Users = %v, %v", users, err)
	}
	check(users[0], nil)
	_, key, err := db.CreateAPIKey(ctx, "alice", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	u2, _, err := db.VerifyAPIKey(ctx, key)
	check(u2, err)
	// UpdateGrant sees the whole grant, and keeps what f returns.
	g, err := db.UpdateGrant(ctx, "alice", c.ID, func(g store.Grant) store.Grant {
		if !reflect.DeepEqual(g, grant) {
			t.Errorf("UpdateGrant's f saw %+v, want %+v", g, grant)
		}
		g.Write, g.AllowMarkings = true, nil
		return g
	})
	if want := (store.Grant{Read: true, Write: true, Clearance: "amber"}); err != nil || !reflect.DeepEqual(g, want) {
		t.Errorf("UpdateGrant = %+v, %v; want %+v", g, err, want)
	}
	if u, err := db.User(ctx, "alice"); err != nil || !reflect.DeepEqual(u.Grants[c.ID], g) {
		t.Errorf("alice's grant after UpdateGrant: %+v, %v", u.Grants, err)
	}
	if err := db.SetOrg(ctx, "alice", ""); err != nil {
		t.Fatal(err)
	}
	if u, err := db.User(ctx, "alice"); err != nil || u.Org != "" {
		t.Errorf("alice's organisation after it was removed: %q, %v", u.Org, err)
	}
}
