package taxii

import (
	"bufio"

	"github.com/labstack/echo/v4"

	"liaison/store"
)

// getVersions lists an object's versions in date_added order, like every
// paged endpoint (TAXII 2.1 §3.5), so the list agrees with the headers.
func (s *Server) getVersions(c echo.Context) error {
	ans, err := s.pagedRequest(c, endpointVersions, paramsVersions)
	if err != nil {
		return err
	}
	return s.writePage(c, ans, "versions", func(w *bufio.Writer, r *store.Record, buf []byte) ([]byte, error) {
		buf = appendJSONString(buf[:0], r.VersionText)
		_, err := w.Write(buf)
		return buf, err
	})
}
