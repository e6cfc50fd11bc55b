package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"liaison/taxii"
	"liaison/taxii/auth"
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
			cpu := processCPU()
			for b.Loop() {
				rec := httptest.NewRecorder()
				w.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkAuthParallel sends the same request from GOMAXPROCS goroutines
// at once, as a SIEM's pollers do: what the locks of the credential cache
// and the limiter cost when every request takes them.
func BenchmarkAuthParallel(b *testing.B) {
	w := newWorld(b)
	srv := taxii.NewServer(w.db, []byte("k"))
	srv.Access = auth.NewAccounts(w.db) // and nothing logged
	h := srv.Handler()
	path := "/r/collections/" + w.public + "/objects/"
	for _, who := range []string{"anonymous", "writer", "admin"} {
		b.Run(who, func(b *testing.B) {
			cpu := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Header.Set("Accept", taxii.MediaType)
				if c := w.creds[who]; c != "" {
					req.Header.Set("Authorization", c)
				}
				for pb.Next() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkAuthenticateCached authenticates cached credentials from
// GOMAXPROCS goroutines at once, without the rest of the request: the cost
// of the cache and the limiter alone.
func BenchmarkAuthenticateCached(b *testing.B) {
	w := newWorld(b)
	acc := auth.NewAccounts(w.db)
	for _, who := range []string{"writer", "admin"} {
		req := httptest.NewRequest(http.MethodGet, "/taxii2/", nil)
		req.Header.Set("Authorization", w.creds[who])
		if _, err := acc.Authenticate(req); err != nil { // verified once, then cached
			b.Fatal(err)
		}
		b.Run(who, func(b *testing.B) {
			cpu := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := acc.Authenticate(req); err != nil {
						b.Fatal(err)
					}
				}
			})
			reportCPU(b, cpu)
		})
	}
}
