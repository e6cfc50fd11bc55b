package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
	"liaison/taxii"
	"liaison/taxii/auth"
)

const (
	orgA = "identity--6d6e6f70-0000-4000-8000-00000000000a"
	orgB = "identity--6d6e6f70-0000-4000-8000-00000000000b"
	t1   = "2024-01-01T00:00:00.000Z"
	t2   = "2024-02-01T00:00:00.000Z"
)

// sharedID is object n of the sharing matrix.
func sharedID(n int) string { return fmt.Sprintf("indicator--6d6e6f70-0000-4000-8000-%012d", 100+n) }

// sharedObject is object n marked level (TLPNone: unmarked), with extra
// properties.
func sharedObject(n int, modified string, level stix.TLPLevel, extra ...string) string {
	props := []string{`"type":"indicator"`, `"spec_version":"2.1"`, fmt.Sprintf(`"id":%q`, sharedID(n)), `"created":"` + t1 + `"`,
		fmt.Sprintf(`"modified":%q`, modified), `"pattern":"[ipv4-addr:value = '198.51.100.1']"`, `"pattern_type":"stix"`, `"valid_from":"` + t1 + `"`}
	if level != stix.TLPNone {
		props = append(props, fmt.Sprintf(`"object_marking_refs":[%q]`, stix.TLPMarkingID(level)))
	}
	return "{" + strings.Join(append(props, extra...), ",") + "}"
}

// sharingWorld is a public-read collection holding one object per TLP
// level, an unmarked one, one with a RED part, and one re-marked from
// GREEN to AMBER; and a user per clearance.
type sharingWorld struct {
	db      store.Store
	srv     *taxii.Server // ResourcesChanged after changing the store directly
	acc     *auth.Accounts
	handler *httptest.Server
	coll    string
	keys    map[string]string // principal -> Authorization ("" anonymous)
}

func newSharingWorld(t *testing.T) *sharingWorld {
	t.Helper()
	ctx := context.Background()
	db := openStore(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"})
	must(err)
	c, err := db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "Shared", Alias: "shared", PublicRead: true})
	must(err)
	add := func(objs ...string) {
		t.Helper()
		var os []stix.Object
		for i, js := range objs {
			o, err := stix.Peek(i, []byte(js))
			must(err)
			os = append(os, o)
		}
		st, err := db.AddObjects(ctx, store.AddRequest{APIRoot: "r", Collection: c.ID, Owner: "seed", Total: len(os), Objects: os})
		must(err)
		if st.FailureCount > 0 {
			t.Fatalf("seed: %+v", st.Failures)
		}
	}
	add(sharedObject(1, t1, stix.TLPClear),
		sharedObject(2, t1, stix.TLPGreen),
		sharedObject(3, t1, stix.TLPAmber),
		sharedObject(4, t1, stix.TLPAmberStrict, `"created_by_ref":"`+orgA+`"`),
		sharedObject(5, t1, stix.TLPRed),
		sharedObject(6, t1, stix.TLPNone),
		sharedObject(7, t1, stix.TLPGreen, `"granular_markings":[{"marking_ref":"`+stix.TLPMarkingID(stix.TLPRed)+`","selectors":["pattern"]}]`),
		sharedObject(8, t1, stix.TLPGreen))
	add(sharedObject(8, t2, stix.TLPAmber)) // a re-marking publishes a new version

	w := &sharingWorld{db: db, coll: c.ID, keys: map[string]string{"anonymous": ""}}
	for _, u := range []struct {
		name, clearance, org string
	}{
		{"clear", "clear", ""}, {"green", "green", ""}, {"amber", "amber", ""},
		{"strict-a", "amber+strict", orgA}, {"strict-b", "amber+strict", orgB}, {"red", "red", ""},
	} {
		_, err := db.CreateUser(ctx, u.name, false, "")
		must(err)
		if u.org != "" {
			must(db.SetOrg(ctx, u.name, u.org))
		}
		must(db.SetGrant(ctx, u.name, c.ID, store.Grant{Read: true, Write: true, Clearance: u.clearance}))
		_, key, err := db.CreateAPIKey(ctx, u.name, time.Time{})
		must(err)
		w.keys[u.name] = "Bearer " + key
	}
	// A partner that only posts: it reads the public collection as
	// anonymous clients do, and posts up to AMBER.
	_, err = db.CreateUser(ctx, "poster", false, "")
	must(err)
	must(db.SetGrant(ctx, "poster", c.ID, store.Grant{Write: true, Clearance: "amber"}))
	_, key, err := db.CreateAPIKey(ctx, "poster", time.Time{})
	must(err)
	w.keys["poster"] = "Bearer " + key
	srv := taxii.NewServer(db, []byte("k"))
	w.acc = auth.NewAccounts(db)
	srv.Access = w.acc
	w.srv = srv
	w.handler = httptest.NewServer(srv.Handler())
	t.Cleanup(w.handler.Close)
	return w
}

