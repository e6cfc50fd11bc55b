package taxii

import (
	"cmp"
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"liaison/stix"
	"liaison/store"
)

// Metrics are the server's Prometheus metrics. Label values are bounded:
// route templates (never raw paths), methods, status classes, fixed
// reasons and collection ids; never user names, object ids or tokens.
// A nil *Metrics records nothing.
type Metrics struct {
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	served       *prometheus.CounterVec
	ingested     *prometheus.CounterVec
	invalid      *prometheus.CounterVec
	authFailures *prometheus.CounterVec
	rateLimited  prometheus.Counter
}

// NewMetrics creates the server's metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "liaison_http_requests_total", Help: "HTTP requests answered, by route template, method and status class.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "liaison_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		served: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "liaison_objects_served_total", Help: "Object versions served by the objects endpoints, by collection.",
		}, []string{"collection"}),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "liaison_objects_ingested_total", Help: "Objects posted, by collection and outcome (success, failure), as the status reports them.",
		}, []string{"collection", "outcome"}),
		invalid: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "liaison_validation_failures_total", Help: "Objects refused by validation, by the kind of check that refused them (json, encoding, limit, indexing, schema, rule, pattern).",
		}, []string{"class"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "liaison_auth_failures_total", Help: "Failed authentications, by reason.",
		}, []string{"reason"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "liaison_auth_rate_limited_total", Help: "Requests refused with 429 after too many failed authentications.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.served, m.ingested, m.invalid, m.authFailures, m.rateLimited)
	return m
}

// observeRequest counts a request answered with status after d.
func (m *Metrics) observeRequest(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status/100)+"xx").Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

func (m *Metrics) objectsServed(collection string, n int) {
	if m == nil || n == 0 {
		return
	}
	m.served.WithLabelValues(collection).Add(float64(n))
}

func (m *Metrics) objectsIngested(collection string, st store.Status) {
	if m == nil {
		return
	}
	m.ingested.WithLabelValues(collection, "success").Add(float64(st.SuccessCount))
	m.ingested.WithLabelValues(collection, "failure").Add(float64(st.FailureCount))
}

// refused counts the objects validation refused, by the kind of check.
func (m *Metrics) refused(results []stix.Result) {
	if m == nil {
		return
	}
	for _, r := range results {
		var oe *stix.ObjectError
		if errors.As(r.Err, &oe) {
			m.invalid.WithLabelValues(cmp.Or(oe.Class, "other")).Inc()
		}
	}
}

// AuthFailure counts a failed authentication; reason is one of a fixed
// set (password, api_key, malformed, scheme).
func (m *Metrics) AuthFailure(reason string) {
	if m == nil {
		return
	}
	m.authFailures.WithLabelValues(reason).Inc()
}

// RateLimited counts a request refused with 429.
func (m *Metrics) RateLimited() {
	if m == nil {
		return
	}
	m.rateLimited.Inc()
}

// routeOf is the route template of a request, or "unmatched".
func routeOf(c echo.Context) string {
	if p := c.Path(); p != "" && c.Handler() != nil && p != "/*" {
		return p
	}
	return "unmatched"
}

// storeCollector reports per-collection object counts and last date_added,
// and the database engine's counters when the store reports them
// (store.StatsReporter). Collection summaries cost a walk of
// each collection's current-version index, so they are cached briefly:
// scrapes from several Prometheus servers do not multiply the work.
type storeCollector struct {
	src store.Store
	ttl time.Duration

	mu      sync.Mutex
	at      time.Time
	cached  []store.CollectionSummary
	objects *prometheus.Desc
	last    *prometheus.Desc
	engine  []engineMetric
}

type engineMetric struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(store.DBStats) float64
}

// NewStoreCollector returns a collector of src's statistics.
func NewStoreCollector(src store.Store) prometheus.Collector {
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &storeCollector{
		src: src, ttl: 30 * time.Second,
		objects: prometheus.NewDesc("liaison_collection_objects", "Current objects in the collection.", []string{"collection", "api_root"}, nil),
		last:    prometheus.NewDesc("liaison_collection_last_added_timestamp_seconds", "The newest date_added in the collection (0: empty).", []string{"collection", "api_root"}, nil),
		engine: []engineMetric{
			{d("liaison_db_read_transactions_total", "Read transactions started."), counter, func(s store.DBStats) float64 { return float64(s.ReadTx) }},
			{d("liaison_db_open_read_transactions", "Read transactions open now."), gauge, func(s store.DBStats) float64 { return float64(s.OpenReadTx) }},
			{d("liaison_db_write_transactions_total", "Write transactions committed."), counter, func(s store.DBStats) float64 { return float64(s.WriteTx) }},
			{d("liaison_db_pages_written_total", "Pages written by committed write transactions."), counter, func(s store.DBStats) float64 { return float64(s.PagesWritten) }},
			{d("liaison_db_write_seconds_total", "Time spent writing pages."), counter, func(s store.DBStats) float64 { return s.WriteSeconds }},
			{d("liaison_db_free_pages", "Free pages, reusable by writes."), gauge, func(s store.DBStats) float64 { return float64(s.FreePages) }},
			{d("liaison_db_pending_pages", "Pages freed by writes but still visible to open readers."), gauge, func(s store.DBStats) float64 { return float64(s.PendingPages) }},
			{d("liaison_db_page_size_bytes", "The database's page size."), gauge, func(s store.DBStats) float64 { return float64(s.PageSize) }},
			{d("liaison_db_file_size_bytes", "Size of the database file."), gauge, func(s store.DBStats) float64 { return float64(s.FileSize) }},
		},
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.objects
	ch <- c.last
	for _, e := range c.engine {
		ch <- e.desc
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	if time.Since(c.at) > c.ttl {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if sums, err := c.src.CollectionSummaries(ctx); err == nil {
			c.cached, c.at = sums, time.Now()
		}
		cancel()
	}
	sums := c.cached
	c.mu.Unlock()
	for _, s := range sums {
		ch <- prometheus.MustNewConstMetric(c.objects, prometheus.GaugeValue, float64(s.Objects), s.ID, s.APIRoot)
		last := 0.0
		if !s.LastAdded.IsZero() {
			last = float64(s.LastAdded.UnixMicro()) / 1e6
		}
		ch <- prometheus.MustNewConstMetric(c.last, prometheus.GaugeValue, last, s.ID, s.APIRoot)
	}
	engine, ok := c.src.(store.StatsReporter)
	if !ok {
		return
	}
	st := engine.DBStats()
	for _, e := range c.engine {
		ch <- prometheus.MustNewConstMetric(e.desc, e.kind, e.value(st))
	}
}

// serveMetrics serves /metrics to clients on loopback (not through a
// proxy, which would make every client look local) and, from elsewhere,
// to admins authenticated with an API key.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) bool {
	if s.MetricsHandler == nil {
		return false
	}
	local := false
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ip := net.ParseIP(host)
		local = ip != nil && ip.IsLoopback() && r.Header.Get("X-Forwarded-For") == "" && r.Header.Get("Forwarded") == ""
	}
	if !local {
		p, err := s.Access.Authenticate(r)
		if err != nil || !p.Admin || p.Basic {
			return false // the TAXII error path answers: 401, 403 or 404
		}
	}
	s.MetricsHandler.ServeHTTP(w, r)
	return true
}
