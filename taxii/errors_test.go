package taxii_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"liaison/taxii"
)

const unknownUUID = "6ba7b810-9dad-41d1-80b4-00c04fd430c8"

// TestNotFound: unknown API roots, collections, objects, statuses and paths
// are 404 TAXII errors.
func TestNotFound(t *testing.T) {
	f := newFixture(t)
	post := func(path string) request {
		return request{method: http.MethodPost, path: path, body: envelope(newMalware)}
	}
	del := func(path string) request { return request{method: http.MethodDelete, path: path} }
	get := func(path string) request { return request{path: path} }
	unknownObject := "indicator--99999999-0000-4000-8000-000000000000"
	tests := []struct {
		name   string
		when   request
		expect string // error_code
	}{
		{"unknown API root", get("/nope/"), "api-root-not-found"},
		{"unknown API root, collections", get("/nope/collections/"), "api-root-not-found"},
		{"unknown API root, collection", get("/nope/collections/{public}/"), "api-root-not-found"},
		{"unknown API root, objects", get("/nope/collections/{public}/objects/"), "api-root-not-found"},
		{"unknown API root, post", post("/nope/collections/{writable}/objects/"), "api-root-not-found"},
		{"unknown API root, status", get("/nope/status/" + unknownUUID + "/"), "api-root-not-found"},
		{"API root names are case-sensitive", get("/API1/"), "api-root-not-found"},
		{"unknown collection", get("/api1/collections/" + unknownUUID + "/"), "collection-not-found"},
		{"unknown collection, manifest", get("/api1/collections/" + unknownUUID + "/manifest/"), "collection-not-found"},
		{"unknown collection, objects", get("/api1/collections/" + unknownUUID + "/objects/"), "collection-not-found"},
		{"unknown collection, post", post("/api1/collections/" + unknownUUID + "/objects/"), "collection-not-found"},
		{"unknown collection, object", get("/api1/collections/" + unknownUUID + "/objects/" + idA + "/"), "collection-not-found"},
		{"unknown collection, delete", del("/api1/collections/" + unknownUUID + "/objects/" + idA + "/"), "collection-not-found"},
		{"unknown collection, versions", get("/api1/collections/" + unknownUUID + "/objects/" + idA + "/versions/"), "collection-not-found"},
		{"unknown alias", get("/api1/collections/low-value/"), "collection-not-found"},
		{"collection of another API root", get("/api2/collections/{public}/"), "collection-not-found"},
		{"collection of another API root, objects", get("/api1/collections/{other}/objects/"), "collection-not-found"},
		{"alias of another API root", get("/api2/collections/high-value/"), "collection-not-found"},
		{"collection of another API root, post", post("/api2/collections/{writable}/objects/"), "collection-not-found"},
		{"unknown object", get("/api1/collections/{public}/objects/" + unknownObject + "/"), "object-not-found"},
		{"unknown object with filters", get("/api1/collections/{public}/objects/" + unknownObject + "/?match[version]=all"), "object-not-found"},
		{"unknown object, versions", get("/api1/collections/{public}/objects/" + unknownObject + "/versions/"), "object-not-found"},
		{"unknown object, delete", del("/api1/collections/{mixed}/objects/" + unknownObject + "/"), "object-not-found"},
		{"object of another collection", get("/api1/collections/{mixed}/objects/" + idA + "/"), "object-not-found"},
		{"not a STIX id", get("/api1/collections/{public}/objects/nope/"), "object-not-found"},
		{"unknown status", get("/api1/status/" + unknownUUID + "/"), "status-not-found"},
		{"unknown path", get("/api1/collections/{public}/objects/" + idA + "/versions/extra/"), "not-found"},
		{"unknown path under discovery", get("/taxii2/extra/"), "not-found"},
		{"unknown collection sub-resource", get("/api1/collections/{public}/channels/"), "not-found"},
		{"server root", get("/"), "not-found"},
		{"unknown path, post", post("/api1/collections/"), "not-found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do(t, tt.when)
			w := wantError{status: http.StatusNotFound, code: tt.expect}
			if tt.expect == "not-found" {
				w.desc = []string{"/taxii2/"}
			}
			if tt.when.method == http.MethodPost && tt.expect == "not-found" {
				// POST on an endpoint without POST.
				w = wantError{status: http.StatusMethodNotAllowed, code: "method-not-allowed"}
			}
			expectError(t, res, w)
		})
	}
}

