package taxii_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"liaison/stix"
	"liaison/stix/coopfeed"
	"liaison/store"
	"liaison/store/bolt"
	"liaison/taxii"
)

// benchFeed returns n objects of the generated cooperation feed.
func benchFeed(tb testing.TB, n int) []json.RawMessage {
	tb.Helper()
	var buf bytes.Buffer
	if err := coopfeed.Generate(&buf, coopfeed.Options{Objects: n, Seed: 7}); err != nil {
		tb.Fatal(err)
	}
	raws, err := stix.DecodeEnvelope(buf.Bytes(), 0)
	if err != nil {
		tb.Fatal(err)
	}
	return raws
}

// benchServer opens a store with one writable collection holding objects.
func benchServer(tb testing.TB, objects []json.RawMessage) (http.Handler, string) {
	tb.Helper()
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(tb.TempDir(), "bench.db"), bolt.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "bench", Title: "Bench"}); err != nil {
		tb.Fatal(err)
	}
	coll, err := db.CreateCollection(ctx, store.Collection{APIRoot: "bench", Title: "Bench", PublicRead: true, PublicWrite: true})
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < len(objects); i += 1000 {
		var objs []stix.Object
		for _, r := range stix.NewValidator().Check(objects[i:min(i+1000, len(objects))]) {
			if r.Err != nil {
				tb.Fatal(r.Err)
			}
			objs = append(objs, r.Object)
		}
		if _, err := db.AddObjects(ctx, store.AddRequest{APIRoot: "bench", Collection: coll.ID, Total: len(objs), Objects: objs}); err != nil {
			tb.Fatal(err)
		}
	}
	key, _ := db.CursorSecret(ctx)
	return taxii.NewServer(db, key).Handler(), "/bench/collections/" + coll.ID + "/objects/"
}

// BenchmarkServer_PostObjects posts envelopes of 1000 new feed objects
// through the whole HTTP path: negotiation, decoding, validation, one
// committed transaction, the status. It reports objects/s.
func BenchmarkServer_PostObjects(b *testing.B) {
	const batch = 1000
	feed := benchFeed(b, batch*max(b.N, 1)+batch)
	h, path := benchServer(b, nil)
	bodies := make([][]byte, 0, b.N)
	for i := range b.N {
		body, _ := json.Marshal(map[string]any{"objects": feed[i*batch : (i+1)*batch]})
		bodies = append(bodies, body)
	}
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(bodies[i]))
		req.Header.Set("Accept", taxii.MediaType)
		req.Header.Set("Content-Type", taxii.MediaType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			b.Fatalf("POST: %d %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkServer_GetObjects pages through a 20,000-object collection by
// next, at two page sizes.
func BenchmarkServer_GetObjects(b *testing.B) {
	h, path := benchServer(b, benchFeed(b, 20000))
	for _, limit := range []int{100, 1000} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			next, served := "", 0
			for range b.N {
				u := fmt.Sprintf("%s?limit=%d", path, limit)
				if next != "" {
					u += "&next=" + next
				}
				req := httptest.NewRequest(http.MethodGet, u, nil)
				req.Header.Set("Accept", taxii.MediaType)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET: %d %s", rec.Code, rec.Body)
				}
				var env struct {
					More    bool              `json:"more"`
					Next    string            `json:"next"`
					Objects []json.RawMessage `json:"objects"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
					b.Fatal(err)
				}
				served += len(env.Objects)
				next = env.Next // back to the start after the last page
			}
			b.ReportMetric(float64(served)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}

// BenchmarkServer_PostObjectsConcurrent posts 1000-object envelopes from
// two clients at once, as several SOC tools would: one request's
// validation runs while another's transaction commits.
func BenchmarkServer_PostObjectsConcurrent(b *testing.B) {
	const batch = 1000
	feed := benchFeed(b, batch*max(b.N, 1)+2*batch)
	h, path := benchServer(b, nil)
	bodies := make(chan []byte, b.N)
	for i := range b.N {
		body, _ := json.Marshal(map[string]any{"objects": feed[i*batch : (i+1)*batch]})
		bodies <- body
	}
	close(bodies)
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range bodies {
				req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
				req.Header.Set("Accept", taxii.MediaType)
				req.Header.Set("Content-Type", taxii.MediaType)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusAccepted {
					b.Errorf("POST: %d %s", rec.Code, rec.Body)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "objects/s")
}
