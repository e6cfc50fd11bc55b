package taxii_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
	"liaison/store/bolt"
	"liaison/store/postgres/pgtest"
	"liaison/taxii"
)

// The real store satisfies the interface the HTTP API needs.
var _ store.Store = (*bolt.Store)(nil)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenDir holds the expected HTTP response bodies (*.golden.json).
const goldenDir = "testdata/golden"

// testKey signs next tokens in every test server.
var testKey = []byte("liaison test cursor key, 32 bytes")

// Clock readings. The store stamps date_added from its pinned clock; each
// object of the public and mixed collections is added in its own request one
// second after the previous one, so date_added values are round numbers.
var (
	tPublic = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) // public object i: tPublic + i s
	tMixed  = time.Date(2024, 5, 2, 12, 0, 0, 0, time.UTC) // mixed object i: tMixed + i s
	tBulk   = time.Date(2024, 5, 3, 12, 0, 0, 123456000, time.UTC)
	tSmall  = time.Date(2024, 5, 4, 12, 0, 0, 0, time.UTC)
	tOther  = time.Date(2024, 5, 5, 12, 0, 0, 0, time.UTC)
	tHidden = time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC)
	tTest   = time.Date(2024, 6, 1, 8, 30, 0, 0, time.UTC) // the clock while a test runs
)

// STIX ids of the fixture objects.
const (
	idA = "indicator--a1a1a1a1-0000-4000-8000-000000000001" // 3 versions, added in order
	idM = "malware--a1a1a1a1-0000-4000-8000-000000000002"
	idI = "ipv4-addr--a1a1a1a1-0000-5000-8000-000000000003" // SCO
	idP = "identity--a1a1a1a1-0000-4000-8000-000000000004"
	idR = "relationship--a1a1a1a1-0000-4000-8000-000000000005"
	idD = "marking-definition--a1a1a1a1-0000-4000-8000-000000000006" // created only
	idB = "indicator--a1a1a1a1-0000-4000-8000-000000000007"          // 2 versions, newer added first

	idS = "indicator--b2b2b2b2-0000-4000-8000-000000000001" // mixed: 2.0, 2.0, 2.1
	idT = "malware--b2b2b2b2-0000-4000-8000-000000000002"   // mixed: 2.0 only

	idH = "indicator--c3c3c3c3-0000-4000-8000-000000000001" // in the hidden collection
	idO = "indicator--d4d4d4d4-0000-4000-8000-000000000001" // in api2's collection
)

// Versions (modified, or created) of the fixture objects.
const (
	vA1 = "2024-01-01T00:00:00.000Z"
	vA2 = "2024-01-03T00:00:00.000Z"
	vA3 = "2024-01-05T00:00:00.000Z"
	vM  = "2024-01-02T00:00:00.000Z"
	vP  = "2024-01-04T00:00:00.000Z"
	vR  = "2024-01-06T00:00:00.000Z"
	vD  = "2024-01-07T00:00:00.000Z"
	vB1 = "2024-01-08T00:00:00.000Z"
	vB2 = "2024-01-09T00:00:00.000Z"
	vI  = "2024-05-01T12:00:03.000000Z" // the SCO's version: its date_added
	vS1 = "2023-01-01T00:00:00.000Z"
	vS2 = "2023-02-01T00:00:00.000Z"
	vS3 = "2023-03-01T00:00:00.000Z"
	vT  = "2023-01-01T00:00:00.000Z"
)

func indicatorJSON(id, created, modified, name string) string {
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":%q,"modified":%q,"name":%q,"pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":%q}`,
		id, created, modified, name, created)
}

// indicator20JSON is a STIX 2.0 indicator: no spec_version.
func indicator20JSON(id, created, modified, name string) string {
	return fmt.Sprintf(`{"type":"indicator","id":%q,"created":%q,"modified":%q,"name":%q,"labels":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.100.2']","valid_from":%q}`,
		id, created, modified, name, created)
}

func malwareJSON(id, ts, name string) string {
	return fmt.Sprintf(`{"type":"malware","spec_version":"2.1","id":%q,"created":%q,"modified":%q,"name":%q,"is_family":false}`, id, ts, ts, name)
}

