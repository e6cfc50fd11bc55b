// Package taxii serves the TAXII 2.1 API (OASIS TAXII Version 2.1) over
// HTTP with echo, on top of a store.Store.
package taxii

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/sync/semaphore"

	"liaison/stix"
	"liaison/store"
)

// Server is the TAXII 2.1 HTTP API. Set the fields, then call Handler.
type Server struct {
	Store     store.Store
	Validator *stix.Validator
	Access    Access
	Logger    *slog.Logger
	// Title, Description and Contact describe the server in discovery.
	Title, Description, Contact string
	// PublicURL is the base URL clients reach the server at (scheme, host,
	// optional path prefix); discovery builds absolute API root URLs on it.
	// When empty, the request's scheme and Host are used.
	PublicURL string
	// CursorKey signs next tokens; it must be stable across restarts.
	CursorKey []byte
	// Extensions register more routes (the admin API) on the same echo
	// instance, behind the same middleware: negotiation, authentication,
	// logging, recovery and error rendering.
	Extensions []func(e *echo.Echo)
	// MaxConcurrentRequests bounds the requests served at once (0: no
	// bound); one that finds them all busy waits up to QueueTimeout for a
	// slot, then gets 503. The health endpoints are not counted.
	MaxConcurrentRequests int
	QueueTimeout          time.Duration

	// Activity, when set, gathers what each consumer does with each
	// collection; call its Flush now and then.
	Activity *Activity
	// Metrics, when set, records the server's Prometheus metrics.
	Metrics *Metrics
	// MetricsHandler, when set, serves /metrics: to clients on loopback,
	// and to admins with an API key from elsewhere.
	MetricsHandler http.Handler

	// MaxPostBytes bounds the bytes of the POST bodies being processed at
	// once (read, checked and stored), all requests together: each costs
	// a few times its size in memory while it is. A body of unknown
	// length counts as its API root's max_content_length until it is
	// read; a body larger than the bound is processed alone. A POST that
	// does not fit waits up to PostWait, then is answered 503 with
	// Retry-After. Zero sets no bound. Set both before Handler.
	MaxPostBytes int64
	PostWait     time.Duration

	// ResourceCacheTTL is how long an API root or collection read from the
	// store is reused by the requests that name it (0: read every time).
	// Call ResourcesChanged after changing them other than through the
	// TAXII API for the change to show at once.
	ResourceCacheTTL time.Duration

	resources   resourceCache
	pageWriters sync.Pool // of *pageWriterState
	gzipWriters sync.Pool // of *gzip.Writer, for pages
	// changes counts the deletions of objects (and other changes the
	// admin API reports) since the server started: part of every page's
	// entity tag.
	changes       atomic.Uint64
	etagOnce      sync.Once
	etagRandom    []byte
	noSpaceLogged atomic.Int64  // unix nanoseconds of the last full-disk log line
	probe         chan struct{} // the readiness probe in flight
	posts         *semaphore.Weighted
}

// The default bound on POST bodies processed at once: three bodies of the
// default max_content_length (10 MiB) and some room, with a short wait, as
// a client's retry is cheaper than a queue the server holds in memory.
const (
	DefaultMaxPostBytes = 32 << 20
	DefaultPostWait     = 5 * time.Second
)

// NewServer returns a Server with default settings on st.
func NewServer(st store.Store, cursorKey []byte) *Server {
	return &Server{
		Store:     st,
		Validator: stix.NewValidator(),
		Access:    PublicAccess{},
		Logger:    slog.New(slog.DiscardHandler),
		Title:     "Liaison TAXII 2.1 server",
		CursorKey: cursorKey,

		MaxPostBytes:     DefaultMaxPostBytes,
		PostWait:         DefaultPostWait,
		ResourceCacheTTL: DefaultResourceCacheTTL,
	}
}

// Handler returns the HTTP handler with every TAXII route registered.
func (s *Server) Handler() http.Handler {
	if s.MaxPostBytes > 0 {
		s.posts = semaphore.NewWeighted(s.MaxPostBytes)
	}
	e := s.router()
	s.probe = make(chan struct{}, 1)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case healthPath, readyPath:
			s.serveHealth(w, r)
			return
		case metricsPath, metricsPath + "/":
			if s.serveMetrics(w, r) {
				return
			}
		}
		e.ServeHTTP(w, r)
	})
}

