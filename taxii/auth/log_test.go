package auth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"liaison/store"
	"liaison/taxii"
	"liaison/taxii/auth"
)

// TestRequestLog: each request's log line names the principal, the query
// string with next tokens shortened, the user agent and, for every error,
// the error_id the client received; a failed API key is logged by its id,
// never its secret.
func TestRequestLog(t *testing.T) {
	w := newWorld(t)
	send := func(who, target string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("Accept", taxii.MediaType)
		req.Header.Set("User-Agent", "taxii2-client/2.3.0")
		if h := w.creds[who]; h != "" {
			req.Header.Set("Authorization", h)
		}
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		return rec
	}
	lastLine := func() string {
		lines := strings.Split(strings.TrimSpace(w.logs.String()), "\n")
		return lines[len(lines)-1]
	}
	objects := "/r/collections/" + w.private + "/objects/"

	res := send("reader", objects+"?limit=1")
	var page struct{ Next string }
	if err := json.Unmarshal(res.Body.Bytes(), &page); err != nil || page.Next == "" {
		t.Fatalf("first page: %d %s", res.Code, res.Body)
	}
	line := lastLine()
	for _, want := range []string{"principal=reader", `query="limit=1"`, `user_agent=taxii2-client/2.3.0`, "status=200"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %q: %s", want, line)
		}
	}
	if strings.Contains(line, "error_id") {
		t.Errorf("a success logged an error_id: %s", line)
	}

	send("reader", objects+"?next="+url.QueryEscape(page.Next))
	line = lastLine()
	if strings.Contains(line, url.QueryEscape(page.Next)) || strings.Contains(line, page.Next) {
		t.Errorf("the whole next token is logged: %s", line)
	}
	if !strings.Contains(line, `query="next=`) {
		t.Errorf("the next parameter is not logged at all: %s", line)
	}

	for _, tc := range []struct{ who, target string }{
		{"reader", "/r/collections/" + w.private + "/objects/?limit=zero"}, // 400
		{"anonymous", objects},                       // 401
		{"no rights", "/r/status/" + w.status + "/"}, // 404
	} {
		res := send(tc.who, tc.target)
		var e taxii.ErrorResource
		if err := json.Unmarshal(res.Body.Bytes(), &e); err != nil || e.ErrorID == "" {
			t.Fatalf("%s: %d %s", tc.target, res.Code, res.Body)
		}
		if line := lastLine(); !strings.Contains(line, "error_id="+e.ErrorID) {
			t.Errorf("%d for %s: the log line lacks error_id=%s: %s", res.Code, tc.who, e.ErrorID, line)
		}
	}

	keys, err := w.db.APIKeys(t.Context(), "writer")
	if err != nil {
		t.Fatal(err)
	}
	var revoked store.APIKey
	for _, k := range keys {
		if k.Revoked {
			revoked = k
		}
	}
	send("revoked key", "/taxii2/")
	secret := strings.TrimPrefix(w.creds["revoked key"], "Token ")
	if logs := w.logs.String(); !strings.Contains(logs, "key_id="+revoked.ID) || strings.Contains(logs, secret) {
		t.Errorf("the failed key is not logged by its id %s alone:\n%s", revoked.ID, logs)
	}
}

// TestSecurityHeaders: every answer, errors included, forbids media type
// sniffing; answers to requests with credentials, good or bad, must not be
// cached; anonymous public data may be.
func TestSecurityHeaders(t *testing.T) {
	w := newWorld(t)
	objects := "/r/collections/" + w.private + "/objects/"
	public := "/r/collections/" + w.public + "/objects/"
	for _, tc := range []struct {
		who, method, path string
		status            int
		noStore           bool
	}{
		{"anonymous", "GET", "/taxii2/", 200, false},
		{"anonymous", "GET", public, 200, false},
		{"anonymous", "GET", objects, 401, false},
		{"anonymous", "GET", "/nope/nope/nope/nope/nope/nope/nope/nope/", 404, false},
		{"reader", "GET", objects, 200, true},
		{"reader", "GET", public, 200, true},
		{"reader", "DELETE", objects + objID + "/", 403, true},
		{"wrong password", "GET", objects, 401, true},
		{"writer", "POST", objects, 202, true},
		{"admin", "GET", "/r/status/" + w.status + "/", 200, true},
	} {
		body := ""
		if tc.method == "POST" {
			body = `{"objects":[` + indicatorJSON(newID) + `]}`
		}
		res := w.do(t, tc.who, tc.method, tc.path, body)
		h := res.Header()
		if res.Code != tc.status || h.Get("X-Content-Type-Options") != "nosniff" || (h.Get("Cache-Control") == "no-store") != tc.noStore {
			t.Errorf("%s %s as %s: %d, X-Content-Type-Options %q, Cache-Control %q; want %d, no-store %v",
				tc.method, tc.path, tc.who, res.Code, h.Get("X-Content-Type-Options"), h.Get("Cache-Control"), tc.status, tc.noStore)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s %s: Strict-Transport-Security over plain HTTP", tc.method, tc.path)
		}
	}
}

