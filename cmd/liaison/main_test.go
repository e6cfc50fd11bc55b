package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"liaison/stix"
	"liaison/stix/coopfeed"
	"liaison/store"
	"liaison/store/curation"
)

// MustRunMain starts the real serve program on a loopback port chosen by
// the kernel, with the demo data, and stops it when the test ends.
func MustRunMain(tb testing.TB, args ...string) *Main {
	tb.Helper()
	m := cheapMain()
	var out bytes.Buffer
	m.Stdout, m.Stderr = &out, io.Discard
	args = append([]string{"--db", filepath.Join(tb.TempDir(), "liaison.db"), "--listen", "127.0.0.1:0"}, args...)
	if err := m.ParseFlags(context.Background(), args); err != nil {
		tb.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Error(err)
		}
	})
	return m
}

func getJSON(tb testing.TB, u string, v any) http.Header {
	tb.Helper()
	return getJSONAs(tb, u, "", v)
}

// getJSONAs GETs u with an Authorization header (none when empty) and
// decodes the TAXII response into v.
func getJSONAs(tb testing.TB, u, authorization string, v any) http.Header {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", u, res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/taxii+json;version=2.1" {
		tb.Fatalf("GET %s: Content-Type %q", u, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		tb.Fatalf("GET %s: %v in %s", u, err, body)
	}
	return res.Header
}

// TestMain_Demo runs the binary's Main with --demo on port 0, then walks
// discovery to the feed collection and pages through it by next, as
// taxii2-client does, checking that every object of the demo sample is
// served exactly once in its latest version.
func TestMain_Demo(t *testing.T) {
	m := MustRunMain(t, "--demo")

	var disc struct {
		Default  string   `json:"default"`
		APIRoots []string `json:"api_roots"`
	}
	getJSON(t, m.URL+"/taxii2/", &disc)
	if want := m.URL + "/cooperation/"; disc.Default != want || len(disc.APIRoots) != 1 || disc.APIRoots[0] != want {
		t.Fatalf("discovery = %+v, want default and single root %s", disc, want)
	}
	var colls struct {
		Collections []struct {
			ID, Alias         string
			CanRead, CanWrite bool `json:"-"`
		} `json:"collections"`
	}
	getJSON(t, disc.Default+"collections/", &colls)
	var feedID string
	for _, c := range colls.Collections {
		if c.Alias == demoFeedAlias {
			feedID = c.ID
		}
	}
	// Anonymous clients see the two public-read collections; the demo user
	// sees the private inbox too.
	if len(colls.Collections) != 2 || feedID == "" {
		t.Fatalf("collections = %+v", colls)
	}
	var mine struct{ Collections []json.RawMessage }
	getJSONAs(t, disc.Default+"collections/", "Bearer "+m.Demo.APIKey, &mine)
	if len(mine.Collections) != 3 {
		t.Fatalf("the demo user sees %d collections, want 3", len(mine.Collections))
	}
	getJSONAs(t, disc.Default+"collections/", "Basic "+base64.StdEncoding.EncodeToString([]byte(m.Demo.User+":"+m.Demo.Password)), &mine)
	if len(mine.Collections) != 3 {
		t.Fatalf("the demo user (Basic) sees %d collections, want 3", len(mine.Collections))
	}

	// Each account sees the latest version of every object of the sample
	// its clearance admits; the counts were worked out from the sample
	// apart from the server's code (TLP levels, AMBER+STRICT only to the
	// creator's organisation).
	raws, err := stix.DecodeEnvelope(coopfeed.Sample(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, acct := range []struct {
		name, authorization string
		clearance           store.Clearance
		objects             int
	}{
		{"anonymous", "", store.Clearance{Level: stix.TLPClear, Default: stix.TLPClear}, 28},
		{"bluewater", "Bearer " + m.Demo.Partners["bluewater"], store.Clearance{Level: stix.TLPGreen, Default: stix.TLPClear}, 156},
		{"cert-sg", "Bearer " + m.Demo.Partners["cert-sg"], store.Clearance{Level: stix.TLPAmber, Default: stix.TLPClear}, 233},
		{"interpol", "Bearer " + m.Demo.Partners["interpol"], store.Clearance{Level: stix.TLPAmberStrict, Org: demoPartners()[0].org, Default: stix.TLPClear}, 233},
		{"demo", "Bearer " + m.Demo.APIKey, store.Clearance{Level: stix.TLPRed, Org: demoVendor, Default: stix.TLPClear}, 273},
	} {
		latest := map[string]string{}
		for i, raw := range raws {
			o, err := stix.Peek(i, raw)
			if err != nil {
				t.Fatal(err)
			}
			if prev, ok := latest[o.ID]; acct.clearance.Admits(o.Markings) && (!ok || prev < o.VersionText) {
				latest[o.ID] = o.VersionText
			}
		}
		if len(latest) != acct.objects {
			t.Fatalf("%s: the sample has %d objects it may see, want %d", acct.name, len(latest), acct.objects)
		}
		seen, pages := walkDemo(t, disc.Default+"collections/"+feedID+"/objects/", acct.authorization, latest)
		if len(seen) != len(latest) {
			t.Errorf("%s: served %d distinct objects, want %d", acct.name, len(seen), len(latest))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("%s: %s served %d times", acct.name, id, n)
			}
		}
		if want := (len(latest) + 6) / 7; pages != want {
			t.Errorf("%s: %d pages, want %d", acct.name, pages, want)
		}
	}
}

// walkDemo pages through a collection by next only, seven objects a page,
// as taxii2-client does, checking each object is served in the version
// latest gives, and returns how often each was served and the pages.
func walkDemo(t *testing.T, objects, authorization string, latest map[string]string) (map[string]int, int) {
	t.Helper()
	seen := map[string]int{}
	next, pages, lastAdded := "", 0, ""
	for {
		q := url.Values{"limit": {"7"}}
		if next != "" {
			q.Set("next", next) // only next and limit, as clients do
		}
		var env struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}
		h := getJSONAs(t, objects+"?"+q.Encode(), authorization, &env)
		pages++
		if first := h.Get("X-TAXII-Date-Added-First"); first <= lastAdded {
			t.Fatalf("page %d starts at %s, not after the previous page's last %s", pages, first, lastAdded)
		}
		lastAdded = h.Get("X-TAXII-Date-Added-Last")
		for i, raw := range env.Objects {
			o, err := stix.Peek(i, raw)
			if err != nil {
				t.Fatal(err)
			}
			seen[o.ID]++
			if o.VersionText != latest[o.ID] {
				t.Errorf("%s served in version %s, want %s", o.ID, o.VersionText, latest[o.ID])
			}
		}
		if !env.More {
			return seen, pages
		}
		if env.Next == "" || len(env.Objects) != 7 {
			t.Fatalf("page %d: more with next %q and %d objects", pages, env.Next, len(env.Objects))
		}
		next = env.Next
	}
}

// TestMain_DemoTwice checks that --demo on a database that already has data
// leaves it alone, and that data and cursors survive a restart.
func TestMain_DemoTwice(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "liaison.db")
	start := func() *Main {
		m := cheapMain()
		var out bytes.Buffer
		m.Stdout, m.Stderr = &out, io.Discard
		if err := m.ParseFlags(context.Background(), []string{"--db", db, "--listen", "127.0.0.1:0", "--demo"}); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := start()
	u := m.URL + "/cooperation/collections/" + demoFeedAlias + "/objects/?limit=5"
	var page1 struct {
		Next    string            `json:"next"`
		Objects []json.RawMessage `json:"objects"`
	}
	getJSON(t, u, &page1)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	m = start()
	defer m.Close()
	var colls struct {
		Collections []json.RawMessage `json:"collections"`
	}
	getJSON(t, m.URL+"/cooperation/collections/", &colls)
	if len(colls.Collections) != 2 || m.Demo != nil {
		t.Fatalf("after restart with --demo: %d public collections (want the original 2), new credentials %v", len(colls.Collections), m.Demo)
	}
	var page2 struct {
		Objects []json.RawMessage `json:"objects"`
	}
	getJSON(t, m.URL+"/cooperation/collections/"+demoFeedAlias+"/objects/?limit=5&next="+url.QueryEscape(page1.Next), &page2)
	if len(page2.Objects) != 5 || bytes.Equal(page2.Objects[0], page1.Objects[0]) {
		t.Fatalf("cursor after restart gave %d objects", len(page2.Objects))
	}
}

func TestRun_Usage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{nil, 2, "Usage"},
		{[]string{"bogus"}, 2, "unknown command"},
		{[]string{"serve", "--listen"}, 2, "flag needs an argument"},
		{[]string{"serve", "--log-format", "xml"}, 2, "--log-format"},
		{[]string{"serve", "--public-url", "ftp://x"}, 2, "--public-url"},
		{[]string{"serve", "extra"}, 2, "unexpected argument"},
		{[]string{"version"}, 0, "liaison"},
	} {
		var out bytes.Buffer
		if code := run(context.Background(), tc.args, strings.NewReader(""), &out, &out); code != tc.code || !strings.Contains(out.String(), tc.out) {
			t.Errorf("run(%q) = %d, %q; want %d and %q", tc.args, code, out.String(), tc.code, tc.out)
		}
	}
}

