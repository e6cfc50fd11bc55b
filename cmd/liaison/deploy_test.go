package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// readUnit reads a systemd unit file's settings, section by section, each
// key with its values in order (a key may be given more than once).
func readUnit(t *testing.T, name string) map[string]map[string][]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	unit := map[string]map[string][]string{}
	var section string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
			unit[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s: not a setting: %q", name, line)
			}
			unit[section][k] = append(unit[section][k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return unit
}

// TestSystemdUnit: docs/deploy/liaison.service runs serve with arguments
// the binary accepts, keeps the database in its state directory under a
// dynamic user with the file system read-only otherwise, reloads with
// SIGHUP (the TLS certificate), and passes `systemd-analyze verify` where
// systemd is installed.
func TestSystemdUnit(t *testing.T) {
	const file = "../../docs/deploy/liaison.service"
	unit := readUnit(t, file)
	svc := unit["Service"]
	get := func(key string) string {
		t.Helper()
		if v := svc[key]; len(v) == 1 {
			return v[0]
		}
		t.Fatalf("[Service] %s: %q, want one value", key, svc[key])
		return ""
	}
	for key, want := range map[string]string{"DynamicUser": "yes", "ProtectSystem": "strict", "NoNewPrivileges": "yes",
		"CapabilityBoundingSet": "", "ExecReload": "/bin/kill -HUP $MAINPID"} {
		if got := get(key); got != want {
			t.Errorf("%s=%s, want %s", key, got, want)
		}
	}
	exec0 := strings.Fields(get("ExecStart"))
	if len(exec0) < 2 || exec0[0] != "/usr/local/bin/liaison" || exec0[1] != "serve" {
		t.Fatalf("ExecStart=%s: want /usr/local/bin/liaison serve ...", get("ExecStart"))
	}
	m := NewMain()
	m.Stderr = io.Discard
	if err := m.ParseFlags(context.Background(), exec0[2:]); err != nil {
		t.Fatalf("ExecStart=%s: %v", get("ExecStart"), err)
	}
	// ProtectSystem=strict leaves the state directory the only place the
	// service may write.
	if dir := path.Join("/var/lib", get("StateDirectory")); path.Dir(m.Config.DBPath) != dir {
		t.Errorf("the database %s is not in the state directory %s", m.Config.DBPath, dir)
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not found: the unit is not verified")
	}
	// verify wants the programs the unit runs to exist: this test's own
	// binary stands in for liaison.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	copyFile := filepath.Join(t.TempDir(), "liaison.service")
	if err := os.WriteFile(copyFile, []byte(strings.ReplaceAll(string(text), "/usr/local/bin/liaison", self)), 0o644); err != nil {
		t.Fatal(err)
	}
	// verify exits 0 on settings it ignores (an unknown key, a bad value):
	// any output is a failure.
	if out, err := exec.Command(analyze, "verify", copyFile).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify %s: %v\n%s", file, err, out)
	}
}
