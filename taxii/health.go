package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Health endpoints live outside the TAXII paths and answer without
// authentication or content negotiation: load balancers and orchestrators
// probe them every few seconds, so they are logged at debug level only.
const (
	healthPath = "/healthz" // the process serves
	readyPath  = "/readyz"  // and the database can take a write
	// metricsPath serves Prometheus metrics (see serveMetrics).
	metricsPath = "/metrics"
)

var errReadyBusy = errors.New("a previous readiness check is still waiting for the database")

// readyTimeout bounds a readiness probe's wait for the database.
const readyTimeout = 2 * time.Second

// serveHealth answers /healthz and /readyz with tiny JSON.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	status, body := http.StatusOK, map[string]string{"status": "ok"}
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		h.Set("Allow", "GET, HEAD")
		status, body = http.StatusMethodNotAllowed, map[string]string{"status": "error", "reason": "use GET"}
	case r.URL.Path == readyPath:
		if err := s.ready(r.Context()); err != nil {
			status, body = http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()}
		}
	}
	s.Logger.LogAttrs(r.Context(), slog.LevelDebug, "request", slog.String("method", r.Method),
		slog.String("path", r.URL.Path), slog.Int("status", status), slog.String("remote", r.RemoteAddr))
	b, _ := json.Marshal(body)
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(append(b, '\n'))
	}
}

// ready checks the store, one probe at a time: a probe stuck behind a
// long write must not pile up goroutines.
func (s *Server) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	select {
	case s.probe <- struct{}{}:
		defer func() { <-s.probe }()
	case <-ctx.Done():
		return errReadyBusy
	}
	return s.Store.Ready(ctx)
}