// publicObjects are loaded into the public collection one per request, in
// this order: object i has date_added tPublic + i seconds.
var publicObjects = []struct{ id, version, json string }{
	{idA, vA1, indicatorJSON(idA, vA1, vA1, "A v1")},
	{idM, vM, malwareJSON(idM, vM, "M")},
	{idA, vA2, indicatorJSON(idA, vA1, vA2, "A v2")},
	{idI, vI, `{"type":"ipv4-addr","spec_version":"2.1","id":"` + idI + `","value":"198.51.100.1"}`},
	{idP, vP, `{"type":"identity","spec_version":"2.1","id":"` + idP + `","created":"` + vP + `","modified":"` + vP + `","name":"P","identity_class":"organization"}`},
	{idA, vA3, indicatorJSON(idA, vA1, vA3, "A v3")},
	{idR, vR, `{"type":"relationship","spec_version":"2.1","id":"` + idR + `","created":"` + vR + `","modified":"` + vR + `","relationship_type":"indicates","source_ref":"` + idA + `","target_ref":"` + idM + `"}`},
	{idD, vD, `{"type":"marking-definition","spec_version":"2.1","id":"` + idD + `","created":"` + vD + `","definition_type":"statement","definition":{"statement":"Copyright Liaison tests"}}`},
	{idB, vB2, indicatorJSON(idB, vB1, vB2, "B v2")},
	{idB, vB1, indicatorJSON(idB, vB1, vB1, "B v1")},
}

// pubAdded returns the date_added of public object i.
func pubAdded(i int) string { return stix.FormatTAXII(tPublic.Add(time.Duration(i) * time.Second)) }

// mixedObjects are loaded into the mixed collection (STIX 2.0 and 2.1) one
// per request: object i has date_added tMixed + i seconds.
var mixedObjects = []struct{ id, version, spec, json string }{
	{idS, vS1, "2.0", indicator20JSON(idS, vS1, vS1, "S v1")},
	{idS, vS2, "2.0", strings.Replace(indicator20JSON(idS, vS1, vS2, "S v2"), `{"type":"indicator",`, `{"type":"indicator","spec_version":"2.0",`, 1)},
	{idS, vS3, "2.1", indicatorJSON(idS, vS1, vS3, "S v3")},
	{idT, vT, "2.0", `{"type":"malware","id":"` + idT + `","created":"` + vT + `","modified":"` + vT + `","name":"T","labels":["trojan"]}`},
}

// mixAdded returns the date_added of mixed object i.
func mixAdded(i int) string { return stix.FormatTAXII(tMixed.Add(time.Duration(i) * time.Second)) }

// bulkObjects are loaded into the bulk collection in ONE request, so their
// date_added values are tBulk, tBulk+1µs, ... Versions of one object are in
// version order.
func bulkObjects() []string {
	var out []string
	for i := range 12 {
		id := fmt.Sprintf("indicator--e5e5e5e5-0000-4000-8000-%012d", i%9)
		created := fmt.Sprintf("2024-02-%02dT00:00:00.000Z", 1+i%9)
		modified := created
		if i >= 9 { // three objects get a second version
			modified = fmt.Sprintf("2024-03-%02dT00:00:00.000Z", 1+i%9)
		}
		out = append(out, indicatorJSON(id, created, modified, fmt.Sprintf("bulk %d", i)))
	}
	for i := range 4 {
		out = append(out, malwareJSON(fmt.Sprintf("malware--e5e5e5e5-0000-4000-8000-%012d", 100+i), "2024-02-20T00:00:00.000Z", fmt.Sprintf("bulk malware %d", i)))
	}
	return out
}

// clock is the store's pinned, settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// fixture is a real store on a temporary file with the fixture API roots,
// collections and objects, and the real TAXII handler on top of it.
//
//	api1 (default)  public    read-only, objects A(3 versions) M I P R D B(2)
//	                writable  read+write, empty
//	                writeonly write-only, empty
//	                hidden    neither right; holds idH
//	                aliased   read-only, alias "high-value", empty
//	                mixed     read+write, STIX 2.1 and 2.0: S(2.0,2.0,2.1) T(2.0)
//	                bulk      read-only, 16 versions of 13 objects in one envelope
//	api2            other     read+write; holds idO
//	small           tiny      read+write, max_content_length 400,
//	                          default limit 2, max limit 3; 5 objects
type fixture struct {
	t       *testing.T
	db      store.Store
	clock   *clock
	server  *taxii.Server
	handler http.Handler
	colls   map[string]store.Collection // by fixture name
	repl    *strings.Replacer           // {name} -> collection id
	golden  *strings.Replacer           // collection id -> <coll:name>
}

