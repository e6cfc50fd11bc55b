// Package admin serves the admin HTTP API under /admin/: JSON over the
// curation service, for admin principals only. Errors have the shape of
// TAXII error resources, like everywhere else on the server, but every body
// is labelled application/json: none is a TAXII resource.
package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"liaison/stix"
	"liaison/store"
	"liaison/store/curation"
	"liaison/taxii"
)

// Handler serves the admin API.
type Handler struct {
	API curation.API
	// Challenges are the WWW-Authenticate challenges of a 401.
	Challenges []string
	// AccountsChanged is called after a change to users, grants or keys,
	// so that cached verifications are dropped at once.
	AccountsChanged func()
	// ResourcesChanged is called after a request that changes API roots,
	// collections or the objects of a collection, so that what the TAXII
	// server cached of them is dropped at once (taxii.Server's
	// ResourcesChanged).
	ResourcesChanged func()
	Logger           *slog.Logger
}

// Register adds the admin routes to e; use it as a taxii.Server extension.
func (h *Handler) Register(e *echo.Echo) {
	// The admin API's bodies are plain JSON, not TAXII resources; errors
	// raised before its routes (authentication, say) are labelled so too.
	e.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if p := c.Request().URL.Path; p == "/admin" || strings.HasPrefix(p, "/admin/") {
				taxii.ServeAsJSON(c)
			}
			return next(c)
		}
	})
	g := e.Group("/admin", h.adminOnly)
	g.GET("/api-roots/", h.listAPIRoots)
	g.POST("/api-roots/", h.resources(h.addAPIRoot))
	g.PATCH("/api-roots/:name/", h.resources(h.updateAPIRoot))
	g.DELETE("/api-roots/:name/", h.resources(h.removeAPIRoot))

	g.GET("/collections/", h.listCollections)
	g.POST("/collections/", h.resources(h.addCollection))
	// A collection is named by ?ref= (id, alias or ROOT/ALIAS): an alias
	// path would need an escaped slash.
	g.GET("/collection/", h.showCollection)
	g.PATCH("/collection/", h.resources(h.updateCollection))
	g.DELETE("/collection/", h.resources(h.removeCollection))
	g.POST("/collection/import/", h.resources(h.importObjects))
	g.GET("/collection/export/", h.exportObjects)
	g.DELETE("/collection/object/", h.resources(h.deleteObject))
	g.POST("/collection/revoke/", h.resources(h.revokeObject))

	g.GET("/users/", h.listUsers)
	g.POST("/users/", h.addUser)
	g.DELETE("/users/:name/", h.accounts(h.removeUser))
	g.PUT("/users/:name/password/", h.accounts(h.setPassword))
	g.PATCH("/users/:name/grant/", h.accounts(h.changeGrant))
	g.PUT("/users/:name/admin/", h.accounts(h.setAdmin))
	g.PUT("/users/:name/org/", h.accounts(h.setOrg))
	g.GET("/explain/", h.explain)
	g.GET("/users/:name/keys/", h.listKeys)
	g.POST("/users/:name/keys/", h.accounts(h.createKey))
	g.DELETE("/keys/:id/", h.accounts(h.revokeKey))

	g.GET("/stats/", h.stats)
	g.GET("/audit/", h.audit)
	g.GET("/consumers/", h.consumers)
	g.GET("/backup/", h.backup)
}

// adminOnly admits admins; anonymous requests get 401, others 403.
func (h *Handler) adminOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := taxii.PrincipalOf(c)
		switch {
		case p.Anonymous:
			return taxii.Unauthorized(h.Challenges, "The admin API needs an admin's credentials.")
		case !p.Admin:
			return &taxii.Error{Status: http.StatusForbidden, Code: "admin-only", Title: "Forbidden", Description: "The admin API is for admins only."}
		case p.Basic:
			// A browser replays remembered Basic credentials on requests
			// other sites make it send (cross-site request forgery); it
			// never adds a Bearer token by itself.
			return &taxii.Error{Status: http.StatusForbidden, Code: "admin-needs-key", Title: "Forbidden",
				Description: "The admin API takes an admin's API key as a Bearer or Token credential, not HTTP Basic."}
		}
		// Every change through the admin API is on record under the
		// admin, the key and the address it came from.
		req := c.Request()
		c.SetRequest(req.WithContext(curation.WithActor(req.Context(), curation.Actor{User: p.Name, KeyID: p.KeyID, Remote: c.RealIP()})))
		// An admin may know what exists: a not found names what was
		// asked for, as the CLI says offline.
		return taxii.Disclose(next(c))
	}
}