// TestHiddenCollection: a collection the client can neither read nor write
// is indistinguishable from one that does not exist (TAXII 2.1 §5.7 and
// Appendix B): the same 404 body, apart from error_id, on every route, and
// it is not listed.
func TestHiddenCollection(t *testing.T) {
	f := newFixture(t)
	routes := []struct {
		name string
		when func(coll string) request
	}{
		{"collection", func(c string) request { return request{path: "/api1/collections/" + c + "/"} }},
		{"manifest", func(c string) request { return request{path: "/api1/collections/" + c + "/manifest/"} }},
		{"manifest with filters", func(c string) request {
			return request{path: "/api1/collections/" + c + "/manifest/?match[type]=indicator"}
		}},
		{"objects", func(c string) request { return request{path: "/api1/collections/" + c + "/objects/"} }},
		{"post", func(c string) request {
			return request{method: http.MethodPost, path: "/api1/collections/" + c + "/objects/", body: envelope(newMalware)}
		}},
		{"post with a bad body", func(c string) request {
			return request{method: http.MethodPost, path: "/api1/collections/" + c + "/objects/", body: "{"}
		}},
		{"post with a bad content type", func(c string) request {
			return request{method: http.MethodPost, path: "/api1/collections/" + c + "/objects/", body: envelope(newMalware), contentType: "text/plain"}
		}},
		{"object", func(c string) request { return request{path: "/api1/collections/" + c + "/objects/" + idH + "/"} }},
		{"delete", func(c string) request {
			return request{method: http.MethodDelete, path: "/api1/collections/" + c + "/objects/" + idH + "/"}
		}},
		{"versions", func(c string) request {
			return request{path: "/api1/collections/" + c + "/objects/" + idH + "/versions/"}
		}},
		{"without trailing slash", func(c string) request { return request{path: "/api1/collections/" + c + "/objects"} }},
	}
	for _, r := range routes {
		t.Run(r.name, func(t *testing.T) {
			hidden := f.do(t, r.when(f.id("hidden")))
			absent := f.do(t, r.when(unknownUUID))
			expectError(t, hidden, wantError{status: http.StatusNotFound, code: "collection-not-found"})
			expectError(t, absent, wantError{status: http.StatusNotFound, code: "collection-not-found"})
			h, a := decode(t, hidden.body), decode(t, absent.body)
			delete(h, "error_id")
			delete(a, "error_id")
			if !equalJSON(h, a) {
				t.Errorf("hidden and absent collections answer differently:\n%s\n%s", hidden.body, absent.body)
			}
			if strings.Contains(string(hidden.body), f.id("hidden")) || strings.Contains(string(hidden.body), "Hidden") {
				t.Errorf("the 404 names the hidden collection: %s", hidden.body)
			}
		})
	}
	t.Run("not listed", func(t *testing.T) {
		res := f.get(t, "/api1/collections/")
		expectStatus(t, res, http.StatusOK)
		if strings.Contains(string(res.body), f.id("hidden")) {
			t.Errorf("collections lists the hidden collection: %s", res.body)
		}
	})
}

// TestAccessRights: can_read false forbids reading (403), can_write false
// forbids adding objects (403) (TAXII 2.1 §5.3-§5.6, §5.8: 403 or 404).
func TestAccessRights(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		when   request
		expect string // error_code
	}{
		{"write-only: objects", request{path: "/api1/collections/{writeonly}/objects/"}, "no-read-access"},
		{"write-only: objects with filters", request{path: "/api1/collections/{writeonly}/objects/?match[type]=indicator"}, "no-read-access"},
		{"write-only: manifest", request{path: "/api1/collections/{writeonly}/manifest/"}, "no-read-access"},
		{"write-only: object", request{path: "/api1/collections/{writeonly}/objects/" + idA + "/"}, "no-read-access"},
		{"write-only: versions", request{path: "/api1/collections/{writeonly}/objects/" + idA + "/versions/"}, "no-read-access"},
		{"read-only: post", request{method: http.MethodPost, path: "/api1/collections/{public}/objects/", body: envelope(newMalware)}, "no-write-access"},
		{"read-only by alias: post", request{method: http.MethodPost, path: "/api1/collections/high-value/objects/", body: envelope(newMalware)}, "no-write-access"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do(t, tt.when)
			desc := "can_read is false"
			if tt.expect == "no-write-access" {
				desc = "can_write is false"
			}
			expectError(t, res, wantError{status: http.StatusForbidden, code: tt.expect, desc: []string{desc}})
		})
	}
	expectEmptyPage(t, f.get(t, "/api1/collections/{public}/objects/?match[id]="+idNew2))
}

