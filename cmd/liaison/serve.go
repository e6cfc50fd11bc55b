package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"liaison/stix"
	"liaison/store"
	"liaison/store/bolt"
	"liaison/store/curation"
	"liaison/store/postgres"
	"liaison/taxii"
	taxiiadmin "liaison/taxii/admin"
	"liaison/taxii/auth"
)

// Main is the liaison serve program: flags, the store and the HTTP server.
type Main struct {
	Config Config

	Stdout, Stderr io.Writer

	// URL is the base URL the server answers at, known once Run returns.
	URL string

	// MetricsURL is the base URL of the metrics listener, with
	// --metrics-listen.
	MetricsURL string

	// Demo holds the demo user's credentials when --demo created them.
	Demo *demoCredentials

	// Environ is the environment the LIAISON_* settings are read from, as
	// os.Environ returns it.
	Environ []string

	flags          Config   // the values of the flags, before configure
	configWarnings []string // what configure ignored
	// passwordCost is the cost of the password hashes the store makes
	// (zero: the production cost); tests set it low.
	passwordCost store.PasswordCost

	db         store.Store
	api        *taxii.Server
	accounts   *auth.Accounts
	cert       *certificate
	ln         net.Listener
	srv        *http.Server
	logger     *slog.Logger
	started    time.Time    // when the server began serving
	inflight   *inflight    // the requests being served
	metricsSrv *http.Server // with --metrics-listen
	activity   *taxii.Activity
	done       chan struct{}
	stop       context.CancelFunc
	bg         sync.WaitGroup
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	return &Main{Config: DefaultConfig(), Stdout: os.Stdout, Stderr: os.Stderr, Environ: os.Environ()}
}

// ParseFlags makes m.Config the configuration the serve command's flags
// ask for, over the environment and the configuration file, and
// validates it.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("liaison serve", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	m.defineFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return m.configure(fs)
}

// defineFlags declares a flag for every setting on fs (settingTable).
func (m *Main) defineFlags(fs *flag.FlagSet) {
	m.flags = DefaultConfig()
	for _, s := range settingTable() {
		fs.Var(settingValue{s.field(&m.flags)}, s.name, s.usage)
	}
}

// configure makes m.Config the effective configuration: the flags given
// on fs (parsed) over the environment over the configuration file over
// the defaults.
func (m *Main) configure(fs *flag.FlagSet) error {
	lc, err := loadConfig(&m.flags, flagsSet(fs), m.Environ)
	if err != nil {
		return err
	}
	m.Config, m.configWarnings = lc.Config, lc.warnings
	return nil
}

// serve is the serve command: it runs until ctx ends.
func (c *cli) serve(fs *flag.FlagSet) runFunc {
	m := NewMain()
	m.Stdout, m.Stderr = c.stdout, c.stderr
	m.passwordCost = c.passwordCost
	m.defineFlags(fs)
	return func(ctx context.Context, _ []string) error {
		if err := m.configure(fs); err != nil {
			return configUsageError(err)
		}
		if err := m.Run(ctx); err != nil {
			m.Close()
			return err
		}
		m.Wait(ctx)
		return m.Close()
	}
}

// configUsageError makes a bad flag a usage error; a bad variable or file
// is not the command line's fault, and its error names it.
func configUsageError(err error) error {
	var ce *ConfigError
	if errors.As(err, &ce) && ce.Source == "" {
		return &usageError{err.Error()}
	}
	return err
}