// router builds the echo instance with every route and middleware.
func (s *Server) router() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// Log the peer's address; X-Forwarded-For is the client's to forge.
	e.IPExtractor = echo.ExtractIPDirect()
	// Paths without the trailing slash are served as if they had it; no
	// redirect, since clients drop credentials on redirects.
	e.Pre(assignRequestID, decodePath, middleware.AddTrailingSlash())
	e.Use(s.logRequests, securityHeaders, s.recoverPanics, taxiiContentType, s.limitConcurrency(), negotiate, s.authenticate)

	// GET routes answer HEAD too (RFC 9110 §9.3.2); net/http drops the body.
	get := func(path string, h echo.HandlerFunc) { e.Match([]string{http.MethodGet, http.MethodHead}, path, h) }
	get("/taxii2/", s.getDiscovery)
	get("/:root/", s.getAPIRoot)
	get("/:root/status/:status/", s.getStatus)
	get("/:root/collections/", s.getCollections)
	get("/:root/collections/:coll/", s.getCollection)
	get("/:root/collections/:coll/manifest/", s.getManifest)
	get("/:root/collections/:coll/objects/", s.getObjects)
	e.POST("/:root/collections/:coll/objects/", s.postObjects)
	get("/:root/collections/:coll/objects/:object/", s.getObject)
	e.DELETE("/:root/collections/:coll/objects/:object/", s.deleteObject)
	get("/:root/collections/:coll/objects/:object/versions/", s.getVersions)
	if s.MetricsHandler != nil {
		// Reached only when serveMetrics refused the request: say why.
		get("/metrics/", func(c echo.Context) error {
			return newError(http.StatusForbidden, "metrics-need-admin-key", "Forbidden",
				"/metrics is served on loopback, and elsewhere to admins authenticating with an API key (Bearer or Token).")
		})
	}
	for _, ext := range s.Extensions {
		ext(e)
	}
	return e
}

// Route is a method and path template the server answers, in echo's
// syntax (":coll" names a path parameter).
type Route struct {
	Method, Path string
}

// Routes returns every route Handler serves: those registered with echo
// (the TAXII API, extensions such as the admin API) and the paths answered
// before routing (/healthz, /readyz, and /metrics when MetricsHandler is
// set). The API description in docs/openapi.yaml is checked against it.
func (s *Server) Routes() []Route {
	var routes []Route
	for _, r := range s.router().Routes() {
		if r.Method == echo.RouteNotFound { // a group's catch-all for its middleware
			continue
		}
		routes = append(routes, Route{Method: r.Method, Path: r.Path})
	}
	paths := []string{healthPath, readyPath}
	if s.MetricsHandler != nil {
		paths = append(paths, metricsPath)
	}
	for _, p := range paths {
		routes = append(routes, Route{http.MethodGet, p}, Route{http.MethodHead, p})
	}
	return routes
}

const requestIDKey = "liaison.request-id"

// assignRequestID gives every request an id, sent back as X-Request-Id and
// logged, which is also the error_id of an error: one id ties a client's
// report, the access log and the error together. A well-formed id the
// client (or a proxy in front) sent is kept.
func assignRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !wellFormedRequestID(id) {
			id = newRequestID()
		}
		c.Set(requestIDKey, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// wellFormedRequestID admits ids of 1 to 128 letters, digits and ._:-
// (UUIDs, hex, the ids of common proxies), so a logged id cannot forge log
// lines or carry much.
func wellFormedRequestID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == ':' || r == '-') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// requestID returns the request's id.
func requestID(c echo.Context) string {
	if id, ok := c.Get(requestIDKey).(string); ok {
		return id
	}
	return newRequestID() // not through the server's middleware
}

