package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
)

// pinnedNow is the instant the suite pins a store's clock to. It carries
// nanoseconds on purpose: date_added must keep microseconds only.
var pinnedNow = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

// pinnedMicros is pinnedNow truncated to microseconds, the first date_added
// a collection gets while the clock stays pinned.
var pinnedMicros = pinnedNow.Truncate(time.Microsecond)

const (
	testRoot = "api1"
	testUser = "alice"
)

// mustCreateRoot creates an API root with a title and fails tb on error.
func mustCreateRoot(tb testing.TB, db store.Store, name string) store.APIRoot {
	tb.Helper()
	r, err := db.CreateAPIRoot(context.Background(), store.APIRoot{Name: name, Title: "Root " + name})
	if err != nil {
		tb.Fatalf("CreateAPIRoot(%q): %v", name, err)
	}
	return r
}

// mustCreateCollection creates a collection in root (creating the root when
// it does not exist yet) and fails tb on error.
func mustCreateCollection(tb testing.TB, db store.Store, root string, c store.Collection) store.Collection {
	tb.Helper()
	ctx := context.Background()
	if _, err := db.APIRoot(ctx, root); err != nil {
		mustCreateRoot(tb, db, root)
	}
	c.APIRoot = root
	if c.Title == "" {
		c.Title = "Collection"
	}
	c, err := db.CreateCollection(ctx, c)
	if err != nil {
		tb.Fatalf("CreateCollection(%+v): %v", c, err)
	}
	return c
}

// mustPeek parses one STIX object.
func mustPeek(tb testing.TB, i int, js string) stix.Object {
	tb.Helper()
	o, err := stix.Peek(i, []byte(js))
	if err != nil {
		tb.Fatalf("Peek(%s): %v", js, err)
	}
	return o
}

// addRequest builds the Add Objects request of testUser for the objects.
func addRequest(tb testing.TB, c store.Collection, objects ...string) store.AddRequest {
	tb.Helper()
	req := store.AddRequest{APIRoot: c.APIRoot, Collection: c.ID, Owner: testUser, Total: len(objects)}
	for i, js := range objects {
		req.Objects = append(req.Objects, mustPeek(tb, i, js))
	}
	return req
}

// mustAdd adds the objects to c and fails tb on error.
func mustAdd(tb testing.TB, db store.Store, c store.Collection, objects ...string) store.Status {
	tb.Helper()
	st, err := db.AddObjects(context.Background(), addRequest(tb, c, objects...))
	if err != nil {
		tb.Fatalf("AddObjects: %v", err)
	}
	return st
}

// mustQuery runs q (with limit 10000 when q.Limit is zero) and fails tb on
// error.
func mustQuery(tb testing.TB, db store.Store, coll string, q store.Query) store.Page {
	tb.Helper()
	if q.Limit == 0 {
		q.Limit = 10000
	}
	p, err := db.Query(context.Background(), coll, q)
	if err != nil {
		tb.Fatalf("Query(%+v): %v", q, err)
	}
	return p
}

// everything selects every stored version of a collection.
var everything = store.Query{Versions: store.VersionSelect{All: true}, SpecVersions: []string{"2.0", "2.1"}}

// testUUID returns a deterministic RFC 4122 version 4 UUID for n.
func testUUID(n int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n)
}

// sid returns the STIX id of object n of type typ.
func sid(typ string, n int) string { return typ + "--" + testUUID(n) }

// sdo returns the JSON of a versioned object with the given modified. An
// empty spec omits spec_version (STIX 2.0). extra is appended verbatim as
// further properties.
func sdo(typ string, n int, spec, modified string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":%q,"id":%q`, typ, sid(typ, n))
	if spec != "" {
		fmt.Fprintf(&b, `,"spec_version":%q`, spec)
	}
	fmt.Fprintf(&b, `,"created":"2017-01-01T00:00:00.000Z","modified":%q,"name":"%s %d"`, modified, typ, n)
	for _, e := range extra {
		b.WriteString("," + e)
	}
	b.WriteString("}")
	return b.String()
}

// indicator returns a STIX 2.1 indicator n with the given modified.
func indicator(n int, modified string) string {
	return sdo("indicator", n, "2.1", modified,
		fmt.Sprintf(`"pattern":"[ipv4-addr:value = '10.%d.%d.%d']"`, n>>16&255, n>>8&255, n&255),
		`"pattern_type":"stix"`, `"valid_from":"2017-01-01T00:00:00Z"`)
}

// ipv4 returns an ipv4-addr SCO n (no created or modified).
func ipv4(n int, value string) string {
	return fmt.Sprintf(`{"type":"ipv4-addr","id":%q,"value":%q}`, sid("ipv4-addr", n), value)
}

// compact returns js without insignificant whitespace.
func compact(tb testing.TB, js string) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(js)); err != nil {
		tb.Fatalf("compact %s: %v", js, err)
	}
	return b.Bytes()
}

// ts parses a STIX timestamp.
func ts(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := stix.ParseTimestamp(s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// versionsOf returns the version strings of every stored version of id, in
// date_added order.
func versionsOf(tb testing.TB, db store.Store, coll, id string) []string {
	tb.Helper()
	q := everything
	q.IDs = []string{id}
	var out []string
	for _, r := range mustQuery(tb, db, coll, q).Records {
		out = append(out, r.VersionText)
	}
	return out
}

// cancelAfter is a context whose Err reports nil for its first n calls and
// context.Canceled afterwards, to interrupt AddObjects half way.
type cancelAfter struct {
	context.Context
	n int
}

func (c *cancelAfter) Err() error {
	if c.n > 0 {
		c.n--
		return nil
	}
	return context.Canceled
}
