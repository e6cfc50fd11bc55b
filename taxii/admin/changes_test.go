package admin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
	"liaison/store/bolt"
	"liaison/store/curation"
	"liaison/store/storetest"
	"liaison/taxii"
	"liaison/taxii/admin"
	"liaison/taxii/auth"
)

// TestAdminChangesShowAtOnce: a collection changed through the admin API
// is served changed by the next TAXII request, however long the TAXII
// server keeps what it read, and an object deleted through it changes the
// pages' entity tags (ResourcesChanged is the hook).
func TestAdminChangesShowAtOnce(t *testing.T) {
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{Options: store.Options{PasswordCost: storetest.CheapPasswordCost()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.CreateUser(ctx, "root", true, "")
	_, rootKey, _ := db.CreateAPIKey(ctx, "root", time.Time{})
	acc := auth.NewAccounts(db)
	srv := taxii.NewServer(db, []byte("k"))
	srv.Access = acc
	srv.ResourceCacheTTL = time.Hour
	h := &admin.Handler{API: curation.New(db, stix.NewValidator()), Challenges: acc.Challenges(),
		AccountsChanged: acc.Invalidate, ResourcesChanged: srv.ResourcesChanged}
	srv.Extensions = append(srv.Extensions, h.Register)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	call(t, ts, rootKey, "POST", "/admin/api-roots/", `{"name":"r","title":"R"}`)
	if code, body := call(t, ts, rootKey, "POST", "/admin/collections/", `{"api_root":"r","title":"C","alias":"c","public_read":true}`); code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("add collection: %d %s", code, body)
	}
	anonymous := func() int {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+"/r/collections/c/objects/", nil)
		req.Header.Set("Accept", taxii.MediaType)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := anonymous(); code != http.StatusOK {
		t.Fatalf("public collection: %d", code)
	}
	if code, body := call(t, ts, rootKey, "PATCH", "/admin/collection/?ref=r/c", `{"public_read":false}`); code != http.StatusOK {
		t.Fatalf("update collection: %d %s", code, body)
	}
	if code := anonymous(); code != http.StatusUnauthorized {
		t.Fatalf("after public_read was turned off: %d, want 401", code)
	}
	if code, body := call(t, ts, rootKey, "PATCH", "/admin/collection/?ref=r/c", `{"alias":"d","public_read":true}`); code != http.StatusOK {
		t.Fatalf("rename: %d %s", code, body)
	}
	if code := anonymous(); code != http.StatusUnauthorized {
		t.Fatalf("the old alias after a rename: %d, want 401", code)
	}

	const id = "indicator--f0f0f0f0-0000-4000-8000-000000000001"
	obj := `{"type":"indicator","spec_version":"2.1","id":"` + id + `","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00.000Z"}`
	for _, o := range []string{obj, strings.Replace(obj, "f0f0f0f0", "f1f1f1f1", 1)} {
		if code, body := call(t, ts, rootKey, "POST", "/admin/collection/import/?ref=r/d", `{"objects":[`+o+`]}`); code != http.StatusOK {
			t.Fatalf("import: %d %s", code, body)
		}
	}
	page := func(inm string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+"/r/collections/d/objects/", nil)
		req.Header.Set("Accept", taxii.MediaType)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode, res.Header.Get("ETag")
	}
	_, tag := page("")
	if code, _ := page(tag); code != http.StatusNotModified {
		t.Fatalf("unchanged page: %d, want 304", code)
	}
	if code, body := call(t, ts, rootKey, "DELETE", "/admin/collection/object/?ref=r/d&id="+id, ""); code != http.StatusOK {
		t.Fatalf("delete: %d %s", code, body)
	}
	if code, _ := page(tag); code != http.StatusOK {
		t.Fatalf("after a deletion through the admin API: %d, want 200", code)
	}
}
