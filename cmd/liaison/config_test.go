package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"liaison/taxii"
)

// writeConfig writes a configuration file and returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "liaison.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// load reads the configuration as serve does, from the flags args, the
// environment environ and the file these name.
func load(t *testing.T, args []string, environ ...string) (*loadedConfig, error) {
	t.Helper()
	m := &Main{}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	m.defineFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("flags %q: %v", args, err)
	}
	return loadConfig(&m.flags, flagsSet(fs), environ)
}

// TestConfigPrecedence: flags over the environment over the file over the
// defaults, for every combination of the three, with where the value came
// from; a flag set to the default still wins.
func TestConfigPrecedence(t *testing.T) {
	file := writeConfig(t, "# a comment\n\nread_timeout = \"1m\"\ndemo = true\n")
	for _, tc := range []struct {
		file, env, flag bool
		want            time.Duration
		origin          string
	}{
		{false, false, false, 2 * time.Minute, "default"},
		{true, false, false, time.Minute, file + ":3"},
		{false, true, false, 3 * time.Minute, "LIAISON_READ_TIMEOUT"},
		{false, false, true, 4 * time.Minute, "--read-timeout"},
		{true, true, false, 3 * time.Minute, "LIAISON_READ_TIMEOUT"},
		{true, false, true, 4 * time.Minute, "--read-timeout"},
		{false, true, true, 4 * time.Minute, "--read-timeout"},
		{true, true, true, 4 * time.Minute, "--read-timeout"},
	} {
		t.Run(fmt.Sprintf("file=%t,env=%t,flag=%t", tc.file, tc.env, tc.flag), func(t *testing.T) {
			var args, environ []string
			if tc.file {
				args = append(args, "--config", file)
			}
			if tc.env {
				environ = append(environ, "LIAISON_READ_TIMEOUT=3m")
			}
			if tc.flag {
				args = append(args, "--read-timeout", "4m")
			}
			lc, err := load(t, args, environ...)
			if err != nil {
				t.Fatal(err)
			}
			if lc.ReadTimeout != tc.want || lc.origin["read-timeout"] != tc.origin {
				t.Errorf("read-timeout = %s from %s, want %s from %s", lc.ReadTimeout, lc.origin["read-timeout"], tc.want, tc.origin)
			}
		})
	}

	t.Run("flag at its default over the file", func(t *testing.T) {
		lc, err := load(t, []string{"--config", file, "--demo=false"}, "LIAISON_DEMO=true")
		if err != nil {
			t.Fatal(err)
		}
		if lc.Demo || lc.origin["demo"] != "--demo" {
			t.Errorf("demo = %t from %s, want false from --demo", lc.Demo, lc.origin["demo"])
		}
	})
	t.Run("file named by the environment", func(t *testing.T) {
		lc, err := load(t, nil, "LIAISON_CONFIG="+file)
		if err != nil {
			t.Fatal(err)
		}
		if lc.File != file || lc.ReadTimeout != time.Minute || lc.origin["config"] != "LIAISON_CONFIG" {
			t.Errorf("file %q (from %s), read-timeout %s", lc.File, lc.origin["config"], lc.ReadTimeout)
		}
	})
	t.Run("--config over LIAISON_CONFIG", func(t *testing.T) {
		other := writeConfig(t, "read_timeout = \"7m\"\n")
		lc, err := load(t, []string{"--config", other}, "LIAISON_CONFIG="+file)
		if err != nil {
			t.Fatal(err)
		}
		if lc.File != other || lc.ReadTimeout != 7*time.Minute {
			t.Errorf("file %q, read-timeout %s; want %s's 7m", lc.File, lc.ReadTimeout, other)
		}
	})
	t.Run("list as an array", func(t *testing.T) {
		lc, err := load(t, []string{"--config", writeConfig(t, "trusted_proxy = [\"10.0.0.0/8\", \"192.0.2.1\"]\n")})
		if err != nil {
			t.Fatal(err)
		}
		if lc.TrustedProxies != "10.0.0.0/8,192.0.2.1" {
			t.Errorf("trusted proxies %q", lc.TrustedProxies)
		}
	})
}

