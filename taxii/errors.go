package taxii

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"liaison/stix"
	"liaison/store"
)

// ErrorResource is the TAXII error resource (TAXII 2.1 §3.6.1). Every
// failure is answered with one.
type ErrorResource struct {
	Title           string         `json:"title"`
	Description     string         `json:"description,omitempty"`
	ErrorID         string         `json:"error_id,omitempty"`
	ErrorCode       string         `json:"error_code,omitempty"`
	HTTPStatus      string         `json:"http_status,omitempty"` // a string, as the spec types it
	ExternalDetails string         `json:"external_details,omitempty"`
	Details         map[string]any `json:"details,omitempty"`
}

// Error is an error a handler returns when it knows the HTTP status and
// what to tell the client.
type Error struct {
	Status      int
	Code        string // error_code, a short stable token
	Title       string
	Description string
	Details     map[string]any
	Header      http.Header // extra response headers (WWW-Authenticate, Retry-After)
}

func (e *Error) Error() string { return e.Title + ": " + e.Description }

func newError(status int, code, title, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Title: title, Description: fmt.Sprintf(format, args...)}
}

// paramError returns a 400 naming the query parameter at fault.
func paramError(param, format string, args ...any) *Error {
	param = truncate(param) // a name is the client's text: echo a bounded part
	e := newError(http.StatusBadRequest, "bad-parameter", "Invalid query parameter",
		"%s: %s", param, fmt.Sprintf(format, args...))
	e.Details = map[string]any{"parameter": param}
	return e
}

// errorTable maps domain errors to HTTP statuses and error resources. It is
// the one place where store and stix errors become TAXII errors. The store's
// errors carry the code store.ErrorCode gives them, which the admin API's
// client maps back; the others have theirs here.
var errorTable = []struct {
	err    error
	status int
	code   string // for errors that are not the store's
	title  string
}{
	{store.ErrAPIRootNotFound, http.StatusNotFound, "", "API root not found"},
	{store.ErrCollectionNotFound, http.StatusNotFound, "", "Collection not found"},
	{store.ErrObjectNotFound, http.StatusNotFound, "", "Object not found"},
	{store.ErrStatusNotFound, http.StatusNotFound, "", "Status not found"},
	{stix.ErrBadEnvelope, http.StatusBadRequest, "bad-envelope", "Malformed request body"},
	{stix.ErrTooManyObjects, http.StatusRequestEntityTooLarge, "too-many-objects", "Too many objects"},
	// Curation errors, from the admin API.
	{store.ErrUserNotFound, http.StatusNotFound, "", "User not found"},
	{store.ErrAPIKeyNotFound, http.StatusNotFound, "", "API key not found"},
	{store.ErrExists, http.StatusConflict, "", "Already exists"},
	{store.ErrNotEmpty, http.StatusConflict, "", "Not empty"},
	{store.ErrInvalid, http.StatusBadRequest, "", "Invalid request"},
	{store.ErrNoSpace, http.StatusInsufficientStorage, "no-space", "Insufficient storage"},
}

// errorAnswer is how the server answers an error.
type errorAnswer struct {
	status   int
	resource ErrorResource
	// internal marks a failure of the server itself: its text must not
	// reach the client, and it is logged under the error_id.
	internal bool
}

// describe turns any error into the answer to it.
func describe(err error) errorAnswer {
	var te *Error
	if errors.As(err, &te) {
		return errorAnswer{status: te.Status, resource: ErrorResource{Title: te.Title, Description: te.Description, ErrorCode: te.Code, Details: te.Details}}
	}
	var d *disclosed
	for _, m := range errorTable {
		if errors.Is(err, m.err) {
			desc := publicMessage(err, m.status)
			if errors.As(err, &d) {
				desc = err.Error()
			}
			code := cmp.Or(m.code, store.ErrorCode(m.err))
			return errorAnswer{status: m.status, resource: ErrorResource{Title: m.title, Description: desc, ErrorCode: code}}
		}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return describeHTTP(he)
	}
	return errorAnswer{status: http.StatusInternalServerError, internal: true, resource: ErrorResource{Title: "Internal server error",
		Description: "The server failed to handle the request; the error is logged under error_id.", ErrorCode: "internal"}}
}

// Disclose marks an error whose text the client may see even where the
// server hides it (a not found, which would tell that the thing exists):
// the admin API discloses to admins, who may know what exists.
func Disclose(err error) error {
	if err == nil {
		return nil
	}
	return &disclosed{err}
}

type disclosed struct{ error }

func (d *disclosed) Unwrap() error { return d.error }

// publicMessage keeps a domain error's text for the client, except for not
// found errors, whose text is the same whether the thing is absent or hidden
// (TAXII 2.1 Appendix B: do not leak existence).
func publicMessage(err error, status int) string {
	if errors.Is(err, store.ErrNoSpace) {
		// The underlying error names the file; the client needs none of it.
		return "The server cannot store data at the moment: its storage is full. Nothing of this request was stored; try again later."
	}
	if status == http.StatusNotFound {
		switch {
		case errors.Is(err, store.ErrAPIRootNotFound):
			return "No API root with this name exists, or you have no access to it."
		case errors.Is(err, store.ErrCollectionNotFound):
			return "No collection with this id or alias exists in this API root, or you have no access to it."
		case errors.Is(err, store.ErrObjectNotFound):
			return "The collection holds no version of this object that matches the request."
		case errors.Is(err, store.ErrStatusNotFound):
			return "No status with this id exists in this API root, or it has expired (statuses are kept for at least 24 hours)."
		}
	}
	return err.Error()
}

