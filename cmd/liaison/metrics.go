package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"liaison/store"
	"liaison/taxii"
)

// newMetrics registers every metric of the process: the server's, the
// store's, Go's runtime and the process's, and the build's.
func newMetrics(db store.Store) (*prometheus.Registry, *taxii.Metrics) {
	reg := prometheus.NewRegistry()
	build := buildInfo()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		taxii.NewStoreCollector(db),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "liaison_build_info", Help: "Always 1; the labels say which build runs.",
			ConstLabels: prometheus.Labels{"version": build.Version, "commit": build.Commit, "goversion": build.GoVersion},
		}, func() float64 { return 1 }),
	)
	return reg, taxii.NewMetrics(reg)
}

// metricsHandler serves the registry in Prometheus's text format.
func metricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// serveMetrics serves /metrics, and the Go profiler when asked, on a
// listener of their own: for a private interface, without credentials.
func (m *Main) serveMetrics(reg *prometheus.Registry) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metricsHandler(reg))
	if m.Config.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	ln, err := net.Listen("tcp", m.Config.MetricsListen)
	if err != nil {
		return fmt.Errorf("listen on %s for metrics: %w", m.Config.MetricsListen, err)
	}
	m.MetricsURL = "http://" + ln.Addr().String()
	m.metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn)}
	go func() {
		if err := m.metricsSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.logger.Error("metrics server stopped", slog.Any("error", err))
		}
	}()
	return nil
}
