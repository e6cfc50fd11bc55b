package taxii_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"liaison/store"
	"liaison/taxii"
)

// queryCountingStore is the fixture's real store, counting queries.
type queryCountingStore struct {
	store.Store
	queries atomic.Int64
}

func (s *queryCountingStore) Query(ctx context.Context, collection string, q store.Query) (store.Page, error) {
	s.queries.Add(1)
	return s.Store.Query(ctx, collection, q)
}

// TestPageETag: every page has a strong entity tag; asking again with it
// in If-None-Match gets 304 with the same ETag and Vary and no body,
// without a query, for GET and HEAD; any other tag gets the page.
func TestPageETag(t *testing.T) {
	f := newFixture(t)
	st := &queryCountingStore{Store: f.db}
	f.server = taxii.NewServer(st, testKey)
	f.handler = f.server.Handler()
	for _, path := range []string{
		"/api1/collections/{public}/objects/",
		"/api1/collections/{public}/objects/?limit=2",
		"/api1/collections/{public}/manifest/?match[type]=indicator",
		"/api1/collections/{public}/objects/" + idA + "/",
		"/api1/collections/{public}/objects/" + idA + "/versions/",
		"/api1/collections/{public}/objects/?added_after=2099-01-01T00:00:00Z", // empty
	} {
		first := f.getWith(t, path)
		tag := first.Header().Get("ETag")
		if first.Code != http.StatusOK || len(tag) < 10 || !strings.HasPrefix(tag, `"`) || !strings.HasSuffix(tag, `"`) {
			t.Fatalf("%s: %d, ETag %q: want 200 and a strong entity tag", path, first.Code, tag)
		}
		for _, inm := range []string{tag, "W/" + tag, `"other", ` + tag, `"x"` + "," + tag} {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				queries := st.queries.Load()
				req := newRequest(f, method, path, "If-None-Match", inm)
				res := serveRecorded(f, req)
				if res.Code != http.StatusNotModified || res.Body.Len() != 0 || res.Header().Get("ETag") != tag || !varies(res.Header()) {
					t.Errorf("%s %s, If-None-Match %s: %d %v %q", method, path, inm, res.Code, res.Header(), res.Body)
				}
				if n := st.queries.Load() - queries; n != 0 {
					t.Errorf("%s %s: a 304 ran %d queries", method, path, n)
				}
			}
		}
		for _, inm := range []string{`"other"`, strings.TrimSuffix(tag, `"`) + `x"`, strings.Trim(tag, `"`)} {
			res := f.getWith(t, path, "If-None-Match", inm)
			if res.Code != http.StatusOK || res.Header().Get("ETag") != tag || res.Body.String() != first.Body.String() {
				t.Errorf("%s, If-None-Match %s: %d, ETag %q: want the page", path, inm, res.Code, res.Header().Get("ETag"))
			}
		}
	}
	// "*" stands for any page of a collection, not for an object that
	// may not exist.
	if res := f.getWith(t, "/api1/collections/{public}/objects/", "If-None-Match", "*"); res.Code != http.StatusNotModified {
		t.Errorf("If-None-Match *: %d", res.Code)
	}
	if res := f.getWith(t, "/api1/collections/{public}/objects/indicator--99999999-0000-4000-8000-000000000000/", "If-None-Match", "*"); res.Code != http.StatusNotFound {
		t.Errorf("If-None-Match * on an absent object: %d, want 404", res.Code)
	}
	// Errors carry no entity tag.
	if res := f.getWith(t, "/api1/collections/{public}/objects/indicator--99999999-0000-4000-8000-000000000000/"); res.Header().Get("ETag") != "" {
		t.Errorf("a 404 has ETag %q", res.Header().Get("ETag"))
	}
}