// describeHTTP maps errors raised by echo's router and middleware.
func describeHTTP(he *echo.HTTPError) errorAnswer {
	r := ErrorResource{Title: http.StatusText(he.Code)}
	switch he.Code {
	case http.StatusNotFound:
		r.ErrorCode = "not-found"
		r.Description = "No TAXII endpoint at this path. Discovery is at /taxii2/; API root paths end in '/'."
	case http.StatusMethodNotAllowed:
		r.ErrorCode = "method-not-allowed"
		r.Description = "This endpoint does not support the method; the Allow header lists those it does."
	case http.StatusRequestEntityTooLarge:
		r.ErrorCode = "too-large"
		r.Description = "The request body is larger than the API root's max_content_length."
	default:
		r.ErrorCode = "http-" + strconv.Itoa(he.Code)
		if msg, ok := he.Message.(string); ok {
			r.Description = msg
		}
		if he.Code >= 500 {
			return errorAnswer{status: he.Code, resource: r, internal: true}
		}
	}
	return errorAnswer{status: he.Code, resource: r}
}

// handleError is echo's HTTPErrorHandler: every error, from handlers,
// middleware or the router, is answered with a TAXII error resource. Internal
// errors are logged with an error_id that the client also gets.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	req := c.Request()
	if errors.Is(err, context.Canceled) && req.Context().Err() != nil {
		return // the client went away; nobody reads an answer
	}
	err = s.challenge(c, err)
	answer := describe(err)
	status, res := answer.status, answer.resource
	res.HTTPStatus = strconv.Itoa(status)
	res.ErrorID = requestID(c)
	c.Set(errorIDKey, res.ErrorID) // for the request's log line
	c.Set(errorCodeKey, res.ErrorCode)
	if errors.Is(err, store.ErrNoSpace) {
		s.logNoSpace(err)
	}
	if answer.internal {
		s.Logger.Error("request failed", slog.String("error_id", res.ErrorID), slog.String("method", req.Method),
			slog.String("path", req.URL.Path), slog.Any("error", err))
	}
	body, mErr := json.Marshal(res)
	if mErr != nil {
		body = []byte(`{"title":"Internal server error"}`)
	}
	h := c.Response().Header()
	mediaType := mediaTypeOf(c)
	h.Set(echo.HeaderContentType, mediaType)
	var te *Error
	if errors.As(err, &te) {
		for k, vs := range te.Header {
			h[k] = vs
		}
	}
	if req.Method == http.MethodHead {
		c.Response().WriteHeader(status)
		return
	}
	if err := c.Blob(status, mediaType, body); err != nil {
		s.Logger.Debug("write error response", slog.Any("error", err))
	}
}

// errorIDKey marks, in the echo context, a request answered with an
// error; its value is the error_id the client received.
const errorIDKey = "liaison.error-id"

// challenge turns the answer to an anonymous request for something it may
// not see (an API root, collection or status it has no access to, or a
// right it lacks) into 401 with the Access's challenges, when the Access
// can authenticate clients at all.
func (s *Server) challenge(c echo.Context, err error) error {
	ch, ok := s.Access.(Challenger)
	if !ok || !principal(c).Anonymous {
		return err
	}
	var te *Error
	hidden := errors.Is(err, store.ErrAPIRootNotFound) || errors.Is(err, store.ErrCollectionNotFound) ||
		errors.Is(err, store.ErrStatusNotFound) || (errors.As(err, &te) && te.Status == http.StatusForbidden)
	if !hidden {
		return err
	}
	return Unauthorized(ch.Challenges(), "Authentication is required: send HTTP Basic credentials or an API key.")
}

// Unauthorized returns a 401 error with WWW-Authenticate challenges.
func Unauthorized(challenges []string, description string) *Error {
	e := newError(http.StatusUnauthorized, "unauthorized", "Unauthorized", "%s", description)
	e.Header = http.Header{"Www-Authenticate": challenges}
	return e
}

// TooManyRequests returns a 429 error telling the client when to retry.
func TooManyRequests(retryAfter int, description string) *Error {
	e := newError(http.StatusTooManyRequests, "too-many-requests", "Too many requests", "%s", description)
	e.Header = http.Header{"Retry-After": {strconv.Itoa(retryAfter)}}
	return e
}

// logNoSpace logs a full disk once a minute, not once per refused
// request: writers retrying would flood the log of a full disk.
func (s *Server) logNoSpace(err error) {
	now := time.Now().UnixNano()
	last := s.noSpaceLogged.Load()
	if now-last < int64(time.Minute) || !s.noSpaceLogged.CompareAndSwap(last, now) {
		return
	}
	s.Logger.Error("cannot store: the disk is full; writes are refused with 507 until space is freed, reads go on", slog.Any("error", err))
}
