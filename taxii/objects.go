package taxii

import (
	"github.com/labstack/echo/v4"

	"liaison/store"
)

// getObjects serves GET .../objects/ (TAXII 2.1 §5.4); POST is in post.go.
func (s *Server) getObjects(c echo.Context) error {
	ans, err := s.pagedRequest(c, endpointObjects, paramsList)
	if err != nil {
		return err
	}
	s.served(c, ans.page)
	return s.writePage(c, ans, "objects", writeRaw)
}

// served tells metrics and consumer activity what a page of objects held.
func (s *Server) served(c echo.Context, page store.Page) {
	n := len(page.Records)
	s.Metrics.objectsServed(collectionID(c), n)
	c.Set(servedKey, n)
	if n > 0 {
		c.Set(servedLastKey, page.Records[n-1].DateAdded)
	}
}
