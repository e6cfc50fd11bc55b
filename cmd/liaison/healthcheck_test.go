package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"
)

// TestHealthcheck: `liaison healthcheck` exits 0 when the server's
// /healthz (or the URL given) answers 200, 1 with the reason on one line
// otherwise, and 2 for a URL it cannot probe.
func TestHealthcheck(t *testing.T) {
	plain := MustRunMain(t)
	certFile, keyFile := writeCert(t, t.TempDir(), "liaison.example")
	withTLS := MustRunMain(t, "--tls-cert", certFile, "--tls-key", keyFile)
	unavailable := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"status":"unavailable","reason":"database closed"}` + "\n"))
	}))
	defer unavailable.Close()
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer stuck.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string // a regexp; empty: no output at all
	}{
		{"base URL", []string{"--url", plain.URL}, 0, ""},
		{"healthz", []string{"--url", plain.URL + "/healthz"}, 0, ""},
		{"readyz", []string{"--url", plain.URL + "/readyz"}, 0, ""},
		{"TLS, --insecure", []string{"--url", withTLS.URL, "--insecure"}, 0, ""},
		{"TLS, certificate not trusted", []string{"--url", withTLS.URL}, 1,
			`^liaison healthcheck: GET https://127\.0\.0\.1:\d+/healthz: .*certificate.*\n$`},
		{"503", []string{"--url", unavailable.URL + "/readyz"}, 1,
			`^liaison healthcheck: GET http://\S+/readyz: 503 Service Unavailable: \{"status":"unavailable","reason":"database closed"\}\n$`},
		{"nothing listening", []string{"--url", closed}, 1, `^liaison healthcheck: GET http://\S+/healthz: .*connection refused\n$`},
		{"timeout", []string{"--url", stuck.URL, "--timeout", "100ms"}, 1, `^liaison healthcheck: GET http://\S+/healthz: .*deadline exceeded.*\n$`},
		{"not an HTTP URL", []string{"--url", "ftp://127.0.0.1/"}, 2, `^liaison healthcheck: --url "ftp://127.0.0.1/" must be an http:// or https:// URL\n`},
		{"no timeout", []string{"--timeout", "0s"}, 2, `^liaison healthcheck: --timeout must be a positive duration`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			code, out, errOut := cmdline(t, "", append([]string{"healthcheck"}, tc.args...)...)
			if code != tc.code || out != "" {
				t.Errorf("exit %d, stdout %q; want %d and nothing", code, out, tc.code)
			}
			if tc.stderr == "" && errOut != "" || tc.stderr != "" && !regexp.MustCompile(tc.stderr).MatchString(errOut) {
				t.Errorf("stderr %q; want %s", errOut, tc.stderr)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}
