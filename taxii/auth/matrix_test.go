package auth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
	"liaison/store/bolt"
	"liaison/store/storetest"
	"liaison/taxii"
	"liaison/taxii/auth"
)

const (
	objID  = "indicator--11111111-1111-4111-8111-111111111111"
	newID  = "indicator--22222222-2222-4222-8222-222222222222"
	objVer = "2024-01-01T00:00:00.000Z"
)

func indicatorJSON(id string) string {
	return `{"type":"indicator","spec_version":"2.1","id":"` + id + `","created":"` + objVer + `","modified":"` + objVer +
		`","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"` + objVer + `"}`
}

// world is a server with accounts: one API root holding a private and a
// public-read collection, and users with different rights.
type world struct {
	db      store.Store
	handler http.Handler
	logs    *bytes.Buffer
	private string // collection ids
	public  string
	creds   map[string]string // principal kind -> Authorization header ("" anonymous)
	status  string            // a status created by the writer
}

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	db := openStore(t)
	w := &world{db: db, logs: &bytes.Buffer{}, creds: map[string]string{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"})
	must(err)
	priv, err := db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "Private"})
	must(err)
	pub, err := db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "Public", PublicRead: true})
	must(err)
	w.private, w.public = priv.ID, pub.ID
	for _, c := range []string{priv.ID, pub.ID} {
		o, err := stix.Peek(0, []byte(indicatorJSON(objID)))
		must(err)
		_, err = db.AddObjects(ctx, store.AddRequest{APIRoot: "r", Collection: c, Owner: "seed", Total: 1, Objects: []stix.Object{o}})
		must(err)
	}
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	for _, u := range []struct {
		name  string
		admin bool
	}{{"admin", true}, {"reader", false}, {"writer", false}, {"nobody", false}} {
		_, err := db.CreateUser(ctx, u.name, u.admin, "pw-"+u.name)
		must(err)
	}
	must(db.SetGrant(ctx, "reader", priv.ID, store.Grant{Read: true}))
	must(db.SetGrant(ctx, "writer", priv.ID, store.Grant{Read: true, Write: true}))
	must(db.SetGrant(ctx, "writer", pub.ID, store.Grant{Read: true, Write: true}))
	_, writerKey, err := db.CreateAPIKey(ctx, "writer", time.Time{})
	must(err)
	_, expiredKey, err := db.CreateAPIKey(ctx, "writer", time.Now().Add(-time.Minute))
	must(err)
	revoked, revokedKey, err := db.CreateAPIKey(ctx, "writer", time.Time{})
	must(err)
	must(db.RevokeAPIKey(ctx, revoked.ID))

	w.creds = map[string]string{
		"anonymous":      "",
		"wrong password": basic("reader", "s3cret-guess-42"),
		"unknown user":   basic("ghost", "pw"),
		"unknown key":    "Bearer lsn_0123456789abcdef_" + strings.Repeat("A", 43),
		"expired key":    "Bearer " + expiredKey,
		"revoked key":    "Token " + revokedKey,
		"no rights":      basic("nobody", "pw-nobody"),
		"reader":         basic("reader", "pw-reader"),
		"writer":         "Token " + writerKey,
		"writer (basic)": basic("", writerKey), // an API key as the Basic password
		"admin":          basic("admin", "pw-admin"),
	}
	acc := auth.NewAccounts(db)
	acc.Logger = slog.New(slog.NewTextHandler(w.logs, nil))
	acc.Limiter = auth.NewLimiter(1000, time.Minute) // the matrix fails often on purpose
	srv := taxii.NewServer(db, []byte("k"))
	srv.Access = acc
	srv.Logger = acc.Logger
	w.handler = srv.Handler()

	res := w.do(t, "writer", http.MethodPost, "/r/collections/"+priv.ID+"/objects/", `{"objects":[`+indicatorJSON(newID)+`]}`)
	if res.Code != http.StatusAccepted {
		t.Fatalf("seed POST: %d %s", res.Code, res.Body)
	}
	var st struct{ ID string }
	json.Unmarshal(res.Body.Bytes(), &st)
	w.status = st.ID
	return w
}

func (w *world) do(t testing.TB, who, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Accept", taxii.MediaType)
	if body != "" {
		req.Header.Set("Content-Type", taxii.MediaType)
	}
	if h := w.creds[who]; h != "" {
		req.Header.Set("Authorization", h)
	}
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	return rec
}

