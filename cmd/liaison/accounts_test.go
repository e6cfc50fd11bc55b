package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"liaison/store"
	"liaison/store/bolt"
	"liaison/store/postgres"
	"liaison/store/postgres/pgtest"
	"liaison/store/storetest"
)

// cmdline runs the liaison command line with stdin and returns the exit
// status, standard output and standard error.
func cmdline(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := newCLI(strings.NewReader(stdin), &out, &errOut)
	c.passwordCost = storetest.CheapPasswordCost()
	code := c.main(context.Background(), args)
	return code, out.String(), errOut.String()
}

// cheapMain is NewMain for tests: its store hashes passwords cheaply.
func cheapMain() *Main {
	m := NewMain()
	m.passwordCost = storetest.CheapPasswordCost()
	return m
}

// mustOpenStore opens the database file path for a test to look into.
func mustOpenStore(t *testing.T, path string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(path, bolt.Options{Options: store.Options{PasswordCost: storetest.CheapPasswordCost()}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAccountCommands drives every account command, on a database file and
// through a running server's admin API, and checks its effect through the
// store.
func TestAccountCommands(t *testing.T) {
	t.Run("offline", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "liaison.db")
		accountCommands(t, db, func() {}, "--db", db)
	})
	t.Run("online", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "liaison.db")
		cmdline(t, "", "user", "add", "root", "--admin", "--db", db)
		_, key, _ := cmdline(t, "", "apikey", "create", "root", "--db", db)
		m := MustRunMain(t, "--db", db)
		accountCommands(t, db, func() { m.Close() }, "--server", m.URL, "--api-key", strings.TrimSpace(key))
	})
	t.Run("postgres", func(t *testing.T) {
		db := pgtest.URL(t)
		accountCommands(t, db, func() {}, "--db", db)
	})
	t.Run("postgres online", func(t *testing.T) {
		db := pgtest.URL(t)
		cmdline(t, "", "user", "add", "root", "--admin", "--db", db)
		_, key, _ := cmdline(t, "", "apikey", "create", "root", "--db", db)
		m := MustRunMain(t, "--db", db)
		accountCommands(t, db, func() { m.Close() }, "--server", m.URL, "--api-key", strings.TrimSpace(key))
	})
}

