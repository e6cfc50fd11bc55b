package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// defaultHealthURL is where serve's defaults answer /healthz.
const defaultHealthURL = "http://" + DefaultListen + "/healthz"

// healthcheck GETs a server's /healthz (or the URL given) and succeeds on
// 200: a container image without curl probes the server with the binary
// itself (the Dockerfile's HEALTHCHECK).
func (c *cli) healthcheck(fs *flag.FlagSet) runFunc {
	rawURL := fs.String("url", defaultHealthURL, "`URL` to GET; a base URL without a path gets /healthz")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	insecure := fs.Bool("insecure", false, "do not verify the server's TLS certificate (it names the public host, not the address probed)")
	return func(ctx context.Context, _ []string) error {
		u, err := url.Parse(*rawURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("--url %q must be an http:// or https:// URL", *rawURL)
		}
		if u.Path == "" || u.Path == "/" {
			u.Path = "/healthz"
		}
		if *timeout <= 0 {
			return usagef("--timeout must be a positive duration, e.g. 5s")
		}
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return fmt.Errorf("GET %s: %w", u, err)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = nil // a probe of this host; a proxy from the environment would probe something else
		if *insecure {
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		}
		defer tr.CloseIdleConnections()
		res, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			if ue := (*url.Error)(nil); errors.As(err, &ue) {
				err = ue.Err // its message repeats the method and URL
			}
			return fmt.Errorf("GET %s: %w", u, err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s: %s", u, res.Status, strings.TrimSpace(string(body)))
		}
		return nil
	}
}
