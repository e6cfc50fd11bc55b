package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestStaticBuild builds the binary as the Dockerfile and .ci/release do
// (CGO_ENABLED=0, -trimpath, version stamps) and checks that it is static,
// which a distroless or scratch image needs (it has no C library), that
// `version` prints the stamps and that `healthcheck` probes a running
// server.
func TestStaticBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	bin := filepath.Join(t.TempDir(), "liaison")
	const stamps = "-X main.version=v0.0.0-test -X main.commit=0123abc-dirty -X main.buildDate=2026-01-02T03:04:05Z"
	build := exec.Command(goCmd, "build", "-trimpath", "-ldflags", "-s -w "+stamps, "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	if runtime.GOOS == "linux" {
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("the binary asks for a dynamic loader (PT_INTERP): it is not static")
			}
		}
		if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
			t.Errorf("the binary needs %v: it is not static", libs)
		}
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	want := "liaison v0.0.0-test\ncommit: 0123abc-dirty\ndate:   2026-01-02T03:04:05Z\ngo:     " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	if err != nil || string(out) != want {
		t.Errorf("liaison version: %v\n%s\nwant\n%s", err, out, want)
	}
	m := MustRunMain(t)
	if out, err := exec.Command(bin, "healthcheck", "--url", m.URL).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("liaison healthcheck --url %s: %v %s", m.URL, err, out)
	}
	m.Close()
	out, err = exec.Command(bin, "healthcheck", "--url", m.URL).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "connection refused") {
		t.Errorf("liaison healthcheck on a stopped server: %v %s, want exit status 1 and why", err, out)
	}
}
