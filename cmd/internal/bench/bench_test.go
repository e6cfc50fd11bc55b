package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeCollection serves a collection's objects and manifest endpoints
// from a list of ids, paged by next (the index as the token), and can be
// told to serve an id twice or never.
type fakeCollection struct {
	ids       []string
	duplicate string // served twice by the objects endpoint
	missing   string // listed in the manifest, never served as an object
}

func (f *fakeCollection) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	manifest := strings.HasSuffix(r.URL.Path, "/manifest/")
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	from, _ := strconv.Atoi(r.URL.Query().Get("next"))
	if after := r.URL.Query().Get("added_after"); after != "" {
		from, _ = strconv.Atoi(strings.TrimPrefix(after, "t"))
		from++
	}
	var served []string
	for _, id := range f.ids {
		if !manifest && id == f.missing {
			continue
		}
		served = append(served, id)
		if !manifest && id == f.duplicate {
			served = append(served, id)
		}
	}
	end := min(from+limit, len(served))
	var items []string
	for i := from; i < end; i++ {
		if manifest {
			items = append(items, fmt.Sprintf(`{"id":%q,"date_added":"t%d","version":"2024-01-01T00:00:00.000Z"}`, served[i], i))
		} else {
			items = append(items, fmt.Sprintf(`{"type":"indicator","id":%q,"name":"a \"quoted\" {name}","x":[{"id":"not-this"}]}`, served[i]))
		}
	}
	w.Header().Set("Content-Type", mediaType)
	if end > from {
		w.Header().Set("X-TAXII-Date-Added-Last", "t"+strconv.Itoa(end-1))
	}
	fmt.Fprintf(w, `{"more":%v,"next":"%d","objects":[%s]}`, end < len(served), end, strings.Join(items, ","))
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i)
	}
	return out
}

// TestWalk: a verified walk finds a planted duplicate and a planted
// missing object, by next and by added_after, and nothing on a clean
// collection.
func TestWalk(t *testing.T) {
	for _, tc := range []struct {
		name                string
		f                   fakeCollection
		duplicates, missing int
	}{
		{"clean", fakeCollection{ids: ids(25)}, 0, 0},
		{"a duplicate", fakeCollection{ids: ids(25), duplicate: ids(25)[7]}, 1, 0},
		{"a missing object", fakeCollection{ids: ids(25), missing: ids(25)[12]}, 0, 1},
	} {
		for _, byAddedAfter := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, added_after %v", tc.name, byAddedAfter), func(t *testing.T) {
				ts := httptest.NewServer(&tc.f)
				defer ts.Close()
				c := NewClient(ts.URL+"/r/collections/c/objects/", "")
				r, err := Walk(context.Background(), c, WalkOptions{Limit: 10, ByAddedAfter: byAddedAfter, Verify: true})
				if err != nil {
					t.Fatal(err)
				}
				want := 25 - tc.missing + tc.duplicates
				if r.Duplicates != tc.duplicates || r.Missing != tc.missing || r.Unexpected != 0 || r.Objects != want || r.Requests != 3 {
					t.Errorf("%+v; want %d duplicates, %d missing, %d objects in 3 requests", r, tc.duplicates, tc.missing, want)
				}
			})
		}
	}
}

