package taxii_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"liaison/store"
	"liaison/taxii"
)

// TestPostObjectLimit: an envelope with more objects than the API root's
// MaxObjects is refused with 413 before anything is stored; one at the
// limit is accepted.
func TestPostObjectLimit(t *testing.T) {
	ctx := context.Background()
	db := store.NewDB(filepath.Join(t.TempDir(), "db"))
	if err := db.Open(); err != nil {
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
