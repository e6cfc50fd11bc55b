package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"liaison/stix/coopfeed"
)

var update = flag.Bool("update", false, "rewrite the CLI golden files under testdata/golden")

// normalise replaces what changes from run to run (ids, times, sizes of
// the file) with placeholders of the same width, so that golden files stay
// stable and still show the alignment.
func normalise(s string, ids []string) string {
	for i, id := range ids {
		s = strings.ReplaceAll(s, id, fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1))
	}
	s = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z`).ReplaceAllString(s, "YYYY-MM-DDTHH:MM:SS.ffffffZ")
	// Online, URLs start with the server's; offline they are paths.
	s = regexp.MustCompile(`http://127\.0\.0\.1:\d+`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`database: \d+ bytes, \d+ free pages of \d+ bytes`).ReplaceAllString(s, "database: <size> bytes, <n> free pages of <page> bytes")
	return s
}

func expectGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run with -update if intended):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestCurationCommands builds an API root with collections from the command
// line, imports the demo sample, and checks list/show/stats against golden
// files, the refusals, export, backup and restore: offline on the database
// file, and online through a running server's admin API, with the same
// output.
func TestCurationCommands(t *testing.T) {
	t.Run("offline", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "liaison.db")
		curationCommands(t, db, "--db", db)
	})
	t.Run("online", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "liaison.db")
		cmdline(t, "", "user", "add", "root", "--admin", "--db", db)
		_, key, _ := cmdline(t, "", "apikey", "create", "root", "--db", db)
		m := MustRunMain(t, "--db", db)
		curationCommands(t, db, "--server", m.URL, "--api-key", strings.TrimSpace(key))
	})
}