// TestRequestID: every answer carries X-Request-Id, a well-formed incoming
// one is kept, and the id is the error_id of an error and is logged.
func TestRequestID(t *testing.T) {
	w := newWorld(t)
	send := func(who, path, incoming string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept", taxii.MediaType)
		if incoming != "" {
			req.Header.Set("X-Request-Id", incoming)
		}
		if h := w.creds[who]; h != "" {
			req.Header.Set("Authorization", h)
		}
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		return rec
	}
	seen := map[string]bool{}
	for _, tc := range []struct {
		name, who, path, incoming string
		keep                      bool
	}{
		{"success", "reader", "/taxii2/", "", false},
		{"another success", "reader", "/taxii2/", "", false},
		{"error", "anonymous", "/r/collections/" + w.private + "/objects/", "", false},
		{"no route", "reader", "/a/b/c/d/e/f/g/h/", "", false},
		{"a proxy's UUID", "reader", "/taxii2/", "6f1c1f3e-4b7a-4d7e-9a51-0d2b7c3e5a10", true},
		{"kept on an error", "wrong password", "/taxii2/", "req-42", true},
		{"a space", "reader", "/taxii2/", "a b", false},
		{"too long", "reader", "/taxii2/", strings.Repeat("a", 129), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := send(tc.who, tc.path, tc.incoming)
			id := res.Header().Get("X-Request-Id")
			if id == "" || seen[id] && !tc.keep {
				t.Fatalf("X-Request-Id %q (seen before: %v)", id, seen[id])
			}
			seen[id] = true
			if (id == tc.incoming) != tc.keep {
				t.Errorf("incoming %q, answered %q", tc.incoming, id)
			}
			if res.Code >= 400 {
				var e taxii.ErrorResource
				if err := json.Unmarshal(res.Body.Bytes(), &e); err != nil || e.ErrorID != id {
					t.Errorf("error_id %q, X-Request-Id %q", e.ErrorID, id)
				}
			}
			if !strings.Contains(w.logs.String(), "request_id="+id) {
				t.Errorf("request_id=%s is not logged", id)
			}
		})
	}
}

// TestHealth: /healthz and /readyz answer anyone, without credentials or
// content negotiation, in tiny JSON, and are not logged at info level;
// /readyz says 503 with a reason once the database cannot take a write.
func TestHealth(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		who, method, path, accept string
		status                    int
		body                      string
	}{
		{"anonymous", "GET", "/healthz", "", 200, `{"status":"ok"}`},
		{"anonymous", "GET", "/readyz", "text/html", 200, `{"status":"ok"}`},
		{"wrong password", "GET", "/readyz", "", 200, `{"status":"ok"}`},
		{"anonymous", "HEAD", "/healthz", "", 200, ``},
		{"anonymous", "POST", "/healthz", "", 405, `{"reason":"use GET","status":"error"}`},
	} {
		logged := w.logs.Len()
		req := httptest.NewRequest(tc.method, tc.path, nil)
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		if h := w.creds[tc.who]; h != "" {
			req.Header.Set("Authorization", h)
		}
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		if rec.Code != tc.status || strings.TrimSpace(rec.Body.String()) != tc.body || rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s %s as %s: %d %q %s", tc.method, tc.path, tc.who, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
		if w.logs.Len() != logged {
			t.Errorf("%s %s was logged at info level: %s", tc.method, tc.path, w.logs.String()[logged:])
		}
	}
	w.db.Close()
	req := httptest.NewRequest("GET", "/readyz", nil)
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), `"status":"unavailable"`) || !strings.Contains(rec.Body.String(), "reason") {
		t.Errorf("/readyz with the database closed: %d %s", rec.Code, rec.Body)
	}
}

// TestMetricsAccess: /metrics is open on loopback (unless a proxy
// forwarded the request) and needs an admin's API key from elsewhere.
func TestMetricsAccess(t *testing.T) {
	w := newWorld(t)
	acc := auth.NewAccounts(w.db)
	acc.Limiter = auth.NewLimiter(1000, time.Minute)
	srv := taxii.NewServer(w.db, []byte("k"))
	srv.Access = acc
	srv.MetricsHandler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { rw.Write([]byte("# metrics\n")) })
	h := srv.Handler()
	_, adminKey, err := w.db.CreateAPIKey(t.Context(), "admin", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, remote, who, authorization, xff string
		status                                int
	}{
		{"loopback", "127.0.0.1:5000", "anonymous", "", "", 200},
		{"loopback IPv6", "[::1]:5000", "anonymous", "", "", 200},
		{"loopback, with a trailing slash", "127.0.0.1:5000", "anonymous", "", "", 200},
		{"loopback through a proxy", "127.0.0.1:5000", "anonymous", "", "203.0.113.9", 401},
		{"remote anonymous", "192.0.2.1:5000", "anonymous", "", "", 401},
		{"remote reader", "192.0.2.1:5000", "reader", "", "", 403},
		{"remote admin with a password", "192.0.2.1:5000", "admin", "", "", 403},
		{"remote admin with a key", "192.0.2.1:5000", "", "Bearer " + adminKey, "", 200},
		{"remote writer with a key", "192.0.2.1:5000", "writer", "", "", 403},
	} {
		path := "/metrics"
		if strings.Contains(tc.name, "trailing slash") {
			path += "/"
		}
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = tc.remote
		if h := w.creds[tc.who]; h != "" {
			req.Header.Set("Authorization", h)
		}
		if tc.authorization != "" {
			req.Header.Set("Authorization", tc.authorization)
		}
		if tc.xff != "" {
			req.Header.Set("X-Forwarded-For", tc.xff)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.status || (tc.status == 200) != (rec.Body.String() == "# metrics\n") {
			t.Errorf("%s: %d %s, want %d", tc.name, rec.Code, rec.Body, tc.status)
		}
	}
}
