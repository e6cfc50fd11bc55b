package taxii

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"

	"liaison/stix"
	"liaison/store"
)

// The paging shared by the objects, object, manifest and versions
// endpoints: query, cursor and the page's body.

// Headers of paged responses (TAXII 2.1 §3.2).
const (
	HeaderDateAddedFirst = "X-TAXII-Date-Added-First"
	HeaderDateAddedLast  = "X-TAXII-Date-Added-Last"
)

// Paged endpoints, as named in cursors.
const (
	endpointObjects  = "objects"
	endpointManifest = "manifest"
	endpointObject   = "object"
	endpointVersions = "versions"
)

// maxCursorFilter is the largest filter (as JSON) a cursor carries, about
// 300 ids; a longer one is bound by its hash, and the client must repeat it
// with next.
const maxCursorFilter = 16 << 10

// pageAnswer is what a paged request is answered with.
type pageAnswer struct {
	page store.Page
	next string // the next token, when there is more
	etag string // the page's entity tag (its ETag header)
	gzip bool   // the client accepts gzip
	// notModified is set, and page empty, when the client's
	// If-None-Match names the page as it is: it gets 304, and the store
	// is not queried.
	notModified bool
}

// pagedRequest resolves, authorises and runs a paged query.
func (s *Server) pagedRequest(c echo.Context, endpoint string, allowed []string) (pageAnswer, error) {
	p, err := parseParams(c.Request().URL.RawQuery, allowed)
	if err != nil {
		return pageAnswer{}, err
	}
	root, coll, rights, err := s.collection(c, needRead)
	if err != nil {
		return pageAnswer{}, err
	}
	objectID := c.Param("object")
	if objectID != "" && !stix.ValidID(objectID) {
		return pageAnswer{}, fmt.Errorf("object %q: %w", objectID, store.ErrObjectNotFound)
	}
	limit := p.limit
	if limit == 0 {
		limit = root.DefaultLimit
	}
	// A client asking more than the maximum gets the maximum, with more and
	// next (TAXII 2.1 §3.4: the server MAY return fewer).
	limit = min(limit, root.MaxLimit)

	f, pos := p.filter, uint64(0)
	if slices.Equal(f.Versions, []string{"last"}) {
		f.Versions = nil // the default spelled out: the same query
	}
	who := principal(c).Name
	if p.next != "" {
		cur, err := decodeCursor(s.CursorKey, p.next)
		if err != nil {
			return pageAnswer{}, paramError(paramNext, "is not a token this server issued; start again without next")
		}
		if cur.Collection != coll.ID || cur.Endpoint != endpoint || cur.Object != objectID || cur.Principal != who {
			return pageAnswer{}, paramError(paramNext, "was issued for another endpoint, collection or user; use it only where you got it")
		}
		if f, err = cursorFilter(cur, f); err != nil {
			return pageAnswer{}, err
		}
		pos = cur.Position
	}
	q, err := f.storeQuery()
	if err != nil {
		return pageAnswer{}, err
	}
	q.ObjectID, q.After, q.Limit = objectID, pos, limit
	q.Clearance = rights.Clearance // what this client may not see does not exist for it
	switch endpoint {
	case endpointVersions:
		q.Versions = store.VersionSelect{All: true}
		q.NoBody = true
	case endpointManifest:
		q.NoBody = true
	}
	ans := pageAnswer{gzip: acceptsGzip(c.Request().Header.Values(echo.HeaderAcceptEncoding))}
	if ans.etag, err = s.pageETag(c.Request().Context(), endpoint, coll, principal(c), rights, f, q, ans.gzip); err != nil {
		return pageAnswer{}, err
	}
	if inm := c.Request().Header.Values("If-None-Match"); len(inm) > 0 && matchesETag(inm, ans.etag, objectID == "") {
		ans.notModified = true
		return ans, nil
	}
	page, err := s.Store.Query(c.Request().Context(), coll.ID, q)
	if err != nil {
		return pageAnswer{}, err
	}
	ans.page = page
	if page.More {
		// Sent whenever more is true (taxii2-client loops on more alone).
		cur := cursor{Collection: coll.ID, Endpoint: endpoint, Object: objectID, Principal: who, Position: page.Resume}
		if filterJSON, _ := json.Marshal(f); len(filterJSON) > maxCursorFilter {
			cur.FilterHash = filterHash(&f)
		} else {
			cur.Filter = &f
		}
		ans.next = encodeCursor(s.CursorKey, cur)
	}
	return ans, nil
}