func curationCommands(t *testing.T, db string, targetArgs ...string) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.json")
	if err := os.WriteFile(feed, coopfeed.Sample(), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := func(stdin string, args ...string) string {
		t.Helper()
		code, out, errOut := cmdline(t, stdin, append(args, targetArgs...)...)
		if code != 0 {
			t.Fatalf("liaison %s = %d: %s %s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	fails := func(want int, msg string, args ...string) {
		t.Helper()
		code, out, errOut := cmdline(t, "", append(args, targetArgs...)...)
		if code != want || !regexp.MustCompile(msg).MatchString(out+errOut) {
			t.Fatalf("liaison %s = %d %q %q; want %d and %q", strings.Join(args, " "), code, out, errOut, want, msg)
		}
	}
	ok("", "apiroot", "add", "intel", "--title", "Shared intelligence", "--default")
	ok("", "apiroot", "add", "lab", "--title", "Lab", "--max-content-length", "1048576")
	fails(1, "already exists", "apiroot", "add", "lab", "--title", "Again")
	feedID := strings.TrimSpace(ok("", "collection", "add", "--api-root", "intel", "--title", "Operation feed", "--alias", "feed", "--public-read"))
	inboxID := strings.TrimSpace(ok("", "collection", "add", "--api-root", "intel", "--title", "Inbox", "--alias", "inbox", "--reject-custom"))
	fails(1, "already exists", "collection", "add", "--api-root", "intel", "--title", "Dup", "--alias", "feed")
	fails(2, "--api-root is required", "collection", "add", "--title", "X")

	out := ok("", "import", "--collection", "feed", feed)
	if !regexp.MustCompile(`feed.json: 301 objects, 301 stored or already present, 0 failed, in .* \(\d+ objects/s\)\n$`).MatchString(out) && !strings.Contains(out, "301 objects") {
		t.Errorf("import summary: %q", out)
	}
	code, out, _ := cmdline(t, `{"objects":[{"type":"indicator","id":"indicator--bad"}]}`, append([]string{"import", "--collection", "inbox", "--json", "-"}, targetArgs...)...)
	var res struct {
		File     string `json:"file"`
		Objects  int    `json:"objects"`
		Failures int    `json:"failures"`
	}
	if code != 1 || json.Unmarshal([]byte(out), &res) != nil || res.File != "-" || res.Failures != 1 {
		t.Errorf("import with a failure = %d %s", code, out)
	}

	ids := []string{feedID, inboxID}
	expectGolden(t, "cli-apiroot-list.golden.txt", normalise(ok("", "apiroot", "list"), ids))
	expectGolden(t, "cli-collection-list.golden.txt", normalise(ok("", "collection", "list"), ids))
	expectGolden(t, "cli-collection-show.golden.txt", normalise(ok("", "collection", "show", "intel/feed"), ids))
	expectGolden(t, "cli-stats.golden.txt", normalise(ok("", "stats"), ids))

	fails(1, "--force", "collection", "remove", "feed")
	fails(1, "--force", "apiroot", "remove", "intel")

	// Export round trip.
	exported := filepath.Join(dir, "export.json")
	ok("", "export", "--collection", "feed", "--all-versions", "-o", exported)
	data, _ := os.ReadFile(exported)
	var bundle struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(data, &bundle); err != nil || bundle.Type != "bundle" || len(bundle.Objects) != 301 {
		t.Fatalf("export: %v, %d objects", err, len(bundle.Objects))
	}

	// Revoke and delete.
	var first struct{ ID string }
	for _, o := range bundle.Objects {
		json.Unmarshal(o, &first)
		if strings.HasPrefix(first.ID, "indicator--") {
			break
		}
	}
	if out := ok("", "object", "revoke", "--collection", "feed", first.ID); !strings.Contains(out, "revoked "+first.ID) {
		t.Errorf("revoke: %q", out)
	}
	if out := ok("", "object", "delete", "--collection", "feed", first.ID); !strings.Contains(out, "deleted") {
		t.Errorf("delete: %q", out)
	}
	fails(1, "not found|no version", "object", "delete", "--collection", "feed", first.ID)

	// Backup, then restore into a new file, and compare every object.
	backup := filepath.Join(dir, "backup.db")
	ok("", "backup", backup)
	restored := filepath.Join(dir, "restored.db")
	if code, out, errOut := cmdline(t, "", "restore", backup, "--db", restored); code != 0 {
		t.Fatalf("restore = %d %s %s", code, out, errOut)
	}
	before := ok("", "export", "--collection", "feed", "--all-versions", "--envelope")
	code, after, _ := cmdline(t, "", "export", "--collection", "feed", "--all-versions", "--envelope", "--db", restored)
	if code != 0 || before != after {
		t.Errorf("the restored database exports differently")
	}

	ok("", "collection", "update", "inbox", "--alias", "partner-inbox", "--public-read")
	if out := ok("", "collection", "show", "partner-inbox"); !strings.Contains(out, "Public read:    yes") {
		t.Errorf("after update: %s", out)
	}
	ok("", "collection", "remove", "feed", "--force")
	ok("", "apiroot", "remove", "lab")
	if out := ok("", "apiroot", "list"); strings.Contains(out, "lab") || !bytes.Contains([]byte(out), []byte("intel")) {
		t.Errorf("after removals: %s", out)
	}
}

// TestAdminAPIAccess: the admin API answers admins only; a non-admin key
// gets 403, a wrong key 401, and the CLI says so in one line.
func TestAdminAPIAccess(t *testing.T) {
	db := filepath.Join(t.TempDir(), "liaison.db")
	cmdline(t, "", "user", "add", "root", "--admin", "--db", db)
	cmdline(t, "", "user", "add", "alice", "--db", db)
	_, adminKey, _ := cmdline(t, "", "apikey", "create", "root", "--db", db)
	_, aliceKey, _ := cmdline(t, "", "apikey", "create", "alice", "--db", db)
	m := MustRunMain(t, "--db", db)
	for _, tc := range []struct {
		key  string
		code int
		msg  string
	}{
		{strings.TrimSpace(adminKey), 0, "NAME"},
		{strings.TrimSpace(aliceKey), 1, "HTTP 403"},
		{"lsn_0123456789abcdef_" + strings.Repeat("x", 43), 1, "HTTP 401"},
		{"", 2, "LIAISON_API_KEY"},
	} {
		t.Setenv("LIAISON_API_KEY", "")
		code, out, errOut := cmdline(t, "", "user", "list", "--server", m.URL, "--api-key", tc.key)
		if code != tc.code || !strings.Contains(out+errOut, tc.msg) {
			t.Errorf("key %.12s: %d %q %q", tc.key, code, out, errOut)
		}
	}
	// The key may come from the environment.
	t.Setenv("LIAISON_API_KEY", strings.TrimSpace(adminKey))
	if code, out, errOut := cmdline(t, "", "apiroot", "list", "--server", m.URL); code != 0 {
		t.Errorf("LIAISON_API_KEY: %d %s %s", code, out, errOut)
	}
}

// TestRestoreRefusesBadBackups: a missing, empty or foreign backup is
// refused and the database is left as it was.
func TestRestoreRefusesBadBackups(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "liaison.db")
	cmdline(t, "", "apiroot", "add", "keep", "--title", "Keep", "--db", db)
	before, _ := os.ReadFile(db)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, bytes.Repeat([]byte("x"), 8192), 0o600)
	for _, backup := range []string{filepath.Join(dir, "typo.db"), empty, junk} {
		if code, _, errOut := cmdline(t, "", "restore", backup, "--db", db); code != 1 || !strings.Contains(errOut, "backup") {
			t.Errorf("restore %s = %d %q", filepath.Base(backup), code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "typo.db")); err == nil {
		t.Error("restore created the missing backup file")
	}
	after, _ := os.ReadFile(db)
	if !bytes.Equal(before, after) {
		t.Error("the database changed")
	}
}

// TestAdminAPINeedsKey: admin credentials sent as HTTP Basic, which
// browsers replay across sites, do not open the admin API.
func TestAdminAPINeedsKey(t *testing.T) {
	db := filepath.Join(t.TempDir(), "liaison.db")
	cmdline(t, "root-passphrase\n", "user", "add", "root", "--admin", "--password-stdin", "--db", db)
	m := MustRunMain(t, "--db", db)
	req, _ := http.NewRequest(http.MethodGet, m.URL+"/admin/users/", nil)
	req.SetBasicAuth("root", "root-passphrase")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "Bearer") {
		t.Errorf("admin API with Basic = %d %s", res.StatusCode, body)
	}
}

