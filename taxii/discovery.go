package taxii

import (
	"fmt"
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
		// API roots where the principal sees no collection are not listed.
		if visible, err := s.rootVisible(c, r.Name); err != nil {
			return err
		} else if !visible {
			continue
		}
		u := base + "/" + r.Name + "/"
		d.APIRoots = append(d.APIRoots, u)
		if r.Default {
			d.Default = u
		}
	}
	if ch, ok := s.Access.(Challenger); ok && len(d.APIRoots) == 0 && principal(c).Anonymous {
		// Nothing is public: ask for credentials rather than answer with an
		// empty server (clients that wait for a challenge then send them).
		return Unauthorized(ch.Challenges(), "Authentication is required: send HTTP Basic credentials or an API key.")
	}
	return writeResource(c, http.StatusOK, d)
}

func (s *Server) getAPIRoot(c echo.Context) error {
	if _, err := parseParams(c.Request().URL.RawQuery, paramsNone); err != nil {
		return err
	}
	r, err := s.apiRoot(c)
	if err != nil {
		return err
	}
	return writeResource(c, http.StatusOK, apiRootResource{
		Title: r.Title, Description: r.Description,
		Versions: []string{MediaType}, MaxContentLength: r.MaxContentLength,
	})
}

// apiRoot returns the API root of the request's path, if the principal may
// see it: an API root where it sees no collection is reported as absent.
func (s *Server) apiRoot(c echo.Context) (store.APIRoot, error) {
	r, err := s.apiRootByName(c.Request().Context(), c.Param("root"))
	if err != nil {
		return r, err
	}
	if visible, err := s.rootVisible(c, r.Name); err != nil {
		return r, err
	} else if !visible {
		return r, fmt.Errorf("API root %q: %w", r.Name, store.ErrAPIRootNotFound)
	}
	return r, nil
}

// rootVisible reports whether the principal is an admin or has a right on
// a collection of the API root.
func (s *Server) rootVisible(c echo.Context, root string) (bool, error) {
	p := principal(c)
	if p.Admin {
		return true, nil
	}
	colls, err := s.Store.Collections(c.Request().Context(), root)
	if err != nil {
		return false, err
	}
	for _, coll := range colls {
		r, err := s.Access.Rights(c.Request().Context(), p, coll)
		if err != nil {
			return false, err
		}
		if r.Read || r.Write {
			return true, nil
		}
	}
	return false, nil
}
