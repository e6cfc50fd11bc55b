package taxii

import (
	"bufio"
	"encoding/json"

	"github.com/labstack/echo/v4"

	"liaison/stix"
	"liaison/store"
)

// manifestRecord is one entry of a manifest (TAXII 2.1 §5.3.1).
type manifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type"`
}

// getManifest serves GET .../manifest/ (TAXII 2.1 §5.3).
func (s *Server) getManifest(c echo.Context) error {
	page, next, err := s.pagedRequest(c, endpointManifest, paramsList)
	if err != nil {
		return err
	}
	return writePage(c, page, next, "objects", func(w *bufio.Writer, r *store.Record) error {
		b, err := json.Marshal(manifestRecord{ID: r.ID, DateAdded: stix.FormatTAXII(r.DateAdded),
			Version: r.VersionText, MediaType: stix.MediaType(r.SpecVersion)})
		if err == nil {
			_, err = w.Write(b)
		}
		return err
	})
}
