package taxii

import "github.com/labstack/echo/v4"

// getObject serves GET .../objects/{object-id}/ (TAXII 2.1 §5.6): the
// object's versions the filters select, as a page.
func (s *Server) getObject(c echo.Context) error {
	ans, err := s.pagedRequest(c, endpointObject, paramsObject)
	if err != nil {
		return err
	}
	s.served(c, ans.page)
	return s.writePage(c, ans, "objects", writeRaw)
}
