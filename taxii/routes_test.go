package taxii_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestTrailingSlash: every endpoint answers the same with and without the
// trailing slash (TAXII 2.1 §3.1 puts the slash on requests; clients that
// drop it get the resource, not a redirect that would lose credentials).
func TestTrailingSlash(t *testing.T) {
	tests := []struct {
		name   string
		when   request // with the slash; a query string may follow
		expect int
	}{
		{"discovery", request{path: "/taxii2/"}, http.StatusOK},
		{"api root", request{path: "/api1/"}, http.StatusOK},
		{"collections", request{path: "/api1/collections/"}, http.StatusOK},
		{"collection", request{path: "/api1/collections/{public}/"}, http.StatusOK},
		{"collection by alias", request{path: "/api1/collections/high-value/"}, http.StatusOK},
		{"manifest", request{path: "/api1/collections/{public}/manifest/"}, http.StatusOK},
		{"manifest with a query", request{path: "/api1/collections/{public}/manifest/?match[type]=indicator&match[version]=all&limit=2"}, http.StatusOK},
		{"objects", request{path: "/api1/collections/{public}/objects/"}, http.StatusOK},
		{"objects with a query", request{path: "/api1/collections/{public}/objects/?added_after=" + pubAdded(3)}, http.StatusOK},
		{"object", request{path: "/api1/collections/{public}/objects/" + idA + "/"}, http.StatusOK},
		{"object with a query", request{path: "/api1/collections/{public}/objects/" + idA + "/?match[version]=first"}, http.StatusOK},
		{"versions", request{path: "/api1/collections/{public}/objects/" + idA + "/versions/"}, http.StatusOK},
		{"versions with a query", request{path: "/api1/collections/{public}/objects/" + idA + "/versions/?limit=1"}, http.StatusOK},
		{"post", request{method: http.MethodPost, path: "/api1/collections/{writable}/objects/", body: envelope(newMalware)}, http.StatusAccepted},
		{"delete", request{method: http.MethodDelete, path: "/api1/collections/{mixed}/objects/" + idT + "/"}, http.StatusOK},
		{"delete with a query", request{method: http.MethodDelete, path: "/api1/collections/{mixed}/objects/" + idS + "/?match[version]=last&match[spec_version]=2.0"}, http.StatusOK},
		{"unknown collection", request{path: "/api1/collections/" + unknownUUID + "/"}, http.StatusNotFound},
		{"bad parameter", request{path: "/api1/collections/{public}/objects/?limit=0"}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			with, without := newFixture(t), newFixture(t)
			a := with.do(t, tt.when)
			rq := tt.when
			path, query, hasQuery := strings.Cut(rq.path, "?")
			rq.path = strings.TrimSuffix(path, "/")
			if hasQuery {
				rq.path += "?" + query
			}
			b := without.do(t, rq)
			expectStatus(t, a, tt.expect)
			expectStatus(t, b, tt.expect)
			na := with.normalise(t, orEmpty(a.body), statusIDOf(a)...)
			nb := without.normalise(t, orEmpty(b.body), statusIDOf(b)...)
			if string(na) != string(nb) {
				t.Errorf("with and without the slash differ:\n%s\n%s", na, nb)
			}
			for _, h := range []string{"X-TAXII-Date-Added-First", "X-TAXII-Date-Added-Last", "Location"} {
				if a.header.Get(h) != b.header.Get(h) {
					t.Errorf("%s: %q with the slash, %q without", h, a.header.Get(h), b.header.Get(h))
				}
			}
		})
	}
}

func orEmpty(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// statusIDOf returns the replacement of a status resource's random id.
func statusIDOf(res *response) []string {
	if res.status != http.StatusAccepted {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(res.body, &m); err != nil {
		return nil
	}
	id, _ := m["id"].(string)
	return []string{id, "<status>"}
}

// TestPercentEncodedPathSegmentsAreDecoded: a path whose segments
// percent-encode unreserved characters is equivalent to the decoded one
// (RFC 3986 §6.2.2.2), so it must reach the same resource.
// echo routes on URL.RawPath when Go sets one and does not unescape path
// parameters, so the server routes on the decoded path.
func TestPercentEncodedPathSegmentsAreDecoded(t *testing.T) {
	f := newFixture(t)
	encodedA := strings.ReplaceAll(idA, "-", "%2D")
	tests := []struct {
		name   string
		when   string
		expect string // the decoded path, whose answer must be the same
	}{
		{"alias", "/api1/collections/high%2Dvalue/", "/api1/collections/high-value/"},
		{"alias without trailing slash", "/api1/collections/high%2Dvalue", "/api1/collections/high-value/"},
		{"object id", "/api1/collections/{public}/objects/" + encodedA + "/", "/api1/collections/{public}/objects/" + idA + "/"},
		{"object id without trailing slash", "/api1/collections/{public}/objects/" + encodedA, "/api1/collections/{public}/objects/" + idA + "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := f.get(t, tt.expect)
			expectStatus(t, want, http.StatusOK)
			got := f.get(t, tt.when)
			if got.status != http.StatusOK || string(got.body) != string(want.body) {
				t.Errorf("GET %s = %d %s; want the answer of %s (200)", tt.when, got.status, got.body, tt.expect)
			}
		})
	}
}
