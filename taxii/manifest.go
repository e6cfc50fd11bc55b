package taxii

import (
	"bufio"

	"github.com/labstack/echo/v4"

	"liaison/stix"
	"liaison/store"
)

// getManifest serves GET .../manifest/ (TAXII 2.1 §5.3).
func (s *Server) getManifest(c echo.Context) error {
	ans, err := s.pagedRequest(c, endpointManifest, paramsList)
	if err != nil {
		return err
	}
	return s.writePage(c, ans, "objects", writeManifestRecord)
}

// writeManifestRecord writes one manifest-record (TAXII 2.1 §5.3.1), the
// bytes json.Marshal would write for {id, date_added, version,
// media_type}, through buf without allocating.
func writeManifestRecord(w *bufio.Writer, r *store.Record, buf []byte) ([]byte, error) {
	buf = append(buf[:0], `{"id":`...)
	buf = appendJSONString(buf, r.ID)
	buf = append(buf, `,"date_added":"`...)
	buf = stix.AppendTAXII(buf, r.DateAdded)
	buf = append(buf, `","version":`...)
	buf = appendJSONString(buf, r.VersionText)
	buf = append(buf, `,"media_type":`...)
	buf = appendJSONString(buf, mediaTypeOfSpec(r.SpecVersion))
	buf = append(buf, '}')
	_, err := w.Write(buf)
	return buf, err
}

// mediaTypeOfSpec is stix.MediaType without an allocation for the spec
// versions a collection holds.
func mediaTypeOfSpec(specVersion string) string {
	switch specVersion {
	case stix.SpecVersion21:
		return mediaTypeSTIX21
	case stix.SpecVersion20:
		return mediaTypeSTIX20
	}
	return stix.MediaType(specVersion)
}

// What stix.MediaType returns for them.
const (
	mediaTypeSTIX21 = "application/stix+json;version=" + stix.SpecVersion21
	mediaTypeSTIX20 = "application/stix+json;version=" + stix.SpecVersion20
)
