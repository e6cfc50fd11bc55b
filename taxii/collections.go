package taxii

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"liaison/store"
)

// collectionResource is the collection resource (TAXII 2.1 §5.2.1).
type collectionResource struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types,omitempty"`
}

type collectionsResource struct {
	Collections []collectionResource `json:"collections,omitempty"`
}

func toResource(c store.Collection, r Rights) collectionResource {
	return collectionResource{ID: c.ID, Title: c.Title, Description: c.Description, Alias: c.Alias,
		CanRead: r.Read, CanWrite: r.Write, MediaTypes: c.MediaTypes}
}

func (s *Server) getCollections(c echo.Context) error {
	if _, err := parseParams(c.Request().URL.RawQuery, paramsNone); err != nil {
		return err
	}
	ctx := c.Request().Context()
	colls, err := s.Store.Collections(ctx, c.Param("root"))
	if err != nil {
		return err
	}
	var res collectionsResource
	for _, coll := range colls {
		r, err := s.Access.Rights(ctx, principal(c), coll)
		if err != nil {
			return err
		}
		// A collection the principal can neither read nor write is left
		// out, as if it did not exist (cti-taxii2 issue #104).
		if r.Read || r.Write {
			res.Collections = append(res.Collections, toResource(coll, r))
		}
	}
	// An API root where the principal sees no collection is absent for it
	// (the visibility rule of apiRoot, decided from the list in hand).
	if len(res.Collections) == 0 && !principal(c).Admin {
		return fmt.Errorf("API root %q: %w", c.Param("root"), store.ErrAPIRootNotFound)
	}
	return writeResource(c, http.StatusOK, res)
}

func (s *Server) getCollection(c echo.Context) error {
	if _, err := parseParams(c.Request().URL.RawQuery, paramsNone); err != nil {
		return err
	}
	_, coll, r, err := s.collection(c, needVisible)
	if err != nil {
		return err
	}
	return writeResource(c, http.StatusOK, toResource(coll, r))
}

// need is the right a route requires on its collection.
type need int

const (
	needVisible   need = iota // read or write
	needRead                  // manifest, objects, object, versions
	needWrite                 // add objects
	needReadWrite             // delete (TAXII 2.1 §5.7 permission matrix)
)

// collection resolves the API root and collection of the request and checks
// the principal's rights. A collection the principal has no right on is
// reported as not found; one it can see but lacks the right for is 403.
// collectionIDKey holds, in the echo context, the id of the collection a
// request resolved.
const collectionIDKey = "liaison.collection-id"

func collectionID(c echo.Context) string {
	id, _ := c.Get(collectionIDKey).(string)
	return id
}

func (s *Server) collection(c echo.Context, n need) (store.APIRoot, store.Collection, Rights, error) {
	ctx := c.Request().Context()
	root, err := s.apiRootByName(ctx, c.Param("root"))
	if err != nil {
		return root, store.Collection{}, Rights{}, err
	}
	coll, err := s.collectionByName(ctx, root.Name, c.Param("coll"))
	var r Rights
	if err == nil {
		r, err = s.Access.Rights(ctx, principal(c), coll)
		if err != nil {
			return root, coll, r, err
		}
		if !r.Read && !r.Write {
			err = fmt.Errorf("collection %q: %w", coll.ID, store.ErrCollectionNotFound)
		}
	}
	if err != nil {
		// Not found or not visible: answer as for an absent API root if
		// the principal sees nothing in this one, so that the answer does
		// not reveal the API root either. (When the collection is
		// visible, so is its API root: no need to look.)
		if _, rerr := s.apiRoot(c); rerr != nil {
			return root, store.Collection{}, Rights{}, rerr
		}
		return root, coll, r, err
	}
	c.Set(collectionIDKey, coll.ID) // for metrics and activity: aliases name the same collection
	switch {
	case n == needRead && !r.Read, n == needReadWrite && !r.Read:
		return root, coll, r, newError(http.StatusForbidden, "no-read-access", "Forbidden",
			"You may not read collection %s (can_read is false).", coll.ID)
	case n == needWrite && !r.Write, n == needReadWrite && !r.Write:
		return root, coll, r, newError(http.StatusForbidden, "no-write-access", "Forbidden",
			"You may not change collection %s (can_write is false).", coll.ID)
	}
	return root, coll, r, nil
}
