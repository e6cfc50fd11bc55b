package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"liaison/stix"
	"liaison/store"
	"liaison/store/postgres"
	"liaison/store/postgres/pgtest"
)

// The commands that take --db work on a postgres:// URL; those that only
// make sense for a database file say what to do instead.
func TestPostgresCommands(t *testing.T) {
	db := pgtest.URL(t)
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle.json")
	mustWrite(t, bundle, `{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[`+
		`{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000001","created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '10.0.0.1']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z"}]}`)
	steps := []struct {
		args   []string
		code   int
		output string // regexp on stdout and stderr
	}{
		{[]string{"migrate-schema", "--db", db}, 0, `schema at version \d+, nothing to do|migrated from version 0`},
		{[]string{"migrate-schema", "--db", db}, 0, `nothing to do`},
		{[]string{"migrate-schema", "--db", filepath.Join(dir, "x.db")}, 2, `must be a postgres:// URL`},
		{[]string{"apiroot", "add", "r", "--title", "R", "--db", db}, 0, ``},
		{[]string{"collection", "add", "--api-root", "r", "--title", "Feed", "--alias", "feed", "--db", db}, 0, ``},
		{[]string{"import", "--collection", "r/feed", bundle, "--db", db}, 0, `1 stored or already present`},
		{[]string{"export", "--collection", "r/feed", "--db", db}, 0, `indicator--00000000-0000-4000-8000-000000000001`},
		{[]string{"stats", "--db", db}, 0, `(?s)^API ROOT.*r +feed +1 +1 .*\n$`},
		{[]string{"backup", filepath.Join(dir, "b.db"), "--db", db}, 1, `is PostgreSQL: back it up with PostgreSQL's own tools: pg_dump`},
		{[]string{"check", "--db", db}, 1, `amcheck`},
		{[]string{"restore", filepath.Join(dir, "b.db"), "--db", db}, 1, `pg_restore`},
	}
	for _, st := range steps {
		code, out, errOut := cmdline(t, "", st.args...)
		if code != st.code || !regexp.MustCompile(st.output).MatchString(out+errOut) {
			t.Errorf("liaison %s = %d\nstdout: %s\nstderr: %s\nwant %d and %s", strings.Join(st.args, " "), code, out, errOut, st.code, st.output)
		}
	}
	if code, _, errOut := cmdline(t, "", "stats", "--db", db); code != 0 || strings.Contains(errOut, "password") {
		t.Errorf("stats: %d %s", code, errOut)
	}
	t.Run("ReadOnlyCommandOnEmptyDatabase", func(t *testing.T) {
		code, _, errOut := cmdline(t, "", "user", "list", "--db", pgtest.URL(t))
		if code != 1 || !strings.Contains(errOut, "no Liaison schema") {
			t.Errorf("user list on an empty database = %d, %s", code, errOut)
		}
	})
	if v, err := postgres.Open(t.Context(), db, postgres.Options{NoCreate: true}); err != nil {
		t.Errorf("the database the commands made: %v", err)
	} else {
		v.Close()
	}
}