const smallMaxContentLength = 400

// newFixture opens a fresh copy of the fixture database in the test's
// TempDir, with the clock pinned at tTest, and the TAXII handler of
// taxii.NewServer on it. With LIAISON_TEST_BACKEND=postgres the fixture is
// built in a PostgreSQL schema of the test's own instead (see
// newPostgresFixture).
func newFixture(t *testing.T) *fixture {
	t.Helper()
	if pgtest.Backend(t) == "postgres" {
		return newPostgresFixture(t)
	}
	fixtureImage.once.Do(func() { buildFixtureImage(t) })
	if fixtureImage.data == nil {
		t.Fatal("building the fixture database failed (see the first test that ran)")
	}
	path := filepath.Join(t.TempDir(), "db")
	if err := os.WriteFile(path, fixtureImage.data, 0o600); err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: tTest}
	db, err := bolt.Open(path, bolt.Options{Options: store.Options{Now: clk.Now}})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Check(); err != nil {
			t.Errorf("store consistency check: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return newFixtureOn(t, db, clk, fixtureImage.colls)
}

// newFixtureOn makes the fixture of a store holding the fixture data.
func newFixtureOn(t *testing.T, db store.Store, clk *clock, colls map[string]store.Collection) *fixture {
	f := &fixture{t: t, db: db, clock: clk, colls: colls}
	var repl, gold []string
	for name, c := range f.colls {
		repl = append(repl, "{"+name+"}", c.ID)
		gold = append(gold, c.ID, "<coll:"+name+">")
	}
	f.repl, f.golden = strings.NewReplacer(repl...), strings.NewReplacer(gold...)
	f.server = taxii.NewServer(db, testKey)
	f.handler = f.server.Handler()
	return f
}

// fixtureImage is the fixture database file, built once per test binary
// (some thirty committed transactions) and copied into the TempDir of each
// test that calls newFixture.
var fixtureImage struct {
	once  sync.Once
	data  []byte
	colls map[string]store.Collection
}

// buildFixtureImage creates the fixture database with the store's API and
// keeps a copy of its file.
func buildFixtureImage(t *testing.T) {
	t.Helper()
	clk := &clock{now: tPublic}
	path := filepath.Join(t.TempDir(), "fixture.db")
	db, err := bolt.Open(path, bolt.Options{Options: store.Options{Now: clk.Now}})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer db.Close()
	colls := loadFixture(t, db, clk)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %v", err)
		}
	}
	must(db.Check())
	must(db.Close())
	data, err := os.ReadFile(path)
	must(err)
	fixtureImage.data, fixtureImage.colls = data, colls
}

