package admin_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
	storeadmin "liaison/store/admin"
	"liaison/taxii"
	"liaison/taxii/admin"
	"liaison/taxii/auth"
)

// newServer is a real server with accounts and the admin API, and the
// API keys of an admin and of a plain user.
func newServer(t *testing.T) (*httptest.Server, string, string) {
	t.Helper()
	ctx := context.Background()
	db := store.NewDB(filepath.Join(t.TempDir(), "db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.CreateUser(ctx, "root", true, "")
	db.CreateUser(ctx, "alice", false, "")
	_, rootKey, _ := db.CreateAPIKey(ctx, "root", time.Time{})
	_, aliceKey, _ := db.CreateAPIKey(ctx, "alice", time.Time{})
	acc := auth.NewAccounts(db)
	srv := taxii.NewServer(db, []byte("k"))
	srv.Access = acc
	h := &admin.Handler{API: storeadmin.New(db, stix.NewValidator()), Challenges: acc.Challenges(), AccountsChanged: acc.Invalidate}
	srv.Extensions = append(srv.Extensions, h.Register)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, rootKey, aliceKey
}

func call(t *testing.T, ts *httptest.Server, key, method, path, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, ts.URL+path, r)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestAdminErrors: bad input to the admin API gets a TAXII error resource
// with the right status and a message a person can act on.
func TestAdminErrors(t *testing.T) {
	ts, root, alice := newServer(t)
	call(t, ts, root, "POST", "/admin/api-roots/", `{"name":"r","title":"R"}`)
	for _, tc := range []struct {
		name, key, method, path, body string
		status                        int
		msg                           string
	}{
		{"anonymous", "", "GET", "/admin/stats/", "", 401, "admin"},
		{"not an admin", alice, "GET", "/admin/stats/", "", 403, "admins only"},
		{"broken JSON", root, "POST", "/admin/api-roots/", `{"name":`, 400, "expected JSON"},
		{"unknown field", root, "POST", "/admin/api-roots/", `{"name":"x","title":"X","colour":"red"}`, 400, "colour"},
		{"duplicate API root", root, "POST", "/admin/api-roots/", `{"name":"r","title":"R"}`, 409, ""},
		{"reserved name", root, "POST", "/admin/api-roots/", `{"name":"taxii2","title":"T"}`, 400, "reserved"},
		{"no ref", root, "GET", "/admin/collection/", "", 400, "ref"},
		{"unknown collection", root, "GET", "/admin/collection/?ref=nope", "", 404, ""},
		{"bad force", root, "DELETE", "/admin/api-roots/r/?force=maybe", "", 400, "force"},
		{"unknown user", root, "DELETE", "/admin/users/ghost/", "", 404, ""},
		{"empty password", root, "PUT", "/admin/users/alice/password/", `{"password":""}`, 400, "password"},
		{"negative lifetime", root, "POST", "/admin/users/alice/keys/", `{"lifetime":-1}`, 400, "lifetime"},
		{"bad added_after", root, "GET", "/admin/collection/export/?ref=x&added_after=soon", "", 400, "added_after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, ts, tc.key, tc.method, tc.path, tc.body)
			var e taxii.ErrorResource
			if status != tc.status || json.Unmarshal([]byte(body), &e) != nil || e.HTTPStatus != strconv.Itoa(status) || !strings.Contains(body, tc.msg) {
				t.Errorf("%s %s = %d %s; want %d with %q", tc.method, tc.path, status, body, tc.status, tc.msg)
			}
		})
	}
}

// TestAdminImportBroken: an import whose stream breaks half way says so,
// and how many objects it stored before.
func TestAdminImportBroken(t *testing.T) {
	ts, root, _ := newServer(t)
	call(t, ts, root, "POST", "/admin/api-roots/", `{"name":"r","title":"R"}`)
	call(t, ts, root, "POST", "/admin/collections/", `{"api_root":"r","title":"C","alias":"c"}`)
	obj := `{"type":"malware","spec_version":"2.1","id":"malware--6d6e6f70-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"m","is_family":true}`
	status, body := call(t, ts, root, "POST", "/admin/collection/import/?ref=r/c", `{"objects":[`+obj+`,{`)
	if status != 400 || !strings.Contains(body, "1 objects were imported before") {
		t.Fatalf("broken import = %d %s", status, body)
	}
	status, body = call(t, ts, root, "GET", "/admin/collection/?ref=r/c", "")
	if status != 200 || !strings.Contains(body, `"objects":1`) {
		t.Errorf("after the broken import: %d %s", status, body)
	}
}