// TestMatrix tries every route as every kind of principal and checks the
// status, the body shape and the headers.
func TestMatrix(t *testing.T) {
	type route struct {
		name, method, path, body string
	}
	routes := func(w *world) []route {
		p, q := "/r/collections/"+w.private+"/", "/r/collections/"+w.public+"/"
		post := `{"objects":[` + indicatorJSON("indicator--33333333-3333-4333-8333-333333333333") + `]}`
		return []route{
			{"discovery", "GET", "/taxii2/", ""},
			{"api root", "GET", "/r/", ""},
			{"collections", "GET", "/r/collections/", ""},
			{"status", "GET", "/r/status/" + w.status + "/", ""},
			{"private collection", "GET", p, ""},
			{"private manifest", "GET", p + "manifest/", ""},
			{"private objects", "GET", p + "objects/", ""},
			{"private object", "GET", p + "objects/" + objID + "/", ""},
			{"private versions", "GET", p + "objects/" + objID + "/versions/", ""},
			{"private post", "POST", p + "objects/", post},
			{"private delete", "DELETE", p + "objects/" + objID + "/", ""},
			{"public collection", "GET", q, ""},
			{"public manifest", "GET", q + "manifest/", ""},
			{"public objects", "GET", q + "objects/", ""},
			{"public object", "GET", q + "objects/" + objID + "/", ""},
			{"public versions", "GET", q + "objects/" + objID + "/versions/", ""},
			{"public post", "POST", q + "objects/", post},
			{"public delete", "DELETE", q + "objects/" + objID + "/", ""},
		}
	}
	// Expected statuses, in the order of routes.
	const (
		ok  = 200
		acc = 202
		bad = 401
		no  = 403
		nf  = 404
	)
	all401 := []int{bad, bad, bad, bad, bad, bad, bad, bad, bad, bad, bad, bad, bad, bad, bad, bad, bad, bad}
	expect := map[string][]int{
		//                 disc root colls stat | private: coll man obj one ver post del | public: coll man obj one ver post del
		"anonymous":      {ok, ok, ok, bad, bad, bad, bad, bad, bad, bad, bad, ok, ok, ok, ok, ok, bad, bad},
		"wrong password": all401,
		"unknown user":   all401,
		"unknown key":    all401,
		"expired key":    all401,
		"revoked key":    all401,
		"no rights":      {ok, ok, ok, nf, nf, nf, nf, nf, nf, nf, nf, ok, ok, ok, ok, ok, no, no},
		"reader":         {ok, ok, ok, nf, ok, ok, ok, ok, ok, no, no, ok, ok, ok, ok, ok, no, no},
		"writer":         {ok, ok, ok, ok, ok, ok, ok, ok, ok, acc, ok, ok, ok, ok, ok, ok, acc, ok},
		"writer (basic)": {ok, ok, ok, ok, ok, ok, ok, ok, ok, acc, ok, ok, ok, ok, ok, ok, acc, ok},
		"admin":          {ok, ok, ok, ok, ok, ok, ok, ok, ok, acc, ok, ok, ok, ok, ok, ok, acc, ok},
	}
	for who, want := range expect {
		t.Run(who, func(t *testing.T) {
			w := newWorld(t)
			for i, rt := range routes(w) {
				res := w.do(t, who, rt.method, rt.path, rt.body)
				if res.Code != want[i] {
					t.Errorf("%s %s: status %d, want %d: %s", rt.method, rt.name, res.Code, want[i], res.Body)
					continue
				}
				if ct := res.Header().Get("Content-Type"); ct != taxii.MediaType {
					t.Errorf("%s: Content-Type %q", rt.name, ct)
				}
				switch {
				case res.Code >= 400:
					var e taxii.ErrorResource
					if err := json.Unmarshal(res.Body.Bytes(), &e); err != nil || e.HTTPStatus != strconv.Itoa(res.Code) || e.Title == "" {
						t.Errorf("%s: error body %s", rt.name, res.Body)
					}
					if got := res.Header().Values("WWW-Authenticate"); (res.Code == bad) != (len(got) == 2) {
						t.Errorf("%s: %d with WWW-Authenticate %q", rt.name, res.Code, got)
					}
				case rt.method == "DELETE":
					if res.Body.Len() != 0 {
						t.Errorf("%s: DELETE body %s", rt.name, res.Body)
					}
				default:
					if !json.Valid(res.Body.Bytes()) {
						t.Errorf("%s: body %s", rt.name, res.Body)
					}
				}
			}
			// can_read/can_write are this principal's rights.
			if want[2] == ok {
				res := w.do(t, who, "GET", "/r/collections/", "")
				var cs struct {
					Collections []struct {
						ID                string
						CanRead, CanWrite bool `json:"-"`
						R                 bool `json:"can_read"`
						W                 bool `json:"can_write"`
					}
				}
				json.Unmarshal(res.Body.Bytes(), &cs)
				got := map[string][2]bool{}
				for _, c := range cs.Collections {
					got[c.ID] = [2]bool{c.R, c.W}
				}
				wantRights := map[string]map[string][2]bool{
					"anonymous": {w.public: {true, false}},
					"no rights": {w.public: {true, false}},
					"reader":    {w.private: {true, false}, w.public: {true, false}},
					"writer":    {w.private: {true, true}, w.public: {true, true}},
					"admin":     {w.private: {true, true}, w.public: {true, true}},
				}
				if exp, ok := wantRights[who]; ok && !equalRights(got, exp) {
					t.Errorf("collections rights = %v, want %v", got, exp)
				}
			}
		})
	}
}