// mustOpenAny opens a database file, or the PostgreSQL database of a
// postgres:// URL, for a test to look into.
func mustOpenAny(t *testing.T, db string) store.Store {
	t.Helper()
	if !isPostgres(db) {
		return mustOpenStore(t, db)
	}
	s, err := postgres.Open(context.Background(), db, postgres.Options{Options: store.Options{PasswordCost: storetest.CheapPasswordCost()}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func accountCommands(t *testing.T, db string, stop func(), target ...string) {
	ctx := context.Background()
	if joined := strings.Join(target, " "); strings.Contains(joined, "--server") || isPostgres(db) {
		// Curation through the admin API: create the collection there.
		cmdline(t, "", append([]string{"apiroot", "add", "r", "--title", "R"}, target...)...)
		cmdline(t, "", append([]string{"collection", "add", "--api-root", "r", "--title", "Inbox", "--alias", "inbox"}, target...)...)
	} else { // an API root and a collection to grant on
		s := mustOpenStore(t, db)
		s.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"})
		s.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "Inbox", Alias: "inbox"})
		s.Close()
	}
	steps := []struct {
		stdin  string
		args   []string
		code   int
		stdout string // regexp
	}{
		{"s3cret-passphrase-pw\n", []string{"user", "add", "alice", "--password-stdin", "--db", db}, 0, "created user alice"},
		{"", []string{"user", "add", "--db", db, "bob", "--admin"}, 0, "no password"},
		{"", []string{"user", "add", "alice", "--db", db}, 1, ""},
		{"", []string{"user", "add", "bad name", "--db", db}, 1, ""},
		{"", []string{"user", "add", "--db", db}, 2, ""},
		{"", []string{"user", "add", "carol", "--password-stdin", "--db", db}, 2, ""}, // empty stdin
		{"", []string{"grant", "alice", "--collection", "inbox", "--read", "--write", "--db", db}, 0, "alice may now read and write"},
		{"", []string{"grant", "alice", "--collection", "nope", "--read", "--db", db}, 1, ""},
		{"", []string{"grant", "alice", "--collection", "inbox", "--db", db}, 2, ""},
		{"", []string{"user", "list", "--db", db}, 0, `(?m)^NAME +ADMIN +PASSWORD +API KEYS +ORG +GRANTS \(rights@clearance\)\nalice +no +yes +0 +- +r/inbox:rw@green\nbob +yes +no +0 +- +-\n(root +yes +no +1 +- +-\n)?$`},
		{"", []string{"apikey", "create", "alice", "--expires", "24h", "--db", db}, 0, `^lsn_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$`},
		{"", []string{"apikey", "create", "ghost", "--db", db}, 1, ""},
		{"", []string{"apikey", "list", "alice", "--db", db}, 0, `(?m)^KEY ID +CREATED +EXPIRES +LAST USED +STATE\n[0-9a-f]{16} .* active\n$`},
		{"new-passphrase-pw\n", []string{"user", "passwd", "alice", "--password-stdin", "--db", db}, 0, "password of alice changed"},
		{"", []string{"user", "passwd", "alice", "--db", db}, 2, ""},
		{"", []string{"revoke", "alice", "--collection", "r/inbox", "--db", db}, 0, "no rights"},
		{"", []string{"user", "update", "alice", "--admin", "--db", db}, 0, "alice is an admin"},
		{"", []string{"user", "update", "alice", "--admin=false", "--db", db}, 0, "alice is no longer an admin"},
		{"", []string{"user", "update", "alice", "--db", db}, 2, ""},
		{"", []string{"user", "update", "ghost", "--admin", "--db", db}, 1, ""},
		{"", []string{"user", "remove", "bob", "--db", db}, 0, "removed user bob"},
		{"", []string{"user", "remove", "bob", "--db", db}, 1, ""},
		{"", []string{"user", "frobnicate", "--db", db}, 2, ""},
	}
	for _, st := range steps {
		args := append([]string{}, st.args...)
		for i := range args { // the steps name the file; swap in the target
			if args[i] == "--db" {
				args = append(append(args[:i:i], target...), args[i+2:]...)
				break
			}
		}
		code, out, errOut := cmdline(t, st.stdin, args...)
		if code != st.code || (st.stdout != "" && !regexp.MustCompile(st.stdout).MatchString(out)) {
			t.Fatalf("liaison %s = %d\nstdout: %s\nstderr: %s\nwant %d and %s", strings.Join(args, " "), code, out, errOut, st.code, st.stdout)
		}
		if strings.Contains(out+errOut, "s3cret-passphrase-pw") || strings.Contains(out+errOut, "new-passphrase-pw") {
			t.Fatalf("a password was printed: %s %s", out, errOut)
		}
	}

	stop()
	s := mustOpenAny(t, db)
	defer s.Close()
	if _, err := s.VerifyPassword(ctx, "alice", "new-passphrase-pw"); err != nil {
		t.Errorf("alice's new password: %v", err)
	}
	u, _ := s.User(ctx, "alice")
	if len(u.Grants) != 0 {
		t.Errorf("alice's grants after revoke: %v", u.Grants)
	}
	keys, _ := s.APIKeys(ctx, "alice")
	if len(keys) != 1 || keys[0].Expires.Before(time.Now().Add(23*time.Hour)) {
		t.Errorf("alice's keys: %+v", keys)
	}
	s.Close()
	code, out, _ := cmdline(t, "", "apikey", "revoke", keys[0].ID, "--db", db)
	if code != 0 || !strings.Contains(out, "revoked") {
		t.Errorf("apikey revoke = %d %s", code, out)
	}
}

// TestAccountCommandsWhileServing: the database of a running server is
// locked; the command says so in one line.
func TestAccountCommandsWhileServing(t *testing.T) {
	m := MustRunMain(t)
	code, _, errOut := cmdline(t, "", "user", "list", "--db", m.Config.DBPath)
	if code != 1 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "in use by a running liaison server") {
		t.Fatalf("user list on a served database = %d %q", code, errOut)
	}
}