// TestOverwriteNeedsForce: backup and restore refuse to replace an
// existing file, naming it, unless --force.
func TestOverwriteNeedsForce(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "liaison.db")
	other := filepath.Join(dir, "other.db")
	backup := filepath.Join(dir, "backup.db")
	cmdline(t, "", "apiroot", "add", "keep", "--title", "Keep", "--db", db)
	cmdline(t, "", "apiroot", "add", "other", "--title", "Other", "--db", other)
	if code, out, errOut := cmdline(t, "", "backup", backup, "--db", db); code != 0 {
		t.Fatalf("first backup = %d %s %s", code, out, errOut)
	}
	for _, tc := range []struct {
		args []string
		file string // the file that exists and must stay as it was
	}{
		{[]string{"backup", backup, "--db", other}, backup},
		{[]string{"restore", backup, "--db", other}, other},
	} {
		before, _ := os.ReadFile(tc.file)
		code, out, errOut := cmdline(t, "", tc.args...)
		after, _ := os.ReadFile(tc.file)
		if code != 1 || !strings.Contains(errOut, tc.file+" exists") || !strings.Contains(errOut, "--force") || !bytes.Equal(before, after) {
			t.Errorf("liaison %s = %d %q %q; want 1 naming %s and --force, the file unchanged", strings.Join(tc.args, " "), code, out, errOut, tc.file)
		}
	}
	if code, out, errOut := cmdline(t, "", "restore", backup, "--db", other, "--force"); code != 0 {
		t.Fatalf("restore --force = %d %s %s", code, out, errOut)
	}
	if _, out, _ := cmdline(t, "", "apiroot", "list", "--db", other); !strings.Contains(out, "keep") || strings.Contains(out, "other") {
		t.Errorf("after restore --force: %s", out)
	}
	if code, out, errOut := cmdline(t, "", "backup", backup, "--db", other, "--force"); code != 0 {
		t.Errorf("backup --force = %d %s %s", code, out, errOut)
	}
}

