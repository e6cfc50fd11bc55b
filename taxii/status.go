package taxii

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"liaison/store"
)

// getStatus is Get Status (TAXII 2.1 §4.3). A status is visible only to the
// principal whose request created it, and to admins.
func (s *Server) getStatus(c echo.Context) error {
	if _, err := parseParams(c.Request().URL.RawQuery, paramsNone); err != nil {
		return err
	}
	root, err := s.apiRoot(c)
	if err != nil {
		return err
	}
	id := c.Param("status")
	st, owner, err := s.Store.Status(c.Request().Context(), root.Name, id)
	if err != nil {
		return err
	}
	if p := principal(c); owner != p.Name && !p.Admin {
		return fmt.Errorf("status %q: %w", id, store.ErrStatusNotFound)
	}
	return writeResource(c, http.StatusOK, st)
}
