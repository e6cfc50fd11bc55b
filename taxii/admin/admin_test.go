package admin_test

import (
	"context"
	"encoding/json"
	"errors"
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
	"liaison/store/bolt"
	"liaison/store/curation"
	"liaison/store/storetest"
	"liaison/taxii"
	"liaison/taxii/admin"
	"liaison/taxii/auth"
)

// newServer is a real server with accounts and the admin API, and the
// API keys of an admin and of a plain user.
func newServer(t *testing.T) (*httptest.Server, string, string) {
	t.Helper()
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{Options: store.Options{PasswordCost: storetest.CheapPasswordCost()}})
	if err != nil {
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
	h := &admin.Handler{API: curation.New(db, stix.NewValidator()), Challenges: acc.Challenges(), AccountsChanged: acc.Invalidate}
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
		{"unknown collection", root, "GET", "/admin/collection/?ref=nope", "", 404, `collection \"nope\": collection not found`},
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

// TestAdminErrorCodes: the server answers each store error with the code
// the store gives it, and the CLI's client maps that code back, so that
// errors.Is works online as it does offline.
func TestAdminErrorCodes(t *testing.T) {
	ts, root, _ := newServer(t)
	ctx := context.Background()
	c := &curation.Client{BaseURL: ts.URL, Token: root, HTTP: ts.Client()}
	if _, err := c.AddAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"}); err != nil {
		t.Fatal(err)
	}
	col, err := c.AddCollection(ctx, store.Collection{APIRoot: "r", Title: "C", Alias: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Import(ctx, "r/c", "", strings.NewReader(`{"objects":[{"type":"malware","spec_version":"2.1","id":"malware--6d6e6f70-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"m","is_family":true}]}`), nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		want error
	}{
		{"unknown API root", func() error { _, err := c.UpdateAPIRoot(ctx, "nope", store.APIRootUpdate{}); return err }, store.ErrAPIRootNotFound},
		{"unknown collection", func() error { _, err := c.Collection(ctx, "r/nope"); return err }, store.ErrCollectionNotFound},
		{"unknown object", func() error {
			_, err := c.DeleteObject(ctx, col.ID, "indicator--6d6e6f70-0000-4000-8000-000000000009", "")
			return err
		}, store.ErrObjectNotFound},
		{"unknown user", func() error { return c.RemoveUser(ctx, "ghost") }, store.ErrUserNotFound},
		{"unknown key", func() error { return c.RevokeAPIKey(ctx, "0123456789abcdef") }, store.ErrAPIKeyNotFound},
		{"existing API root", func() error { _, err := c.AddAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"}); return err }, store.ErrExists},
		{"collection with objects", func() error { return c.RemoveCollection(ctx, "r/c", false) }, store.ErrNotEmpty},
		{"invalid name", func() error { _, err := c.AddAPIRoot(ctx, store.APIRoot{Name: "taxii2", Title: "T"}); return err }, store.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var re *curation.RemoteError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not the server's answer", err)
			}
			if re.Code != store.ErrorCode(tc.want) {
				t.Errorf("error_code %q, want %q", re.Code, store.ErrorCode(tc.want))
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("the client's error %v is not %v", err, tc.want)
			}
		})
	}
}

// TestAdminContentType: the admin API answers plain JSON, errors
// included (from authentication too), while the TAXII API beside it keeps
// the TAXII media type.
func TestAdminContentType(t *testing.T) {
	ts, root, alice := newServer(t)
	for _, tc := range []struct {
		name, key, method, path, body string
		status                        int
		want                          string
	}{
		{"created", root, "POST", "/admin/api-roots/", `{"name":"r","title":"R"}`, 201, "application/json"},
		{"list", root, "GET", "/admin/api-roots/", "", 200, "application/json"},
		{"bad request", root, "POST", "/admin/api-roots/", `{`, 400, "application/json"},
		{"not found", root, "GET", "/admin/collection/?ref=nope", "", 404, "application/json"},
		{"no such admin route", root, "GET", "/admin/nothing/", "", 404, "application/json"},
		{"anonymous", "", "GET", "/admin/stats/", "", 401, "application/json"},
		{"wrong key", "lsn_0123456789abcdef_" + strings.Repeat("A", 43), "GET", "/admin/stats/", "", 401, "application/json"},
		{"not an admin", alice, "GET", "/admin/stats/", "", 403, "application/json"},
		{"TAXII discovery", root, "GET", "/taxii2/", "", 200, taxii.MediaType},
		{"TAXII error", root, "GET", "/nope/", "", 404, taxii.MediaType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r io.Reader
			if tc.body != "" {
				r = strings.NewReader(tc.body)
			}
			req, _ := http.NewRequest(tc.method, ts.URL+tc.path, r)
			if tc.key != "" {
				req.Header.Set("Authorization", "Bearer "+tc.key)
			}
			req.Header.Set("Content-Type", "application/json")
			res, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.status || res.Header.Get("Content-Type") != tc.want {
				t.Errorf("%s %s = %d %q, want %d %q", tc.method, tc.path, res.StatusCode, res.Header.Get("Content-Type"), tc.status, tc.want)
			}
		})
	}
}

// TestAdminMediaTypes: the admin API sets a collection's media types by
// the field its collections show, media_types, on creation and update.
func TestAdminMediaTypes(t *testing.T) {
	ts, root, _ := newServer(t)
	call(t, ts, root, "POST", "/admin/api-roots/", `{"name":"r","title":"R"}`)
	status, body := call(t, ts, root, "POST", "/admin/collections/", `{"api_root":"r","title":"C","alias":"c","media_types":["application/stix+json;version=2.0"]}`)
	if status != 201 || !strings.Contains(body, `"media_types":["application/stix+json;version=2.0"]`) {
		t.Fatalf("create with media_types = %d %s", status, body)
	}
	status, body = call(t, ts, root, "PATCH", "/admin/collection/?ref=r/c", `{"media_types":["application/stix+json;version=2.1","application/stix+json;version=2.0"]}`)
	if status != 200 || !strings.Contains(body, `"media_types":["application/stix+json;version=2.1","application/stix+json;version=2.0"]`) {
		t.Fatalf("update media_types = %d %s", status, body)
	}
	status, body = call(t, ts, root, "PATCH", "/admin/collection/?ref=r/c", `{"media_types":["text/plain"]}`)
	if status != 400 || !strings.Contains(body, "text/plain") {
		t.Errorf("update with a bad media type = %d %s", status, body)
	}
}

// TestAdminAPIRootUpdate: an API root's settings are changed by the same
// snake_case names its representation shows.
func TestAdminAPIRootUpdate(t *testing.T) {
	ts, root, _ := newServer(t)
	call(t, ts, root, "POST", "/admin/api-roots/", `{"name":"r","title":"R"}`)
	status, body := call(t, ts, root, "PATCH", "/admin/api-roots/r/", `{"title":"R2","max_content_length":2048,"default_limit":20,"max_limit":50}`)
	if status != 200 || !strings.Contains(body, `"title":"R2"`) || !strings.Contains(body, `"max_content_length":2048`) || !strings.Contains(body, `"max_limit":50`) {
		t.Errorf("PATCH = %d %s", status, body)
	}
}