// TestCollectionObjectsURL: collection add and collection show give the
// objects URL built with the collection's id, the one OASIS clients
// accept (they check that the id ends the collection URL), and it serves.
func TestCollectionObjectsURL(t *testing.T) {
	db := filepath.Join(t.TempDir(), "liaison.db")
	cmdline(t, "", "apiroot", "add", "intel", "--title", "Intel", "--db", db)
	code, out, errOut := cmdline(t, "", "collection", "add", "--api-root", "intel", "--title", "Offline", "--alias", "offline", "--db", db)
	offID := strings.TrimSpace(out)
	if want := "objects URL for TAXII clients: /intel/collections/" + offID + "/objects/\n"; code != 0 || errOut != want {
		t.Errorf("collection add offline = %d %q %q; want the id and %q", code, out, errOut, want)
	}
	if _, out, _ := cmdline(t, "", "collection", "show", "offline", "--db", db); !strings.Contains(out, "Objects URL:    /intel/collections/"+offID+"/objects/\n") {
		t.Errorf("collection show offline:\n%s", out)
	}

	cmdline(t, "", "user", "add", "root", "--admin", "--db", db)
	_, key, _ := cmdline(t, "", "apikey", "create", "root", "--db", db)
	m := MustRunMain(t, "--db", db)
	online := []string{"--server", m.URL + "/", "--api-key", strings.TrimSpace(key)}
	code, out, errOut = cmdline(t, "", append([]string{"collection", "add", "--api-root", "intel", "--title", "Online", "--alias", "online", "--public-read"}, online...)...)
	id := strings.TrimSpace(out)
	objects := m.URL + "/intel/collections/" + id + "/objects/"
	if code != 0 || errOut != "objects URL for TAXII clients: "+objects+"\n" {
		t.Errorf("collection add online = %d %q %q; want the id and %s", code, out, errOut, objects)
	}
	if _, out, _ := cmdline(t, "", append([]string{"collection", "show", "intel/online"}, online...)...); !strings.Contains(out, "Objects URL:    "+objects+"\n") {
		t.Errorf("collection show online:\n%s", out)
	}
	var page struct {
		More bool `json:"more"`
	}
	getJSON(t, objects, &page)
}

