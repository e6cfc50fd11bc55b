package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"liaison/stix"
	"liaison/store"
	"liaison/taxii"
)

// Config is the configuration of liaison serve. It is read only here, in
// cmd; the packages get plain fields.
type Config struct {
	// File is the configuration file the settings were read from, if any.
	File string

	DBPath    string
	Listen    string
	PublicURL string
	Demo      bool
	LogLevel  string
	LogFormat string
	// TLSCert and TLSKey are PEM files; with them the server speaks HTTPS.
	TLSCert, TLSKey string
	// InsecureHTTP allows plain HTTP on an address other than loopback,
	// for a server behind a TLS-terminating proxy.
	InsecureHTTP bool
	// TrustedProxies are comma-separated addresses or CIDR blocks of reverse
	// proxies whose X-Forwarded-For names the client.
	TrustedProxies string
	// CheckDB checks the whole database file at start-up (every page)
	// instead of its shape and top level only.
	CheckDB bool
	// DrainTimeout is how long, on shutdown, requests in flight may take
	// to finish before they are cut.
	DrainTimeout time.Duration
	// ActivityFlush is how often consumer activity gathered in memory is
	// written to the database.
	ActivityFlush time.Duration
	// AuditRetention is how long audit entries are kept.
	AuditRetention time.Duration
	// MetricsListen is an address of its own for /metrics (and pprof).
	MetricsListen string
	// Pprof serves Go's profiler on the metrics listener.
	Pprof bool

	// The HTTP server's timeouts and limits (see net/http.Server).
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	MaxHeaderBytes                                            int
	// MaxConcurrentRequests bounds the requests served at once (0: no
	// bound); one that finds them all busy waits QueueTimeout at most,
	// then gets 503.
	MaxConcurrentRequests int
	QueueTimeout          time.Duration

	// MaxPostBytes bounds the bytes of POST bodies processed at once; one
	// that does not fit waits PostWait at most, then gets 503.
	MaxPostBytes int
	PostWait     time.Duration
	// The bounds on each posted or imported object (stix.Limits), and on
	// the values all checks decode at once.
	ObjectMaxDepth, ObjectMaxElements, ObjectMaxStringBytes, ObjectMaxValues int
	ValuesAtOnce                                                             int
}

// Defaults of the serve configuration.
const (
	DefaultDBPath = "liaison.db"
	DefaultListen = "127.0.0.1:8080"
)

// minHeaderBytes is the smallest max-header-bytes: a request line with a
// long query and a Basic Authorization header fit.
const minHeaderBytes = 4096

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{DBPath: DefaultDBPath, Listen: DefaultListen, LogLevel: "info", LogFormat: "text", DrainTimeout: 10 * time.Second,
		AuditRetention: store.DefaultAuditRetention, ActivityFlush: 30 * time.Second,
		// A client gets ample time for what a TAXII exchange needs (a
		// 10 MiB POST over a slow link, a 1000-object page), and no more:
		// a connection that sends nothing is not kept for long.
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute,
		// TAXII requests carry a few small headers; Go's default is 1 MiB.
		MaxHeaderBytes: 64 << 10,
		// Enough for many pollers at once (a page is served in
		// milliseconds); few enough that concurrent 10 MiB POSTs cannot
		// exhaust memory.
		MaxConcurrentRequests: 64, QueueTimeout: 5 * time.Second,
		MaxPostBytes: taxii.DefaultMaxPostBytes, PostWait: taxii.DefaultPostWait,
		ObjectMaxDepth: stix.DefaultMaxDepth, ObjectMaxElements: stix.DefaultMaxElements,
		ObjectMaxStringBytes: stix.DefaultMaxStringBytes, ObjectMaxValues: stix.DefaultMaxValues,
		ValuesAtOnce: stix.DefaultMaxValuesAtOnce,
	}
}

// ErrInvalidConfig is wrapped by every *ConfigError.
var ErrInvalidConfig = errors.New("invalid configuration")

// ConfigError names the setting that is wrong and why.
type ConfigError struct {
	Flag string // the setting, as its flag name; "" for a file's syntax or unknown keys
	// Source is where the value came from when not from a flag: the
	// environment variable, or "FILE:LINE: key".
	Source string
	Reason string
}

func (e *ConfigError) Error() string {
	if e.Source != "" {
		return e.Source + ": " + e.Reason
	}
	return "--" + e.Flag + ": " + e.Reason
}

// Unwrap makes errors.Is(err, ErrInvalidConfig) true.
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }

// Validate checks every setting and returns the first problem as a
// *ConfigError.
func (c *Config) Validate() error {
	if c.DBPath == "" {
		return &ConfigError{Flag: "db", Reason: "must name a file or a postgres:// URL"}
	}
	if c.ActivityFlush <= 0 {
		return &ConfigError{Flag: "activity-flush", Reason: "must be a positive duration, e.g. 30s"}
	}
	if c.AuditRetention <= 0 {
		return &ConfigError{Flag: "audit-retention", Reason: "must be a positive duration, e.g. 365d"}
	}
	if c.DrainTimeout <= 0 {
		return &ConfigError{Flag: "drain-timeout", Reason: "must be a positive duration, e.g. 10s"}
	}
	for _, d := range []struct {
		flag string
		d    time.Duration
	}{{"read-header-timeout", c.ReadHeaderTimeout}, {"read-timeout", c.ReadTimeout}, {"write-timeout", c.WriteTimeout}, {"idle-timeout", c.IdleTimeout}} {
		if d.d <= 0 {
			return &ConfigError{Flag: d.flag, Reason: "must be a positive duration, e.g. 30s"}
		}
	}
	if c.MaxHeaderBytes < minHeaderBytes {
		return &ConfigError{Flag: "max-header-bytes", Reason: fmt.Sprintf("%d is too small: at least %d (bytes), or requests with credentials are refused", c.MaxHeaderBytes, minHeaderBytes)}
	}
	for _, n := range []struct {
		flag string
		v    int
	}{{"max-post-bytes", c.MaxPostBytes}, {"object-max-depth", c.ObjectMaxDepth}, {"object-max-elements", c.ObjectMaxElements},
		{"object-max-string-bytes", c.ObjectMaxStringBytes}, {"object-max-values", c.ObjectMaxValues}, {"values-at-once", c.ValuesAtOnce}} {
		if n.v <= 0 {
			return &ConfigError{Flag: n.flag, Reason: "must be a positive number"}
		}
	}
	if c.PostWait < 0 {
		return &ConfigError{Flag: "post-wait", Reason: "must be 0 (refuse at once) or a positive duration"}
	}
	if c.MaxConcurrentRequests < 0 {
		return &ConfigError{Flag: "max-concurrent-requests", Reason: "must be 0 (no bound) or more"}
	}
	if c.QueueTimeout < 0 {
		return &ConfigError{Flag: "queue-timeout", Reason: "must be 0 (refuse at once) or a positive duration"}
	}
	if c.Listen == "" {
		return &ConfigError{Flag: "listen", Reason: "must be host:port"}
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return &ConfigError{Flag: "public-url", Reason: fmt.Sprintf("%q must be an http:// or https:// URL without a query", c.PublicURL)}
		}
		if u.User != nil {
			// Discovery publishes this URL to every client.
			return &ConfigError{Flag: "public-url", Reason: fmt.Sprintf("%q must not hold credentials (user:password@): discovery shows it to every client", u.Redacted())}
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return &ConfigError{Flag: "tls-cert", Reason: "--tls-cert and --tls-key go together"}
	}
	if c.TLSCert == "" && !c.InsecureHTTP && !loopback(c.Listen) {
		return &ConfigError{Flag: "listen", Reason: fmt.Sprintf("%s is not a loopback address: serve HTTPS with --tls-cert and --tls-key, or, behind a TLS-terminating proxy, pass --insecure-http (and --public-url https://...)", c.Listen)}
	}
	if c.Pprof && c.MetricsListen == "" {
		return &ConfigError{Flag: "pprof", Reason: "needs --metrics-listen: the profiler is never served on the TAXII address"}
	}
	if _, err := c.trustedProxies(); err != nil {
		return &ConfigError{Flag: "trusted-proxy", Reason: err.Error()}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return &ConfigError{Flag: "log-level", Reason: fmt.Sprintf("%q is not debug, info, warn or error", c.LogLevel)}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return &ConfigError{Flag: "log-format", Reason: fmt.Sprintf("%q is neither text nor json", c.LogFormat)}
	}
	return nil
}

// Logger returns the logger the configuration asks for, writing to w. The
// configuration must be valid.
func (c *Config) Logger(w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// loopback reports whether a listen address is on the loopback interface
// only (127.0.0.0/8, ::1 or localhost).
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// trustedProxies parses TrustedProxies.
func (c *Config) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(c.TrustedProxies, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR block", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