// TestRun_Locked checks the message when the database is held by another
// process (here: another open Main).
func TestRun_Locked(t *testing.T) {
	m := MustRunMain(t)
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code := run(ctx, []string{"serve", "--db", m.Config.DBPath, "--listen", "127.0.0.1:0"}, strings.NewReader(""), &out, &out)
	if code != 1 || !strings.Contains(out.String(), "locked by another process") {
		t.Fatalf("run on a locked database = %d, %q", code, out.String())
	}
}

func TestConfig_Validate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		flag   string // "" when valid
	}{
		{"default", func(*Config) {}, ""},
		{"https public URL with path", func(c *Config) { c.PublicURL = "https://taxii.example.org/base/" }, ""},
		{"empty db", func(c *Config) { c.DBPath = "" }, "db"},
		{"empty listen", func(c *Config) { c.Listen = "" }, "listen"},
		{"ftp public URL", func(c *Config) { c.PublicURL = "ftp://x" }, "public-url"},
		{"public URL without host", func(c *Config) { c.PublicURL = "https://" }, "public-url"},
		{"public URL with query", func(c *Config) { c.PublicURL = "https://x.test/?a=b" }, "public-url"},
		{"public URL with credentials", func(c *Config) { c.PublicURL = "https://user:secret@x.test/" }, "public-url"},
		{"log level", func(c *Config) { c.LogLevel = "loud" }, "log-level"},
		{"log format", func(c *Config) { c.LogFormat = "xml" }, "log-format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.change(&c)
			err := c.Validate()
			var ce *ConfigError
			switch {
			case tc.flag == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tc.flag != "" && (!errors.As(err, &ce) || ce.Flag != tc.flag || !errors.Is(err, ErrInvalidConfig)):
				t.Fatalf("Validate() = %v, want a ConfigError for --%s", err, tc.flag)
			}
		})
	}
}

