package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// BuildInfo is what the binary knows of its own build: for `liaison
// version`, the start-up log line and a build-info metric.
type BuildInfo struct {
	// Version is -X main.version (set by .ci/release), else the module
	// version the go command stamped, else "(devel)".
	Version string
	// Commit is -X main.commit, else the VCS revision the go command
	// stamped, with "-dirty" when the work tree had changes; empty when
	// unknown (go test; a build without .git, or in a git worktree, which
	// the go command does not stamp).
	Commit string
	// Date is -X main.buildDate (set by .ci/release), else the time of
	// the commit built; empty when neither is known.
	Date      string
	GoVersion string
	Platform  string // GOOS/GOARCH
}

// buildInfo returns the running binary's BuildInfo.
func buildInfo() BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return makeBuildInfo(bi, stamps{version, commit, buildDate})
}

// buildVersion is the version alone.
func buildVersion() string { return buildInfo().Version }

// stamps are the values set with -ldflags -X.
type stamps struct{ version, commit, date string }

// makeBuildInfo combines the go command's build information (nil when
// there is none) with the values stamped by -ldflags, which win.
func makeBuildInfo(bi *debug.BuildInfo, st stamps) BuildInfo {
	info := BuildInfo{Version: st.version, Commit: st.commit, Date: st.date, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		info.Version = cmp.Or(info.Version, "(devel)")
		return info
	}
	info.Version = cmp.Or(info.Version, bi.Main.Version, "(devel)")
	info.GoVersion = cmp.Or(bi.GoVersion, info.GoVersion)
	var revision, commitTime string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		case "vcs.time":
			commitTime = s.Value
		}
	}
	if revision != "" && modified {
		revision += "-dirty"
	}
	info.Commit = cmp.Or(st.commit, revision)
	info.Date = cmp.Or(info.Date, commitTime)
	return info
}

// version prints the BuildInfo, one field a line, "unknown" for what the
// build did not record.
func (c *cli) version(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, args []string) error {
		info := buildInfo()
		fmt.Fprintf(c.stdout, "liaison %s\ncommit: %s\ndate:   %s\ngo:     %s %s\n", info.Version,
			cmp.Or(info.Commit, "unknown"), cmp.Or(info.Date, "unknown"), info.GoVersion, info.Platform)
		return nil
	}
}
