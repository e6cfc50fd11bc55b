package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"liaison/store"
	"liaison/store/curation"
)

// TestAuditTrail: every admin action puts one entry on record, offline
// and online, with who (the local account, or the admin and the key),
// from where, what and how it ended; failures too; reads none.
func TestAuditTrail(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.json")
	ind1, ind2 := "indicator--6d6e6f70-0000-4000-8000-0000000000c1", "indicator--6d6e6f70-0000-4000-8000-0000000000c2"
	os.WriteFile(feed, []byte(`{"type":"bundle","id":"bundle--6d6e6f70-0000-4000-8000-0000000000c0","objects":[`+indicatorJSONForTest(ind1)+`,`+indicatorJSONForTest(ind2)+`]}`), 0o644)
	steps := []struct {
		stdin  string
		args   []string
		action string // "" when nothing is recorded
		fails  bool
	}{
		{"", []string{"apiroot", "add", "r", "--title", "R"}, "apiroot.add", false},
		{"", []string{"apiroot", "add", "r", "--title", "Again"}, "apiroot.add", true},
		{"", []string{"apiroot", "update", "r", "--title", "R2"}, "apiroot.update", false},
		{"", []string{"apiroot", "list"}, "", false},
		{"", []string{"collection", "add", "--api-root", "r", "--title", "C", "--alias", "c"}, "collection.add", false},
		{"", []string{"collection", "update", "r/c", "--title", "C2"}, "collection.update", false},
		{"", []string{"collection", "show", "r/c"}, "", false},
		{"alice's long passphrase\n", []string{"user", "add", "alice", "--password-stdin"}, "user.add", false},
		{"another long passphrase\n", []string{"user", "passwd", "alice", "--password-stdin"}, "user.passwd", false},
		{"", []string{"user", "update", "alice", "--admin"}, "user.update", false},
		{"", []string{"grant", "alice", "--collection", "r/c", "--read"}, "grant.change", false},
		{"", []string{"revoke", "alice", "--collection", "r/c"}, "grant.change", false},
		{"", []string{"apikey", "create", "alice"}, "apikey.create", false},
		{"", []string{"import", "--collection", "r/c", feed}, "collection.import", false},
		{"", []string{"export", "--collection", "r/c", "-o", filepath.Join(dir, "out.json")}, "", false},
		{"", []string{"object", "revoke", "--collection", "r/c", ind1}, "object.revoke", false},
		{"", []string{"object", "delete", "--collection", "r/c", ind2}, "object.delete", false},
		{"", []string{"collection", "remove", "r/c", "--force"}, "collection.remove", false},
		{"", []string{"apiroot", "remove", "r", "--force"}, "apiroot.remove", false},
		{"", []string{"user", "remove", "alice"}, "user.remove", false},
		{"", []string{"user", "remove", "ghost"}, "user.remove", true},
	}
	check := func(t *testing.T, db string, target []string, who, keyID, from string) {
		t.Helper()
		start := time.Now().Add(-time.Millisecond)
		var want []string
		for _, s := range steps {
			code, out, errOut := cmdline(t, s.stdin, append(s.args, target...)...)
			if (code != 0) != s.fails {
				t.Fatalf("liaison %s = %d %s %s", strings.Join(s.args, " "), code, out, errOut)
			}
			if s.action != "" {
				want = append(want, s.action)
			}
		}
		code, out, errOut := cmdline(t, "", append([]string{"audit", "--json", "--since", start.UTC().Format(time.RFC3339Nano)}, target...)...)
		if code != 0 {
			t.Fatalf("audit = %d %s", code, errOut)
		}
		var got []store.AuditEntry
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var e store.AuditEntry
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("audit line %q: %v", line, err)
			}
			got = append(got, e)
		}
		if len(got) != len(want) {
			t.Fatalf("%d audit entries, want %d:\n%s", len(got), len(want), out)
		}
		failures := 0
		for i, e := range got {
			if e.Action != want[i] || e.User != who || e.KeyID != keyID || e.Remote != from || e.Target == "" {
				t.Errorf("entry %d = %+v; want action %s by %s (key %q) from %s", i, e, want[i], who, keyID, from)
			}
			if e.Outcome != "ok" {
				failures++
			}
		}
		if failures != 2 {
			t.Errorf("%d entries record a failure, want 2:\n%s", failures, out)
		}
		// The table form reads too.
		if code, out, _ := cmdline(t, "", append([]string{"audit", "--user", who, "--limit", "3"}, target...)...); code != 0 || strings.Count(out, "\n") != 4 {
			t.Errorf("audit --user --limit 3 = %d\n%s", code, out)
		}
	}
	local := curation.LocalActor().User
	t.Run("offline", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "liaison.db")
		check(t, db, []string{"--db", db}, local, "", "local")
	})
	t.Run("online", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "liaison.db")
		cmdline(t, "", "user", "add", "root", "--admin", "--db", db)
		_, key, _ := cmdline(t, "", "apikey", "create", "root", "--db", db)
		key = strings.TrimSpace(key)
		m := MustRunMain(t, "--db", db)
		check(t, db, []string{"--server", m.URL, "--api-key", key}, "root", store.APIKeyID(key), "127.0.0.1")
	})
}