// loadFixture creates the fixture's API roots, collections and objects in
// db through the store's API, the clock set for each request, and returns
// the collections by fixture name.
func loadFixture(t *testing.T, db store.Store, clk *clock) map[string]store.Collection {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, db: db, clock: clk, colls: map[string]store.Collection{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %v", err)
		}
	}
	for _, r := range []store.APIRoot{
		{Name: "api1", Title: "API root one", Description: "The main test API root.", Default: true},
		{Name: "api2", Title: "API root two"},
		{Name: "small", Title: "Small API root", MaxContentLength: smallMaxContentLength, DefaultLimit: 2, MaxLimit: 3},
	} {
		_, err := db.CreateAPIRoot(ctx, r)
		must(err)
	}
	for _, c := range []struct {
		name string
		coll store.Collection
	}{
		{"public", store.Collection{APIRoot: "api1", Title: "Public read-only", Description: "Readable by anyone.", PublicRead: true}},
		{"writable", store.Collection{APIRoot: "api1", Title: "Writable", PublicRead: true, PublicWrite: true}},
		{"writeonly", store.Collection{APIRoot: "api1", Title: "Write-only inbox", PublicWrite: true}},
		{"hidden", store.Collection{APIRoot: "api1", Title: "Hidden"}},
		{"aliased", store.Collection{APIRoot: "api1", Title: "High value", Alias: "high-value", PublicRead: true}},
		{"mixed", store.Collection{APIRoot: "api1", Title: "STIX 2.1 and 2.0", PublicRead: true, PublicWrite: true,
			MediaTypes: []string{"application/stix+json;version=2.1", "application/stix+json;version=2.0"}}},
		{"bulk", store.Collection{APIRoot: "api1", Title: "Bulk", PublicRead: true}},
		{"other", store.Collection{APIRoot: "api2", Title: "Other root's collection", PublicRead: true, PublicWrite: true}},
		{"tiny", store.Collection{APIRoot: "small", Title: "Tiny", PublicRead: true, PublicWrite: true}},
	} {
		coll, err := db.CreateCollection(ctx, c.coll)
		must(err)
		f.colls[c.name] = coll
	}
	for i, o := range publicObjects {
		f.load("public", tPublic.Add(time.Duration(i)*time.Second), o.json)
	}
	for i, o := range mixedObjects {
		f.load("mixed", tMixed.Add(time.Duration(i)*time.Second), o.json)
	}
	f.load("bulk", tBulk, bulkObjects()...)
	var tiny []string
	for i := range 5 {
		tiny = append(tiny, malwareJSON(fmt.Sprintf("malware--f6f6f6f6-0000-4000-8000-%012d", i), "2024-04-01T00:00:00.000Z", fmt.Sprintf("tiny %d", i)))
	}
	f.load("tiny", tSmall, tiny...)
	f.load("other", tOther, indicatorJSON(idO, vA1, vA1, "O"))
	f.load("hidden", tHidden, indicatorJSON(idH, vA1, vA1, "H"))
	return f.colls
}

// load adds objects to a fixture collection through the store, in one
// request at the given time.
func (f *fixture) load(coll string, at time.Time, raws ...string) {
	f.t.Helper()
	f.clock.Set(at)
	c := f.colls[coll]
	req := store.AddRequest{APIRoot: c.APIRoot, Collection: c.ID, Owner: "loader", Total: len(raws)}
	for i, raw := range raws {
		o, err := stix.Peek(i, []byte(raw))
		if err != nil {
			f.t.Fatalf("fixture object %d of %s: %v", i, coll, err)
		}
		req.Objects = append(req.Objects, o)
	}
	st, err := f.db.AddObjects(context.Background(), req)
	if err != nil || st.SuccessCount != len(raws) {
		f.t.Fatalf("load %s: %v %+v", coll, err, st)
	}
}

// id returns the id of a fixture collection.
func (f *fixture) id(coll string) string { return f.colls[coll].ID }

// request is one HTTP request of a test case. Paths may name fixture
// collections as {name}, replaced by their ids.
type request struct {
	method      string // GET when empty
	path        string
	accept      string // the TAXII media type when empty; see noHeader
	contentType string // for POST: the TAXII media type when empty; see noHeader
	body        string
	chunked     bool // send the body without a Content-Length
}

// noHeader as accept or contentType leaves the header out.
const noHeader = "<none>"

// response is a recorded HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) String() string {
	return fmt.Sprintf("%d %v %s", r.status, r.header, r.body)
}

func (f *fixture) do(t *testing.T, rq request) *response {
	t.Helper()
	return serve(t, f.handler, f.repl.Replace(rq.path), rq)
}

// get is a GET with the default headers.
func (f *fixture) get(t *testing.T, path string) *response {
	t.Helper()
	return f.do(t, request{path: path})
}

// post posts an envelope with the default headers.
func (f *fixture) post(t *testing.T, path, body string) *response {
	t.Helper()
	return f.do(t, request{method: http.MethodPost, path: path, body: body})
}

