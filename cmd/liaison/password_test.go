package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"liaison/store"
	"liaison/store/storetest"
)

// fakeTerminal answers the password prompts in turn.
type fakeTerminal struct{ answers []string }

func (f *fakeTerminal) ReadPassword() (string, error) {
	if len(f.answers) == 0 {
		return "", errors.New("no more answers")
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a, nil
}

// TestPasswordPrompt: on a terminal, user add and user passwd ask for the
// password twice without --password-stdin; a mismatch changes nothing; an
// empty answer to user add leaves the user without password.
func TestPasswordPrompt(t *testing.T) {
	db := filepath.Join(t.TempDir(), "liaison.db")
	onTerminal := func(stdin string, answers []string, args ...string) (int, string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		c := &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, tty: &fakeTerminal{answers}, passwordCost: storetest.CheapPasswordCost()}
		code := c.main(context.Background(), append(args, "--db", db))
		return code, out.String(), errOut.String()
	}
	for _, tc := range []struct {
		name    string
		stdin   string
		answers []string
		args    []string
		code    int
		stderr  string
	}{
		{"add", "", []string{"first-passphrase-pw", "first-passphrase-pw"}, []string{"user", "add", "alice"}, 0, "Password for alice (empty: none, API keys only): \nAgain: \n"},
		{"add mismatch", "", []string{"pw-1", "pw-2"}, []string{"user", "add", "bob"}, 1, "do not match"},
		{"add without password", "", []string{""}, []string{"user", "add", "carol"}, 0, "Password for carol"},
		{"passwd", "", []string{"second-passphrase-pw", "second-passphrase-pw"}, []string{"user", "passwd", "alice"}, 0, "Password for alice: \nAgain: \n"},
		{"passwd mismatch", "", []string{"third-pw", "typo"}, []string{"user", "passwd", "alice"}, 1, "do not match"},
		{"passwd empty", "", []string{""}, []string{"user", "passwd", "alice"}, 1, "no password given"},
		// --password-stdin wins over the terminal, for scripts.
		{"passwd from stdin", "stdin-passphrase-pw\n", nil, []string{"user", "passwd", "carol", "--password-stdin"}, 0, ""},
	} {
		code, out, errOut := onTerminal(tc.stdin, tc.answers, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%s: %d %q %q; want %d and %q", tc.name, code, out, errOut, tc.code, tc.stderr)
		}
		if strings.Contains(out+errOut, "-pw") {
			t.Errorf("%s: a password was printed: %q %q", tc.name, out, errOut)
		}
	}
	s := mustOpenStore(t, db)
	defer s.Close()
	ctx := context.Background()
	if _, err := s.VerifyPassword(ctx, "alice", "second-passphrase-pw"); err != nil {
		t.Errorf("alice's password: %v", err)
	}
	if _, err := s.User(ctx, "bob"); !errors.Is(err, store.ErrUserNotFound) {
		t.Errorf("bob was created despite the mismatch: %v", err)
	}
	if _, err := s.VerifyPassword(ctx, "carol", "stdin-passphrase-pw"); err != nil {
		t.Errorf("carol's password: %v", err)
	}
}

// TestPasswordNotTerminal: without a terminal, user add makes a user
// without password, and user passwd needs --password-stdin.
func TestPasswordNotTerminal(t *testing.T) {
	if terminalOf(strings.NewReader("")) != nil {
		t.Error("a reader is taken for a terminal")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "in"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if terminalOf(f) != nil {
		t.Error("a file is taken for a terminal")
	}
	db := filepath.Join(t.TempDir(), "liaison.db")
	if code, out, _ := cmdline(t, "", "user", "add", "alice", "--db", db); code != 0 || !strings.Contains(out, "no password") {
		t.Errorf("user add = %d %q", code, out)
	}
	if code, _, errOut := cmdline(t, "", "user", "passwd", "alice", "--db", db); code != 2 || !strings.Contains(errOut, "--password-stdin") {
		t.Errorf("user passwd = %d %q", code, errOut)
	}
}

// TestPasswordPolicy: passwords that are short, the user's name, one
// character repeated or among the most common are refused, offline and
// online alike, by user add and user passwd.
func TestPasswordPolicy(t *testing.T) {
	weak := []struct{ user, password, why string }{
		{"bob", "short-pw", "at least 12 characters, this one has 8"},
		{"bob", "ÄÖÜäöüßÄÖÜ", "at least 12 characters, this one has 10"},
		{"maintenance1", "Maintenance1", "must not be the user name"},
		{"bob", "zzzzzzzzzzzzzzzz", "most common"},
		{"bob", "Password1234", "most common"},
		{"bob", "qwerty123456", "most common"},
	}
	run := func(t *testing.T, target ...string) []string {
		var msgs []string
		for _, w := range weak {
			for _, args := range [][]string{{"user", "add", w.user, "--password-stdin"}, {"user", "passwd", "alice", "--password-stdin"}} {
				if args[1] == "passwd" && w.user != "bob" {
					continue // the name rule is about alice's own name there
				}
				code, _, errOut := cmdline(t, w.password+"\n", append(args, target...)...)
				if code != 1 || !strings.Contains(errOut, w.why) {
					t.Errorf("%s with %q = %d %q, want 1 and %q", strings.Join(args[:2], " "), w.password, code, errOut, w.why)
				}
				msgs = append(msgs, errOut)
			}
		}
		if code, _, errOut := cmdline(t, "four random words here\n", append([]string{"user", "add", "dave", "--password-stdin"}, target...)...); code != 0 {
			t.Errorf("a passphrase: %d %s", code, errOut)
		}
		return msgs
	}
	dir := t.TempDir()
	offlineDB := filepath.Join(dir, "offline.db")
	cmdline(t, "alice's passphrase\n", "user", "add", "alice", "--password-stdin", "--db", offlineDB)
	offline := run(t, "--db", offlineDB)

	onlineDB := filepath.Join(dir, "online.db")
	cmdline(t, "", "user", "add", "root", "--admin", "--db", onlineDB)
	cmdline(t, "alice's passphrase\n", "user", "add", "alice", "--password-stdin", "--db", onlineDB)
	_, key, _ := cmdline(t, "", "apikey", "create", "root", "--db", onlineDB)
	m := MustRunMain(t, "--db", onlineDB)
	online := run(t, "--server", m.URL, "--api-key", strings.TrimSpace(key))
	if !slices.Equal(offline, online) {
		t.Errorf("messages differ:\noffline %q\nonline  %q", offline, online)
	}
}
