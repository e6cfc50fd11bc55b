package main

// Helpers for the tests that drive the real liaison binary as a separate
// process (the crash test and the soak benchmark): build it, run its
// offline commands, start, kill and stop its server, and talk TAXII to it.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildLiaison compiles this package into a temporary directory and
// returns the binary's path. It is built the way the test binary was (with
// the race detector when the test has it), which reuses the packages the
// test already compiled and checks the server for races under load too.
func buildLiaison(tb testing.TB) string {
	tb.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		tb.Skip("the go command is not on PATH: this test builds the liaison binary with it")
	}
	bin := filepath.Join(tb.TempDir(), "liaison")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	start := time.Now()
	cmd := exec.Command(goTool, append(args, ".")...) // the test runs in the package directory
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	tb.Logf("built %s in %v (race detector: %v)", bin, time.Since(start).Round(time.Millisecond), raceEnabled)
	return bin
}

// liaisonCLI runs an offline command of the binary with stdin as its input
// and returns its standard output; it fails the test if the command fails.
func liaisonCLI(tb testing.TB, bin, stdin string, args ...string) string {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("liaison %s: %v\n%s%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.String()
}

// liaisonFixture is a database with an API root "crash", a collection
// "inbox" in it, and a user "writer" who may read and write it with an API
// key, all made offline with the CLI as an operator would.
type liaisonFixture struct {
	Bin, DB string
	APIKey  string
}

// Fixture names.
const (
	fixtureRoot  = "crash"
	fixtureAlias = "inbox"
	fixtureUser  = "writer"
)

func newLiaisonFixture(tb testing.TB) liaisonFixture {
	tb.Helper()
	f := liaisonFixture{Bin: buildLiaison(tb), DB: filepath.Join(tb.TempDir(), "liaison.db")}
	db := "--db=" + f.DB
	liaisonCLI(tb, f.Bin, "", "apiroot", "add", fixtureRoot, "--title", "Crash test", db)
	liaisonCLI(tb, f.Bin, "", "collection", "add", "--api-root", fixtureRoot, "--title", "Inbox", "--alias", fixtureAlias, db)
	liaisonCLI(tb, f.Bin, "", "user", "add", fixtureUser, db)
	liaisonCLI(tb, f.Bin, "", "grant", fixtureUser, "--collection", fixtureAlias, "--read", "--write", db)
	f.APIKey = strings.TrimSpace(liaisonCLI(tb, f.Bin, "", "apikey", "create", fixtureUser, db))
	if !strings.HasPrefix(f.APIKey, "lsn_") {
		tb.Fatalf("apikey create printed %q, want a key", f.APIKey)
	}
	return f
}

// serverProc is a running liaison serve process.
type serverProc struct {
	cmd    *exec.Cmd
	URL    string // http://host:port
	logs   *serverLog
	exited chan struct{} // closed once the process has been waited for
	err    error         // from Wait; read after exited is closed
}

// startServer starts liaison serve on db, on a loopback port the kernel
// picks, and returns once the server has logged that it serves (the log
// line names the address). The process is killed when the test ends if it
// is still running.
func startServer(tb testing.TB, bin, db string) (*serverProc, error) {
	tb.Helper()
	logs := &serverLog{listen: make(chan string, 1)}
	cmd := exec.Command(bin, "serve", "--db", db, "--listen", "127.0.0.1:0", "--log-format", "json")
	cmd.Stdout = io.Discard
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start liaison serve: %w", err)
	}
	p := &serverProc{cmd: cmd, logs: logs, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(p.kill)
	select {
	case addr := <-logs.listen:
		p.URL = "http://" + addr
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("liaison serve exited before serving: %v\n%s", p.err, logs.tail())
	case <-time.After(30 * time.Second):
		p.kill()
		return nil, fmt.Errorf("liaison serve did not log its address within 30s\n%s", logs.tail())
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *serverProc) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop sends SIGTERM, as an operator or a service manager does, and
// returns the exit error: nil when the server shut down cleanly.
func (p *serverProc) stop(timeout time.Duration) error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return p.err
	case <-time.After(timeout):
		p.kill()
		return fmt.Errorf("liaison serve did not stop within %v of SIGTERM", timeout)
	}
}

