package taxii

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// limitConcurrency bounds the requests served at once to
// s.MaxConcurrentRequests (no bound when 0). A request that finds every
// slot taken waits up to s.QueueTimeout for one, then gets 503 with
// Retry-After: a burst of polls is smoothed, a sustained overload is
// refused before it exhausts memory (POST bodies) or the CPU (password
// checks), which is why this runs before authentication.
func (s *Server) limitConcurrency() echo.MiddlewareFunc {
	if s.MaxConcurrentRequests <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	slots := make(chan struct{}, s.MaxConcurrentRequests)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			select {
			case slots <- struct{}{}:
			default:
				if err := s.waitForSlot(c, slots); err != nil {
					return err
				}
			}
			defer func() { <-slots }()
			return next(c)
		}
	}
}

// waitForSlot waits for a free slot, up to s.QueueTimeout.
func (s *Server) waitForSlot(c echo.Context, slots chan struct{}) error {
	t := time.NewTimer(s.QueueTimeout)
	defer t.Stop()
	ctx := c.Request().Context()
	select {
	case slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err() // the client went away; handleError answers nobody
	case <-t.C:
		retry := max(1, int(s.QueueTimeout.Round(time.Second)/time.Second))
		e := newError(http.StatusServiceUnavailable, "overloaded", "Service unavailable",
			"The server is serving as many requests as it is configured to (%d) and none finished within %s; retry in a few seconds.",
			s.MaxConcurrentRequests, s.QueueTimeout)
		e.Header = http.Header{"Retry-After": {strconv.Itoa(retry)}}
		return e
	}
}