// TestConfigErrors: a bad value names the flag, variable or file line and
// key, and says why; a bad flag is a usage error (2), a bad variable or
// file is not (1). Unknown keys name their line. Nothing is served.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string // the configuration file, given with --config when not empty
		env  []string
		args []string
		code int
		want []string // lines of standard error, FILE standing for the file's path
	}{
		{"unknown keys", "listen = \"127.0.0.1:9000\"\n\n# comment\nlistn = \"127.0.0.1:9001\"\nfoo = 1\n", nil, nil, 1,
			[]string{`liaison serve: FILE:4: unknown key "listn" (did you mean "listen"?)`, `FILE:5: unknown key "foo"`}},
		{"a table", "[log]\nlevel = \"debug\"\n", nil, nil, 1,
			[]string{`liaison serve: FILE:1: unknown key "log": settings are top-level keys, not tables`}},
		{"a dotted key", "db = \"x.db\"\nlog.level = \"debug\"\n", nil, nil, 1,
			[]string{`liaison serve: FILE:2: unknown key "log": settings are top-level keys, not tables`}},
		{"config in the file", "config = \"other.toml\"\n", nil, nil, 1,
			[]string{`liaison serve: FILE:1: "config" cannot be set in the configuration file; use --config or LIAISON_CONFIG`}},
		{"not TOML", "listen = \n", nil, nil, 1, []string{`liaison serve: FILE:1:10: not valid TOML: `}},
		{"duplicate key", "db = \"a\"\ndb = \"b\"\n", nil, nil, 1, []string{`liaison serve: FILE:2:1: not valid TOML: `}},

		{"file: duration", "db = \"x.db\"\nread_timeout = \"3x\"\n", nil, nil, 1,
			[]string{`liaison serve: FILE:2: read_timeout: "3x" is not a duration such as 30s, 1h30m or 7d`}},
		{"file: bare number for a duration", "read_timeout = 30\n", nil, nil, 1,
			[]string{`liaison serve: FILE:1: read_timeout: is the integer 30, not a duration string such as "30s"`}},
		{"file: string for an integer", "max_header_bytes = \"64k\"\n", nil, nil, 1,
			[]string{`liaison serve: FILE:1: max_header_bytes: is the string "64k", not a whole number`}},
		{"file: string for a boolean", "demo = \"yes\"\n", nil, nil, 1,
			[]string{`liaison serve: FILE:1: demo: is the string "yes", not true or false`}},
		{"file: array of numbers", "trusted_proxy = [1]\n", nil, nil, 1,
			[]string{`liaison serve: FILE:1: trusted_proxy: item 1 is the integer 1, not a string`}},
		{"file: invalid setting", "\nlog_format = \"xml\"\n", nil, nil, 1,
			[]string{`liaison serve: FILE:2: log_format: "xml" is neither text nor json`}},
		{"file: too small", "max_header_bytes = 100\n", nil, nil, 1,
			[]string{`liaison serve: FILE:1: max_header_bytes: 100 is too small: at least 4096 (bytes), or requests with credentials are refused`}},
		{"file missing", "", []string{"LIAISON_CONFIG=/nonexistent/liaison.toml"}, nil, 1,
			[]string{`liaison serve: LIAISON_CONFIG: open /nonexistent/liaison.toml: no such file or directory`}},

		{"env: duration", "", []string{"LIAISON_READ_TIMEOUT=3x"}, nil, 1,
			[]string{`liaison serve: LIAISON_READ_TIMEOUT: "3x" is not a duration such as 30s, 1h30m or 7d`}},
		{"env: boolean", "", []string{"LIAISON_DEMO=maybe"}, nil, 1,
			[]string{`liaison serve: LIAISON_DEMO: "maybe" is not a boolean: use true or false`}},
		{"env: integer", "", []string{"LIAISON_MAX_CONCURRENT_REQUESTS=many"}, nil, 1,
			[]string{`liaison serve: LIAISON_MAX_CONCURRENT_REQUESTS: "many" is not a whole number`}},
		{"env: invalid setting", "", []string{"LIAISON_LOG_FORMAT=xml"}, nil, 1,
			[]string{`liaison serve: LIAISON_LOG_FORMAT: "xml" is neither text nor json`}},
		{"env: negative", "", []string{"LIAISON_QUEUE_TIMEOUT=-1s"}, nil, 1,
			[]string{`liaison serve: LIAISON_QUEUE_TIMEOUT: must be 0 (refuse at once) or a positive duration`}},

		{"flag: duration", "", nil, []string{"--read-timeout", "3x"}, 2,
			[]string{`liaison serve: --read-timeout: "3x" is not a duration such as 30s, 1h30m or 7d`, ``, `Usage: liaison serve `}},
		{"flag: boolean", "", nil, []string{"--demo=maybe"}, 2,
			[]string{`liaison serve: --demo: "maybe" is not a boolean: use true or false`}},
		{"flag: integer", "", nil, []string{"--max-header-bytes", "64k"}, 2,
			[]string{`liaison serve: --max-header-bytes: "64k" is not a whole number`}},
		{"flag: invalid setting", "", nil, []string{"--max-concurrent-requests=-1"}, 2,
			[]string{`liaison serve: --max-concurrent-requests: must be 0 (no bound) or more`}},
		{"flag: zero timeout", "", nil, []string{"--write-timeout=0s"}, 2,
			[]string{`liaison serve: --write-timeout: must be a positive duration, e.g. 30s`}},
		{"flag over a bad file value", "log_format = \"xml\"\n", nil, []string{"--log-format", "json", "--read-header-timeout", "0s"}, 2,
			[]string{`liaison serve: --read-header-timeout: must be a positive duration, e.g. 30s`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, kv := range tc.env {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			args := append([]string{"serve", "--db", filepath.Join(t.TempDir(), "liaison.db"), "--listen", "127.0.0.1:0"}, tc.args...)
			path := ""
			if tc.file != "" {
				path = writeConfig(t, tc.file)
				args = append(args, "--config", path)
			}
			code, out, errOut := cmdline(t, "", args...)
			lines := strings.Split(errOut, "\n")
			if code != tc.code || len(lines) < len(tc.want) {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			for i, want := range tc.want {
				if want = strings.ReplaceAll(want, "FILE", path); !strings.HasPrefix(lines[i], want) {
					t.Errorf("stderr line %d:\n%s\nwant:\n%s", i+1, lines[i], want)
				}
			}
			if tc.code == 1 && strings.Contains(errOut, "Usage:") {
				t.Errorf("a configuration error outside the command line prints the usage:\n%s", errOut)
			}
			// Errors of the file, the environment and the flags alike.
			code, _, checkErr := cmdline(t, "", append([]string{"config", "check"}, args[1:]...)...)
			if code != tc.code || !strings.Contains(checkErr, strings.TrimPrefix(lines[0], "liaison serve: ")) {
				t.Errorf("config check: exit %d, stderr %s", code, checkErr)
			}
		})
	}
}

// TestConfigCheck: config check prints the effective configuration as a
// file serve accepts, every value with its origin, and warns of LIAISON_*
// variables that are no setting.
func TestConfigCheck(t *testing.T) {
	file := writeConfig(t, "listen = \"127.0.0.1:9000\"\ntrusted_proxy = [\"10.0.0.0/8\", \"192.0.2.1\"]\nlog_level = \"warn\"\n")
	t.Setenv("LIAISON_LOG_LEVEL", "debug")
	t.Setenv("LIAISON_LISTN", "127.0.0.1:1")
	t.Setenv("LIAISON_API_KEY", "not a setting of serve, but known")
	code, out, errOut := cmdline(t, "", "config", "check", "--config", file, "--max-concurrent-requests", "10")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, re := range []string{
		`(?m)^# Configuration file: ` + regexp.QuoteMeta(file) + ` \(from --config\)$`,
		`(?m)^db = "liaison.db" +# default$`,
		`(?m)^listen = "127.0.0.1:9000" +# ` + regexp.QuoteMeta(file) + `:1$`,
		`(?m)^trusted_proxy = "10.0.0.0/8,192.0.2.1" +# ` + regexp.QuoteMeta(file) + `:2$`,
		`(?m)^log_level = "debug" +# LIAISON_LOG_LEVEL$`,
		`(?m)^max_concurrent_requests = 10 +# --max-concurrent-requests$`,
		`(?m)^read_timeout = "2m" +# default$`,
		`(?m)^# warning: LIAISON_LISTN is not a setting of liaison serve; ignored \(did you mean LIAISON_LISTEN\?\)$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output does not match %s:\n%s", re, out)
		}
	}
	if strings.Contains(out, "LIAISON_API_KEY") {
		t.Errorf("warns of LIAISON_API_KEY, the other commands' variable:\n%s", out)
	}

	// The output is a configuration file that gives the same configuration.
	again, err := load(t, []string{"--config", writeConfig(t, out)})
	if err != nil {
		t.Fatalf("the output read back as a configuration file: %v\n%s", err, out)
	}
	want, err := load(t, []string{"--config", file, "--max-concurrent-requests", "10"}, "LIAISON_LOG_LEVEL=debug")
	if err != nil {
		t.Fatal(err)
	}
	again.File, want.File = "", ""
	if again.Config != want.Config {
		t.Errorf("read back:\n%+v\nwant:\n%+v", again.Config, want.Config)
	}
}

// TestConfigCheck_Masked: a secret's value never appears in config check's
// output. No setting of serve is a secret yet: the test marks one as if it
// were.
func TestConfigCheck_Masked(t *testing.T) {
	const secret = "https://taxii.example.org/s3cr3t-path/"
	table := settingTable()
	for i := range table {
		if table[i].name == "public-url" || table[i].name == "tls-key" {
			table[i].secret = true
		}
	}
	lc, err := load(t, []string{"--public-url", secret})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printConfig(&out, table, lc)
	if strings.Contains(out.String(), "s3cr3t") || !regexp.MustCompile(`(?m)^public_url = "\*+" +# --public-url$`).MatchString(out.String()) {
		t.Errorf("secret not masked:\n%s", out.String())
	}
	if !regexp.MustCompile(`(?m)^tls_key = "" +# default$`).MatchString(out.String()) {
		t.Errorf("an empty secret is not shown empty:\n%s", out.String())
	}
}

// TestServe_Limits: the timeouts and limits reach the HTTP server: a
// client slower than --read-header-timeout is cut, headers beyond
// --max-header-bytes get 431, and beyond --max-concurrent-requests a
// request waits --queue-timeout and gets 503 with a TAXII error.
func TestServe_Limits(t *testing.T) {
	m := MustRunMain(t, "--demo", "--read-header-timeout", "200ms", "--max-header-bytes", "4096",
		"--max-concurrent-requests", "1", "--queue-timeout", "100ms")
	addr := strings.TrimPrefix(m.URL, "http://")

	t.Run("read header timeout", func(t *testing.T) {
		start := time.Now() // before the server's timer, which starts at accept
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprint(conn, "GET /taxii2/ HTTP/1.1\r\nHost: x\r\n") // and never the end of the headers
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))    // half the default timeout
		_, err = io.ReadAll(conn)
		if elapsed := time.Since(start); err != nil || elapsed < 200*time.Millisecond {
			t.Errorf("connection closed after %s with %v; want closed by the server after 200ms", elapsed, err)
		}
	})

	t.Run("max header bytes", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, m.URL+"/taxii2/", nil)
		req.Header.Set("X-Padding", strings.Repeat("x", 16<<10)) // 64 KiB, the default, would take it
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("16 KiB of headers: %d, want 431", res.StatusCode)
		}
	})

	t.Run("max concurrent requests", func(t *testing.T) {
		// A POST whose body never finishes holds the only slot.
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /cooperation/collections/%s/objects/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
			"Accept: %s\r\nContent-Type: %s\r\nContent-Length: 1000\r\n\r\n{", demoInboxAlias, m.Demo.APIKey, taxii.MediaType, taxii.MediaType)
		deadline := time.Now().Add(5 * time.Second)
		for {
			req, _ := http.NewRequest(http.MethodGet, m.URL+"/taxii2/", nil)
			req.Header.Set("Accept", taxii.MediaType)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusServiceUnavailable {
				var e taxii.ErrorResource
				if err := json.Unmarshal(body, &e); err != nil || e.ErrorCode != "overloaded" || res.Header.Get("Retry-After") == "" {
					t.Errorf("503 %s %v", body, res.Header)
				}
				break
			}
			if time.Now().After(deadline) { // the POST may not have reached the handler yet
				t.Fatalf("with the only slot held: %d %s", res.StatusCode, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
		conn.Close()
		// The slot frees when the POST ends.
		var disc map[string]any
		for deadline := time.Now().Add(5 * time.Second); ; {
			req, _ := http.NewRequest(http.MethodGet, m.URL+"/taxii2/", nil)
			req.Header.Set("Accept", taxii.MediaType)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			err = json.NewDecoder(bufio.NewReader(res.Body)).Decode(&disc)
			res.Body.Close()
			if res.StatusCode == http.StatusOK && err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after the POST ended: %d", res.StatusCode)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// TestConfigError_Is: the errors of the file, the environment and the
// flags are all ErrInvalidConfig.
func TestConfigError_Is(t *testing.T) {
	for _, args := range [][]string{
		{"--config", writeConfig(t, "nope = 1\n")},
		{"--config", writeConfig(t, "demo = 1\n")},
		{"--queue-timeout=-1s"},
	} {
		if _, err := load(t, args, "LIAISON_DEMO=true"); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%q: %v is not ErrInvalidConfig", args, err)
		}
	}
	if _, err := load(t, nil, "LIAISON_DEMO=maybe"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("LIAISON_DEMO=maybe: %v is not ErrInvalidConfig", err)
	}
}

// TestSettingTable: every field of Config is one setting, with a unique
// name, a type the flags, variables and file can parse, and help that
// names its value.
func TestSettingTable(t *testing.T) {
	var c Config
	fields := map[uintptr]string{}
	v := reflect.ValueOf(&c).Elem()
	for i := range v.NumField() {
		fields[v.Field(i).Addr().Pointer()] = v.Type().Field(i).Name
	}
	names := map[string]bool{}
	for _, s := range settingTable() {
		if names[s.name] {
			t.Errorf("two settings named %s", s.name)
		}
		names[s.name] = true
		ptr := s.field(&c)
		addr := reflect.ValueOf(ptr).Pointer()
		if _, ok := fields[addr]; !ok {
			t.Errorf("setting %s: not a field of Config, or one of another setting", s.name)
		}
		delete(fields, addr)
		switch ptr.(type) {
		case *string, *bool, *int, *time.Duration:
		default:
			t.Errorf("setting %s: type %T", s.name, ptr)
		}
		if s.typeName() != "boolean" && !strings.Contains(s.usage, "`") {
			t.Errorf("setting %s: its usage names no value in backquotes, so help would show VALUE", s.name)
		}
	}
	for _, name := range fields {
		t.Errorf("Config.%s is no setting", name)
	}
}