// procMem is a process's memory and descriptors, from /proc.
type procMem struct {
	RSS, Peak int64 // resident set size and its high-water mark, in bytes
	// Anon is the resident anonymous memory (heap, stacks); File the
	// resident file-backed memory, mostly the pages of the memory-mapped
	// database, which grows with the data read.
	Anon, File int64
	FDs        int
}

// mem reads the process's memory figures and counts its descriptors.
func (p *serverProc) mem() (procMem, error) {
	var m procMem
	pid := p.cmd.Process.Pid
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m, err
	}
	fields := map[string]*int64{"VmRSS:": &m.RSS, "VmHWM:": &m.Peak, "RssAnon:": &m.Anon, "RssFile:": &m.File}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[2] == "kB" && fields[f[0]] != nil {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return m, fmt.Errorf("/proc/%d/status: %q: %w", pid, line, err)
			}
			*fields[f[0]] = kb << 10
		}
	}
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	m.FDs = len(entries)
	return m, err
}

// serverLog receives the server's JSON log lines: it finds the line that
// names the listen address, and keeps the last lines, and every error
// line, panic and race report, for the test's messages.
type serverLog struct {
	listen chan string // receives the listen address once

	mu      sync.Mutex
	partial []byte
	last    []string // the last lines, for diagnostics
	errors  []string // lines logged at level ERROR
}

func (l *serverLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, b...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		if len(l.last) == 50 {
			l.last = l.last[1:]
		}
		l.last = append(l.last, line)
		var rec struct {
			Level, Msg, Listen string
		}
		if json.Unmarshal([]byte(line), &rec) != nil {
			// Not a log record: the runtime's own reports go to stderr too.
			if strings.HasPrefix(line, "panic:") || strings.HasPrefix(line, "fatal error:") || strings.Contains(line, "WARNING: DATA RACE") {
				l.errors = append(l.errors, line)
			}
			continue
		}
		if rec.Level == "ERROR" {
			l.errors = append(l.errors, line)
		}
		if rec.Msg == "serving TAXII 2.1" && rec.Listen != "" {
			select {
			case l.listen <- rec.Listen:
			default:
			}
		}
	}
}

// tail returns the last lines logged.
func (l *serverLog) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.last, "\n")
}

// errorLines returns the lines logged at level ERROR.
func (l *serverLog) errorLines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errors...)
}

// taxiiClient sends TAXII requests with an API key.
type taxiiClient struct {
	http   *http.Client
	apiKey string
}

func newTaxiiClient(apiKey string) *taxiiClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	return &taxiiClient{http: &http.Client{Transport: tr, Timeout: 2 * time.Minute}, apiKey: apiKey}
}

// do sends a request and returns the status and body of the response.
func (c *taxiiClient) do(ctx context.Context, method, u string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	if body != nil {
		req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, b, fmt.Errorf("read response: %w", err)
	}
	return res.StatusCode, b, nil
}

// page is a TAXII envelope as served, the objects left undecoded so that
// they can be compared with what was sent byte for byte.
type page struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

// newUUID4 returns a random UUID (version 4).
func newUUID4() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// testIndicator returns a valid STIX 2.1 indicator with a fresh id. The
// JSON is written by hand, with the spacing varying with n, non-ASCII
// text and escapes, so that a store that re-encoded objects would not
// serve them back byte for byte.
func testIndicator(n int) (id string, raw []byte) {
	id = "indicator--" + newUUID4()
	ts := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	sep := [...]string{":", ": ", " : ", ":\n\t"}[n%4]
	raw = fmt.Appendf(nil, `{"type"%[1]s"indicator","spec_version"%[1]s"2.1","id"%[1]s%[2]q,`+
		`"created"%[1]s%[3]q,"modified"%[1]s%[3]q,"name"%[1]s"test indicator #%[4]d",`+
		`"description"%[1]s"caf\u00e9 ☃ \"%[4]d\" <b>&amp;</b> \\ \/",`+
		`"pattern"%[1]s"[ipv4-addr:value = '198.51.100.%[5]d']","pattern_type"%[1]s"stix",`+
		`"valid_from"%[1]s%[3]q,"labels"%[1]s[ "malicious-activity" ,"c2"]}`,
		sep, id, ts, n, n%256)
	return id, raw
}

// envelope frames objects as a TAXII envelope.
func envelope(raws [][]byte) []byte {
	b := []byte(`{"objects":[`)
	for i, r := range raws {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = append(b, r...)
	}
	return append(b, "]}"...)
}
