package taxii

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"liaison/store"
)

// deleteObject deletes versions of an object. Without match[version] it
// deletes every version (with match[spec_version], every version of those
// spec versions): the object is then gone, as TAXII 2.1 §5.7 expects later
// requests for it to return 404.
func (s *Server) deleteObject(c echo.Context) error {
	p, err := parseParams(c.Request().URL.RawQuery, paramsDelete)
	if err != nil {
		return err
	}
	_, coll, rights, err := s.collection(c, needReadWrite)
	if err != nil {
		return err
	}
	vs, err := versionSelect(p.filter.Versions)
	if err != nil {
		return err
	}
	n, err := s.Store.DeleteObject(c.Request().Context(), coll.ID, c.Param("object"), vs, p.filter.SpecVersions, rights.Clearance)
	s.changes.Add(1) // pages change: their entity tags must (etag.go); after the deletion, which a tag read meanwhile missed
	s.auditDelete(c, coll, n, err)
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusOK)
}

// auditDelete puts an object DELETE on record, whatever its outcome.
func (s *Server) auditDelete(c echo.Context, coll store.Collection, n int, err error) {
	p, req := principal(c), c.Request()
	outcome := "ok"
	if err != nil {
		outcome = err.Error()
	}
	detail := fmt.Sprintf("TAXII DELETE, versions deleted: %d", n)
	if q := loggedQuery(req.URL.RawQuery); q != "" {
		detail = fmt.Sprintf("TAXII DELETE ?%s, versions deleted: %d", q, n)
	}
	e := store.AuditEntry{User: p.Name, KeyID: p.KeyID, Remote: c.RealIP(), Action: "object.delete",
		Target: coll.APIRoot + "/" + coll.ID + " " + c.Param("object"), Detail: detail, Outcome: outcome}
	if rerr := s.Store.RecordAudit(context.WithoutCancel(req.Context()), e); rerr != nil {
		s.Logger.Error("record audit entry", slog.String("action", e.Action), slog.Any("error", rerr))
	}
}
