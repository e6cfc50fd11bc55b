package taxii_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
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
	cpu := processCPU()
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
	reportCPU(b, cpu)
}

// BenchmarkServer_GetObjects pages through a 20,000-object collection by
// next, at two page sizes. The timed loop reads of each page only what a
// client must to go on (next) and to count (the objects' boundaries): it
// decodes nothing, so the figure is the server's.
func BenchmarkServer_GetObjects(b *testing.B) {
	h, path := benchServer(b, benchFeed(b, 20000))
	for _, limit := range []int{100, 1000} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			benchWalk(b, h, fmt.Sprintf("%s?limit=%d", path, limit), "objects")
		})
	}
}

// BenchmarkServer_GetManifest pages through the manifest of a 20,000-object
// collection by next, 1000 entries a page.
func BenchmarkServer_GetManifest(b *testing.B) {
	h, path := benchServer(b, benchFeed(b, 20000))
	benchWalk(b, h, strings.TrimSuffix(path, "objects/")+"manifest/?limit=1000", "objects")
}

// benchWalk requests pages of u following next, back to the start after the
// last, and reports the items of key served per second.
func benchWalk(b *testing.B, h http.Handler, u, key string) {
	next, served := "", 0
	cpu := processCPU()
	for b.Loop() {
		target := u
		if next != "" {
			target += "&next=" + next
		}
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Accept", taxii.MediaType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET: %d %s", rec.Code, rec.Body)
		}
		n, nxt, err := scanPage(rec.Body.Bytes(), key)
		if err != nil {
			b.Fatal(err)
		}
		served += n
		next = nxt
	}
	b.ReportMetric(float64(served)/b.Elapsed().Seconds(), key+"/s")
	reportCPU(b, cpu)
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
	cpu := processCPU()
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
	reportCPU(b, cpu)
}

// scanPage reads a page as the server writes it, {"more":..,"next":"..",
// "<key>":[...]}, without decoding it: the next token (which holds no
// escapes) and the number of items, counted by their boundaries.
func scanPage(body []byte, key string) (n int, next string, err error) {
	if i := bytes.Index(body, []byte(`"next":"`)); i >= 0 && i < 64 {
		rest := body[i+len(`"next":"`):]
		end := bytes.IndexByte(rest, '"')
		if end < 0 {
			return 0, "", fmt.Errorf("unterminated next in %.100s", body)
		}
		next = string(rest[:end])
	}
	i := bytes.Index(body, []byte(`"`+key+`":[`))
	if i < 0 {
		return 0, next, nil // an empty page
	}
	return countItems(body[i+len(key)+3:]), next, nil
}

// countItems counts the elements of the JSON list that begins list (valid
// JSON, as the server writes it, without spaces): the commas at its own
// depth, outside strings, and one.
func countItems(list []byte) int {
	if len(list) < 2 || list[1] == ']' {
		return 0
	}
	n, depth := 1, 0
	for i := 0; i < len(list); i++ {
		switch list[i] {
		case '"':
			for i++; i < len(list) && list[i] != '"'; i++ {
				if list[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			depth++
		case ']', '}':
			if depth--; depth == 0 {
				return n
			}
		case ',':
			if depth == 1 {
				n++
			}
		}
	}
	return n
}

// TestScanPage: the benchmarks' page scan counts and continues as a full
// decode does, on objects, manifest and versions pages.
func TestScanPage(t *testing.T) {
	feed := benchFeed(t, 60)
	h, path := benchServer(t, feed)
	id, _ := stix.Peek(0, feed[0])
	for _, u := range []string{path + "?limit=7", strings.TrimSuffix(path, "objects/") + "manifest/?limit=7", path + id.ID + "/versions/?limit=7"} {
		key := "objects"
		if strings.Contains(u, "/versions/") {
			key = "versions"
		}
		next, total := "", 0
		for {
			target := u
			if next != "" {
				target += "&next=" + next
			}
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Accept", taxii.MediaType)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var page struct {
				Next  string
				Items []json.RawMessage
			}
			raw := map[string]json.RawMessage{}
			if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
				t.Fatalf("%s: %v", target, err)
			}
			json.Unmarshal(raw["next"], &page.Next)
			json.Unmarshal(raw[key], &page.Items)
			n, scanned, err := scanPage(rec.Body.Bytes(), key)
			if err != nil || n != len(page.Items) || scanned != page.Next {
				t.Fatalf("%s: scan = %d, %q, %v; decode = %d, %q", target, n, scanned, err, len(page.Items), page.Next)
			}
			total += n
			if next = page.Next; next == "" {
				break
			}
		}
		if total == 0 {
			t.Errorf("%s: nothing served", u)
		}
	}
}

// BenchmarkServer_PageEncoding asks for the same first page again and
// again, sent as it is and gzip-compressed: what compression costs the
// server, and what it saves on the wire (wire-B/op, the body's bytes).
func BenchmarkServer_PageEncoding(b *testing.B) {
	h, path := benchServer(b, benchFeed(b, 2000))
	for _, limit := range []int{100, 1000} {
		for _, enc := range []string{"identity", "gzip"} {
			b.Run(fmt.Sprintf("limit=%d/%s", limit, enc), func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("%s?limit=%d", path, limit), nil)
				req.Header.Set("Accept", taxii.MediaType)
				req.Header.Set("Accept-Encoding", enc)
				// The page's objects, counted once outside the timed loop.
				plain := httptest.NewRequest(http.MethodGet, req.URL.String(), nil)
				plain.Header.Set("Accept", taxii.MediaType)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, plain)
				objects, _, err := scanPage(rec.Body.Bytes(), "objects")
				if err != nil || objects == 0 {
					b.Fatalf("%d objects, %v", objects, err)
				}
				wire := 0
				cpu := processCPU()
				for b.Loop() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK || (enc == "gzip") != (rec.Header().Get("Content-Encoding") == "gzip") {
						b.Fatalf("GET: %d %v", rec.Code, rec.Header())
					}
					wire = rec.Body.Len()
				}
				b.ReportMetric(float64(objects*b.N)/b.Elapsed().Seconds(), "objects/s")
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
				b.ReportMetric(float64(wire), "wire-B/op")
				reportCPU(b, cpu)
			})
		}
	}
}

// BenchmarkServer_NotModified asks again for a page that has not changed,
// with its entity tag (304, no query), beside the same request without it.
func BenchmarkServer_NotModified(b *testing.B) {
	h, path := benchServer(b, benchFeed(b, 2000))
	for _, limit := range []int{100, 1000} {
		u := fmt.Sprintf("%s?limit=%d", path, limit)
		req := httptest.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Accept", taxii.MediaType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		tag := rec.Header().Get("ETag")
		for _, conditional := range []bool{false, true} {
			name := fmt.Sprintf("limit=%d/200", limit)
			want := http.StatusOK
			if conditional {
				name, want = fmt.Sprintf("limit=%d/304", limit), http.StatusNotModified
			}
			b.Run(name, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, u, nil)
				req.Header.Set("Accept", taxii.MediaType)
				if conditional {
					req.Header.Set("If-None-Match", tag)
				}
				cpu := processCPU()
				for b.Loop() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != want {
						b.Fatalf("GET: %d, want %d", rec.Code, want)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
				reportCPU(b, cpu)
			})
		}
	}
}