// TestAuditTAXIIDelete: an object DELETE through TAXII is on record with
// the principal and its key.
func TestAuditTAXIIDelete(t *testing.T) {
	m := MustRunMain(t, "--demo")
	id := "indicator--6d6e6f70-0000-4000-8000-0000000000d1"
	post, _ := http.NewRequest("POST", m.URL+"/cooperation/collections/partner-inbox/objects/", strings.NewReader(`{"objects":[`+indicatorJSONForTest(id)+`]}`))
	post.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	post.Header.Set("Authorization", "Bearer "+m.Demo.APIKey)
	if res, err := http.DefaultClient.Do(post); err != nil || res.StatusCode != 202 {
		t.Fatalf("POST: %v %v", res, err)
	}
	del, _ := http.NewRequest("DELETE", m.URL+"/cooperation/collections/partner-inbox/objects/"+id+"/", nil)
	del.Header.Set("Authorization", "Bearer "+m.Demo.APIKey)
	if res, err := http.DefaultClient.Do(del); err != nil || res.StatusCode != 200 {
		t.Fatalf("DELETE: %v %v", res, err)
	}
	code, out, errOut := cmdline(t, "", "audit", "--json", "--server", m.URL, "--api-key", m.Demo.AdminKey)
	if code != 0 {
		t.Fatalf("audit = %d %s", code, errOut)
	}
	var e store.AuditEntry
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		json.Unmarshal([]byte(line), &e)
	}
	if e.Action != "object.delete" || e.User != "demo" || e.KeyID != store.APIKeyID(m.Demo.APIKey) || !strings.Contains(e.Target, id) || e.Outcome != "ok" || !strings.Contains(e.Detail, "versions deleted: 1") {
		t.Errorf("last audit entry %+v", e)
	}
}

// TestAuditRestore: a restore goes on the record of the database it made.
func TestAuditRestore(t *testing.T) {
	dir := t.TempDir()
	db, backup, restored := filepath.Join(dir, "a.db"), filepath.Join(dir, "a.bak"), filepath.Join(dir, "b.db")
	cmdline(t, "", "apiroot", "add", "r", "--title", "R", "--db", db)
	if code, _, errOut := cmdline(t, "", "backup", backup, "--db", db); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := cmdline(t, "", "restore", backup, "--db", restored); code != 0 {
		t.Fatal(errOut)
	}
	_, out, _ := cmdline(t, "", "audit", "--db", restored, "--limit", "1")
	if !strings.Contains(out, "database.restore") || !strings.Contains(out, "from "+backup) {
		t.Errorf("the last entry is not the restore:\n%s", out)
	}
}

// TestConsumers: after a paging walk, liaison consumers says who read
// which collection, how much, how far, and their last error; activity is
// gathered in memory and written in batches.
func TestConsumers(t *testing.T) {
	m := MustRunMain(t, "--demo", "--activity-flush", "1h")
	demo := "Bearer " + m.Demo.APIKey
	feed := m.URL + "/cooperation/collections/operation-feed/objects/"
	u, pages, served := feed+"?limit=100", 0, 0
	for {
		var page struct {
			More    bool
			Next    string
			Objects []any
		}
		getJSONAs(t, u, demo, &page)
		pages++
		served += len(page.Objects)
		if !page.More {
			break
		}
		u = feed + "?limit=100&next=" + page.Next
	}
	bad, _ := http.NewRequest("GET", feed+"?limit=zero", nil)
	bad.Header.Set("Authorization", demo)
	http.DefaultClient.Do(bad)
	var page struct{ Objects []any }
	getJSON(t, m.URL+"/cooperation/collections/c2-indicators/objects/?limit=10", &page)

	if code, out, _ := cmdline(t, "", "consumers", "--json", "--server", m.URL, "--api-key", m.Demo.AdminKey); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("before a flush: %d %s (nothing is written per request)", code, out)
	}
	if err := m.activity.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cmdline(t, "", "consumers", "--json", "--server", m.URL, "--api-key", m.Demo.AdminKey)
	if code != 0 {
		t.Fatalf("consumers = %d %s", code, errOut)
	}
	var list []curation.ConsumerInfo
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	byWho := map[string]curation.ConsumerInfo{}
	for _, c := range list {
		byWho[c.Principal+" "+c.Alias] = c
	}
	d, a := byWho["demo operation-feed"], byWho["anonymous c2-indicators"]
	if d.Requests != int64(pages+1) || d.ServedTotal != int64(served) || d.ServedToday != int64(served) || served != 273 || // what demo's clearance admits of the feed's 291 objects
		!d.LastServed.Equal(d.CollectionLastAdded) || d.LastError != "400 bad-parameter" {
		t.Errorf("demo on operation-feed after %d pages: %+v", pages, d)
	}
	if a.ServedTotal != 10 || !a.LastServed.Before(a.CollectionLastAdded) || a.LastError != "" {
		t.Errorf("anonymous on c2-indicators: %+v", a)
	}
	_, table, _ := cmdline(t, "", "consumers", "--collection", "operation-feed", "--server", m.URL, "--api-key", m.Demo.AdminKey)
	if !strings.Contains(table, "up to date") || !strings.Contains(table, "400 bad-parameter") || strings.Contains(table, "c2-indicators") {
		t.Errorf("consumers --collection operation-feed:\n%s", table)
	}
}
