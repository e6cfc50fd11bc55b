package taxii_test

import (
	"net/http"
	"testing"
)

// TestGolden compares whole response bodies with testdata/golden/*.golden.json
// after normalisation (collection ids as <coll:name>, the status id as
// <status>, error_id and next blanked, keys sorted). Refresh with
// go test ./taxii/ -run TestGolden -update.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		when request
		// expect: status and golden file name.
		expect       int
		expectGolden string
	}{
		{name: "discovery", when: request{path: "/taxii2/"}, expect: http.StatusOK, expectGolden: "discovery"},
		{name: "api root", when: request{path: "/api1/"}, expect: http.StatusOK, expectGolden: "api-root"},
		{name: "collections", when: request{path: "/api1/collections/"}, expect: http.StatusOK, expectGolden: "collections"},
		{name: "collection by alias", when: request{path: "/api1/collections/high-value/"}, expect: http.StatusOK, expectGolden: "collection-alias"},
		{name: "manifest page", when: request{path: "/api1/collections/{public}/manifest/?limit=4"}, expect: http.StatusOK, expectGolden: "manifest-page"},
		{name: "manifest, mixed spec versions", when: request{path: "/api1/collections/{mixed}/manifest/?match[version]=all&match[spec_version]=2.0,2.1"}, expect: http.StatusOK, expectGolden: "manifest-mixed"},
		{name: "objects page", when: request{path: "/api1/collections/{public}/objects/?limit=3"}, expect: http.StatusOK, expectGolden: "objects-page"},
		{name: "object, all versions", when: request{path: "/api1/collections/{public}/objects/" + idA + "/?match[version]=all"}, expect: http.StatusOK, expectGolden: "object-versions-all"},
		{name: "versions page", when: request{path: "/api1/collections/{public}/objects/" + idA + "/versions/?limit=2"}, expect: http.StatusOK, expectGolden: "versions-page"},
		{name: "status after POST", when: request{method: http.MethodPost, path: "/api1/collections/{writable}/objects/",
			body: envelope(newIndicator, `{"type":"malware","id":"indicator--77777777-0000-4000-8000-0000000000a5","spec_version":"2.1","created":"2024-03-01T00:00:00.000Z","modified":"2024-03-01T00:00:00.000Z"}`, newSCO, newIndicator)},
			expect: http.StatusAccepted, expectGolden: "status-after-post"},
		{name: "error, bad parameter", when: request{path: "/api1/collections/{public}/objects/?limit=0"}, expect: http.StatusBadRequest, expectGolden: "error-bad-parameter"},
		{name: "error, collection not found", when: request{path: "/api1/collections/" + unknownUUID + "/objects/"}, expect: http.StatusNotFound, expectGolden: "error-collection-not-found"},
		{name: "error, not acceptable", when: request{path: "/taxii2/", accept: "application/taxii+json;version=2.0"}, expect: http.StatusNotAcceptable, expectGolden: "error-not-acceptable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			var extra []string
			res := f.do(t, tt.when)
			expectStatus(t, res, tt.expect)
			if tt.expect == http.StatusAccepted {
				// The status id is random.
				extra = append(extra, decode(t, res.body)["id"].(string), "<status>")
			}
			if tt.expect >= 400 {
				expectError(t, res, wantError{status: tt.expect})
			}
			expectGolden(t, tt.expectGolden, f.normalise(t, res.body, extra...))
		})
	}
}
