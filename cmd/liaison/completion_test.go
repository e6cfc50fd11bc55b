package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// completionScript runs `liaison completion SHELL` and writes the script
// to a file.
func completionScript(t *testing.T, shell string) (file, text string) {
	t.Helper()
	code, out, errOut := cmdline(t, "", "completion", shell)
	if code != 0 || errOut != "" {
		t.Fatalf("liaison completion %s: exit %d, %s", shell, code, errOut)
	}
	file = filepath.Join(t.TempDir(), "liaison."+shell)
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, out
}

// TestCompletionScripts: every script names every command, subcommand and
// flag of the command table, and passes its shell's syntax check where
// that shell is installed (bash -n, zsh -n, fish --no-execute).
func TestCompletionScripts(t *testing.T) {
	model := completionModel()
	for _, c := range commandTable() {
		if !regexp.MustCompile(`^[a-z][a-z0-9-]*( [a-z][a-z0-9-]*)?$`).MatchString(c.name) {
			t.Errorf("command %q: the scripts leave names unquoted in places", c.name)
		}
	}
	for _, tc := range []struct {
		shell string
		check []string // the syntax check, with the file appended
	}{
		{"bash", []string{"bash", "-n"}},
		{"zsh", []string{"zsh", "-n"}},
		{"fish", []string{"fish", "--no-execute"}},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			file, text := completionScript(t, tc.shell)
			for _, c := range model {
				for _, word := range strings.Fields(c.name) {
					if !regexp.MustCompile(`\b` + word + `\b`).MatchString(text) {
						t.Errorf("the script does not name %q (of %s)", word, c.name)
					}
				}
				for _, f := range c.flags {
					// bash and zsh write the flag as typed; fish as -l NAME or -s N.
					if !strings.Contains(text, f.dashed()) && !strings.Contains(text, "-l "+f.name+" ") && !strings.Contains(text, "-s "+f.name+" ") {
						t.Errorf("the script lacks %s of %s", f.dashed(), c.name)
					}
				}
			}
			if _, err := exec.LookPath(tc.check[0]); err != nil {
				t.Skipf("%s is not installed: syntax not checked", tc.check[0])
			}
			if out, err := exec.Command(tc.check[0], append(tc.check[1:], file)...).CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("%s %s: %v\n%s", strings.Join(tc.check, " "), file, err, out)
			}
		})
	}
	code, _, errOut := cmdline(t, "", "completion", "tcsh")
	if code != 2 || !strings.Contains(errOut, `no completion for "tcsh": say bash, zsh or fish`) {
		t.Errorf("liaison completion tcsh: exit %d, %q", code, errOut)
	}
}

// completionCases are command lines, split as bash splits them (the last
// word is the one completed), and what completing them offers.
func completionCases() []struct {
	words []string
	want  []string
} {
	tops := []string{"apikey", "apiroot", "audit", "backup", "bench", "check", "collection", "completion", "config", "consumers", "copy", "explain", "export", "grant",
		"healthcheck", "help", "import", "migrate-schema", "object", "restore", "revoke", "serve", "stats", "user", "validate", "version"}
	users := []string{"add", "list", "passwd", "remove", "update"}
	files := []string{"a.db", "b.pem", "sub"}
	return []struct {
		words []string
		want  []string
	}{
		{[]string{"liaison", ""}, tops},
		{[]string{"liaison", "us"}, []string{"user"}},
		{[]string{"liaison", "user", ""}, users},
		{[]string{"liaison", "collection", "s"}, []string{"show"}},
		{[]string{"liaison", "user", "add", "--"}, []string{"--admin", "--api-key", "--db", "--help", "--org", "--password-stdin", "--server"}},
		{[]string{"liaison", "user", "add", "alice", "--pa"}, []string{"--password-stdin"}},
		{[]string{"liaison", "serve", "--d"}, []string{"--db", "--demo", "--drain-timeout"}},
		{[]string{"liaison", "serve", "--db", ""}, files},
		{[]string{"liaison", "serve", "--listen", ""}, nil},
		{[]string{"liaison", "export", "--collection", "feed", "-o", "b"}, []string{"b.pem"}},
		{[]string{"liaison", "healthcheck", "--u"}, []string{"--url"}},
		{[]string{"liaison", "import", "--collection", ""}, nil},
		{[]string{"liaison", "import", "--collection", "inbox", ""}, files},
		{[]string{"liaison", "user", "add", "alice", ""}, nil},
		{[]string{"liaison", "help", ""}, tops},
		{[]string{"liaison", "help", "apikey", ""}, []string{"create", "list", "revoke"}},
		{[]string{"liaison", "completion", ""}, []string{"bash", "fish", "zsh"}},
	}
}

// completionDir makes the directory completions run in, holding the files
// completionCases expects.
func completionDir(t *testing.T) string {
	dir := t.TempDir()
	for _, f := range []string{"a.db", "b.pem"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCompletionBash completes command lines with the bash script, as
// bash does on Tab: COMP_WORDS and COMP_CWORD set, _liaison called.
func TestCompletionBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	file, _ := completionScript(t, "bash")
	cases := append(completionCases(), struct {
		words []string
		want  []string
	}{[]string{"liaison", "serve", "--tls-cert", "=", "a"}, []string{"a.db"}}) // bash splits --tls-cert=a at "="
	dir := completionDir(t)
	for _, tc := range cases {
		t.Run(strings.Join(tc.words, " "), func(t *testing.T) {
			script := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _liaison; printf '%s\n' "${COMPREPLY[@]}"`
			cmd := exec.Command("bash", append([]string{"--norc", "-c", script, "bash", file}, tc.words...)...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			got := strings.Fields(string(out))
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("offers %q, want %q", got, tc.want)
			}
		})
	}
}

// TestCompletionFish completes command lines with the fish script
// (complete -C), where fish is installed.
func TestCompletionFish(t *testing.T) {
	if _, err := exec.LookPath("fish"); err != nil {
		t.Skip("fish is not installed")
	}
	file, _ := completionScript(t, "fish")
	dir := completionDir(t)
	for _, tc := range completionCases() {
		line := strings.Join(tc.words, " ")
		t.Run(line, func(t *testing.T) {
			cmd := exec.Command("fish", "--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, file, line)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if word, _, _ := strings.Cut(l, "\t"); word != "" {
					got = append(got, strings.TrimSuffix(word, "/"))
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("offers %q, want %q", got, tc.want)
			}
		})
	}
}

// TestCompletionZsh: the zsh script, sourced after compinit, registers
// _liaison for liaison (completing needs a terminal: zsh's completion
// widgets run only in an interactive line editor).
func TestCompletionZsh(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("zsh is not installed")
	}
	file, _ := completionScript(t, "zsh")
	home := t.TempDir()
	cmd := exec.Command("zsh", "-f", "-c", `autoload -U compinit && compinit -D -u && source $1 && print -r -- ${_comps[liaison]}`, "zsh", file)
	cmd.Env = append(os.Environ(), "HOME="+home, "ZDOTDIR="+home)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "_liaison" {
		t.Errorf("zsh: %v: %q, want _liaison", err, out)
	}
}
