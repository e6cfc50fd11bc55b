package taxii_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"liaison/taxii"
)

// getWith sends a GET with the TAXII Accept header and the given extra
// headers (name, value pairs) to the fixture's handler.
func (f *fixture) getWith(t *testing.T, path string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, f.repl.Replace(path), nil)
	req.Header.Set("Accept", taxii.MediaType)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}

func varies(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "Accept-Encoding") {
				return true
			}
		}
	}
	return false
}

// TestPageGzip: pages are gzip-compressed for clients whose Accept-Encoding
// admits gzip (RFC 9110 §12.5.3), and only for them; the compressed body
// is the identity body; every page says it varies on Accept-Encoding;
// other resources and empty pages are sent as they are.
func TestPageGzip(t *testing.T) {
	f := newFixture(t)
	paths := []string{
		"/api1/collections/{public}/objects/",
		"/api1/collections/{public}/manifest/?limit=2",
		"/api1/collections/{public}/objects/" + idA + "/",
		"/api1/collections/{public}/objects/" + idA + "/versions/",
	}
	for _, tc := range []struct {
		acceptEncoding []string
		gzip           bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"gzip, deflate"}, true}, // Python requests' default
		{[]string{"deflate", "gzip;q=0.5"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"GZIP;Q=1.0"}, true},
		{[]string{"*"}, true},
		{[]string{"br;q=1, *;q=0.1"}, true},
		{[]string{"identity"}, false},
		{[]string{"deflate, br"}, false},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip;q=0, *"}, false},
		{[]string{"*;q=0"}, false},
		{[]string{"gzip;q=nonsense"}, false},
		{[]string{""}, false},
	} {
		for _, path := range paths {
			name := strings.Join(tc.acceptEncoding, " | ") + " " + path
			identity := f.getWith(t, path)
			var headers []string
			for _, v := range tc.acceptEncoding {
				headers = append(headers, "Accept-Encoding", v)
			}
			res := f.getWith(t, path, headers...)
			if res.Code != http.StatusOK || identity.Code != http.StatusOK {
				t.Fatalf("%s: %d, %d", name, res.Code, identity.Code)
			}
			if !varies(res.Header()) || !varies(identity.Header()) {
				t.Errorf("%s: Vary %q, %q: want Accept-Encoding", name, res.Header().Values("Vary"), identity.Header().Values("Vary"))
			}
			if identity.Header().Get("Content-Encoding") != "" {
				t.Errorf("%s: without Accept-Encoding, Content-Encoding %q", name, identity.Header().Get("Content-Encoding"))
			}
			body := res.Body.Bytes()
			switch ce := res.Header().Get("Content-Encoding"); {
			case tc.gzip && ce == "gzip":
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			case tc.gzip || ce != "":
				t.Fatalf("%s: Content-Encoding %q, want gzip %v", name, ce, tc.gzip)
			}
			if !bytes.Equal(body, identity.Body.Bytes()) {
				t.Errorf("%s: body\n%s\nwant\n%s", name, body, identity.Body.Bytes())
			}
			for _, h := range []string{"Content-Type", taxii.HeaderDateAddedFirst, taxii.HeaderDateAddedLast} {
				if res.Header().Get(h) != identity.Header().Get(h) {
					t.Errorf("%s: %s %q, identity has %q", name, h, res.Header().Get(h), identity.Header().Get(h))
				}
			}
		}
	}

	// An empty page, an error and the other resources are not compressed.
	for _, path := range []string{
		"/api1/collections/{public}/objects/?added_after=2099-01-01T00:00:00Z",
		"/api1/collections/no-such-collection/objects/",
		"/taxii2/", "/api1/", "/api1/collections/", "/api1/collections/{public}/",
	} {
		res := f.getWith(t, path, "Accept-Encoding", "gzip")
		if ce := res.Header().Get("Content-Encoding"); ce != "" {
			t.Errorf("%s: Content-Encoding %q", path, ce)
		}
		if strings.Contains(path, "added_after") && !varies(res.Header()) {
			t.Errorf("%s: an empty page does not say it varies on Accept-Encoding", path)
		}
		if slices.Contains(res.Header().Values("Vary"), "Accept-Encoding") && !strings.Contains(path, "/objects/") {
			t.Errorf("%s: Vary %q on a resource that is never compressed", path, res.Header().Values("Vary"))
		}
	}
}

func serveRecorded(f *fixture, req *http.Request) *httptest.ResponseRecorder {
	return serveRecordedBy(f.handler, req)
}

func serveRecordedBy(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