// decodePath routes on the decoded path: echo matches the raw path when the
// request has one, so "high%2Dvalue" would not reach the alias
// "high-value". An encoded slash stays encoded, as it cannot be a segment
// boundary of ours.
func decodePath(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := c.Request().URL; u.RawPath != "" && !strings.Contains(strings.ToLower(u.RawPath), "%2f") {
			u.RawPath = ""
		}
		return next(c)
	}
}

// securityHeaders are set on every response, errors included: browsers
// must not guess a media type, answers to requests with credentials must
// not be kept by caches (TAXII says nothing of caching: HTTP rules), and a
// client that reached us over TLS is told to keep to it.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h, req := c.Response().Header(), c.Request()
		h.Set("X-Content-Type-Options", "nosniff")
		if req.Header.Get(echo.HeaderAuthorization) != "" {
			h.Set("Cache-Control", "no-store")
		}
		if req.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		return next(c)
	}
}

// taxiiContentType gives every response, whatever writes it, the TAXII
// media type (TAXII 2.1 §3.1: errors and body-less responses too), or
// plain JSON for extensions that asked for it.
func taxiiContentType(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, mediaTypeOf(c))
		return next(c)
	}
}

const mediaTypeKey = "liaison.media-type"

// ServeAsJSON makes every answer to the request, errors included, plain
// JSON (application/json) instead of TAXII: for extensions such as the
// admin API, whose bodies are not TAXII resources. Call it from an
// e.Pre middleware, so that it holds for errors raised before routing
// and authentication too.
func ServeAsJSON(c echo.Context) { c.Set(mediaTypeKey, echo.MIMEApplicationJSON) }

func mediaTypeOf(c echo.Context) string {
	if mt, ok := c.Get(mediaTypeKey).(string); ok {
		return mt
	}
	return MediaType
}

// negotiate answers 406 when the Accept header admits no TAXII 2.1 body.
func negotiate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		accept := strings.Join(c.Request().Header.Values(echo.HeaderAccept), ",")
		if !Acceptable(accept) {
			return newError(http.StatusNotAcceptable, "not-acceptable", "Not acceptable",
				"This server speaks TAXII 2.1 only and cannot answer with %q; %s.", truncate(accept), acceptHint)
		}
		return next(c)
	}
}

func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := s.Access.Authenticate(c.Request())
		if err != nil {
			return err
		}
		c.Set("principal", p)
		return next(c)
	}
}

// PrincipalOf returns the principal a request was authenticated as.
func PrincipalOf(c echo.Context) Principal { return principal(c) }

func principal(c echo.Context) Principal {
	p, _ := c.Get("principal").(Principal)
	return p
}

// recoverPanics turns a panic into a logged 500 error resource; the client
// never sees a stack.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.Logger.Error("panic in handler", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		attrs := []slog.Attr{
			slog.String("method", req.Method), slog.String("path", req.URL.Path),
			slog.String("query", loggedQuery(req.URL.RawQuery)),
			slog.Int("status", res.Status), slog.Int64("bytes", res.Size),
			slog.Duration("duration", time.Since(start)), slog.String("remote", c.RealIP()),
			slog.String("principal", cmp.Or(principal(c).Name, "-")), // "-": not authenticated
			slog.String("user_agent", req.UserAgent()),
			slog.String("request_id", requestID(c)),
		}
		if id, ok := c.Get(errorIDKey).(string); ok {
			attrs = append(attrs, slog.String("error_id", id))
		}
		s.Metrics.observeRequest(routeOf(c), req.Method, res.Status, time.Since(start))
		s.observeActivity(c)
		s.Logger.LogAttrs(req.Context(), slog.LevelInfo, "request", attrs...)
		return nil
	}
}

// loggedQuery is the query string as logged: next tokens are shortened,
// since a token replays a page (with its filters) for whoever holds it,
// and the whole is capped.
func loggedQuery(raw string) string {
	const maxLogged = 1024
	if !strings.Contains(raw, "next=") && len(raw) <= maxLogged {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		if k, v, ok := strings.Cut(p, "="); ok && k == "next" && len(v) > 8 {
			parts[i] = k + "=" + v[:8] + "..."
		}
	}
	out := strings.Join(parts, "&")
	if len(out) > maxLogged {
		out = out[:maxLogged] + "..."
	}
	return out
}
