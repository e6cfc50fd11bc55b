package taxii_test

import (
	"net/http"
	"testing"

	"liaison/taxii"
)

// TestAccept: content negotiation (TAXII 2.1 §1.6.8, §3.1). The TAXII 2.1
// media type, with or without version, MUST NOT get 406; wildcards and
// generic JSON are served; other media types and versions get 406 with an
// error that says what to send. Every response, 406 included, is TAXII
// JSON.
func TestAccept(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		given  string // Accept header; noHeader leaves it out
		expect int
	}{
		{"taxii 2.1", "application/taxii+json;version=2.1", http.StatusOK},
		{"taxii without version", "application/taxii+json", http.StatusOK},
		{"taxii 2.1 with a space", "application/taxii+json; version=2.1", http.StatusOK},
		{"taxii 2.1 in upper case", "APPLICATION/TAXII+JSON;VERSION=2.1", http.StatusOK},
		{"taxii 2.1 with a q-value", "application/taxii+json;version=2.1;q=0.9", http.StatusOK},
		{"taxii and stix, as the manifest example", "application/taxii+json;version=2.1,application/stix+json;version=2.1", http.StatusOK},
		{"taxii 2.0 then 2.1", "application/taxii+json;version=2.0, application/taxii+json;version=2.1", http.StatusOK},
		{"any", "*/*", http.StatusOK},
		{"application/json", "application/json", http.StatusOK},
		{"application/*", "application/*", http.StatusOK},
		{"browser-like, taxii less preferred", "text/html, application/taxii+json;q=0.5", http.StatusOK},
		{"generic client", "application/json, text/plain, */*", http.StatusOK},
		{"absent", noHeader, http.StatusOK},
		{"taxii 2.0 media type", "application/vnd.oasis.taxii+json;version=2.0", http.StatusNotAcceptable},
		{"taxii 2.0", "application/taxii+json;version=2.0", http.StatusNotAcceptable},
		{"taxii 3.0", "application/taxii+json;version=3.0", http.StatusNotAcceptable},
		{"html", "text/html", http.StatusNotAcceptable},
		{"stix only", "application/stix+json;version=2.1", http.StatusNotAcceptable},
		{"taxii refused with q=0", "application/taxii+json;q=0", http.StatusNotAcceptable},
		{"taxii 2.1 refused with q=0", "application/taxii+json;version=2.1;q=0", http.StatusNotAcceptable},
		{"any refused with q=0", "*/*;q=0", http.StatusNotAcceptable},
		{"garbage", ";;;", http.StatusNotAcceptable},
	}
	endpoints := []struct {
		name string
		when request
		ok   int // status when acceptable
	}{
		{"discovery", request{path: "/taxii2/"}, http.StatusOK},
		{"collections", request{path: "/api1/collections/"}, http.StatusOK},
		{"objects", request{path: "/api1/collections/{public}/objects/"}, http.StatusOK},
		{"versions", request{path: "/api1/collections/{public}/objects/" + idA + "/versions/"}, http.StatusOK},
		{"post", request{method: http.MethodPost, path: "/api1/collections/{writable}/objects/", body: envelope(newMalware)}, http.StatusAccepted},
		{"delete", request{method: http.MethodDelete, path: "/api1/collections/{mixed}/objects/" + idT + "/?match[spec_version]=2.1"}, http.StatusNotFound},
		{"unknown collection", request{path: "/api1/collections/" + unknownUUID + "/"}, http.StatusNotFound},
		{"unknown path", request{path: "/api1/nothing/here/"}, http.StatusNotFound},
	}
	for _, ep := range endpoints {
		for _, tt := range tests {
			t.Run(ep.name+"/"+tt.name, func(t *testing.T) {
				rq := ep.when
				rq.accept = tt.given
				res := f.do(t, rq)
				if tt.expect == http.StatusNotAcceptable {
					expectError(t, res, wantError{status: http.StatusNotAcceptable, code: "not-acceptable", desc: []string{"Accept: " + taxii.MediaType}})
					return
				}
				if ep.ok == http.StatusNotFound {
					expectError(t, res, wantError{status: http.StatusNotFound})
					return
				}
				expectStatus(t, res, ep.ok)
				decode(t, res.body)
			})
		}
	}
}

// TestPostContentType: Add Objects takes the TAXII 2.1 media type, with or
// without version; anything else is 415 with an error that says what to
// send (TAXII 2.1 §5.5). Nothing is stored on a 415.
func TestPostContentType(t *testing.T) {
	tests := []struct {
		name   string
		given  string // Content-Type
		expect int
	}{
		{"taxii 2.1", "application/taxii+json;version=2.1", http.StatusAccepted},
		{"taxii without version", "application/taxii+json", http.StatusAccepted},
		{"taxii 2.1 with a space", "application/taxii+json; version=2.1", http.StatusAccepted},
		{"taxii 2.1 with charset", "application/taxii+json;version=2.1;charset=utf-8", http.StatusAccepted},
		{"taxii 2.1 in upper case", "Application/TAXII+JSON;Version=2.1", http.StatusAccepted},
		{"application/json", "application/json", http.StatusUnsupportedMediaType},
		{"stix 2.1", "application/stix+json;version=2.1", http.StatusUnsupportedMediaType},
		{"taxii 2.0", "application/taxii+json;version=2.0", http.StatusUnsupportedMediaType},
		{"taxii 2.0 media type", "application/vnd.oasis.taxii+json;version=2.0", http.StatusUnsupportedMediaType},
		{"text/plain", "text/plain", http.StatusUnsupportedMediaType},
		{"form", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"malformed", "application/taxii+json;version", http.StatusUnsupportedMediaType},
		{"absent", noHeader, http.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			res := f.do(t, request{method: http.MethodPost, path: "/api1/collections/{writable}/objects/", contentType: tt.given, body: envelope(newMalware)})
			if tt.expect == http.StatusAccepted {
				expectStatus(t, res, http.StatusAccepted)
				expectStatusResource(t, res, []string{idNew2}, nil)
				return
			}
			expectError(t, res, wantError{status: tt.expect, code: "unsupported-media-type", desc: []string{"Content-Type: " + taxii.MediaType}})
			expectEmptyPage(t, f.get(t, "/api1/collections/{writable}/objects/"))
		})
	}
}

// TestAcceptQuotedComma: a comma inside a quoted parameter does not split
// the media range.
func TestAcceptQuotedComma(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{`application/taxii+json;ext="a,b";version=2.1`, true},
		{`text/html;x="a,application/taxii+json"`, false},
		{`text/html;x="a\",b", application/taxii+json`, true},
	} {
		if got := taxii.Acceptable(tc.header); got != tc.want {
			t.Errorf("Acceptable(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}
