package admin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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
// server keeps what it read (ResourcesChanged is the hook).
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
}