func equalRights(a, b map[string][2]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestSecretsNotLogged: no password, key or Authorization header value
// appears in logs or in error bodies.
func TestSecretsNotLogged(t *testing.T) {
	w := newWorld(t)
	var bodies bytes.Buffer
	for who := range w.creds {
		for _, path := range []string{"/taxii2/", "/r/collections/" + w.private + "/objects/"} {
			res := w.do(t, who, "GET", path, "")
			bodies.Write(res.Body.Bytes())
		}
	}
	for who, h := range w.creds {
		if h == "" {
			continue
		}
		_, cred, _ := strings.Cut(h, " ")
		secrets := []string{cred}
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			if _, pass, ok := strings.Cut(string(raw), ":"); ok && pass != "" {
				secrets = append(secrets, pass)
			}
		}
		for _, s := range secrets {
			if strings.Contains(w.logs.String(), s) || strings.Contains(bodies.String(), s) {
				t.Errorf("%s: secret %q appears in logs or bodies", who, s)
			}
		}
	}
	if !strings.Contains(w.logs.String(), "authentication failed") {
		t.Error("failed authentications are not logged")
	}
}

// TestRateLimit: after too many failures from one address, even the right
// password gets 429 with Retry-After until the window passes.
func TestRateLimit(t *testing.T) {
	w := newWorld(t)
	acc := auth.NewAccounts(w.db)
	now := time.Now()
	acc.Now = func() time.Time { return now }
	acc.Limiter = auth.NewLimiter(3, time.Minute)
	srv := taxii.NewServer(w.db, []byte("k"))
	srv.Access = acc
	w.handler = srv.Handler()
	for range 3 {
		if res := w.do(t, "wrong password", "GET", "/taxii2/", ""); res.Code != 401 {
			t.Fatalf("wrong password: %d", res.Code)
		}
	}
	res := w.do(t, "reader", "GET", "/taxii2/", "")
	if res.Code != http.StatusTooManyRequests || res.Header().Get("Retry-After") == "" {
		t.Fatalf("after 3 failures: %d, Retry-After %q", res.Code, res.Header().Get("Retry-After"))
	}
	now = now.Add(61 * time.Second)
	if res := w.do(t, "reader", "GET", "/taxii2/", ""); res.Code != 200 {
		t.Fatalf("after the window: %d %s", res.Code, res.Body)
	}
}

// TestStatusVisibility: a status is visible to the principal that created
// it, whichever credential it used, and to admins only.
func TestStatusVisibility(t *testing.T) {
	w := newWorld(t)
	for who, want := range map[string]int{"writer": 200, "writer (basic)": 200, "admin": 200, "reader": 404, "no rights": 404, "anonymous": 401} {
		if res := w.do(t, who, "GET", "/r/status/"+w.status+"/", ""); res.Code != want {
			t.Errorf("%s: %d, want %d", who, res.Code, want)
		}
	}
}

// TestKeyLastUsed: API key uses are recorded, in batches.
func TestKeyLastUsed(t *testing.T) {
	w := newWorld(t)
	acc := auth.NewAccounts(w.db)
	srv := taxii.NewServer(w.db, []byte("k"))
	srv.Access = acc
	w.handler = srv.Handler()
	w.do(t, "writer", "GET", "/taxii2/", "")
	if err := acc.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	keys, err := w.db.APIKeys(context.Background(), "writer")
	if err != nil {
		t.Fatal(err)
	}
	used := 0
	for _, k := range keys {
		if !k.LastUsed.IsZero() {
			used++
		}
	}
	if used != 1 {
		t.Errorf("%d keys have a last-used time, want 1: %+v", used, keys)
	}
}