// get sends a GET as who and returns the status and decoded body.
func (w *sharingWorld) get(t *testing.T, who, path string) (int, map[string]any) {
	t.Helper()
	code, body := w.send(t, who, "GET", path, "")
	var m map[string]any
	json.Unmarshal([]byte(body), &m)
	return code, m
}

func (w *sharingWorld) send(t *testing.T, who, method, path, body string) (int, string) {
	t.Helper()
	res, b := doRequest(t, w.handler.URL+path, method, w.keys[who], body)
	return res, b
}

// walk pages through an endpoint one item at a time following next, and
// returns what each page item names (id@version, or the version for the
// versions endpoint).
func (w *sharingWorld) walk(t *testing.T, who, endpoint, query string) (int, []string) {
	t.Helper()
	var out []string
	q := "limit=1"
	if query != "" {
		q += "&" + query
	}
	for range 100 {
		code, page := w.get(t, who, endpoint+"?"+q)
		if code != 200 {
			return code, nil
		}
		for _, key := range []string{"objects", "versions"} {
			items, _ := page[key].([]any)
			for _, it := range items {
				switch v := it.(type) {
				case string:
					out = append(out, v)
				case map[string]any:
					ver, _ := v["version"].(string)
					if ver == "" {
						ver, _ = v["modified"].(string)
					}
					out = append(out, fmt.Sprintf("%v@%s", v["id"], ver))
				}
			}
		}
		if more, _ := page["more"].(bool); !more {
			return 200, out
		}
		next, _ := page["next"].(string)
		q = "limit=1&next=" + url.QueryEscape(next)
	}
	t.Fatal("the walk does not end")
	return 0, nil
}

