package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestHelp: `liaison help CMD`, `liaison CMD --help` and `-h` print that
// command's usage with one line per flag and exit 0; a usage error prints
// the command's own usage, not every command's; an unknown flag suggests
// the nearest; no message names the command twice.
func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout []string // regexps the standard output must match
		stderr []string // regexps the standard error must match
		not    []string // what neither may contain
	}{
		{"help CMD", []string{"help", "user", "add"}, 0,
			[]string{`(?m)^Usage: liaison user add NAME`, `(?m)^  --admin +\S`, `(?m)^  --password-stdin +\S`, `(?m)^  --db FILE +\S`},
			nil, []string{"apikey create", "flag:"}},
		{"CMD --help", []string{"user", "add", "--help"}, 0,
			[]string{`(?m)^Usage: liaison user add NAME`, `(?m)^  --admin +\S`}, nil, []string{"apikey create", "flag:"}},
		{"CMD -h", []string{"apikey", "create", "-h"}, 0,
			[]string{`(?m)^Usage: liaison apikey create NAME`, `(?m)^  --expires DURATION +\S`}, nil, []string{"user add", "flag:"}},
		{"help after arguments", []string{"grant", "alice", "--collection", "x", "-h"}, 0,
			[]string{`(?m)^Usage: liaison grant NAME`, `(?m)^  --read +\S`}, nil, nil},
		{"serve --help", []string{"serve", "--help"}, 0,
			[]string{`(?m)^Usage: liaison serve`, `(?m)^  --listen ADDRESS +\S`, `(?m)^  --tls-cert FILE +\S`}, nil, []string{"user add"}},
		{"help serve", []string{"help", "serve"}, 0, []string{`(?m)^Usage: liaison serve`}, nil, nil},
		{"help group", []string{"help", "user"}, 0,
			[]string{`(?m)^  liaison user add NAME`, `(?m)^  liaison user passwd NAME`}, nil, []string{"apikey create"}},
		{"group --help", []string{"collection", "--help"}, 0,
			[]string{`(?m)^  liaison collection show ID\|ALIAS`}, nil, []string{"user add"}},
		{"help", []string{"help"}, 0,
			[]string{`(?m)^  liaison serve `, `(?m)^  liaison user add `, `(?m)^  liaison validate `, `liaison help COMMAND`}, nil, nil},
		{"help unknown", []string{"help", "frobnicate"}, 2, nil, []string{`unknown command "frobnicate"`}, nil},

		{"missing argument", []string{"user", "add"}, 2, nil,
			[]string{`^liaison user add: expected NAME\n`, `(?m)^Usage: liaison user add NAME`, `(?m)^  --admin +\S`},
			[]string{"apikey create", "collection add"}},
		{"missing subcommand", []string{"user"}, 2, nil,
			[]string{`^liaison user: expected a command: add, list, update, remove or passwd\n`, `(?m)^  liaison user add NAME`},
			[]string{"apikey create"}},
		{"unknown subcommand", []string{"user", "ad"}, 2, nil,
			[]string{`^liaison user: unknown command "ad" \(did you mean "add"\?\)\n`}, []string{"apikey create"}},
		{"unknown command", []string{"colection", "list"}, 2, nil,
			[]string{`^liaison: unknown command "colection" \(did you mean "collection"\?\)\n`}, nil},
		{"unknown flag", []string{"user", "add", "bob", "--admn"}, 2, nil,
			[]string{`^liaison user add: unknown flag --admn \(did you mean --admin\?\)\n`}, []string{"apikey create"}},
		{"unknown flag, nothing near", []string{"stats", "--zzzzzzzz"}, 2, nil,
			[]string{`^liaison stats: unknown flag --zzzzzzzz\n`}, []string{"did you mean"}},
		{"unknown single-dash flag", []string{"export", "--collection", "x", "-0"}, 2, nil,
			[]string{`unknown flag -0 \(did you mean -o\?\)`}, nil},
		{"extra argument", []string{"user", "list", "bob"}, 2, nil, []string{`^liaison user list: unexpected argument "bob"\n`}, nil},
		{"command's own complaint", []string{"user", "update", "bob"}, 2, nil,
			[]string{`^liaison user update: say --admin, --admin=false or --org\n`, `(?m)^Usage: liaison user update NAME`}, nil},
		{"import", []string{"import", "f.json"}, 2, nil, []string{`^liaison import: --collection is required\n`}, nil},
		{"grant without rights", []string{"grant", "bob", "--collection", "x"}, 2, nil, []string{`^liaison grant: give --read, --write, --clearance or --allow-marking\n`}, nil},
		{"validate", []string{"validate"}, 2, nil, []string{`^liaison validate: expected FILE\.\.\.`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cmdline(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("liaison %s = %d, want %d\nstdout: %s\nstderr: %s", strings.Join(tc.args, " "), code, tc.code, out, errOut)
			}
			for _, re := range tc.stdout {
				if !regexp.MustCompile(re).MatchString(out) {
					t.Errorf("stdout does not match %s:\n%s", re, out)
				}
			}
			for _, re := range tc.stderr {
				if !regexp.MustCompile(re).MatchString(errOut) {
					t.Errorf("stderr does not match %s:\n%s", re, errOut)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(out+errOut, s) {
					t.Errorf("output contains %q:\n%s%s", s, out, errOut)
				}
			}
			// A command named twice: "liaison user add: user add: ...".
			if m := regexp.MustCompile(`liaison ([a-z]+)(?: ([a-z]+))?: ([a-z]+)(?: ([a-z]+))?:`).FindStringSubmatch(errOut); m != nil && m[1] == m[3] {
				t.Errorf("the command is named twice: %s", errOut)
			}
		})
	}
}

// TestHelpCoversEveryCommand: every command of the table has a summary and
// its own help, and the top-level usage lists it.
func TestHelpCoversEveryCommand(t *testing.T) {
	_, top, _ := cmdline(t, "", "help")
	for _, cmd := range commandTable() {
		if cmd.summary == "" {
			t.Errorf("%s has no summary", cmd.name)
		}
		if !strings.Contains(top, "liaison "+cmd.name) {
			t.Errorf("the usage does not list %s", cmd.name)
		}
		code, out, errOut := cmdline(t, "", append(strings.Fields(cmd.name), "--help")...)
		if code != 0 || !strings.HasPrefix(out, "Usage: liaison "+cmd.name) || !strings.Contains(out, cmd.summary) {
			t.Errorf("liaison %s --help = %d\n%s%s", cmd.name, code, out, errOut)
		}
	}
}