// cursorFilter returns the filter a request with next applies: the cursor's.
// A client may repeat the original filters (TAXII 2.1 §3.4) or drop them
// (some clients send only next and limit); different filters are refused.
func cursorFilter(cur cursor, given filter) (filter, error) {
	if cur.Filter != nil {
		if !given.empty() && !given.equal(cur.Filter) {
			return given, paramError(paramNext, "was issued for a query with other filters; repeat the original filters or send none")
		}
		return *cur.Filter, nil
	}
	if given.empty() || filterHash(&given) != cur.FilterHash {
		return given, paramError(paramNext, "belongs to a query whose filters are too long to carry in the token; repeat the original filters with next")
	}
	return given, nil
}

func filterHash(f *filter) string {
	b, _ := json.Marshal(f)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// writePage streams a paged resource: {"more":..,"next":..,"<key>":[items]}
// with the X-TAXII-Date-Added headers, or {"more":false} without them when
// the page is empty (TAXII 2.1 §3.2 defines no header values for it). item
// writes one item, and may use and return buf, a scratch buffer kept
// across items.
func (s *Server) writePage(c echo.Context, ans pageAnswer, key string, item pageItem) error {
	res := c.Response()
	h := res.Header()
	page, next := ans.page, ans.next
	h.Set(echo.HeaderContentType, MediaType)
	// Whether the body is compressed depends on Accept-Encoding: a cache
	// must not answer one client with what another accepted.
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	h.Set("ETag", ans.etag)
	if ans.notModified {
		// RFC 9110 §15.4.5: the ETag and Vary a 200 would carry, no body.
		res.WriteHeader(http.StatusNotModified)
		return nil
	}
	if len(page.Records) > 0 {
		h.Set(HeaderDateAddedFirst, stix.FormatTAXII(page.Records[0].DateAdded))
		h.Set(HeaderDateAddedLast, stix.FormatTAXII(page.Records[len(page.Records)-1].DateAdded))
	}
	var dst io.Writer = res
	var zw *gzip.Writer
	if ans.gzip && len(page.Records) > 0 {
		h.Set(echo.HeaderContentEncoding, "gzip")
		zw = s.gzipWriter(res)
		defer s.releaseGzipWriter(zw)
		dst = zw
	}
	res.WriteHeader(http.StatusOK)
	pw := s.pageWriter(dst)
	defer s.releasePageWriter(pw)
	w := pw.w
	if page.More {
		w.WriteString(`{"more":true`)
	} else {
		w.WriteString(`{"more":false`)
	}
	if next != "" {
		w.WriteString(`,"next":`)
		pw.buf = appendJSONString(pw.buf[:0], next)
		w.Write(pw.buf)
	}
	if len(page.Records) > 0 {
		w.WriteString(`,"`)
		w.WriteString(key)
		w.WriteString(`":[`)
		for i := range page.Records {
			if i > 0 {
				w.WriteByte(',')
			}
			var err error
			if pw.buf, err = item(w, &page.Records[i], pw.buf); err != nil {
				return err
			}
		}
		w.WriteByte(']')
	}
	w.WriteByte('}')
	if err := w.Flush(); err != nil {
		return err
	}
	if zw != nil {
		return zw.Close() // the gzip trailer
	}
	return nil
}

// pageItem writes one item of a page to w; buf is scratch space, returned
// grown for the next item.
type pageItem func(w *bufio.Writer, r *store.Record, buf []byte) ([]byte, error)

func writeRaw(w *bufio.Writer, r *store.Record, buf []byte) ([]byte, error) {
	_, err := w.Write(r.Raw)
	return buf, err
}

// pageWriterState is what writing a page needs besides the page: a write
// buffer (32 KiB: a 1000-object page is sent in some twenty writes) and
// scratch space for the items. Pages reuse them through Server.pageWriters
// instead of allocating them per request.
type pageWriterState struct {
	w   *bufio.Writer
	buf []byte
}

func (s *Server) pageWriter(dst io.Writer) *pageWriterState {
	if pw, ok := s.pageWriters.Get().(*pageWriterState); ok {
		pw.w.Reset(dst)
		return pw
	}
	return &pageWriterState{w: bufio.NewWriterSize(dst, 32<<10), buf: make([]byte, 0, 256)}
}

func (s *Server) releasePageWriter(pw *pageWriterState) {
	pw.w.Reset(io.Discard) // no reference to the response is kept
	if cap(pw.buf) > 64<<10 {
		pw.buf = make([]byte, 0, 256) // an outsized item's buffer is not kept
	}
	s.pageWriters.Put(pw)
}