// TestCeiling: the ceiling serves exactly the page it was given, with its
// TAXII headers, to any request.
func TestCeiling(t *testing.T) {
	ts := httptest.NewServer(&fakeCollection{ids: ids(30)})
	defer ts.Close()
	c := NewClient(ts.URL+"/r/collections/c/objects/", "")
	want, wantHeader, err := c.get(context.Background(), c.ObjectsURL, map[string][]string{"limit": {"10"}})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := newCeiling(context.Background(), c, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, path := range []string{"", "?limit=10&next=20", "?added_after=t3"} {
		res, err := http.Get(cl.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(got) != string(want) || res.Header.Get("X-TAXII-Date-Added-Last") != wantHeader.Get("X-TAXII-Date-Added-Last") ||
			res.Header.Get("Content-Type") != mediaType {
			t.Errorf("%s: %s %v, want %s", path, got, res.Header, want)
		}
	}
	r, err := WalkWithCeiling(context.Background(), c, WalkOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if r.Ceiling == nil || r.Ceiling.Requests != r.Requests || r.Ceiling.Objects != 30 || r.Ratio <= 0 {
		t.Errorf("walk with ceiling: %+v, ceiling %+v", r, r.Ceiling)
	}
}

// TestScanPage: the scan finds more, next and the objects' ids (not ids
// nested deeper), and refuses what is not a page.
func TestScanPage(t *testing.T) {
	p, err := scanPage([]byte(` { "next" : "abc" , "objects" : [ {"x":{"id":"nested"},"id":"a--1","s":"}]\"id\""}, {"id":"b--2"} ], "more": true } `))
	if err != nil || !p.More || p.Next != "abc" || len(p.IDs) != 2 || string(p.IDs[0]) != "a--1" || string(p.IDs[1]) != "b--2" {
		t.Errorf("%+v %v", p, err)
	}
	if p, err := scanPage([]byte(`{"more":false}`)); err != nil || p.More || len(p.IDs) != 0 {
		t.Errorf("empty page: %+v %v", p, err)
	}
	for _, bad := range []string{``, `[]`, `{"objects":[{"id":"a"}`, `{"more":}`, `{"objects":[1]}`, `{"next":"unterminated}`} {
		if _, err := scanPage([]byte(bad)); err == nil {
			t.Errorf("%q scanned as a page", bad)
		}
	}
}

// TestPoll: polls at random positions count requests and objects, and a
// poll against the ceiling compares.
func TestPoll(t *testing.T) {
	ts := httptest.NewServer(&fakeCollection{ids: ids(50)})
	defer ts.Close()
	c := NewClient(ts.URL+"/r/collections/c/objects/", "")
	r, err := PollWithCeiling(context.Background(), c, PollOptions{Limit: 10, Connections: 2, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.Errors != 0 || r.Objects == 0 || r.P50 == 0 || r.Ceiling == nil || r.Ceiling.Requests == 0 || r.Ratio <= 0 {
		t.Errorf("%+v", r)
	}
}

// FuzzScanPage: the scan never panics, and a page it accepts has only ids
// it found in the body.
func FuzzScanPage(f *testing.F) {
	f.Add([]byte(`{"more":true,"next":"x","objects":[{"id":"a"},{"id":"b","date_added":"t"}]}`))
	f.Add([]byte(`{"objects":[{"x":[{"id":"n"}],"s":"\"}"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := scanPage(b)
		if err != nil {
			return
		}
		for _, id := range p.IDs {
			if !strings.Contains(string(b), string(id)) {
				t.Fatalf("id %q is not in the body", id)
			}
		}
	})
}

// gzipping compresses what h answers for requests that accept gzip.
type gzipping struct{ h http.Handler }

func (g gzipping) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Accept-Encoding") != "gzip" {
		g.h.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	g.h.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Encoding", "gzip")
	zw := gzip.NewWriter(w)
	zw.Write(rec.Body.Bytes())
	zw.Close()
}

// TestGzip: with Gzip, a walk asks for compressed pages, sees the same
// objects and counts fewer bytes; its ceiling serves the compressed page,
// as the server sent it.
func TestGzip(t *testing.T) {
	ts := httptest.NewServer(gzipping{&fakeCollection{ids: ids(30)}})
	defer ts.Close()
	plain := NewClient(ts.URL+"/r/collections/c/objects/", "")
	compressed := NewClient(ts.URL+"/r/collections/c/objects/", "")
	compressed.Gzip = true
	want, err := Walk(context.Background(), plain, WalkOptions{Limit: 10, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := WalkWithCeiling(context.Background(), compressed, WalkOptions{Limit: 10, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Objects != 30 || got.Missing+got.Duplicates+got.Unexpected != 0 || got.WireBytes <= 0 || got.WireBytes >= want.WireBytes {
		t.Errorf("gzip walk %+v; identity walk %+v", got, want)
	}
	if got.Ceiling == nil || got.Ceiling.Objects != 30 || got.Ceiling.WireBytes >= want.WireBytes {
		t.Errorf("gzip ceiling %+v", got.Ceiling)
	}
	cl, err := newCeiling(context.Background(), compressed, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(mustRequest(t, cl.URL)) // as sent
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("the ceiling serves %v, %v", res.Header, err)
	}
	page, _ := io.ReadAll(zr)
	if p, err := scanPage(page); err != nil || len(p.IDs) != 10 {
		t.Errorf("the ceiling's page: %s %v", page, err)
	}
}

func mustRequest(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
