package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"liaison/store"
	"liaison/store/curation"
	"liaison/store/postgres/pgtest"
	"liaison/taxii"
)

// revocationBound is how soon a key revoked through one replica is refused
// by the others: they hear of it by NOTIFY, in milliseconds. Without the
// notification it would be the key cache's TTL (ten seconds).
const revocationBound = 2 * time.Second

// TestReplicas runs three servers on one PostgreSQL database behind a
// round-robin reverse proxy. Writers post through the proxy, so through
// every replica, while two clients page through the proxy, one by next
// and one by added_after, until the writers are done and they have caught
// up: each sees every committed object exactly once; no two versions
// share a date_added; every replica accepts every cursor; an object
// deleted through one replica changes the others' entity tags at once; a
// collection changed through one reads as changed through the others
// within a second; and a key revoked through one replica is refused by the
// others at once.
func TestReplicas(t *testing.T) {
	db := pgtest.URL(t)
	ctx := context.Background()
	for _, args := range [][]string{
		{"user", "add", "admin", "--admin"},
		{"user", "add", "writer"},
		{"user", "add", "reader"},
		{"apiroot", "add", "r", "--title", "R"},
		{"collection", "add", "--api-root", "r", "--title", "Feed", "--alias", "feed"},
		{"grant", "writer", "--collection", "r/feed", "--write"},
		{"grant", "reader", "--collection", "r/feed", "--read"},
	} {
		if code, out, errOut := cmdline(t, "", append(args, "--db", db)...); code != 0 {
			t.Fatalf("liaison %s: %s %s", strings.Join(args, " "), out, errOut)
		}
	}
	key := func(user string) string {
		_, out, _ := cmdline(t, "", "apikey", "create", user, "--db", db)
		return strings.TrimSpace(out)
	}
	adminKey, writerKey, readerKey := key("admin"), key("writer"), key("reader")

	var replicas []*Main
	for range 3 {
		replicas = append(replicas, MustRunMain(t, "--db", db))
	}
	var turn atomic.Uint64
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		u, _ := url.Parse(replicas[turn.Add(1)%uint64(len(replicas))].URL)
		r.SetURL(u)
	}})
	t.Cleanup(proxy.Close)
	var collID string
	{
		var c struct {
			Collections []struct{ ID, Alias string }
		}
		getJSONAs(t, proxy.URL+"/r/collections/", "Bearer "+readerKey, &c)
		for _, x := range c.Collections {
			if x.Alias == "feed" {
				collID = x.ID
			}
		}
	}
	objects := proxy.URL + "/r/collections/" + collID + "/objects/"

	// Writers: three at once, through the proxy.
	const writers, posts, perPost = 3, 20, 5
	var wg sync.WaitGroup
	var writing atomic.Int32
	for w := range writers {
		wg.Add(1)
		writing.Add(1)
		go func() {
			defer wg.Done()
			defer writing.Add(-1)
			for p := range posts {
				var objs []string
				for i := range perPost {
					n := (w*posts+p)*perPost + i
					objs = append(objs, fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--%08x-0000-4000-8000-000000000000","created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '10.0.0.1']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z"}`, n))
				}
				status, body := sendKey(t, http.MethodPost, objects, writerKey, `{"objects":[`+strings.Join(objs, ",")+`]}`)
				if status != http.StatusAccepted || !strings.Contains(body, `"success_count":5`) {
					t.Errorf("POST = %d %s", status, body)
					return
				}
			}
		}()
	}

	// Readers: one follows next, one added_after; both poll with
	// added_after when they reach the end, as TAXII clients do.
	type seen struct {
		ids     map[string]int
		cursors []string
	}
	read := func(byNext bool) seen {
		s := seen{ids: map[string]int{}}
		addedAfter, next := "", ""
		for {
			done := writing.Load() == 0
			for {
				u := objects + "?limit=7"
				switch {
				case byNext && next != "":
					u += "&next=" + url.QueryEscape(next)
					s.cursors = append(s.cursors, next)
				case addedAfter != "":
					u += "&added_after=" + addedAfter
				}
				var env struct {
					More    bool   `json:"more"`
					Next    string `json:"next"`
					Objects []struct{ ID string }
				}
				status, body, h := request(t, http.MethodGet, u, readerKey, "")
				if err := json.Unmarshal([]byte(body), &env); status != http.StatusOK || err != nil {
					t.Errorf("GET %s = %d %s", u, status, body)
					return s
				}
				for _, o := range env.Objects {
					s.ids[o.ID]++
				}
				if last := h.Get("X-TAXII-Date-Added-Last"); last != "" {
					addedAfter = last
				}
				next = env.Next
				if !env.More {
					break
				}
			}
			if done {
				return s
			}
		}
	}
	results := make([]seen, 2)
	var readers sync.WaitGroup
	for i, byNext := range []bool{true, false} {
		readers.Add(1)
		go func() {
			defer readers.Done()
			results[i] = read(byNext)
		}()
	}
	wg.Wait()
	readers.Wait()

	want := writers * posts * perPost
	for i, name := range []string{"by next", "by added_after"} {
		if len(results[i].ids) != want {
			t.Errorf("%s: saw %d objects, want %d", name, len(results[i].ids), want)
		}
		for id, n := range results[i].ids {
			if n != 1 {
				t.Errorf("%s: %s seen %d times", name, id, n)
			}
		}
	}
	if len(results[0].cursors) == 0 {
		t.Fatal("the next reader followed no cursor")
	}

	// No two versions share a date_added: the manifest lists them all.
	var manifest struct {
		Objects []struct {
			ID        string
			DateAdded string `json:"date_added"`
		}
	}
	getJSONAs(t, strings.Replace(objects, "/objects/", "/manifest/", 1)+"?limit=1000", "Bearer "+readerKey, &manifest)
	added := map[string]string{}
	for _, o := range manifest.Objects {
		if other, ok := added[o.DateAdded]; ok {
			t.Errorf("%s and %s share date_added %s", o.ID, other, o.DateAdded)
		}
		added[o.DateAdded] = o.ID
	}
	if len(manifest.Objects) != want {
		t.Errorf("manifest lists %d objects, want %d", len(manifest.Objects), want)
	}

	// Every replica accepts every cursor.
	cursor := results[0].cursors[len(results[0].cursors)/2]
	for i, m := range replicas {
		u := m.URL + "/r/collections/" + collID + "/objects/?limit=7&next=" + url.QueryEscape(cursor)
		if status, body := sendKey(t, http.MethodGet, u, readerKey, ""); status != http.StatusOK {
			t.Errorf("replica %d refused a cursor another one made: %d %s", i, status, body)
		}
	}

	admin := &curation.Client{BaseURL: replicas[0].URL, Token: adminKey, HTTP: &http.Client{}}

	// An object deleted through replica 0 is gone from the others' pages
	// at once: the entity tags they had given for those pages no longer
	// match (a 304 would say the page is as it was).
	page := "/r/collections/" + collID + "/objects/?limit=1000"
	etags := make([]string, len(replicas))
	for i, m := range replicas {
		status, _, h := request(t, http.MethodGet, m.URL+page, readerKey, "")
		if etags[i] = h.Get("ETag"); status != http.StatusOK || etags[i] == "" {
			t.Fatalf("replica %d: GET = %d, ETag %q", i, status, etags[i])
		}
	}
	doomed := fmt.Sprintf("indicator--%08x-0000-4000-8000-000000000000", 0)
	if n, err := admin.DeleteObject(ctx, "r/feed", doomed, ""); err != nil || n != 1 {
		t.Fatalf("delete %s through replica 0: %d, %v", doomed, n, err)
	}
	deleted := time.Now()
	for i, m := range replicas[1:] {
		for {
			status := conditionalGet(t, m.URL+page, readerKey, etags[i+1])
			if status == http.StatusOK {
				t.Logf("replica %d changed its page's entity tag after %v", i+1, time.Since(deleted).Round(time.Millisecond))
				break
			}
			if status != http.StatusNotModified || time.Since(deleted) > revocationBound {
				t.Fatalf("replica %d: GET with the entity tag from before a deletion through another, %v later = %d, want 200", i+1, time.Since(deleted), status)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// A collection changed through replica 0 reads as changed through the
	// others within their resource cache's time to live (1 s), sooner when
	// they hear of it (NOTIFY).
	title := "Feed, renamed"
	if _, err := admin.UpdateCollection(ctx, "r/feed", store.CollectionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	renamed := time.Now()
	for i, m := range replicas[1:] {
		for {
			var c struct{ Title string }
			getJSONAs(t, m.URL+"/r/collections/"+collID+"/", "Bearer "+readerKey, &c)
			if c.Title == title {
				t.Logf("replica %d read the new title after %v", i+1, time.Since(renamed).Round(time.Millisecond))
				break
			}
			if time.Since(renamed) > taxii.DefaultResourceCacheTTL+500*time.Millisecond {
				t.Fatalf("replica %d still reads the title %q %v after the change through another", i+1, c.Title, time.Since(renamed))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// A key revoked through replica 0 is refused by the others within
	// revocationBound, although they had verified (and cached) it.
	probe := "/r/collections/" + collID + "/objects/?limit=1"
	for _, m := range replicas {
		if status, _ := sendKey(t, http.MethodGet, m.URL+probe, readerKey, ""); status != http.StatusOK {
			t.Fatalf("reader's key refused before revocation: %d", status)
		}
	}
	keys, err := admin.APIKeys(ctx, "reader")
	if err != nil || len(keys) != 1 {
		t.Fatalf("reader's keys: %v %v", keys, err)
	}
	revoked := time.Now()
	if err := admin.RevokeAPIKey(ctx, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	for i, m := range replicas[1:] {
		for {
			status, _ := sendKey(t, http.MethodGet, m.URL+probe, readerKey, "")
			if status == http.StatusUnauthorized {
				t.Logf("replica %d refused the revoked key after %v", i+1, time.Since(revoked).Round(time.Millisecond))
				break
			}
			if time.Since(revoked) > revocationBound {
				t.Fatalf("replica %d still admits a key revoked %v ago through another", i+1, time.Since(revoked))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// conditionalGet asks for a page with If-None-Match naming etag and
// returns the status.
func conditionalGet(t *testing.T, u, key, etag string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("If-None-Match", etag)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// sendKey makes a TAXII request with an API key and returns the status and
// body.
func sendKey(t *testing.T, method, u, key, body string) (int, string) {
	t.Helper()
	status, b, _ := request(t, method, u, key, body)
	return status, b
}

// request is sendKey, returning the response's header too. It reports
// failures with t.Error: readers and writers call it from goroutines.
func request(t *testing.T, method, u, key, body string) (int, string, http.Header) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Error(err)
		return 0, "", nil
	}
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	if body != "" {
		req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, "", nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}