// TestSTIX20Collection: --media-type makes a collection that accepts STIX
// 2.0; a 2.0 bundle posted through the TAXII API is stored there and
// refused by a collection of STIX 2.1 only. Offline and online.
func TestSTIX20Collection(t *testing.T) {
	db := filepath.Join(t.TempDir(), "liaison.db")
	cmdline(t, "", "user", "add", "root", "--admin", "--db", db)
	_, key, _ := cmdline(t, "", "apikey", "create", "root", "--db", db)
	key = strings.TrimSpace(key)
	cmdline(t, "", "apiroot", "add", "intel", "--title", "Intel", "--db", db)
	add := func(target []string, args ...string) string {
		t.Helper()
		code, out, errOut := cmdline(t, "", append(append([]string{"collection", "add", "--api-root", "intel"}, args...), target...)...)
		if code != 0 {
			t.Fatalf("collection add %s = %d %s %s", strings.Join(args, " "), code, out, errOut)
		}
		return strings.TrimSpace(out)
	}
	offline := []string{"--db", db}
	both := add(offline, "--title", "Both", "--media-type", "application/stix+json;version=2.0", "--media-type", "application/stix+json;version=2.1")
	only21 := add(offline, "--title", "2.1 only")
	later := add(offline, "--title", "2.0 later")
	if code, out, errOut := cmdline(t, "", "collection", "update", later, "--media-type", "2.0", "--media-type", "2.1", "--db", db); code != 0 {
		t.Fatalf("collection update --media-type = %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cmdline(t, "", "collection", "add", "--api-root", "intel", "--title", "X", "--media-type", "text/plain", "--db", db); code != 1 || !strings.Contains(errOut, "text/plain") {
		t.Errorf("a bad media type = %d %q", code, errOut)
	}
	m := MustRunMain(t, "--db", db)
	online := []string{"--server", m.URL, "--api-key", key}
	onlineBoth := add(online, "--title", "Online", "--media-type", "2.0", "--media-type", "2.1")
	if _, out, _ := cmdline(t, "", append([]string{"collection", "show", onlineBoth}, online...)...); !strings.Contains(out, "Media types:    application/stix+json;version=2.0, application/stix+json;version=2.1\n") {
		t.Errorf("collection show:\n%s", out)
	}

	// A STIX 2.0 bundle: spec_version on the bundle, none on the object.
	bundle := `{"type":"bundle","id":"bundle--6d6e6f70-0000-4000-8000-0000000000b0","spec_version":"2.0","objects":[
		{"type":"indicator","id":"indicator--6d6e6f70-0000-4000-8000-0000000000b1","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z",
		 "labels":["malicious-activity"],"name":"Poison Ivy","pattern":"[file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']","valid_from":"2016-01-01T00:00:00Z"}]}`
	for _, tc := range []struct {
		coll      string
		successes int
	}{{both, 1}, {later, 1}, {onlineBoth, 1}, {only21, 0}} {
		req, _ := http.NewRequest(http.MethodPost, m.URL+"/intel/collections/"+tc.coll+"/objects/", strings.NewReader(bundle))
		req.Header.Set("Accept", "application/taxii+json;version=2.1")
		req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var st struct {
			SuccessCount int `json:"success_count"`
			FailureCount int `json:"failure_count"`
			Failures     []struct {
				Message string `json:"message"`
			} `json:"failures"`
		}
		if res.StatusCode != http.StatusAccepted || json.Unmarshal(body, &st) != nil || st.SuccessCount != tc.successes || st.SuccessCount+st.FailureCount != 1 {
			t.Errorf("POST a 2.0 bundle to %s = %d %s; want %d stored", tc.coll, res.StatusCode, body, tc.successes)
		}
		if tc.successes == 0 && (len(st.Failures) != 1 || !strings.Contains(st.Failures[0].Message, "2.0")) {
			t.Errorf("the refusal does not say why: %s", body)
		}
	}
}

// TestImportProgress: on a terminal, an import through a server shows the
// same progress lines as one on the database file.
func TestImportProgress(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.json")
	var buf bytes.Buffer
	if err := coopfeed.Generate(&buf, coopfeed.Options{Objects: 2500, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(feed, buf.Bytes(), 0o644)
	onTerminal := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		c := &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, stdoutTTY: true}
		if code := c.main(context.Background(), args); code != 0 {
			t.Fatalf("liaison %s = %d %s %s", strings.Join(args, " "), code, out.String(), errOut.String())
		}
		// The rates and the time differ from run to run.
		s := regexp.MustCompile(`\d+ objects/s`).ReplaceAllString(out.String(), "N objects/s")
		return regexp.MustCompile(`in [0-9.]+m?s `).ReplaceAllString(s, "in T ")
	}
	setup := func(db string) {
		cmdline(t, "", "apiroot", "add", "r", "--title", "R", "--db", db)
		cmdline(t, "", "collection", "add", "--api-root", "r", "--title", "C", "--alias", "c", "--db", db)
	}
	offDB := filepath.Join(dir, "offline.db")
	setup(offDB)
	offline := onTerminal("import", "--collection", "c", feed, "--db", offDB)

	onDB := filepath.Join(dir, "online.db")
	setup(onDB)
	cmdline(t, "", "user", "add", "root", "--admin", "--db", onDB)
	_, key, _ := cmdline(t, "", "apikey", "create", "root", "--db", onDB)
	m := MustRunMain(t, "--db", onDB)
	online := onTerminal("import", "--collection", "c", feed, "--server", m.URL, "--api-key", strings.TrimSpace(key))

	if strings.Count(offline, "\r") < 3 || !strings.Contains(offline, "\rfeed.json: 2500 objects, 0 failed, N objects/s") {
		t.Errorf("offline progress:\n%q", offline)
	}
	if online != offline {
		t.Errorf("online progress differs:\n%q\nwant\n%q", online, offline)
	}
}

// TestErrorsReadTheSame: a command that fails says the same offline and
// online; a collection that is not found is named as the admin typed it.
func TestErrorsReadTheSame(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.json")
	os.WriteFile(feed, coopfeed.Sample(), 0o644)
	steps := [][]string{
		{"collection", "show", "nope"},
		{"collection", "show", "r/nope"},
		{"collection", "update", "nope", "--title", "X"},
		{"collection", "remove", "nope"},
		{"collection", "add", "--api-root", "nope", "--title", "X"},
		{"grant", "alice", "--collection", "nope", "--read"},
		{"grant", "ghost", "--collection", "c", "--read"},
		{"import", "--collection", "nope", feed},
		{"export", "--collection", "nope"},
		{"object", "delete", "--collection", "c", "indicator--6d6e6f70-0000-4000-8000-000000000001"},
		{"object", "revoke", "--collection", "nope", "indicator--6d6e6f70-0000-4000-8000-000000000001"},
		{"object", "revoke", "--collection", "c", "indicator--6d6e6f70-0000-4000-8000-000000000001"},
		{"apiroot", "add", "r", "--title", "Again"},
		{"apiroot", "update", "nope", "--title", "X"},
		{"apiroot", "remove", "nope"},
		{"apiroot", "remove", "r"},
		{"user", "add", "alice"},
		{"user", "remove", "ghost"},
		{"apikey", "list", "ghost"},
		{"apikey", "create", "ghost"},
		{"apikey", "revoke", "0123456789abcdef"},
	}
	messages := func(target ...string) []string {
		var out []string
		for _, args := range steps {
			code, stdout, stderr := cmdline(t, "", append(args, target...)...)
			if code != 1 {
				t.Errorf("liaison %s = %d %s %s; want 1", strings.Join(args, " "), code, stdout, stderr)
			}
			out = append(out, stderr)
		}
		return out
	}
	db := filepath.Join(dir, "liaison.db")
	for _, args := range [][]string{
		{"apiroot", "add", "r", "--title", "R"},
		{"collection", "add", "--api-root", "r", "--title", "C", "--alias", "c"},
		{"user", "add", "alice"},
		{"user", "add", "root", "--admin"},
	} {
		if code, out, errOut := cmdline(t, "", append(args, "--db", db)...); code != 0 {
			t.Fatalf("liaison %s = %d %s %s", strings.Join(args, " "), code, out, errOut)
		}
	}
	offline := messages("--db", db)
	_, key, _ := cmdline(t, "", "apikey", "create", "root", "--db", db)
	m := MustRunMain(t, "--db", db)
	online := messages("--server", m.URL, "--api-key", strings.TrimSpace(key))
	for i, args := range steps {
		if offline[i] != online[i] {
			t.Errorf("liaison %s:\noffline: %s online:  %s", strings.Join(args, " "), offline[i], online[i])
		}
	}
	if !strings.Contains(online[0], `"nope"`) || !strings.Contains(online[1], `"r/nope"`) && !strings.Contains(online[1], `"nope"`) {
		t.Errorf("the collection typed is not named: %q %q", online[0], online[1])
	}
}