// accounts wraps a handler that changes accounts.
func (h *Handler) accounts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil && h.AccountsChanged != nil {
			h.AccountsChanged()
		}
		return err
	}
}

// resources wraps a handler that changes API roots, collections or
// objects. The hook runs after a failure too: an import may have stored
// part of its objects.
func (h *Handler) resources(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if h.ResourcesChanged != nil {
			h.ResourcesChanged()
		}
		return err
	}
}

func badRequest(format string, args ...any) error {
	return &taxii.Error{Status: http.StatusBadRequest, Code: "bad-request", Title: "Bad request", Description: fmt.Sprintf(format, args...)}
}

// decode reads a JSON request body of at most 1 MiB into v.
func decode(c echo.Context, v any) error {
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("the request body is not the expected JSON: %v", err)
	}
	return nil
}

func reply(c echo.Context, status int, v any) error {
	if v == nil {
		return c.NoContent(status)
	}
	return c.JSON(status, v)
}

func boolParam(c echo.Context, name string) (bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest("%s: %q is not true or false", name, v)
	}
	return b, nil
}

func ref(c echo.Context) (string, error) {
	r := c.QueryParam("ref")
	if r == "" {
		return "", badRequest("ref: name the collection by id, alias or ROOT/ALIAS")
	}
	return r, nil
}

func (h *Handler) listAPIRoots(c echo.Context) error {
	roots, err := h.API.APIRoots(c.Request().Context())
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, roots)
}

func (h *Handler) addAPIRoot(c echo.Context) error {
	var r store.APIRoot
	if err := decode(c, &r); err != nil {
		return err
	}
	r, err := h.API.AddAPIRoot(c.Request().Context(), r)
	if err != nil {
		return err
	}
	return reply(c, http.StatusCreated, r)
}

func (h *Handler) updateAPIRoot(c echo.Context) error {
	var u store.APIRootUpdate
	if err := decode(c, &u); err != nil {
		return err
	}
	r, err := h.API.UpdateAPIRoot(c.Request().Context(), c.Param("name"), u)
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, r)
}

func (h *Handler) removeAPIRoot(c echo.Context) error {
	force, err := boolParam(c, "force")
	if err != nil {
		return err
	}
	if err := h.API.RemoveAPIRoot(c.Request().Context(), c.Param("name"), force); err != nil {
		return err
	}
	return reply(c, http.StatusNoContent, nil)
}

func (h *Handler) listCollections(c echo.Context) error {
	colls, err := h.API.Collections(c.Request().Context(), c.QueryParam("api_root"))
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, colls)
}

func (h *Handler) addCollection(c echo.Context) error {
	var col store.Collection
	if err := decode(c, &col); err != nil {
		return err
	}
	col, err := h.API.AddCollection(c.Request().Context(), col)
	if err != nil {
		return err
	}
	return reply(c, http.StatusCreated, col)
}

func (h *Handler) showCollection(c echo.Context) error {
	r, err := ref(c)
	if err != nil {
		return err
	}
	info, err := h.API.Collection(c.Request().Context(), r)
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, info)
}

func (h *Handler) updateCollection(c echo.Context) error {
	r, err := ref(c)
	if err != nil {
		return err
	}
	var u store.CollectionUpdate
	if err := decode(c, &u); err != nil {
		return err
	}
	col, err := h.API.UpdateCollection(c.Request().Context(), r, u)
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, col)
}

func (h *Handler) removeCollection(c echo.Context) error {
	r, err := ref(c)
	if err != nil {
		return err
	}
	force, err := boolParam(c, "force")
	if err != nil {
		return err
	}
	if err := h.API.RemoveCollection(c.Request().Context(), r, force); err != nil {
		return err
	}
	return reply(c, http.StatusNoContent, nil)
}

