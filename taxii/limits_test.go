package taxii_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"liaison/store"
	"liaison/store/bolt"
	"liaison/taxii"
)

// TestPostObjectLimit: an envelope with more objects than the API root's
// MaxObjects is refused with 413 before anything is stored; one at the
// limit is accepted.
func TestPostObjectLimit(t *testing.T) {
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R", MaxObjects: 3}); err != nil {
		t.Fatal(err)
	}
	coll, err := db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "C", PublicRead: true, PublicWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	h := taxii.NewServer(db, testKey).Handler()
	path := "/r/collections/" + coll.ID + "/objects/"
	objs := func(n int) string {
		var list []string
		for i := range n {
			list = append(list, malwareJSON(fmt.Sprintf("malware--a1a1a1a1-0000-4000-8000-%012d", i), "2024-01-01T00:00:00.000Z", "m"))
		}
		return `{"objects":[` + strings.Join(list, ",") + `]}`
	}
	res := serve(t, h, path, request{method: http.MethodPost, body: objs(4)})
	expectError(t, res, wantError{status: http.StatusRequestEntityTooLarge, code: "too-many-objects", desc: []string{"more than 3 objects"}})
	res = serve(t, h, path, request{method: http.MethodPost, body: `{"objects":[1,1,1,1,1,1,1,1]}`})
	expectError(t, res, wantError{status: http.StatusRequestEntityTooLarge, code: "too-many-objects"})
	expectEmptyPage(t, serve(t, h, path, request{}))

	res = serve(t, h, path, request{method: http.MethodPost, body: objs(3)})
	expectStatus(t, res, http.StatusAccepted)
	if st := decode(t, res.body); st["success_count"] != float64(3) {
		t.Errorf("status = %s", res.body)
	}
}

// TestObjectIDShape: an object path segment that is not a STIX identifier
// names no object (404), even when it starts with a stored id.
func TestObjectIDShape(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{idA + "%00", idA + "x", "indicator", "not-an-id", strings.ToUpper(idA)} {
		for _, ep := range []string{"", "versions/"} {
			res := f.get(t, "/api1/collections/{public}/objects/"+id+"/"+ep)
			expectError(t, res, wantError{status: http.StatusNotFound, code: "object-not-found"})
		}
	}
}

// TestNextWithExplicitDefault: repeating the defaults explicitly with next
// (match[version]=last) is the same query as leaving them out.
func TestNextWithExplicitDefault(t *testing.T) {
	f := newFixture(t)
	path := "/api1/collections/{public}/objects/"
	next := firstNext(t, f.get, path+"?limit=1")
	res := f.get(t, path+"?limit=1&match[version]=last&next="+next)
	expectStatus(t, res, http.StatusOK)
	next = firstNext(t, f.get, path+"?limit=1&match[version]=last")
	expectStatus(t, f.get(t, path+"?limit=1&next="+next), http.StatusOK)
}

// TestDiscoveryBehindWildcard: without a public URL the API root URLs follow
// the Host the client used.
func TestDiscoveryBehindWildcard(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest(http.MethodGet, "/taxii2/", nil)
	req.Host = "taxii.partner.test:8443"
	req.Header.Set("Accept", taxii.MediaType)
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), `"http://taxii.partner.test:8443/api1/"`) {
		t.Errorf("discovery = %s", rec.Body)
	}
}

// TestPostBusy: the bytes of POST bodies processed at once are bounded; a
// POST that does not fit waits PostWait, then is answered 503 with
// Retry-After and a TAXII error, and nothing of it is stored. A body
// larger than the bound is processed alone.
func TestPostBusy(t *testing.T) {
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"}); err != nil {
		t.Fatal(err)
	}
	coll, err := db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "C", PublicRead: true, PublicWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	path := "/r/collections/" + coll.ID + "/objects/"
	const (
		idSlow = "malware--a1a1a1a1-0000-4000-8000-000000000001"
		idBusy = "malware--a1a1a1a1-0000-4000-8000-000000000002"
	)
	slowBody := `{"objects":[` + malwareJSON(idSlow, "2024-01-01T00:00:00.000Z", "slow") + `]}`
	busyBody := `{"objects":[` + malwareJSON(idBusy, "2024-01-01T00:00:00.000Z", "busy") + `]}`
	srv := taxii.NewServer(db, testKey)
	srv.MaxPostBytes, srv.PostWait = int64(len(slowBody))+10, 50*time.Millisecond
	h := srv.Handler()

	// A client that sends its body slowly holds its room meanwhile.
	pr, pw := io.Pipe()
	slow := httptest.NewRequest(http.MethodPost, path, pr)
	slow.ContentLength = int64(len(slowBody))
	slow.Header.Set("Accept", taxii.MediaType)
	slow.Header.Set("Content-Type", taxii.MediaType)
	done := make(chan *httptest.ResponseRecorder)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, slow)
		done <- rec
	}()
	if _, err := io.WriteString(pw, slowBody[:1]); err != nil { // read: admitted
		t.Fatal(err)
	}
	res := serve(t, h, path, request{method: http.MethodPost, body: busyBody})
	expectError(t, res, wantError{status: http.StatusServiceUnavailable, code: "busy", desc: []string{"nothing of this request was stored", "Retry in 1 seconds"}})
	if got := res.header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After = %q, want 1", got)
	}
	expectError(t, serve(t, h, path+idBusy+"/", request{}), wantError{status: http.StatusNotFound, code: "object-not-found"})

	// Its room is free once it is done.
	if _, err := io.WriteString(pw, slowBody[1:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if rec := <-done; rec.Code != http.StatusAccepted {
		t.Fatalf("slow POST: %d %s", rec.Code, rec.Body)
	}
	expectStatus(t, serve(t, h, path, request{method: http.MethodPost, body: busyBody}), http.StatusAccepted)

	// A body larger than the bound, chunked or not, is processed alone.
	small := taxii.NewServer(db, testKey)
	small.MaxPostBytes = 10
	hs := small.Handler()
	expectStatus(t, serve(t, hs, path, request{method: http.MethodPost, body: slowBody}), http.StatusAccepted)
	expectStatus(t, serve(t, hs, path, request{method: http.MethodPost, body: busyBody, chunked: true}), http.StatusAccepted)
}
