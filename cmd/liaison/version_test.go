package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestMakeBuildInfo: values stamped with -ldflags win over the go
// command's build information; the commit says -dirty when the work tree
// had changes; what nobody recorded stays empty.
func TestMakeBuildInfo(t *testing.T) {
	vcs := func(kv ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Path: "liaison", Version: "v1.2.3"}}
		for i := 0; i < len(kv); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return bi
	}
	const rev, when = "0123456789abcdef0123456789abcdef01234567", "2026-01-02T03:04:05Z"
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		st   stamps
		want BuildInfo
	}{
		{"no build information", nil, stamps{}, BuildInfo{Version: "(devel)", GoVersion: runtime.Version()}},
		{"stamped, no build information", nil, stamps{"v2.0.0", "abc", "2026-05-06T07:08:09Z"},
			BuildInfo{Version: "v2.0.0", Commit: "abc", Date: "2026-05-06T07:08:09Z", GoVersion: runtime.Version()}},
		{"go test: no VCS settings", vcs(), stamps{}, BuildInfo{Version: "v1.2.3", GoVersion: "go1.99.1"}},
		{"(devel) module", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, stamps{}, BuildInfo{Version: "(devel)", GoVersion: runtime.Version()}},
		{"clean tree", vcs("vcs", "git", "vcs.revision", rev, "vcs.time", when, "vcs.modified", "false"), stamps{},
			BuildInfo{Version: "v1.2.3", Commit: rev, Date: when, GoVersion: "go1.99.1"}},
		{"dirty tree", vcs("vcs.revision", rev, "vcs.time", when, "vcs.modified", "true"), stamps{},
			BuildInfo{Version: "v1.2.3", Commit: rev + "-dirty", Date: when, GoVersion: "go1.99.1"}},
		{"stamps win", vcs("vcs.revision", rev, "vcs.time", when, "vcs.modified", "true"), stamps{"v9.0.0", "fedcba", "2026-07-08T09:10:11Z"},
			BuildInfo{Version: "v9.0.0", Commit: "fedcba", Date: "2026-07-08T09:10:11Z", GoVersion: "go1.99.1"}},
		{"only the version stamped", vcs("vcs.revision", rev, "vcs.time", when), stamps{version: "v9.0.0"},
			BuildInfo{Version: "v9.0.0", Commit: rev, Date: when, GoVersion: "go1.99.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Platform = runtime.GOOS + "/" + runtime.GOARCH
			if got := makeBuildInfo(tc.bi, tc.st); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestVersionCommand: `liaison version` and `--version` print every field,
// "unknown" for what a test binary does not record.
func TestVersionCommand(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errOut := cmdline(t, "", args...)
		if code != 0 || errOut != "" {
			t.Fatalf("%q: exit %d, stderr %q", args, code, errOut)
		}
		want := "liaison " + buildVersion() + "\ncommit: unknown\ndate:   unknown\ngo:     " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
		if out != want {
			t.Errorf("%q printed\n%s\nwant\n%s", args, out, want)
		}
		if !strings.HasPrefix(out, "liaison ") {
			t.Errorf("first line %q does not start with the program name", out)
		}
	}
}