func serve(t *testing.T, h http.Handler, target string, rq request) *response {
	t.Helper()
	method := rq.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if rq.body != "" || method == http.MethodPost {
		body = strings.NewReader(rq.body)
		if rq.chunked {
			body = io.MultiReader(body) // hides the length from httptest
		}
	}
	req := httptest.NewRequest(method, target, body)
	if rq.chunked {
		req.ContentLength = -1
	}
	switch rq.accept {
	case "":
		req.Header.Set("Accept", taxii.MediaType)
	case noHeader:
	default:
		req.Header.Set("Accept", rq.accept)
	}
	if method == http.MethodPost || rq.contentType != "" {
		switch rq.contentType {
		case "":
			req.Header.Set("Content-Type", taxii.MediaType)
		case noHeader:
		default:
			req.Header.Set("Content-Type", rq.contentType)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := &response{status: rec.Code, header: rec.Result().Header, body: rec.Body.Bytes()}
	checkCommon(t, res)
	return res
}

var stackTrace = regexp.MustCompile(`goroutine \d|\.go:\d+|runtime/debug|panic:`)

// checkCommon asserts what every response must satisfy: the exact TAXII
// Content-Type (TAXII 2.1 §3.1: errors and body-less responses too) and no
// Go internals in the body.
func checkCommon(t *testing.T, res *response) {
	t.Helper()
	if got := res.header.Values("Content-Type"); len(got) != 1 || got[0] != taxii.MediaType {
		t.Errorf("Content-Type = %q, want exactly %q (status %d)", got, taxii.MediaType, res.status)
	}
	if stackTrace.Match(res.body) || bytes.Contains(res.body, []byte("goroutine")) {
		t.Errorf("response body leaks Go internals: %s", res.body)
	}
}

func expectStatus(t *testing.T, res *response, want int) {
	t.Helper()
	if res.status != want {
		t.Fatalf("status = %d, want %d; body: %s", res.status, want, res.body)
	}
}

// decode decodes a JSON response body into a map, failing on invalid JSON.
func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, body)
	}
	return m
}

// wantError describes an expected TAXII error response.
type wantError struct {
	status int
	code   string   // error_code
	desc   []string // substrings of description
	param  string   // details.parameter, for 400s about a query parameter
}

// expectError asserts an error response: status, TAXII error resource with
// title, http_status (a string equal to the status), error_code, error_id
// and a description.
func expectError(t *testing.T, res *response, w wantError) map[string]any {
	t.Helper()
	expectStatus(t, res, w.status)
	m := decode(t, res.body)
	if s, ok := m["title"].(string); !ok || s == "" {
		t.Errorf("error title = %#v, want a non-empty string; body %s", m["title"], res.body)
	}
	if hs, ok := m["http_status"].(string); !ok || hs != strconv.Itoa(w.status) {
		t.Errorf("http_status = %#v, want the string %q", m["http_status"], strconv.Itoa(w.status))
	}
	if w.code != "" && m["error_code"] != w.code {
		t.Errorf("error_code = %#v, want %q; body %s", m["error_code"], w.code, res.body)
	}
	if s, ok := m["error_id"].(string); !ok || s == "" {
		t.Errorf("error_id = %#v, want a non-empty string", m["error_id"])
	}
	desc, ok := m["description"].(string)
	if !ok || desc == "" {
		t.Errorf("description = %#v, want a non-empty string", m["description"])
	}
	for _, s := range w.desc {
		if !strings.Contains(desc, s) {
			t.Errorf("description %q does not contain %q", desc, s)
		}
	}
	if w.param != "" {
		d, _ := m["details"].(map[string]any)
		if d == nil || d["parameter"] != w.param {
			t.Errorf("details = %#v, want parameter %q", m["details"], w.param)
		}
		if !strings.Contains(desc, w.param) {
			t.Errorf("description %q does not name the parameter %q", desc, w.param)
		}
	}
	for k := range m {
		switch k {
		case "title", "description", "error_id", "error_code", "http_status", "external_details", "details":
		default:
			t.Errorf("error resource has unknown property %q", k)
		}
	}
	return m
}

// item is an (id, version) pair of a listed object version.
type item struct{ id, version string }

func (i item) String() string { return i.id + "@" + i.version }

// page is a decoded manifest, envelope or versions resource.
type page struct {
	more    bool
	next    string
	hasNext bool
	items   []item         // objects: id + modified/created; manifest: id + version
	added   []string       // manifest: date_added of each record
	objects []any          // envelope objects as decoded
	raw     map[string]any // the whole body
}