// TestMissingDatabase: a command that only reads refuses a --db file that
// does not exist, and creates none; one that writes creates it and says so.
func TestMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.db")
	for _, args := range [][]string{
		{"user", "list"},
		{"apikey", "list", "alice"},
		{"collection", "list"},
		{"collection", "show", "inbox"},
		{"apiroot", "list"},
		{"stats"},
		{"export", "--collection", "inbox"},
		{"backup", filepath.Join(dir, "out.db")},
	} {
		code, out, errOut := cmdline(t, "", append(args, "--db", typo)...)
		if want := "liaison: no database at " + typo + " (serve creates one; check --db)\n"; code != 1 || errOut != want || out != "" {
			t.Errorf("liaison %s on a missing file = %d %q %q; want 1 and %q", strings.Join(args, " "), code, out, errOut, want)
		}
		if _, err := os.Stat(typo); err == nil {
			t.Fatalf("liaison %s created %s", strings.Join(args, " "), typo)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.db")); err == nil {
		t.Error("backup wrote a backup of a missing database")
	}

	code, out, errOut := cmdline(t, "", "apiroot", "add", "intel", "--title", "Intel", "--db", typo)
	if code != 0 || errOut != "created new database "+typo+"\n" || !strings.Contains(out, "created API root intel") {
		t.Fatalf("apiroot add on a missing file = %d %q %q", code, out, errOut)
	}
	// Once it exists, neither says anything more.
	for _, args := range [][]string{{"apiroot", "list"}, {"user", "add", "bob"}} {
		if code, _, errOut := cmdline(t, "", append(args, "--db", typo)...); code != 0 || errOut != "" {
			t.Errorf("liaison %s = %d %q", strings.Join(args, " "), code, errOut)
		}
	}
}

// TestFriendlyErrors: a --server without a scheme, a server that does not
// answer and durations in days get messages an admin can act on.
func TestFriendlyErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close() // nothing answers there now
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"user", "list", "--server", "localhost:8080", "--api-key", "k"}, 2, `--server "localhost:8080" lacks http:// or https://, e.g. --server http://localhost:8080`},
		{[]string{"user", "list", "--server", "taxii.example.org", "--api-key", "k"}, 2, `e.g. --server https://taxii.example.org`},
		{[]string{"stats", "--server", down, "--api-key", "k"}, 1, "liaison stats: no server answers at " + down + ": is it running?\n"},
		{[]string{"apikey", "create", "alice", "--expires", "3x"}, 2, `--expires: "3x" is not a duration: use e.g. 30d, 12h or 1d12h`},
	} {
		code, out, errOut := cmdline(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("liaison %s = %d %q %q; want %d and %q", strings.Join(tc.args, " "), code, out, errOut, tc.code, tc.msg)
		}
	}

	db := filepath.Join(t.TempDir(), "liaison.db")
	cmdline(t, "", "user", "add", "alice", "--db", db)
	for _, tc := range []struct {
		expires string
		want    time.Duration
	}{{"30d", 30 * 24 * time.Hour}, {"1d12h", 36 * time.Hour}, {"90m", 90 * time.Minute}} {
		if code, out, errOut := cmdline(t, "", "apikey", "create", "alice", "--expires", tc.expires, "--db", db); code != 0 {
			t.Fatalf("--expires %s = %d %s %s", tc.expires, code, out, errOut)
		}
		s := mustOpenStore(t, db)
		keys, _ := s.APIKeys(context.Background(), "alice")
		s.Close()
		k := keys[0]
		for _, x := range keys {
			if x.Created.After(k.Created) {
				k = x
			}
		}
		if got := k.Expires.Sub(k.Created); got < tc.want-time.Minute || got > tc.want+time.Minute {
			t.Errorf("--expires %s: the key lives %v, want %v", tc.expires, got, tc.want)
		}
	}
}

// TestGrantMerging: grant adds rights, revoke drops one or all, user list
// names collections ROOT/ALIAS (ROOT/ID without alias), and the list
// commands print JSON with --json; offline and online alike.
func TestGrantMerging(t *testing.T) {
	t.Run("offline", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "liaison.db")
		grantCommands(t, "--db", db)
	})
	t.Run("online", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "liaison.db")
		cmdline(t, "", "user", "add", "root", "--admin", "--db", db)
		_, key, _ := cmdline(t, "", "apikey", "create", "root", "--db", db)
		m := MustRunMain(t, "--db", db)
		grantCommands(t, "--server", m.URL, "--api-key", strings.TrimSpace(key))
	})
}

