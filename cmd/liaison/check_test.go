package main

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDamagedDatabase: serve and every command refuse a damaged database
// file in one line that names it and says to restore it; liaison check
// reads every page; serve --check-db does too; restore --force replaces a
// damaged file.
func TestDamagedDatabase(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	m := MustRunMain(t, "--db", good, "--demo")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	intact, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := write("truncated.db", intact[:8<<10])
	empty := write("empty.db", nil)
	garbled := append([]byte(nil), intact...)
	noise := make([]byte, 256<<10)
	rand.Read(noise)
	copy(garbled[16<<10:], noise)
	garbage := write("garbage.db", garbled)

	oneLine := func(t *testing.T, what string, code int, stderr, path string) {
		t.Helper()
		if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, path+": database file is damaged") || !strings.Contains(stderr, "restore it from a backup") {
			t.Errorf("%s = %d %q; want 1 and one line naming %s and saying to restore it", what, code, stderr, path)
		}
	}
	for _, p := range []string{truncated, empty} {
		code, _, stderr := cmdline(t, "", "serve", "--db", p, "--listen", "127.0.0.1:0")
		oneLine(t, "serve on "+filepath.Base(p), code, stderr, p)
		code, _, stderr = cmdline(t, "", "user", "list", "--db", p)
		oneLine(t, "user list on "+filepath.Base(p), code, stderr, p)
		code, _, stderr = cmdline(t, "", "check", "--db", p)
		oneLine(t, "check on "+filepath.Base(p), code, stderr, p)
	}
	code, _, stderr := cmdline(t, "", "check", "--db", garbage)
	oneLine(t, "check on garbage", code, stderr, garbage)
	code, _, stderr = cmdline(t, "", "serve", "--check-db", "--db", garbage, "--listen", "127.0.0.1:0")
	oneLine(t, "serve --check-db on garbage", code, stderr, garbage)
	if fi, _ := os.Stat(empty); fi.Size() != 0 {
		t.Errorf("the empty file was made into a database (%d bytes)", fi.Size())
	}

	if code, out, stderr := cmdline(t, "", "check", "--db", good); code != 0 || !strings.Contains(out, "no problem found") {
		t.Errorf("check on the intact file = %d %q %q", code, out, stderr)
	}
	if code, _, stderr := cmdline(t, "", "restore", good, "--db", truncated, "--force"); code != 0 {
		t.Fatalf("restore over the damaged file = %d %s", code, stderr)
	}
	if code, _, stderr := cmdline(t, "", "check", "--db", truncated); code != 0 {
		t.Errorf("check after the restore = %d %s", code, stderr)
	}
}

// TestCheckInUse: liaison check on a database a server holds says so; it
// does not call a locked file damaged.
func TestCheckInUse(t *testing.T) {
	db := filepath.Join(t.TempDir(), "liaison.db")
	MustRunMain(t, "--db", db)
	code, _, stderr := cmdline(t, "", "check", "--db", db)
	if code != 1 || !strings.Contains(stderr, "in use by a running liaison server") || strings.Contains(stderr, "damaged") {
		t.Errorf("check on a database in use = %d %q", code, stderr)
	}
}