// TestSharingMatrix: each principal (anonymous and a user per clearance,
// AMBER+STRICT of the creator's organisation and of another) on each
// endpoint sees exactly the versions its clearance admits, paged one item
// at a time by next; an object it may not see answers 404.
func TestSharingMatrix(t *testing.T) {
	w := newSharingWorld(t)
	v := func(n int, ver string) string { return sharedID(n) + "@" + ver }
	// Written from the rules, object by object: 1 CLEAR, 2 GREEN, 3 AMBER,
	// 4 AMBER+STRICT of orgA, 5 RED, 6 unmarked (the default, CLEAR),
	// 7 GREEN with a RED part, 8 GREEN then AMBER.
	latest := map[string][]string{
		"anonymous": {v(1, t1), v(6, t1)},
		"clear":     {v(1, t1), v(6, t1)},
		"green":     {v(1, t1), v(2, t1), v(6, t1), v(8, t1)},
		"amber":     {v(1, t1), v(2, t1), v(3, t1), v(6, t1), v(8, t2)},
		"strict-a":  {v(1, t1), v(2, t1), v(3, t1), v(4, t1), v(6, t1), v(8, t2)},
		"strict-b":  {v(1, t1), v(2, t1), v(3, t1), v(6, t1), v(8, t2)},
		"red":       {v(1, t1), v(2, t1), v(3, t1), v(5, t1), v(6, t1), v(7, t1), v(8, t2)},
	}
	all := map[string][]string{ // match[version]=all
		"green": {v(1, t1), v(2, t1), v(6, t1), v(8, t1)},
		"amber": {v(1, t1), v(2, t1), v(3, t1), v(6, t1), v(8, t1), v(8, t2)},
	}
	objects := "/r/collections/" + w.coll + "/objects/"
	for who, want := range latest {
		t.Run(who, func(t *testing.T) {
			sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
			for _, ep := range []struct{ name, path, query string }{
				{"objects", objects, ""},
				{"manifest", "/r/collections/" + w.coll + "/manifest/", ""},
				{"objects by alias", "/r/collections/shared/objects/", ""},
				{"objects of a type", objects, "match[type]=indicator"},
			} {
				code, got := w.walk(t, who, ep.path, ep.query)
				if code != 200 || !slices.Equal(sorted(got), sorted(want)) {
					t.Errorf("%s: %d %v, want %v", ep.name, code, got, want)
				}
			}
			if want, ok := all[who]; ok {
				if _, got := w.walk(t, who, objects, "match[version]=all"); !slices.Equal(sorted(got), sorted(want)) {
					t.Errorf("all versions: %v, want %v", got, want)
				}
			}
			// Each object: its own endpoint and its versions, or 404.
			for n := 1; n <= 8; n++ {
				var wantVersion string
				for _, s := range want {
					if id, ver, _ := strings.Cut(s, "@"); id == sharedID(n) {
						wantVersion = ver
					}
				}
				code, got := w.walk(t, who, objects+sharedID(n)+"/", "")
				switch {
				case wantVersion == "" && code != 404:
					t.Errorf("object %d: %d %v, want 404", n, code, got)
				case wantVersion != "" && (code != 200 || !slices.Equal(got, []string{sharedID(n) + "@" + wantVersion})):
					t.Errorf("object %d: %d %v, want version %s", n, code, got, wantVersion)
				}
				code, vers := w.walk(t, who, objects+sharedID(n)+"/versions/", "")
				if (wantVersion == "") != (code == 404) {
					t.Errorf("versions of object %d: %d %v", n, code, vers)
				}
			}
		})
	}
}

