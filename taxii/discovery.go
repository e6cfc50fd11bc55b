package taxii

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"liaison/store"
)

// discovery is the discovery resource (TAXII 2.1 §4.1.1).
type discovery struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	Default     string   `json:"default,omitempty"`
	APIRoots    []string `json:"api_roots,omitempty"`
}

// apiRootResource is the api-root resource (TAXII 2.1 §4.2.1).
type apiRootResource struct {
	Title            string   `json:"title"`
	Description      string   `json:"description,omitempty"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

func (s *Server) getDiscovery(c echo.Context) error {
	if _, err := parseParams(c.Request().URL.RawQuery, paramsNone); err != nil {
		return err
	}
	roots, err := s.Store.APIRoots(c.Request().Context())
	if err != nil {
		return err
	}
	d := discovery{Title: s.Title, Description: s.Description, Contact: s.Contact}
	base := strings.TrimRight(s.PublicURL, "/")
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	for _, r := range roots {
		u := base + "/" + r.Name + "/"
		d.APIRoots = append(d.APIRoots, u)
		if r.Default {
			d.Default = u
		}
	}
	return writeResource(c, http.StatusOK, d)
}

func (s *Server) getAPIRoot(c echo.Context) error {
	if _, err := parseParams(c.Request().URL.RawQuery, paramsNone); err != nil {
		return err
	}
	r, err := s.Store.APIRoot(c.Request().Context(), c.Param("root"))
	if err != nil {
		return err
	}
	return writeResource(c, http.StatusOK, apiRootResource{
		Title: r.Title, Description: r.Description,
		Versions: []string{MediaType}, MaxContentLength: r.MaxContentLength,
	})
}

// apiRoot returns the API root of the request's path.
func (s *Server) apiRoot(c echo.Context) (store.APIRoot, error) {
	return s.Store.APIRoot(c.Request().Context(), c.Param("root"))
}