// Run opens the database, loads the demo data when asked, and starts
// serving in the background. Close stops it.
func (m *Main) Run(ctx context.Context) error {
	c := m.Config
	if err := c.Validate(); err != nil {
		return err
	}
	m.logger = c.Logger(m.Stderr)
	for _, w := range m.configWarnings {
		m.logger.Warn(w)
	}
	var err error
	storeOpts := store.Options{Logger: m.logger.With("component", "store"), PasswordCost: m.passwordCost}
	if isPostgres(c.DBPath) {
		if c.CheckDB {
			m.logger.Warn("--check-db checks database files; PostgreSQL checks its own pages: ignored")
		}
		pg, err := openPostgres(ctx, c.DBPath, writeDB, storeOpts)
		if err != nil {
			return err
		}
		m.db = pg
	} else {
		opts := bolt.Options{Options: storeOpts}
		if c.CheckDB {
			opts.CheckMode = bolt.CheckFull
		}
		b, err := bolt.Open(c.DBPath, opts)
		if err != nil {
			return withRestoreHint(err, c.DBPath)
		}
		m.db = b
	}
	if c.Demo {
		creds, err := loadDemo(ctx, m.db, m.Stdout)
		if err != nil {
			return err
		}
		m.Demo = creds
	}
	scheme := "http"
	if c.TLSCert != "" {
		if m.cert, err = loadCertificate(c.TLSCert, c.TLSKey); err != nil {
			return err
		}
		scheme = "https"
	}
	key, err := m.db.CursorSecret(ctx)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Listen, err)
	}
	if m.cert != nil {
		ln = tls.NewListener(ln, tlsConfig(m.cert))
	}
	m.ln = ln
	m.URL = scheme + "://" + ln.Addr().String()
	public := strings.TrimRight(c.PublicURL, "/")
	if host, _, _ := net.SplitHostPort(c.Listen); public == "" && !unspecified(host) {
		public = m.URL
	}
	m.accounts = auth.NewAccounts(m.db)
	m.accounts.Logger = m.logger.With("component", "auth")
	m.accounts.TrustedProxies, _ = c.trustedProxies() // validated
	if pg, ok := m.db.(*postgres.Store); ok {
		// Other replicas change accounts too: what this one cached of
		// them goes when they say so (NOTIFY), not only at KeyCacheTTL.
		pg.OnAccountsChanged(m.accounts.Invalidate)
	}
	api := taxii.NewServer(m.db, key)
	if pg, ok := m.db.(*postgres.Store); ok {
		// Other replicas (and commands on the same database) change API
		// roots and collections and delete objects: what this one cached
		// goes, and its pages' entity tags change, when they say so.
		pg.OnResourcesChanged(api.ResourcesChanged)
	}
	api.Logger = m.logger.With("component", "taxii")
	api.PublicURL = public
	api.Access = m.accounts
	m.activity = taxii.NewActivity(m.db)
	api.Activity = m.activity
	reg, metrics := newMetrics(m.db)
	api.Metrics, m.accounts.Metrics = metrics, metrics
	if c.MetricsListen != "" {
		if err := m.serveMetrics(reg); err != nil {
			return err
		}
	} else {
		api.MetricsHandler = metricsHandler(reg)
	}
	api.MaxConcurrentRequests, api.QueueTimeout = c.MaxConcurrentRequests, c.QueueTimeout
	api.MaxPostBytes, api.PostWait = int64(c.MaxPostBytes), c.PostWait
	// One validator for POSTs and imports, with the configured bounds.
	api.Validator.Limits = stix.Limits{MaxDepth: c.ObjectMaxDepth, MaxElements: c.ObjectMaxElements,
		MaxStringBytes: c.ObjectMaxStringBytes, MaxValues: c.ObjectMaxValues}
	api.Validator.MaxValuesAtOnce = c.ValuesAtOnce
	service := curation.New(m.db, api.Validator)
	service.Logger = m.logger.With("component", "store")
	adminAPI := &taxiiadmin.Handler{API: service, Challenges: m.accounts.Challenges(),
		AccountsChanged: m.accounts.Invalidate, ResourcesChanged: api.ResourcesChanged, Logger: m.logger.With("component", "admin")}
	api.Extensions = append(api.Extensions, adminAPI.Register)
	m.api = api
	m.inflight = newInflight()
	m.srv = &http.Server{
		Handler:           m.inflight.wrap(api.Handler()),
		ReadHeaderTimeout: c.ReadHeaderTimeout,
		ReadTimeout:       c.ReadTimeout,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
		MaxHeaderBytes:    c.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn),
	}
	m.done = make(chan struct{})
	go func() {
		defer close(m.done)
		if err := m.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.logger.Error("server stopped", slog.Any("error", err))
		}
	}()
	bg, stop := context.WithCancel(context.Background())
	m.stop = stop
	m.bg.Add(3)
	go m.every(bg, 10*time.Minute, "purge statuses and old audit entries", func(ctx context.Context) error {
		n, err := m.db.PurgeStatuses(ctx)
		if n > 0 {
			m.logger.Info("purged expired statuses", slog.Int("count", n))
		}
		if err != nil {
			return err
		}
		n, err = m.db.PurgeAudit(ctx, c.AuditRetention)
		if n > 0 {
			m.logger.Info("purged audit entries past their retention", slog.Int("count", n), slog.Duration("retention", c.AuditRetention))
		}
		return err
	})
	go m.every(bg, time.Minute, "record API key use", m.accounts.Flush)
	go m.every(bg, m.Config.ActivityFlush, "record consumer activity", m.activity.Flush)
	if m.Demo != nil {
		printDemoHelp(m.Stdout, cmp.Or(public, m.URL), m.Demo)
	}
	m.started = time.Now()
	build := buildInfo()
	attrs := []any{slog.String("version", build.Version), slog.String("commit", build.Commit), slog.String("listen", ln.Addr().String()),
		slog.Bool("tls", m.cert != nil), slog.String("discovery", cmp.Or(public, m.URL)+"/taxii2/"), slog.String("db", redactDB(c.DBPath))}
	if c.File != "" {
		attrs = append(attrs, slog.String("config", c.File))
	}
	m.logger.Info("serving TAXII 2.1", attrs...)
	return nil
}