func grantCommands(t *testing.T, target ...string) {
	ok := func(args ...string) string {
		t.Helper()
		code, out, errOut := cmdline(t, "", append(args, target...)...)
		if code != 0 {
			t.Fatalf("liaison %s = %d %s %s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	ok("apiroot", "add", "r", "--title", "R")
	ok("collection", "add", "--api-root", "r", "--title", "Inbox", "--alias", "inbox")
	plain := strings.TrimSpace(ok("collection", "add", "--api-root", "r", "--title", "No alias"))
	ok("user", "add", "alice")
	ok("apikey", "create", "alice")
	grants := func() string {
		t.Helper()
		for _, line := range strings.Split(ok("user", "list"), "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] == "alice" {
				slices.Sort(f[5:]) // the service sorts by name; an id may come first
				return strings.Join(f[5:], " ")
			}
		}
		t.Fatal("alice is not listed")
		return ""
	}
	for _, st := range []struct {
		args   []string
		stdout string
		grants string
	}{
		{[]string{"grant", "alice", "--collection", "inbox", "--write"}, "alice may now write collection r/inbox (Inbox), up to TLP:GREEN\n", "r/inbox:w@green"},
		{[]string{"grant", "alice", "--collection", "inbox", "--read"}, "alice may now read and write collection r/inbox (Inbox), up to TLP:GREEN\n", "r/inbox:rw@green"},
		{[]string{"grant", "alice", "--collection", "inbox", "--clearance", "amber"}, "alice may now read and write collection r/inbox (Inbox), up to TLP:AMBER\n", "r/inbox:rw@amber"},
		{[]string{"grant", "alice", "--collection", "inbox", "--allow-marking", "marking-definition--6d6e6f70-0000-4000-8000-0000000000b1"},
			"alice may now read and write collection r/inbox (Inbox), up to TLP:AMBER\nand objects with the markings marking-definition--6d6e6f70-0000-4000-8000-0000000000b1\n", "r/inbox:rw@amber+1"},
		{[]string{"revoke", "alice", "--collection", "inbox", "--allow-marking", "marking-definition--6d6e6f70-0000-4000-8000-0000000000b1"}, "alice may now read and write collection r/inbox (Inbox), up to TLP:AMBER\n", "r/inbox:rw@amber"},
		{[]string{"grant", "alice", "--collection", plain, "--read"}, "alice may now read collection r/" + plain + " (No alias), up to TLP:GREEN\n", "r/inbox:rw@amber r/" + plain + ":r@green"},
		{[]string{"revoke", "alice", "--collection", "r/inbox", "--write"}, "alice may now read collection r/inbox (Inbox), up to TLP:AMBER\n", "r/inbox:r@amber r/" + plain + ":r@green"},
		{[]string{"revoke", "alice", "--collection", plain}, "alice has no rights on collection r/" + plain + " any more\n", "r/inbox:r@amber"},
		{[]string{"revoke", "alice", "--collection", "inbox", "--read"}, "alice has no rights on collection r/inbox any more\n", "-"},
	} {
		if out := ok(st.args...); out != st.stdout {
			t.Errorf("liaison %s printed %q, want %q", strings.Join(st.args, " "), out, st.stdout)
		}
		want := strings.Fields(st.grants)
		slices.Sort(want)
		if g := grants(); g != strings.Join(want, " ") {
			t.Errorf("after liaison %s: grants %q, want %q", strings.Join(st.args, " "), g, st.grants)
		}
	}
	ok("grant", "alice", "--collection", "inbox", "--read", "--write")

	// --json: one JSON document a script can read.
	var users []struct {
		Name   string `json:"name"`
		Grants []struct {
			Collection string `json:"collection"`
			APIRoot    string `json:"api_root"`
			Alias      string `json:"alias"`
			Read       bool   `json:"read"`
			Write      bool   `json:"write"`
		} `json:"grants"`
	}
	if err := json.Unmarshal([]byte(ok("user", "list", "--json")), &users); err != nil {
		t.Fatal(err)
	}
	var alice = -1
	for i, u := range users {
		if u.Name == "alice" {
			alice = i
		}
	}
	if alice < 0 || len(users[alice].Grants) != 1 {
		t.Fatalf("user list --json: %+v", users)
	}
	if g := users[alice].Grants[0]; g.APIRoot != "r" || g.Alias != "inbox" || !g.Read || !g.Write || len(g.Collection) != 36 {
		t.Errorf("alice's grant in JSON: %+v", g)
	}
	for _, args := range [][]string{{"apikey", "list", "alice", "--json"}, {"apiroot", "list", "--json"}, {"collection", "list", "--json"}} {
		var list []map[string]any
		if err := json.Unmarshal([]byte(ok(args...)), &list); err != nil || len(list) == 0 {
			t.Errorf("liaison %s: %v %v", strings.Join(args, " "), err, list)
		}
		if args[0] == "apikey" {
			if _, ok := list[0]["hash"]; ok {
				t.Errorf("apikey list --json shows a hash field: %v", list[0])
			}
		}
	}
	var st struct {
		Collections []json.RawMessage `json:"collections"`
	}
	if err := json.Unmarshal([]byte(ok("stats", "--json")), &st); err != nil || len(st.Collections) != 2 {
		t.Errorf("stats --json: %v %+v", err, st)
	}
}