// TestKeyCache: a verified key is reused for KeyCacheTTL; revoking it takes
// effect when the cache expires or is invalidated.
func TestKeyCache(t *testing.T) {
	w := newWorld(t)
	acc := auth.NewAccounts(w.db)
	now := time.Now()
	acc.Now = func() time.Time { return now }
	srv := taxii.NewServer(w.db, []byte("k"))
	srv.Access = acc
	w.handler = srv.Handler()
	path := "/r/collections/" + w.private + "/objects/"
	if res := w.do(t, "writer", "GET", path, ""); res.Code != 200 {
		t.Fatalf("writer: %d", res.Code)
	}
	keys, _ := w.db.APIKeys(context.Background(), "writer")
	for _, k := range keys {
		if err := w.db.RevokeAPIKey(context.Background(), k.ID); err != nil {
			t.Fatal(err)
		}
	}
	if res := w.do(t, "writer", "GET", path, ""); res.Code != 200 {
		t.Fatalf("within the cache TTL: %d", res.Code)
	}
	now = now.Add(acc.KeyCacheTTL)
	if res := w.do(t, "writer", "GET", path, ""); res.Code != 401 {
		t.Fatalf("after the cache TTL: %d", res.Code)
	}
	// Invalidate drops verified passwords too.
	if res := w.do(t, "reader", "GET", path, ""); res.Code != 200 {
		t.Fatalf("reader: %d", res.Code)
	}
	if err := w.db.SetPassword(context.Background(), "reader", "new"); err != nil {
		t.Fatal(err)
	}
	if res := w.do(t, "reader", "GET", path, ""); res.Code != 401 {
		t.Fatalf("old password after a change: %d", res.Code)
	}
	acc.Invalidate()
}

// TestDiscoveryChallenge: when nothing is public, an anonymous discovery
// request is asked for credentials instead of getting an empty server.
func TestDiscoveryChallenge(t *testing.T) {
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{Options: store.Options{PasswordCost: storetest.CheapPasswordCost()}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"})
	db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "Private"})
	db.CreateUser(ctx, "u", false, "pw")
	srv := taxii.NewServer(db, []byte("k"))
	srv.Access = auth.NewAccounts(db)
	for _, tc := range []struct {
		authorization string
		code          int
	}{
		{"", 401},
		{"Basic " + base64.StdEncoding.EncodeToString([]byte("u:pw")), 200}, // a user without rights sees an empty server
	} {
		req := httptest.NewRequest("GET", "/taxii2/", nil)
		if tc.authorization != "" {
			req.Header.Set("Authorization", tc.authorization)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != tc.code || (tc.code == 401 && len(rec.Header().Values("WWW-Authenticate")) != 2) {
			t.Errorf("%q: %d %v %s", tc.authorization, rec.Code, rec.Header(), rec.Body)
		}
	}
}

// TestRateLimitConcurrent: guesses sent at once cannot pass the limit
// together, and successful requests (cached keys included) do not count.
func TestRateLimitConcurrent(t *testing.T) {
	w := newWorld(t)
	acc := auth.NewAccounts(w.db)
	acc.Limiter = auth.NewLimiter(5, time.Minute)
	srv := taxii.NewServer(w.db, []byte("k"))
	srv.Access = acc
	w.handler = srv.Handler()
	for range 20 { // successes, by key (cached after the first) and password
		if res := w.do(t, "writer", "GET", "/taxii2/", ""); res.Code != 200 {
			t.Fatalf("writer: %d", res.Code)
		}
	}
	codes := make(chan int, 30)
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- w.do(t, "wrong password", "GET", "/taxii2/", "").Code
		}()
	}
	wg.Wait()
	close(codes)
	n401 := 0
	for c := range codes {
		if c == 401 {
			n401++
		} else if c != 429 {
			t.Errorf("status %d", c)
		}
	}
	if n401 > 5 {
		t.Errorf("%d guesses were checked at once, the limit is 5", n401)
	}
}

// TestRateLimitBehindProxy: behind a trusted proxy, failures count against
// the client the proxy names, so one client's guesses do not lock out the
// others; X-Forwarded-For from anyone else is ignored.
func TestRateLimitBehindProxy(t *testing.T) {
	w := newWorld(t)
	acc := auth.NewAccounts(w.db)
	acc.Limiter = auth.NewLimiter(3, time.Minute)
	acc.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
	srv := taxii.NewServer(w.db, []byte("k"))
	srv.Access = acc
	h := srv.Handler()
	send := func(remote, xff, who string) int {
		req := httptest.NewRequest("GET", "/taxii2/", nil)
		req.RemoteAddr = remote
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		req.Header.Set("Authorization", w.creds[who])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for range 3 { // an attacker behind the proxy
		send("192.0.2.1:4000", "198.51.100.66", "wrong password")
	}
	if c := send("192.0.2.1:4000", "198.51.100.66", "wrong password"); c != 429 {
		t.Errorf("the attacker: %d, want 429", c)
	}
	if c := send("192.0.2.1:4000", "198.51.100.7, 192.0.2.9", "writer"); c != 200 {
		t.Errorf("another client behind the same proxy: %d, want 200", c)
	}
	// An untrusted peer cannot pick its address with the header.
	for range 3 {
		send("203.0.113.5:4000", "198.51.100.1", "unknown user")
	}
	if c := send("203.0.113.5:4000", "198.51.100.2", "unknown user"); c != 429 {
		t.Errorf("an untrusted peer changing X-Forwarded-For: %d, want 429", c)
	}
}