// unspecified reports whether a listen host means every address; the URL
// clients use is then unknown, and discovery follows each request's Host.
func unspecified(host string) bool {
	ip := net.ParseIP(host)
	return host == "" || (ip != nil && ip.IsUnspecified())
}

// every runs f every period until ctx ends, logging its errors.
func (m *Main) every(ctx context.Context, period time.Duration, what string, f func(context.Context) error) {
	defer m.bg.Done()
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := f(ctx); err != nil {
				m.logger.Error(what, slog.Any("error", err))
			}
		}
	}
}

// Wait blocks until ctx ends, reloading the TLS certificate on SIGHUP.
func (m *Main) Wait(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			m.ReloadCertificate()
		}
	}
}

// ReloadCertificate reads the TLS certificate files again; on failure the
// server keeps the certificate it has.
func (m *Main) ReloadCertificate() {
	if m.cert == nil {
		return
	}
	if err := m.cert.reload(); err != nil {
		m.logger.Error("reload TLS certificate; keeping the current one", slog.Any("error", err))
		return
	}
	m.logger.Info("reloaded TLS certificate", slog.String("cert", m.Config.TLSCert))
}

// Close stops the server, letting requests in flight finish, and closes
// the database.
func (m *Main) Close() error {
	var errs []error
	if m.stop != nil {
		m.stop()
		m.bg.Wait()
	}
	if m.srv != nil {
		// Requests in flight may finish within the drain deadline; past
		// it they are cut, which is the shutdown asked for, not a failure:
		// a POST cut short stores nothing (one transaction per request).
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.DrainTimeout)
		defer cancel()
		if err := m.srv.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
			n, what := m.inflight.describe(10)
			if err := m.srv.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close connections: %w", err))
			}
			m.logger.Warn("drain deadline passed: cut the requests still in flight", slog.Duration("deadline", m.Config.DrainTimeout),
				slog.Int("requests", n), slog.String("cut", what))
		} else if err != nil {
			errs = append(errs, fmt.Errorf("shut down server: %w", err))
		}
		<-m.done
	}
	if m.metricsSrv != nil {
		if err := m.metricsSrv.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close the metrics listener: %w", err))
		}
	}
	if m.accounts != nil {
		if err := m.accounts.Flush(context.Background()); err != nil {
			errs = append(errs, fmt.Errorf("record API key use: %w", err))
		}
	}
	if m.activity != nil {
		if err := m.activity.Flush(context.Background()); err != nil {
			errs = append(errs, fmt.Errorf("record consumer activity: %w", err))
		}
	}
	if m.db != nil {
		if err := m.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database: %w", err))
		}
	}
	err := errors.Join(errs...)
	if !m.started.IsZero() {
		attrs := []any{slog.Duration("uptime", time.Since(m.started).Round(time.Second))}
		if err != nil {
			attrs = append(attrs, slog.Any("error", err))
		}
		m.logger.Info("stopped", attrs...)
	}
	return err
}
