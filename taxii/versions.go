package taxii

import (
	"bufio"
	"encoding/json"

	"github.com/labstack/echo/v4"

	"liaison/store"
)

// getVersions lists an object's versions in date_added order, like every
// paged endpoint (TAXII 2.1 §3.5), so the list agrees with the headers.
func (s *Server) getVersions(c echo.Context) error {
	page, next, err := s.pagedRequest(c, endpointVersions, paramsVersions)
	if err != nil {
		return err
	}
	return writePage(c, page, next, "versions", func(w *bufio.Writer, r *store.Record) error {
		b, err := json.Marshal(r.VersionText)
		if err == nil {
			_, err = w.Write(b)
		}
		return err
	})
}
