package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"liaison/taxii"
)

// BenchmarkAuth compares the same request (the public collection's first
// page of one object) as anonymous, with an API key, and with a Basic
// password (verified once, then from the cache).
func BenchmarkAuth(b *testing.B) {
	w := newWorld(b)
	path := "/r/collections/" + w.public + "/objects/"
	for _, who := range []string{"anonymous", "writer", "admin"} {
		b.Run(who, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Accept", taxii.MediaType)
			if h := w.creds[who]; h != "" {
				req.Header.Set("Authorization", h)
			}
			for b.Loop() {
				rec := httptest.NewRecorder()
				w.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