func mustWrite(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Passwords in connection strings stay out of printed configurations and
// logs.
func TestRedactDB(t *testing.T) {
	for _, tc := range []struct{ given, want string }{
		{"liaison.db", "liaison.db"},
		{"postgres://liaison:s3cret@db.example:5432/liaison?sslmode=verify-full", "postgres://liaison:********@db.example:5432/liaison?sslmode=verify-full"},
		{"postgresql://liaison@db/liaison?password=s3cret&pool_max_conns=20", "postgresql://liaison@db/liaison?password=********&pool_max_conns=20"},
		{"postgres://db/liaison", "postgres://db/liaison"},
	} {
		if got := redactDB(tc.given); got != tc.want {
			t.Errorf("redactDB(%q) = %q, want %q", tc.given, got, tc.want)
		}
	}
}

// liaison copy moves a database file into PostgreSQL and back, and the
// file that comes back exports what the first one did: sharing settings,
// organisations, clearances and each version's markings included, and
// the copy in PostgreSQL explains what a client sees as the file did.
func TestCopyCommand(t *testing.T) {
	url := pgtest.URL(t)
	dir := t.TempDir()
	first, back := filepath.Join(dir, "first.db"), filepath.Join(dir, "back.db")
	const (
		vendor    = "identity--00000000-0000-4000-8000-0000000000a1"
		partner   = "identity--00000000-0000-4000-8000-0000000000a2"
		statement = "marking-definition--00000000-0000-4000-8000-0000000000b1"
		remarked  = "indicator--00000000-0000-4000-8000-000000000003"
		strictRed = "indicator--00000000-0000-4000-8000-000000000005"
	)
	marked := func(id, modified string, level stix.TLPLevel, extra string) string {
		return `{"type":"indicator","spec_version":"2.1","id":"` + id + `","created":"2020-01-01T00:00:00.000Z","modified":"` + modified +
			`","pattern":"[ipv4-addr:value = '10.0.0.3']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z","object_marking_refs":["` + stix.TLPMarkingID(level) + `"]` + extra + `}`
	}
	bundle, remark := filepath.Join(dir, "bundle.json"), filepath.Join(dir, "remark.json")
	mustWrite(t, bundle, `{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[`+
		`{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000001","created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '10.0.0.1']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z"},`+
		`{"type":"ipv4-addr","id":"ipv4-addr--00000000-0000-4000-8000-000000000002","value":"10.0.0.2"},`+
		marked(remarked, "2020-01-01T00:00:00.000Z", stix.TLPGreen, "")+`,`+
		marked("indicator--00000000-0000-4000-8000-000000000004", "2020-01-01T00:00:00.000Z", stix.TLPAmberStrict, `,"created_by_ref":"`+vendor+`"`)+`,`+
		// RED, and AMBER+STRICT on a property: the organisation rule
		// holds beside RED (Markings.Strict), in every copy.
		marked(strictRed, "2020-01-01T00:00:00.000Z", stix.TLPRed, `,"created_by_ref":"`+vendor+
			`","granular_markings":[{"marking_ref":"`+stix.TLPMarkingID(stix.TLPAmberStrict)+`","selectors":["pattern"]}]`)+`]}`)
	// A re-marking: object 3 becomes RED; GREEN and AMBER+STRICT clients
	// still see its first version.
	mustWrite(t, remark, `{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000002","objects":[`+
		marked(remarked, "2020-02-01T00:00:00.000Z", stix.TLPRed, "")+`]}`)
	for _, args := range [][]string{
		{"apiroot", "add", "r", "--title", "R"},
		{"collection", "add", "--api-root", "r", "--title", "Feed", "--alias", "feed", "--public-read",
			"--anonymous-clearance", "green", "--default-marking", "amber", "--strict-org", partner},
		{"import", "--collection", "r/feed", bundle},
		{"import", "--collection", "r/feed", remark},
		{"collection", "update", "feed", "--require-marking"},
		{"user", "add", "alice", "--org", vendor},
		{"grant", "alice", "--collection", "r/feed", "--read", "--clearance", "amber+strict", "--allow-marking", statement},
		{"apikey", "create", "alice"},
	} {
		if code, out, errOut := cmdline(t, "", append(args, "--db", first)...); code != 0 {
			t.Fatalf("liaison %s: %s %s", strings.Join(args, " "), out, errOut)
		}
	}
	for _, step := range []struct {
		args   []string
		code   int
		output string
	}{
		{[]string{"copy", "--from", first, "--to", url}, 0, `(?s)copied .* 1 API roots, 1 collections, 6 object versions, 1 users, 1 API keys, 2 statuses, \d+ audit entries.*\nverified: both export the same \d+ items`},
		// What each client sees, read from PostgreSQL.
		{[]string{"explain", "--user", "alice", "--collection", "r/feed", remarked, "--db", url}, 0,
			`(?s)alice \(organisation ` + vendor + `\) reads r/feed with clearance TLP:AMBER\+STRICT, from its grant.*` + statement + `.*So alice is served version 2020-01-01T00:00:00.000Z\.`},
		{[]string{"explain", "--user", "alice", "--collection", "r/feed", "indicator--00000000-0000-4000-8000-000000000004", "--db", url}, 0, `So alice is served version`},
		{[]string{"explain", "--user", "anonymous", "--collection", "r/feed", "indicator--00000000-0000-4000-8000-000000000001", "--db", url}, 0,
			`(?s)TLP:GREEN.*unmarked.*does not exist for anonymous`},
		{[]string{"copy", "--from", first, "--to", url}, 1, `not empty`},
		{[]string{"copy", "--from", url, "--to", back}, 0, `verified`},
		{[]string{"copy", "--from", url, "--to", back}, 1, `exists: copy into a new file`},
		{[]string{"copy", "--from", first}, 2, `--from and --to are required`},
		{[]string{"copy", "--from", first, "--to", first}, 2, `the same database`},
	} {
		code, out, errOut := cmdline(t, "", step.args...)
		if code != step.code || !regexp.MustCompile(step.output).MatchString(out+errOut) {
			t.Errorf("liaison %s = %d\nstdout: %s\nstderr: %s\nwant %d and %s", strings.Join(step.args, " "), code, out, errOut, step.code, step.output)
		}
	}
	a, b := mustOpenAny(t, first), mustOpenAny(t, back)
	defer a.Close()
	defer b.Close()
	da, err := digest(t.Context(), a.(store.Exporter))
	if err != nil {
		t.Fatal(err)
	}
	db, err := digest(t.Context(), b.(store.Exporter))
	if err != nil {
		t.Fatal(err)
	}
	if da != db || da.counts.versions != 6 {
		t.Errorf("the file that came back exports %s (%x), the first %s (%x)", db.counts, db.sum, da.counts, da.sum)
	}
}
