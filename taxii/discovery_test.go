package taxii_test

import (
	"context"
	"net/http"
	"testing"

	"liaison/store"
	"liaison/store/bolt"
	"liaison/taxii"
)

// TestDiscovery: Server Discovery (TAXII 2.1 §4.1) at /taxii2/.
func TestDiscovery(t *testing.T) {
	f := newFixture(t)
	// Without a public URL, API root URLs are built on the request's Host
	// (httptest's is example.com), e.g. behind a wildcard listen address.
	fromHost := map[string]any{
		"title":     "Liaison TAXII 2.1 server",
		"default":   "http://example.com/api1/",
		"api_roots": []any{"http://example.com/api1/", "http://example.com/api2/", "http://example.com/small/"},
	}
	tests := []struct {
		name   string
		given  func(*taxii.Server) // server settings
		when   string
		expect map[string]any
	}{
		{"API root URLs from the Host header", nil, "/taxii2/", fromHost},
		{"without trailing slash", nil, "/taxii2", fromHost},
		{"absolute API root URLs and descriptions", func(s *taxii.Server) {
			s.PublicURL = "https://taxii.example.com/base/"
			s.Title, s.Description, s.Contact = "Example", "An example server.", "soc@example.com"
		}, "/taxii2/", map[string]any{
			"title":       "Example",
			"description": "An example server.",
			"contact":     "soc@example.com",
			"default":     "https://taxii.example.com/base/api1/",
			"api_roots":   []any{"https://taxii.example.com/base/api1/", "https://taxii.example.com/base/api2/", "https://taxii.example.com/base/small/"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := taxii.NewServer(f.db, testKey)
			if tt.given != nil {
				tt.given(s)
			}
			res := serve(t, s.Handler(), tt.when, request{})
			expectStatus(t, res, http.StatusOK)
			if got := decode(t, res.body); !equalJSON(got, tt.expect) {
				t.Errorf("discovery = %s, want %v", res.body, tt.expect)
			}
		})
	}
	t.Run("no API roots", func(t *testing.T) {
		db, err := bolt.Open(t.TempDir()+"/empty.db", bolt.Options{Options: store.Options{Now: (&clock{now: tTest}).Now}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		res := serve(t, taxii.NewServer(db, testKey).Handler(), "/taxii2/", request{})
		expectStatus(t, res, http.StatusOK)
		if string(res.body) != `{"title":"Liaison TAXII 2.1 server"}` {
			t.Errorf("discovery without API roots = %s; want only the title (no empty api_roots, no default)", res.body)
		}
	})
}

// TestAPIRoot: Get API Root Information (TAXII 2.1 §4.2).
func TestAPIRoot(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		when   string
		expect map[string]any
	}{
		{"api1", "/api1/", map[string]any{"title": "API root one", "description": "The main test API root.",
			"versions": []any{"application/taxii+json;version=2.1"}, "max_content_length": float64(store.DefaultMaxContentLength)}},
		{"without trailing slash", "/api1", map[string]any{"title": "API root one", "description": "The main test API root.",
			"versions": []any{"application/taxii+json;version=2.1"}, "max_content_length": float64(store.DefaultMaxContentLength)}},
		{"small", "/small/", map[string]any{"title": "Small API root",
			"versions": []any{"application/taxii+json;version=2.1"}, "max_content_length": float64(smallMaxContentLength)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.get(t, tt.when)
			expectStatus(t, res, http.StatusOK)
			if got := decode(t, res.body); !equalJSON(got, tt.expect) {
				t.Errorf("api root = %s, want %v", res.body, tt.expect)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		expectError(t, f.get(t, "/api3/"), wantError{status: http.StatusNotFound, code: "api-root-not-found"})
	})
}

// TestCollections: Get Collections (TAXII 2.1 §5.1) lists the collections
// the client can read or write, in a stable order, with its rights.
func TestCollections(t *testing.T) {
	f := newFixture(t)
	if _, err := f.db.CreateAPIRoot(context.Background(), store.APIRoot{Name: "bare", Title: "No collections"}); err != nil {
		t.Fatal(err)
	}
	stix21 := []any{"application/stix+json;version=2.1"}
	coll := func(name, title string, read, write bool, extra ...any) map[string]any {
		m := map[string]any{"id": f.id(name), "title": title, "can_read": read, "can_write": write, "media_types": stix21}
		for i := 0; i < len(extra); i += 2 {
			m[extra[i].(string)] = extra[i+1]
		}
		return m
	}
	api1 := []any{
		coll("public", "Public read-only", true, false, "description", "Readable by anyone."),
		coll("writable", "Writable", true, true),
		coll("writeonly", "Write-only inbox", false, true),
		coll("aliased", "High value", true, false, "alias", "high-value"),
		coll("mixed", "STIX 2.1 and 2.0", true, true, "media_types", []any{"application/stix+json;version=2.1", "application/stix+json;version=2.0"}),
		coll("bulk", "Bulk", true, false),
	}
	tests := []struct {
		name   string
		when   string
		expect map[string]any
	}{
		{"api1, hidden left out", "/api1/collections/", map[string]any{"collections": api1}},
		{"without trailing slash", "/api1/collections", map[string]any{"collections": api1}},
		{"api2", "/api2/collections/", map[string]any{"collections": []any{coll("other", "Other root's collection", true, true)}}},
		{"small", "/small/collections/", map[string]any{"collections": []any{coll("tiny", "Tiny", true, true)}}},
	}
	// An API root where the principal sees no collection (here: one with
	// none at all) is absent for it, like a root that does not exist.
	expectError(t, f.get(t, "/bare/collections/"), wantError{status: http.StatusNotFound, code: "api-root-not-found"})
	expectError(t, f.get(t, "/bare/"), wantError{status: http.StatusNotFound, code: "api-root-not-found"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.get(t, tt.when)
			expectStatus(t, res, http.StatusOK)
			if got := decode(t, res.body); !equalJSON(got, tt.expect) {
				t.Errorf("collections = %s\nwant %v", res.body, tt.expect)
			}
			// The order is stable.
			if again := f.get(t, tt.when); string(again.body) != string(res.body) {
				t.Errorf("second listing differs: %s", again.body)
			}
		})
	}

	// Get a Collection (TAXII 2.1 §5.2), by id and by alias.
	for i, name := range []string{"public", "writable", "writeonly", "aliased", "mixed", "bulk"} {
		for _, path := range []string{"/api1/collections/{" + name + "}/", "/api1/collections/{" + name + "}"} {
			t.Run("collection "+path, func(t *testing.T) {
				res := f.get(t, path)
				expectStatus(t, res, http.StatusOK)
				if got := decode(t, res.body); !equalJSON(got, api1[i]) {
					t.Errorf("collection = %s, want %v", res.body, api1[i])
				}
			})
		}
	}
	t.Run("collection by alias", func(t *testing.T) {
		res := f.get(t, "/api1/collections/high-value/")
		expectStatus(t, res, http.StatusOK)
		if got := decode(t, res.body); !equalJSON(got, api1[3]) {
			t.Errorf("collection = %s, want %v", res.body, api1[3])
		}
	})
	t.Run("unknown API root", func(t *testing.T) {
		expectError(t, f.get(t, "/nope/collections/"), wantError{status: http.StatusNotFound, code: "api-root-not-found"})
	})
}