// TestPageETagChanges: a page's entity tag changes when what it is made
// of changes (an object added or deleted, through TAXII or, reported by
// ResourcesChanged, the admin API), and differs between pages and between
// the identity and gzip bodies; an old tag then gets the new page, never
// 304.
func TestPageETagChanges(t *testing.T) {
	f := newFixture(t)
	givenWritable(f)
	const objects = "/api1/collections/{writable}/objects/"
	tagOf := func(path string, headers ...string) string {
		t.Helper()
		res := f.getWith(t, path, headers...)
		if res.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, res.Code, res.Body)
		}
		return res.Header().Get("ETag")
	}
	stillValid := func(path, tag string) bool {
		t.Helper()
		return f.getWith(t, path, "If-None-Match", tag).Code == http.StatusNotModified
	}

	// Different pages, different tags; the same page, the same tag.
	seen := map[string]string{}
	for _, path := range []string{
		objects, objects + "?limit=1", objects + "?limit=2", objects + "?added_after=" + pubAdded(0),
		objects + "?match[type]=malware", "/api1/collections/{writable}/manifest/",
		"/api1/collections/{public}/objects/", objects + idA + "/", objects + idA + "/versions/",
	} {
		tag := tagOf(path)
		if other, ok := seen[tag]; ok {
			t.Errorf("%s and %s have the same ETag %s", path, other, tag)
		}
		seen[tag] = path
		if again := tagOf(path); again != tag {
			t.Errorf("%s: ETag %s, then %s for the same page", path, tag, again)
		}
	}
	// The next page has its own tag.
	res := f.getWith(t, objects+"?limit=1")
	next := decode(t, res.Body.Bytes())["next"].(string)
	if tag := tagOf(objects + "?limit=1&next=" + next); seen[tag] != "" {
		t.Errorf("the next page has the ETag of %s", seen[tag])
	}
	// The gzip body has its own tag, which does not stand for the identity
	// body.
	plain, zipped := tagOf(objects), tagOf(objects, "Accept-Encoding", "gzip")
	if plain == zipped {
		t.Errorf("identity and gzip bodies share ETag %s", plain)
	}
	if res := f.getWith(t, objects, "If-None-Match", zipped); res.Code != http.StatusOK {
		t.Errorf("the gzip body's tag on an identity request: %d, want 200", res.Code)
	}
	if res := f.getWith(t, objects, "If-None-Match", zipped, "Accept-Encoding", "gzip"); res.Code != http.StatusNotModified {
		t.Errorf("the gzip body's tag on a gzip request: %d, want 304", res.Code)
	}

	// An object added: every page of the collection changes tag.
	before, manifest := tagOf(objects), tagOf("/api1/collections/{writable}/manifest/")
	f.clock.Set(tTest.Add(time.Minute))
	if res := f.post(t, objects, `{"objects":[`+indicatorJSON("indicator--e7e7e7e7-0000-4000-8000-000000000001", vA1, vA1, "new")+`]}`); res.status != http.StatusAccepted {
		t.Fatalf("POST: %s", res)
	}
	if stillValid(objects, before) || stillValid("/api1/collections/{writable}/manifest/", manifest) {
		t.Error("after an object was added, the old tags still get 304")
	}
	if res := f.getWith(t, objects, "If-None-Match", before); !strings.Contains(res.Body.String(), "e7e7e7e7") {
		t.Errorf("the old tag did not get the new page: %d %s", res.Code, res.Body)
	}
	// A duplicate changes nothing.
	before = tagOf(objects)
	if res := f.post(t, objects, `{"objects":[`+indicatorJSON("indicator--e7e7e7e7-0000-4000-8000-000000000001", vA1, vA1, "new")+`]}`); res.status != http.StatusAccepted {
		t.Fatalf("POST: %s", res)
	}
	if !stillValid(objects, before) {
		t.Error("after a POST that stored nothing, the tag changed")
	}

	// An object deleted through TAXII.
	before, versions := tagOf(objects), tagOf(objects+idA+"/versions/")
	if res := f.do(t, request{method: http.MethodDelete, path: objects + idA + "/?match[version]=" + vA1}); res.status != http.StatusOK {
		t.Fatalf("DELETE: %s", res)
	}
	if stillValid(objects, before) || stillValid(objects+idA+"/versions/", versions) {
		t.Error("after a DELETE, the old tags still get 304")
	}

	// A deletion made to the store directly, reported as the admin API
	// reports its changes.
	before = tagOf(objects)
	if _, err := f.db.DeleteObject(context.Background(), f.id("writable"), idM, store.VersionSelect{All: true}, nil, nil); err != nil {
		t.Fatal(err)
	}
	f.server.ResourcesChanged()
	if stillValid(objects, before) {
		t.Error("after ResourcesChanged, the old tag still gets 304")
	}

	// The tags of a server that restarted (another Server) are not its:
	// the database may have changed while it was down.
	other := taxii.NewServer(f.db, testKey)
	req := newRequest(f, http.MethodGet, objects, "If-None-Match", tagOf(objects))
	rec := serveRecordedBy(other.Handler(), req)
	if rec.Code != http.StatusOK {
		t.Errorf("a tag from another server instance: %d, want 200", rec.Code)
	}
}

func newRequest(f *fixture, method, path string, headers ...string) *http.Request {
	req, _ := http.NewRequest(method, f.repl.Replace(path), nil)
	req.Header.Set("Accept", taxii.MediaType)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	return req
}