// TestHead: GET endpoints answer HEAD with the GET's status and headers and
// no body (over a real net/http server, which drops HEAD bodies).
func TestHead(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.handler)
	defer srv.Close()
	for _, path := range []string{"/taxii2/", "/api1/collections/" + f.id("public") + "/objects/", "/api1/collections/" + f.id("public") + "/objects/" + idA + "/versions/"} {
		req, _ := http.NewRequest(http.MethodHead, srv.URL+path, nil)
		req.Header.Set("Accept", taxii.MediaType)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(body) != 0 || res.Header.Get("Content-Type") != taxii.MediaType {
			t.Errorf("HEAD %s = %d, %q, body %q", path, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if strings.Contains(path, "objects") && res.Header.Get("X-TAXII-Date-Added-Last") == "" {
			t.Errorf("HEAD %s: no X-TAXII-Date-Added-Last", path)
		}
	}
}

// TestMethods: a method an endpoint does not support is 405 with an Allow
// header; OPTIONS lists the methods.
func TestMethods(t *testing.T) {
	f := newFixture(t)
	objects := "/api1/collections/{public}/objects/"
	object := objects + idA + "/"
	tests := []struct {
		name        string
		when        request
		expect      int
		expectAllow []string
	}{
		{"POST discovery", request{method: http.MethodPost, path: "/taxii2/", body: "{}"}, http.StatusMethodNotAllowed, []string{"GET", "HEAD", "OPTIONS"}},
		{"DELETE discovery", request{method: http.MethodDelete, path: "/taxii2/"}, http.StatusMethodNotAllowed, []string{"GET", "HEAD", "OPTIONS"}},
		{"PUT api root", request{method: http.MethodPut, path: "/api1/", body: "{}"}, http.StatusMethodNotAllowed, []string{"GET", "HEAD", "OPTIONS"}},
		{"POST collections", request{method: http.MethodPost, path: "/api1/collections/", body: "{}"}, http.StatusMethodNotAllowed, []string{"GET", "HEAD", "OPTIONS"}},
		{"DELETE collection", request{method: http.MethodDelete, path: "/api1/collections/{public}/"}, http.StatusMethodNotAllowed, []string{"GET", "HEAD", "OPTIONS"}},
		{"POST manifest", request{method: http.MethodPost, path: "/api1/collections/{public}/manifest/", body: "{}"}, http.StatusMethodNotAllowed, []string{"GET", "HEAD", "OPTIONS"}},
		{"DELETE objects", request{method: http.MethodDelete, path: objects}, http.StatusMethodNotAllowed, []string{"GET", "HEAD", "OPTIONS", "POST"}},
		{"PUT objects", request{method: http.MethodPut, path: objects, body: "{}"}, http.StatusMethodNotAllowed, []string{"GET", "HEAD", "OPTIONS", "POST"}},
		{"PATCH objects without trailing slash", request{method: http.MethodPatch, path: strings.TrimSuffix(objects, "/"), body: "{}"}, http.StatusMethodNotAllowed, []string{"GET", "HEAD", "OPTIONS", "POST"}},
		{"POST object", request{method: http.MethodPost, path: object, body: "{}"}, http.StatusMethodNotAllowed, []string{"DELETE", "GET", "HEAD", "OPTIONS"}},
		{"PUT object", request{method: http.MethodPut, path: object, body: "{}"}, http.StatusMethodNotAllowed, []string{"DELETE", "GET", "HEAD", "OPTIONS"}},
		{"DELETE versions", request{method: http.MethodDelete, path: object + "versions/"}, http.StatusMethodNotAllowed, []string{"GET", "HEAD", "OPTIONS"}},
		{"POST status", request{method: http.MethodPost, path: "/api1/status/" + unknownUUID + "/", body: "{}"}, http.StatusMethodNotAllowed, []string{"GET", "HEAD", "OPTIONS"}},
		{"OPTIONS discovery", request{method: http.MethodOptions, path: "/taxii2/"}, http.StatusNoContent, []string{"GET", "HEAD", "OPTIONS"}},
		{"OPTIONS objects", request{method: http.MethodOptions, path: objects}, http.StatusNoContent, []string{"GET", "HEAD", "OPTIONS", "POST"}},
		{"OPTIONS object", request{method: http.MethodOptions, path: object}, http.StatusNoContent, []string{"DELETE", "GET", "HEAD", "OPTIONS"}},
		{"OPTIONS without Accept", request{method: http.MethodOptions, path: object + "versions", accept: noHeader}, http.StatusNoContent, []string{"GET", "HEAD", "OPTIONS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do(t, tt.when)
			var allow []string
			for _, a := range strings.Split(res.header.Get("Allow"), ",") {
				allow = append(allow, strings.TrimSpace(a))
			}
			slices.Sort(allow)
			if !slices.Equal(allow, tt.expectAllow) {
				t.Errorf("Allow = %q, want %v", res.header.Get("Allow"), tt.expectAllow)
			}
			switch {
			case tt.expect == http.StatusMethodNotAllowed && tt.when.method != http.MethodHead:
				expectError(t, res, wantError{status: tt.expect, code: "method-not-allowed", desc: []string{"Allow"}})
			default:
				expectStatus(t, res, tt.expect)
				if len(res.body) != 0 {
					t.Errorf("%s answered with a body: %s", tt.when.method, res.body)
				}
			}
		})
	}
	// Nothing changed.
	expectPage(t, f.get(t, objects+"?match[version]=all"), "objects", loaded("public"), false)
}