// decodePage decodes a paged resource whose list property is key, and
// checks the shape: more always present, the list absent when empty (TAXII
// 2.1 §2: no empty lists), next present only with more.
func decodePage(t *testing.T, res *response, key string) page {
	t.Helper()
	m := decode(t, res.body)
	var p page
	p.raw = m
	more, ok := m["more"].(bool)
	if !ok {
		t.Errorf("more = %#v, want a boolean", m["more"])
	}
	p.more = more
	if n, ok := m["next"]; ok {
		p.hasNext = true
		p.next, _ = n.(string)
		if p.next == "" || !p.more {
			t.Errorf("next = %#v with more = %v; want a non-empty next only when more is true", n, p.more)
		}
	}
	list, present := m[key]
	if present {
		l, ok := list.([]any)
		if !ok || len(l) == 0 {
			t.Errorf("%s = %#v; an empty list must be left out", key, list)
		}
		for _, e := range l {
			switch key {
			case "versions":
				s, _ := e.(string)
				p.items = append(p.items, item{version: s})
			default:
				o, _ := e.(map[string]any)
				id, _ := o["id"].(string)
				v := versionOf(o)
				p.items = append(p.items, item{id, v})
				if da, ok := o["date_added"].(string); ok {
					p.added = append(p.added, da)
				}
				p.objects = append(p.objects, e)
			}
		}
	}
	for k := range m {
		if k != "more" && k != "next" && k != key {
			t.Errorf("resource has unexpected property %q", k)
		}
	}
	if p.more && !p.hasNext {
		t.Errorf("more is true but there is no next")
	}
	// The date headers: absent on an empty page; on a manifest page equal
	// to the first and last record's date_added; else TAXII timestamps in
	// order.
	first, last := res.header.Get("X-TAXII-Date-Added-First"), res.header.Get("X-TAXII-Date-Added-Last")
	switch {
	case len(p.items) == 0:
		expectDateHeaders(t, res, "", "")
	case len(p.added) == len(p.items):
		expectDateHeaders(t, res, p.added[0], p.added[len(p.added)-1])
	case !taxiiTimestamp.MatchString(first) || !taxiiTimestamp.MatchString(last) || last < first:
		t.Errorf("date headers %q, %q are not TAXII timestamps in order", first, last)
	}
	return p
}

// versionOf returns the TAXII version of a listed object or manifest record.
func versionOf(o map[string]any) string {
	for _, k := range []string{"version", "modified", "created"} {
		if v, ok := o[k].(string); ok {
			return v
		}
	}
	return ""
}

var taxiiTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

// expectDateHeaders asserts the X-TAXII-Date-Added-First/Last headers: TAXII
// timestamps equal to first and last, or both absent when first is "".
func expectDateHeaders(t *testing.T, res *response, first, last string) {
	t.Helper()
	for _, h := range []struct{ name, want string }{
		{"X-TAXII-Date-Added-First", first},
		{"X-TAXII-Date-Added-Last", last},
	} {
		got := res.header.Values(h.name)
		switch {
		case h.want == "" && len(got) != 0:
			t.Errorf("%s = %q on an empty page, want it absent", h.name, got)
		case h.want == "":
		case len(got) != 1:
			t.Errorf("%s = %q, want one value %q", h.name, got, h.want)
		case !taxiiTimestamp.MatchString(got[0]):
			t.Errorf("%s = %q is not a TAXII timestamp (6 fractional digits, Z)", h.name, got[0])
		case got[0] != h.want:
			t.Errorf("%s = %q, want %q", h.name, got[0], h.want)
		}
	}
}

// expectEmptyPage asserts an empty paged response: exactly {"more":false}
// without date headers.
func expectEmptyPage(t *testing.T, res *response) {
	t.Helper()
	expectStatus(t, res, http.StatusOK)
	if string(res.body) != `{"more":false}` {
		t.Errorf("empty page body = %s, want exactly {\"more\":false}", res.body)
	}
	expectDateHeaders(t, res, "", "")
}

func expectItems(t *testing.T, got, want []item) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("items:\n got  %v\n want %v", got, want)
	}
}

// normalise makes a response body comparable with a golden file: fixture
// collection ids become <coll:name>, extra replacements apply, error_id and
// next are blanked, and the JSON is re-indented with sorted keys.
func (f *fixture) normalise(t *testing.T, body []byte, extra ...string) []byte {
	t.Helper()
	s := f.golden.Replace(string(body))
	if len(extra) > 0 {
		s = strings.NewReplacer(extra...).Replace(s)
	}
	return normaliseJSON(t, []byte(s))
}

func normaliseJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	blank(v)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func blank(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch k {
			case "error_id", "next":
				x[k] = "<" + k + ">"
			default:
				blank(e)
			}
		}
	case []any:
		for _, e := range x {
			blank(e)
		}
	}
}

// expectGolden compares a normalised body with testdata/golden/name.golden.json,
// or rewrites the file with -update.
func expectGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, name+".golden.json")
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./taxii/ -update to create it): %v", err)
	}
	if w := normaliseJSON(t, want); !bytes.Equal(got, w) {
		t.Errorf("body differs from %s (run with -update if the change is intended):\n got: %s\nwant: %s", path, got, w)
	}
}

// fixtureObject is one object version loaded by the fixture.
type fixtureObject struct {
	id, version, spec, json, added string
}

func (o fixtureObject) item() item { return item{o.id, o.version} }

// loaded returns the object versions the fixture loaded into the public or
// mixed collection, in date_added order.
func loaded(coll string) []fixtureObject {
	var out []fixtureObject
	switch coll {
	case "public":
		for i, o := range publicObjects {
			out = append(out, fixtureObject{o.id, o.version, "2.1", o.json, pubAdded(i)})
		}
	case "mixed":
		for i, o := range mixedObjects {
			out = append(out, fixtureObject{o.id, o.version, o.spec, o.json, mixAdded(i)})
		}
	default:
		panic("no fixture list for " + coll)
	}
	return out
}

// pick returns the fixture versions at the given indexes.
func pick(coll string, idx ...int) []fixtureObject {
	all := loaded(coll)
	out := make([]fixtureObject, 0, len(idx))
	for _, i := range idx {
		out = append(out, all[i])
	}
	return out
}

func items(objs []fixtureObject) []item {
	out := make([]item, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.item())
	}
	return out
}

// expectPage asserts a non-empty or empty page of fixture versions on the
// objects ("objects") or manifest ("manifest") endpoint: the items, their
// order, the date headers, and for objects the exact stored JSON, for the
// manifest date_added and media_type.
func expectPage(t *testing.T, res *response, endpoint string, want []fixtureObject, more bool) page {
	t.Helper()
	expectStatus(t, res, http.StatusOK)
	if len(want) == 0 && !more {
		expectEmptyPage(t, res)
		return page{}
	}
	key := "objects"
	if endpoint == "versions" {
		key = "versions"
	}
	p := decodePage(t, res, key)
	if p.more != more {
		t.Errorf("more = %v, want %v", p.more, more)
	}
	if len(want) == 0 {
		expectDateHeaders(t, res, "", "")
		return p
	}
	expectDateHeaders(t, res, want[0].added, want[len(want)-1].added)
	switch endpoint {
	case "versions":
		var vs []item
		for _, o := range want {
			vs = append(vs, item{version: o.version})
		}
		expectItems(t, p.items, vs)
	case "objects":
		// An SCO carries no version of its own in the envelope.
		var ws []item
		for _, o := range want {
			var m map[string]any
			if err := json.Unmarshal([]byte(o.json), &m); err != nil {
				t.Fatal(err)
			}
			ws = append(ws, item{o.id, versionOf(m)})
		}
		expectItems(t, p.items, ws)
		if len(p.objects) == len(want) {
			for i, o := range want {
				var w any
				if err := json.Unmarshal([]byte(o.json), &w); err != nil {
					t.Fatal(err)
				}
				if !equalJSON(p.objects[i], w) {
					t.Errorf("object %d = %v, want the stored object %s", i, p.objects[i], o.json)
				}
			}
		}
	case "manifest":
		expectItems(t, p.items, items(want))
		if len(p.objects) == len(want) {
			for i, o := range want {
				rec := p.objects[i].(map[string]any)
				if rec["date_added"] != o.added {
					t.Errorf("record %d date_added = %v, want %s", i, rec["date_added"], o.added)
				}
				if mt := "application/stix+json;version=" + o.spec; rec["media_type"] != mt {
					t.Errorf("record %d media_type = %v, want %s", i, rec["media_type"], mt)
				}
				if len(rec) != 4 {
					t.Errorf("record %d = %v, want exactly id, date_added, version, media_type", i, rec)
				}
			}
		}
	}
	return p
}

func equalJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}
