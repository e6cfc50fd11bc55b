package taxii

import (
	"cmp"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"liaison/stix"
	"liaison/store"
)

// postObjects is Add Objects (TAXII 2.1 §5.5). Objects are validated one by
// one; the valid ones and the status are committed in one transaction
// before the 202 is sent, so the status is always complete.
func (s *Server) postObjects(c echo.Context) error {
	if _, err := parseParams(c.Request().URL.RawQuery, paramsNone); err != nil {
		return err
	}
	root, coll, rights, err := s.collection(c, needWrite)
	if err != nil {
		return err
	}
	req := c.Request()
	if !ContentTypeOK(req.Header.Get(echo.HeaderContentType)) {
		return newError(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
			"Content-Type %q is not a TAXII 2.1 envelope; %s.", truncate(req.Header.Get(echo.HeaderContentType)), contentHint)
	}
	// RFC 9110 §8.4.1: a server that does not understand a content coding
	// answers 415; reading gzip as JSON would only report a broken body.
	if ce := req.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return newError(http.StatusUnsupportedMediaType, "unsupported-content-encoding", "Unsupported content encoding",
			"Content-Encoding %q is not supported; send the envelope uncompressed.", truncate(ce))
	}
	if req.ContentLength > root.MaxContentLength {
		return tooLarge(root.MaxContentLength)
	}
	// The body is admitted before it is read: reading is where its cost
	// begins.
	weight := root.MaxContentLength
	if req.ContentLength >= 0 {
		weight = req.ContentLength
	}
	admitted, err := s.admitPost(req.Context(), weight)
	if err != nil {
		return err
	}
	defer func() { s.releasePost(admitted) }()
	body, err := readBody(req, root.MaxContentLength)
	if err != nil {
		return err
	}
	if unused := admitted - min(admitted, int64(len(body))); unused > 0 {
		s.releasePost(unused) // a chunked body shorter than the limit
		admitted -= unused
	}
	raws, err := stix.DecodeEnvelope(body, root.MaxObjects)
	if err != nil {
		return err
	}
	results := s.Validator.CheckWith(raws, store.CheckOptions(coll))
	s.Metrics.refused(results)
	writer := rights.PostClearance
	if writer == nil {
		writer = rights.Clearance
	}
	add := store.NewAddRequest(coll, principal(c).Name, writer, results)
	status, err := s.Store.AddObjects(req.Context(), add)
	if err != nil {
		return err
	}
	s.Metrics.objectsIngested(coll.ID, status)
	return writeResource(c, http.StatusAccepted, status)
}

// admitPost waits, up to PostWait, until weight more bytes of POST bodies
// fit in MaxPostBytes, and returns what it took; a busy server answers
// 503 with Retry-After (RFC 9110 §15.6.4).
func (s *Server) admitPost(ctx context.Context, weight int64) (int64, error) {
	if s.posts == nil {
		return 0, nil
	}
	weight = min(weight, s.MaxPostBytes) // a larger body runs alone
	wait := cmp.Or(s.PostWait, time.Nanosecond)
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := s.posts.Acquire(ctx, weight); err != nil {
		retry := max(1, int(wait.Round(time.Second)/time.Second))
		e := newError(http.StatusServiceUnavailable, "busy", "Server busy",
			"The server is processing as many request bodies as it can hold; nothing of this request was stored. Retry in %d seconds.", retry)
		e.Header = http.Header{"Retry-After": {strconv.Itoa(retry)}}
		return 0, e
	}
	return weight, nil
}

func (s *Server) releasePost(n int64) {
	if s.posts != nil && n > 0 {
		s.posts.Release(n)
	}
}

func tooLarge(limit int64) *Error {
	return newError(http.StatusRequestEntityTooLarge, "too-large", "Request body too large",
		"The body exceeds this API root's max_content_length of %d bytes; split the envelope.", limit)
}

// readBody reads a request body of at most limit bytes; a larger one is
// refused with 413 (a body of exactly limit bytes is accepted, TAXII 2.1
// §4.2.1 protects only smaller ones, and this is the friendlier reading).
func readBody(req *http.Request, limit int64) ([]byte, error) {
	if req.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	if req.ContentLength >= 0 {
		// The length is known: one buffer of that size, where ReadAll
		// would grow one through copies of twice the body.
		body := make([]byte, req.ContentLength)
		if _, err := io.ReadFull(req.Body, body); err != nil {
			return nil, bodyError(err)
		}
		return body, nil
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, limit+1))
	if err != nil {
		return nil, bodyError(err)
	}
	if int64(len(body)) > limit {
		return nil, tooLarge(limit)
	}
	return body, nil
}

// bodyError answers a body that could not be read. The error's text names
// the sockets; the client needs only what to do.
func bodyError(err error) error {
	msg := "The request body could not be read: the connection failed or its framing is broken."
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		msg = "The request body did not arrive in time; send it faster, or in smaller envelopes."
	}
	return newError(http.StatusBadRequest, "bad-body", "Unreadable request body", "%s", msg)
}