// importObjects streams the request body (a bundle or envelope of any size)
// into the collection; the server's read deadline is lifted for it.
func (h *Handler) importObjects(c echo.Context) error {
	r, err := ref(c)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(c.Response())
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{}) // the reply comes when the import ends
	res, err := h.API.Import(c.Request().Context(), r, taxii.PrincipalOf(c).Name, c.Request().Body, nil)
	if err != nil && res.Objects == 0 {
		return err
	}
	if err != nil {
		// Batches before the problem are stored: say so with the error.
		return &taxii.Error{Status: http.StatusBadRequest, Code: "bad-envelope", Title: "Import stopped",
			Description: fmt.Sprintf("%v; %d objects were imported before", err, res.Objects), Details: map[string]any{"imported": res.Objects}}
	}
	return reply(c, http.StatusOK, res)
}

func (h *Handler) exportObjects(c echo.Context) error {
	r, err := ref(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	o := curation.ExportOptions{Types: q["type"]}
	if o.AllVersions, err = boolParam(c, "all_versions"); err != nil {
		return err
	}
	if o.Envelope, err = boolParam(c, "envelope"); err != nil {
		return err
	}
	if v := c.QueryParam("added_after"); v != "" {
		if o.AddedAfter, err = stix.ParseTimestamp(v); err != nil {
			return badRequest("added_after: %v", err)
		}
	}
	if _, err := h.API.Collection(c.Request().Context(), r); err != nil {
		return err // before the 200 is committed
	}
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Time{})
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	c.Response().WriteHeader(http.StatusOK)
	if _, err := h.API.Export(c.Request().Context(), r, o, c.Response()); err != nil {
		h.abort(c, "export", err)
	}
	return nil
}

// abort ends a streamed response that failed after its 200 was sent: the
// connection is cut, so the client sees a truncated transfer rather than a
// complete-looking one, and the cause is logged.
func (h *Handler) abort(c echo.Context, what string, err error) {
	if h.Logger != nil {
		h.Logger.Error("admin stream failed after the response began", slog.String("operation", what), slog.Any("error", err))
	}
	panic(http.ErrAbortHandler)
}

func (h *Handler) deleteObject(c echo.Context) error {
	r, err := ref(c)
	if err != nil {
		return err
	}
	n, err := h.API.DeleteObject(c.Request().Context(), r, c.QueryParam("id"), c.QueryParam("version"))
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, map[string]int{"deleted": n})
}

func (h *Handler) revokeObject(c echo.Context) error {
	r, err := ref(c)
	if err != nil {
		return err
	}
	st, err := h.API.RevokeObject(c.Request().Context(), r, taxii.PrincipalOf(c).Name, c.QueryParam("id"))
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, st)
}

func (h *Handler) listUsers(c echo.Context) error {
	users, err := h.API.Users(c.Request().Context())
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, users)
}

// NewUser is the body of a user creation.
type NewUser struct {
	Name     string `json:"name"`
	Admin    bool   `json:"admin"`
	Password string `json:"password,omitempty"`
}

func (h *Handler) addUser(c echo.Context) error {
	var u NewUser
	if err := decode(c, &u); err != nil {
		return err
	}
	if err := h.API.AddUser(c.Request().Context(), u.Name, u.Admin, u.Password); err != nil {
		return err
	}
	return reply(c, http.StatusCreated, map[string]string{"name": u.Name})
}

func (h *Handler) removeUser(c echo.Context) error {
	if err := h.API.RemoveUser(c.Request().Context(), c.Param("name")); err != nil {
		return err
	}
	return reply(c, http.StatusNoContent, nil)
}

// Password is the body of a password change.
type Password struct {
	Password string `json:"password"`
}

func (h *Handler) setPassword(c echo.Context) error {
	var p Password
	if err := decode(c, &p); err != nil {
		return err
	}
	if p.Password == "" {
		return badRequest("password: give a new password")
	}
	if err := h.API.SetPassword(c.Request().Context(), c.Param("name"), p.Password); err != nil {
		return err
	}
	return reply(c, http.StatusNoContent, nil)
}

// AdminRole is the body of a role change.
type AdminRole struct {
	Admin bool `json:"admin"`
}

func (h *Handler) setAdmin(c echo.Context) error {
	var a AdminRole
	if err := decode(c, &a); err != nil {
		return err
	}
	if err := h.API.SetAdmin(c.Request().Context(), c.Param("name"), a.Admin); err != nil {
		return err
	}
	return reply(c, http.StatusNoContent, nil)
}

// setOrg sets a user's organisation; the body is {"org": ID-or-name}.
func (h *Handler) setOrg(c echo.Context) error {
	var body struct {
		Org string `json:"org"`
	}
	if err := decode(c, &body); err != nil {
		return err
	}
	id, err := h.API.SetOrg(c.Request().Context(), c.Param("name"), body.Org)
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, map[string]string{"org": id})
}

