package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// instruction is one Dockerfile instruction: its keyword, its --flags and
// the rest of its (joined) lines.
type instruction struct {
	keyword string
	flags   map[string]string
	rest    string
}

// readDockerfile reads the instructions of a Dockerfile: comments
// dropped, continued lines joined.
func readDockerfile(t *testing.T, name string) []instruction {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []instruction
	var line string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(text, "#") || (text == "" && line == "") {
			continue
		}
		if cont, ok := strings.CutSuffix(text, `\`); ok {
			line += cont + " "
			continue
		}
		line += text
		keyword, rest, _ := strings.Cut(line, " ")
		in := instruction{keyword: strings.ToUpper(keyword), flags: map[string]string{}}
		rest = strings.TrimSpace(rest)
		for strings.HasPrefix(rest, "--") {
			var f string
			f, rest, _ = strings.Cut(rest, " ")
			k, v, _ := strings.Cut(strings.TrimPrefix(f, "--"), "=")
			in.flags[k] = v
			rest = strings.TrimSpace(rest)
		}
		in.rest = rest
		out = append(out, in)
		line = ""
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// execForm decodes a JSON-array argument ("exec form"), which runs
// without a shell: the only form a distroless image can run.
func execForm(t *testing.T, in instruction) []string {
	t.Helper()
	var args []string
	if err := json.Unmarshal([]byte(in.rest), &args); err != nil || len(args) == 0 {
		t.Fatalf("%s %s: not a JSON array of arguments (exec form): %v", in.keyword, in.rest, err)
	}
	return args
}

// TestDockerfile: Docker cannot build here, so this checks what the
// Dockerfile refers to: the Go version of go.mod, files that exist, a
// static build of ./cmd/liaison, a non-root user, and serve and healthcheck
// arguments the binary accepts, on the port exposed, with the database on
// the volume.
func TestDockerfile(t *testing.T) {
	root := filepath.Join("..", "..")
	ins := readDockerfile(t, filepath.Join(root, "Dockerfile"))
	byKeyword := map[string][]instruction{}
	for _, in := range ins {
		byKeyword[in.keyword] = append(byKeyword[in.keyword], in)
	}
	one := func(keyword string) instruction {
		t.Helper()
		if n := len(byKeyword[keyword]); n != 1 {
			t.Fatalf("%d %s instructions, want 1", n, keyword)
		}
		return byKeyword[keyword][0]
	}

	// The builder's Go is the one go.mod names.
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	if goVersion == nil {
		t.Fatal("go.mod has no go directive")
	}
	if want := "GO_VERSION=" + string(goVersion[1]); ins[0].keyword != "ARG" || ins[0].rest != want {
		t.Errorf("first instruction %s %s, want ARG %s", ins[0].keyword, ins[0].rest, want)
	}

	// Two stages: a Go builder and a distroless or scratch image.
	froms := byKeyword["FROM"]
	if len(froms) != 2 || !strings.HasPrefix(froms[0].rest, "golang:${GO_VERSION}") ||
		!(strings.HasPrefix(froms[1].rest, "gcr.io/distroless/static") || froms[1].rest == "scratch") {
		t.Errorf("stages %v: want golang:${GO_VERSION}... then distroless static or scratch", froms)
	}

	// What is copied from the build context exists.
	for _, in := range byKeyword["COPY"] {
		if in.flags["from"] != "" {
			continue
		}
		fields := strings.Fields(in.rest)
		for _, src := range fields[:len(fields)-1] {
			if _, err := os.Stat(filepath.Join(root, src)); err != nil {
				t.Errorf("COPY %s: %v", in.rest, err)
			}
		}
	}

	// One static build of the command's package, to the file the final
	// stage copies.
	var build []string
	for _, in := range byKeyword["RUN"] {
		if strings.Contains(in.rest, "go build") {
			build = strings.Fields(in.rest)
		}
	}
	if len(build) == 0 || build[0] != "CGO_ENABLED=0" {
		t.Fatalf("no RUN CGO_ENABLED=0 go build: %q", build)
	}
	var out, pkg string
	for i, w := range build {
		switch {
		case w == "-o" && i+1 < len(build):
			out = build[i+1]
		case strings.HasPrefix(w, "./"):
			pkg = w
		}
	}
	if fi, err := os.Stat(filepath.Join(root, pkg, "main.go")); err != nil || fi.IsDir() {
		t.Errorf("go build %s: no main package there (%v)", pkg, err)
	}
	for _, stamp := range []string{"-X main.version=${VERSION}", "-X main.commit=${COMMIT}"} {
		if !strings.Contains(strings.Join(build, " "), stamp) {
			t.Errorf("go build lacks %s", stamp)
		}
	}
	binary := ""
	for _, in := range byKeyword["COPY"] {
		if f := strings.Fields(in.rest); in.flags["from"] == "build" && f[0] == out {
			binary = f[1]
		}
	}
	if binary == "" {
		t.Fatalf("the final stage does not copy the binary built, %s", out)
	}

	// A non-root user, by number (Kubernetes' runAsNonRoot needs one).
	uid, _, _ := strings.Cut(one("USER").rest, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("USER %s: want a numeric non-root user", one("USER").rest)
	}
	volume := one("VOLUME").rest
	if volume != "/data" {
		t.Errorf("VOLUME %s, want /data", volume)
	}
	var volumeOwned bool
	for _, in := range byKeyword["COPY"] {
		if f := strings.Fields(in.rest); f[len(f)-1] == volume && in.flags["chown"] == one("USER").rest {
			volumeOwned = true
		}
	}
	if !volumeOwned {
		t.Errorf("%s is not created owned by the user %s: the server could not create its database there", volume, one("USER").rest)
	}

	// The command runs the binary's serve with arguments it accepts, the
	// database on the volume, listening on the port exposed.
	entry := execForm(t, one("ENTRYPOINT"))
	if len(entry) != 1 || entry[0] != binary {
		t.Errorf("ENTRYPOINT %q, want [%q]", entry, binary)
	}
	cmd := execForm(t, one("CMD"))
	if cmd[0] != "serve" {
		t.Fatalf("CMD %q does not serve", cmd)
	}
	m := NewMain()
	m.Stderr = io.Discard
	if err := m.ParseFlags(context.Background(), cmd[1:]); err != nil {
		t.Fatalf("CMD %q: %v", cmd, err)
	}
	if m.Config.DBPath != path.Join(volume, "liaison.db") {
		t.Errorf("CMD's database %s is not %s/liaison.db", m.Config.DBPath, volume)
	}
	host, port, err := net.SplitHostPort(m.Config.Listen)
	if err != nil || !unspecified(host) {
		t.Errorf("CMD listens on %s: from outside the container nothing reaches it", m.Config.Listen)
	}
	if expose := one("EXPOSE").rest; expose != port {
		t.Errorf("EXPOSE %s, but the server listens on %s", expose, port)
	}

	// The health check runs the binary (no shell, no curl) with
	// arguments it accepts, against the port the server listens on.
	hc := one("HEALTHCHECK")
	probe, ok := strings.CutPrefix(hc.rest, "CMD ")
	if !ok {
		t.Fatalf("HEALTHCHECK %s: want CMD [...]", hc.rest)
	}
	args := execForm(t, instruction{keyword: "HEALTHCHECK CMD", rest: probe})
	if len(args) < 2 || args[0] != binary || args[1] != "healthcheck" {
		t.Fatalf("HEALTHCHECK CMD %q: want [%q, \"healthcheck\", ...]", args, binary)
	}
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	(&cli{}).healthcheck(fs)
	if err := fs.Parse(args[2:]); err != nil || fs.NArg() > 0 {
		t.Fatalf("HEALTHCHECK CMD %q: %v %q", args, err, fs.Args())
	}
	u, err := url.Parse(fs.Lookup("url").Value.String())
	if err != nil || u.Scheme != "http" || u.Port() != port || !loopback(u.Host) {
		t.Errorf("the health check probes %s, the server listens on plain HTTP port %s", fs.Lookup("url").Value, port)
	}
	probeTimeout, err := time.ParseDuration(fs.Lookup("timeout").Value.String())
	if dockerTimeout, err2 := time.ParseDuration(cmp.Or(hc.flags["timeout"], "30s")); err != nil || err2 != nil || probeTimeout >= dockerTimeout {
		t.Errorf("healthcheck --timeout %s must end before Docker's --timeout=%s", fs.Lookup("timeout").Value, hc.flags["timeout"])
	}
}