// TestSharingWrites: a client posts only at or below its clearance, an
// unmarked object takes the collection's default marking, a collection
// that requires markings refuses unmarked objects, and a DELETE cannot
// reach what the client may not see.
func TestSharingWrites(t *testing.T) {
	w := newSharingWorld(t)
	objects := "/r/collections/" + w.coll + "/objects/"
	post := func(who string, objs ...string) (int, map[string]any) {
		t.Helper()
		code, body := w.send(t, who, "POST", objects, `{"objects":[`+strings.Join(objs, ",")+`]}`)
		var st map[string]any
		json.Unmarshal([]byte(body), &st)
		return code, st
	}
	code, st := post("green", sharedObject(20, t1, stix.TLPGreen), sharedObject(21, t1, stix.TLPAmber), sharedObject(22, t1, stix.TLPNone))
	if code != 202 || st["success_count"] != 2.0 || st["failure_count"] != 1.0 || !strings.Contains(fmt.Sprint(st["failures"]), "above your clearance") {
		t.Errorf("green posting green, amber and unmarked: %d %v", code, st)
	}
	// The unmarked object is CLEAR here: anonymous clients see it.
	if code, _ := w.get(t, "anonymous", objects+sharedID(22)+"/"); code != 200 {
		t.Errorf("an unmarked object at the default CLEAR: %d for anonymous", code)
	}
	// A write-only grant on a public-read collection reads what anonymous
	// clients read, and posts at its own clearance.
	if code, st := post("poster", sharedObject(25, t1, stix.TLPAmber)); code != 202 || st["success_count"] != 1.0 {
		t.Errorf("a write-only AMBER grant posting AMBER: %d %v", code, st)
	}
	_, anon := w.walk(t, "anonymous", objects, "")
	if code, got := w.walk(t, "poster", objects, ""); code != 200 || !slices.Equal(got, anon) {
		t.Errorf("a write-only grant reading the public collection: %d %v, want what anonymous clients see, %v", code, got, anon)
	}
	// AMBER+STRICT of another organisation: a writer cleared for it may
	// post it, for that organisation to read.
	if code, st := post("strict-b", sharedObject(23, t1, stix.TLPAmberStrict, `"created_by_ref":"`+orgA+`"`)); code != 202 || st["success_count"] != 1.0 {
		t.Errorf("posting another organisation's AMBER+STRICT: %d %v", code, st)
	}
	if code, _ := w.get(t, "strict-a", objects+sharedID(23)+"/"); code != 200 {
		t.Errorf("orgA reading its AMBER+STRICT object: %d", code)
	}
	// A collection that requires markings, and defaults unmarked objects to
	// AMBER where they are allowed.
	ctx := context.Background()
	require, def := true, "amber"
	if _, err := w.db.UpdateCollection(ctx, w.coll, store.CollectionUpdate{RequireMarking: &require}); err != nil {
		t.Fatal(err)
	}
	w.srv.ResourcesChanged()
	if code, st := post("red", sharedObject(24, t1, stix.TLPNone)); code != 202 || st["failure_count"] != 1.0 || !strings.Contains(fmt.Sprint(st["failures"]), "requires one") {
		t.Errorf("an unmarked object where markings are required: %d %v", code, st)
	}
	require = false
	if _, err := w.db.UpdateCollection(ctx, w.coll, store.CollectionUpdate{RequireMarking: &require, DefaultMarking: &def}); err != nil {
		t.Fatal(err)
	}
	w.srv.ResourcesChanged()
	for who, want := range map[string]int{"anonymous": 404, "green": 404, "amber": 200} {
		if code, _ := w.get(t, who, objects+sharedID(6)+"/"); code != want {
			t.Errorf("the unmarked object 6 with the default AMBER, as %s: %d, want %d", who, code, want)
		}
	}
	// DELETE: what the client may not see does not exist for it.
	if code, _ := w.send(t, "green", "DELETE", objects+sharedID(5)+"/", ""); code != 404 {
		t.Errorf("green deleting the RED object: %d, want 404", code)
	}
	if code, _ := w.send(t, "green", "DELETE", objects+sharedID(8)+"/", ""); code != 200 {
		t.Errorf("green deleting object 8: %d", code)
	}
	if code, got := w.walk(t, "red", objects+sharedID(8)+"/versions/", ""); code != 200 || !slices.Equal(got, []string{t2}) {
		t.Errorf("object 8 after green deleted it: %d %v, want its AMBER version left", code, got)
	}
}

// TestSharingETag: a page's entity tag depends on the clearance it was
// made for, so a client whose clearance changed gets the new page, not a
// 304 for what it saw before.
func TestSharingETag(t *testing.T) {
	w := newSharingWorld(t)
	objects := w.handler.URL + "/r/collections/" + w.coll + "/objects/"
	get := func(who, inm string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", objects, nil)
		req.Header.Set("Accept", taxii.MediaType)
		req.Header.Set("Authorization", w.keys[who])
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
	code, tag := get("green", "")
	if code != 200 || tag == "" {
		t.Fatalf("green's page: %d, ETag %q", code, tag)
	}
	if code, _ := get("green", tag); code != 304 {
		t.Fatalf("green asking again: %d, want 304", code)
	}
	if err := w.db.SetGrant(context.Background(), "green", w.coll, store.Grant{Read: true, Write: true, Clearance: "amber"}); err != nil {
		t.Fatal(err)
	}
	w.acc.Invalidate() // as the admin API does after a grant changes
	if code, newTag := get("green", tag); code != 200 || newTag == tag {
		t.Errorf("green, now cleared for AMBER, asking again: %d, ETag %q (was %q); want 200 and a new tag", code, newTag, tag)
	}
}

// doRequest sends a request with a TAXII body and returns the status and
// the body.
func doRequest(t *testing.T, u, method, authorization, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", taxii.MediaType)
	if body != "" {
		req.Header.Set("Content-Type", taxii.MediaType)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