// explain says whether a principal sees an object: ?user=&ref=&id=.
func (h *Handler) explain(c echo.Context) error {
	r, err := ref(c)
	if err != nil {
		return err
	}
	user, id := c.QueryParam("user"), c.QueryParam("id")
	if user == "" || id == "" {
		return badRequest("user and id: name the principal (a user, or anonymous) and the object")
	}
	e, err := h.API.Explain(c.Request().Context(), user, r, id)
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, e)
}

// changeGrant adds and drops a user's rights on a collection; the body is
// an curation.GrantChange.
func (h *Handler) changeGrant(c echo.Context) error {
	var ch curation.GrantChange
	if err := decode(c, &ch); err != nil {
		return err
	}
	res, err := h.API.ChangeGrant(c.Request().Context(), c.Param("name"), ch)
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, res)
}

// KeyRequest is the body of a key creation; Lifetime 0 never expires.
type KeyRequest struct {
	Lifetime time.Duration `json:"lifetime"`
}

// NewKey is a created key with its token, shown once.
type NewKey struct {
	Key   store.APIKey `json:"key"`
	Token string       `json:"token"`
}

func (h *Handler) createKey(c echo.Context) error {
	var k KeyRequest
	if err := decode(c, &k); err != nil {
		return err
	}
	if k.Lifetime < 0 {
		return badRequest("lifetime: must be positive, or 0 for a key that does not expire")
	}
	key, token, err := h.API.CreateAPIKey(c.Request().Context(), c.Param("name"), k.Lifetime)
	if err != nil {
		return err
	}
	return reply(c, http.StatusCreated, NewKey{Key: key, Token: token})
}

func (h *Handler) listKeys(c echo.Context) error {
	keys, err := h.API.APIKeys(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, keys)
}

func (h *Handler) revokeKey(c echo.Context) error {
	if err := h.API.RevokeAPIKey(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return reply(c, http.StatusNoContent, nil)
}

func (h *Handler) stats(c echo.Context) error {
	st, err := h.API.Stats(c.Request().Context())
	if err != nil {
		return err
	}
	return reply(c, http.StatusOK, st)
}

// audit lists audit entries: ?since=TIMESTAMP&user=NAME&limit=N.
func (h *Handler) audit(c echo.Context) error {
	var q store.AuditQuery
	if v := c.QueryParam("since"); v != "" {
		t, err := stix.ParseTimestamp(v)
		if err != nil {
			return badRequest("since: %q is not a timestamp such as 2026-01-02T03:04:05Z", v)
		}
		q.Since = t
	}
	q.User = c.QueryParam("user")
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return badRequest("limit: %q is not a count", v)
		}
		q.Limit = n
	}
	entries, err := h.API.Audit(c.Request().Context(), q)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []store.AuditEntry{}
	}
	return reply(c, http.StatusOK, entries)
}

// consumers lists consumer activity: ?ref= names one collection.
func (h *Handler) consumers(c echo.Context) error {
	out, err := h.API.Consumers(c.Request().Context(), c.QueryParam("ref"))
	if err != nil {
		return err
	}
	if out == nil {
		out = []curation.ConsumerInfo{}
	}
	return reply(c, http.StatusOK, out)
}

// backup streams a consistent snapshot of the database. The snapshot is
// first written to a temporary file: the read transaction it needs would
// otherwise last as long as the slowest client's download, and a long read
// transaction stalls writers when the file must grow.
func (h *Handler) backup(c echo.Context) error {
	tmp, err := os.CreateTemp("", "liaison-backup-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := h.API.Backup(c.Request().Context(), tmp)
	if errors.Is(err, curation.ErrNoBackup) {
		// PostgreSQL: the engine's tools back it up, not the server.
		return &taxii.Error{Status: http.StatusNotImplemented, Code: "no-backup", Title: "No backup through the server", Description: err.Error()}
	}
	if err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Time{})
	c.Response().Header().Set(echo.HeaderContentType, "application/octet-stream")
	c.Response().Header().Set(echo.HeaderContentLength, strconv.FormatInt(n, 10))
	c.Response().WriteHeader(http.StatusOK)
	if _, err := io.Copy(c.Response(), tmp); err != nil {
		h.abort(c, "backup", err)
	}
	return nil
}