// TestMain_DemoAdmin: --demo also creates the admin demo-admin and prints
// its API key once, which opens the admin API to the CLI.
func TestMain_DemoAdmin(t *testing.T) {
	m := cheapMain()
	var out bytes.Buffer
	m.Stdout, m.Stderr = &out, io.Discard
	if err := m.ParseFlags(context.Background(), []string{"--db", filepath.Join(t.TempDir(), "liaison.db"), "--listen", "127.0.0.1:0", "--demo"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	key := m.Demo.AdminKey
	if key == "" || strings.Count(out.String(), key) != 2 || !strings.Contains(out.String(), "Demo admin API key (shown once): "+key+"\n") {
		t.Fatalf("the admin key is not shown once (with its example):\n%s", out.String())
	}
	t.Setenv("LIAISON_API_KEY", "")
	code, list, errOut := cmdline(t, "", "user", "list", "--server", m.URL, "--api-key", key)
	if code != 0 || !regexp.MustCompile(`(?m)^demo-admin +yes +no +1 +- +-$`).MatchString(list) {
		t.Fatalf("user list with the demo admin's key = %d %s %s", code, list, errOut)
	}
}

// TestMain_LifecycleLog: start-up and shutdown each log one line, and
// nothing else is logged at info level when no request arrives.
func TestMain_LifecycleLog(t *testing.T) {
	m := NewMain()
	var logs bytes.Buffer
	m.Stdout, m.Stderr = io.Discard, &logs
	if err := m.ParseFlags(context.Background(), []string{"--db", filepath.Join(t.TempDir(), "liaison.db"), "--listen", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	started := logs.String()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 || strings.Count(started, "\n") != 1 {
		t.Fatalf("want one line at start-up and one at shutdown, got:\n%s", logs.String())
	}
	for _, want := range []string{`msg="serving TAXII 2.1"`, "version=", "commit=", "listen=127.0.0.1:", "tls=false"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("start-up line lacks %s: %s", want, lines[0])
		}
	}
	if !strings.Contains(lines[1], "msg=stopped") || strings.Contains(lines[1], "error") {
		t.Errorf("shutdown line: %s", lines[1])
	}
}

// TestMain_DrainDeadline: a shutdown whose drain deadline passes cuts the
// requests still in flight, says which in one log line, and is not an
// error; the request cut stores nothing.
func TestMain_DrainDeadline(t *testing.T) {
	m := cheapMain()
	var logs bytes.Buffer
	m.Stdout, m.Stderr = io.Discard, &syncWriter{w: &logs}
	db := filepath.Join(t.TempDir(), "liaison.db")
	if err := m.ParseFlags(context.Background(), []string{"--db", db, "--listen", "127.0.0.1:0", "--demo", "--drain-timeout", "300ms"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	inbox := m.URL + "/cooperation/collections/partner-inbox/objects/"
	body, stall := io.Pipe()
	req, _ := http.NewRequest("POST", inbox, body)
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	req.Header.Set("Authorization", "Bearer "+m.Demo.APIKey)
	done := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	// Half an envelope, then nothing: the handler waits for the rest.
	if _, err := stall.Write([]byte(`{"objects":[` + indicatorJSONForTest("indicator--6d6e6f70-0000-4000-8000-0000000000aa"))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if err := m.Close(); err != nil {
		t.Errorf("Close after cutting a request: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Close took %s with a 300ms drain deadline", took)
	}
	stall.Close()
	<-done
	if !strings.Contains(logs.String(), "drain deadline passed") || !strings.Contains(logs.String(), "POST /cooperation/collections/partner-inbox/objects/") {
		t.Errorf("the cut request is not named in the log:\n%s", logs.String())
	}
	s := mustOpenStore(t, db)
	defer s.Close()
	st, err := curation.New(s, nil).Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Collections {
		if c.Alias == "partner-inbox" && c.Stats.Versions != 0 {
			t.Errorf("the cut POST stored %d objects", c.Stats.Versions)
		}
	}
}

// syncWriter serialises writes: the server logs from many goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func indicatorJSONForTest(id string) string {
	return `{"type":"indicator","spec_version":"2.1","id":"` + id + `","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00.000Z"}`
}
