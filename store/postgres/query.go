package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"liaison/store"
)

// Query returns one page of the versions selected by q from a collection;
// see store.Store and the package documentation of store for the rules
// (filter order, positions, page limits), and this package's for what
// Page.Scanned counts.
func (s *Store) Query(ctx context.Context, collection string, q store.Query) (store.Page, error) {
	if q.Limit <= 0 {
		return store.Page{}, fmt.Errorf("query: limit must be positive")
	}
	var page store.Page
	var err error
	if currentOnly(&q) {
		page, err = s.queryCurrent(ctx, collection, q)
	} else {
		err = s.txOptions(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			page, err = querySelected(ctx, tx, collection, q)
			return err
		})
	}
	if err != nil {
		return store.Page{}, fmt.Errorf("query collection %s: %w", collection, mapErr(err))
	}
	return page, nil
}

// currentOnly reports whether q selects exactly each object's current
// version (the default filters), which the current indexes hold.
func currentOnly(q *store.Query) bool {
	v := q.Versions
	return len(q.SpecVersions) == 0 && !v.All && !v.First && len(v.At) == 0
}

// start returns the position a query starts after.
func start(q *store.Query) int64 {
	after := int64(min(q.After, math.MaxInt64))
	return max(after, timeMicros(q.AddedAfter))
}

// queryIDs returns the ids a query is restricted to (nil: none), without
// repeats and without those the type filter excludes (an id's type is the
// part before "--").
func queryIDs(q *store.Query) (ids []string, restricted bool) {
	list := q.IDs
	if q.ObjectID != "" {
		list = []string{q.ObjectID}
	}
	if len(list) == 0 {
		return nil, false
	}
	seen := map[string]bool{}
	for _, id := range list {
		if !seen[id] && (len(q.Types) == 0 || slices.Contains(q.Types, store.TypeOf(id))) {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, true
}

func uniq(list []string) []string {
	var out []string
	for _, v := range list {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// resolve is the statement that finds the collection (and, for ObjectID,
// whether it holds the object): $1 is the collection id, $2 the object id.
const resolve = `SELECT seq, $2::text = '' OR EXISTS (SELECT 1 FROM versions v WHERE v.coll = c.seq AND v.id = $2) FROM collections c WHERE c.id = $1`

func resolved(err error, collection, objectID string, found bool) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("collection %q: %w", collection, store.ErrCollectionNotFound)
	}
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("object %q: %w", objectID, store.ErrObjectNotFound)
	}
	return nil
}

// unionOf is one index range scan per value of a filter (an id, a type),
// merged in date_added order: each scan reads at most the page's rows, in
// the order the page is served. where names the filtered column; args
// holds the statement's other arguments, the values follow them.
func unionOf(cols, from, column string, values []string, args []any, limitArg string) (string, []any) {
	var parts []string
	for _, v := range values {
		args = append(args, v)
		parts = append(parts, fmt.Sprintf(`(SELECT %s FROM %s AND %s = $%d ORDER BY date_added LIMIT %s)`, cols, from, column, len(args), limitArg))
	}
	return `SELECT * FROM (` + strings.Join(parts, " UNION ALL ") + `) u ORDER BY date_added LIMIT ` + limitArg, args
}

// currentStatement is the statement of a page of current versions: $1
// the collection id, $2 the position to start after, $3 the page's limit
// plus one.
func currentStatement(collection string, q *store.Query, ids []string, restricted bool) (string, []any) {
	body := "raw"
	if q.NoBody {
		body = "NULL::bytea"
	}
	cols := "date_added, id, version_text, spec, " + body
	from := `versions WHERE coll = ` + collSeq + ` AND is_current AND date_added > $2`
	args := []any{collection, start(q), q.Limit + 1}
	switch {
	case restricted:
		// One lookup of the current-by-id index per id, whatever the
		// planner thinks of the array.
		return `SELECT v.* FROM unnest($4::text[]) AS i(id) CROSS JOIN LATERAL (SELECT ` + cols + ` FROM ` + from + ` AND id = i.id) v
			ORDER BY v.date_added LIMIT $3`, append(args, ids)
	case len(q.Types) > 0:
		return unionOf(cols, from, "type", uniq(q.Types), args, "$3")
	default:
		return `SELECT ` + cols + ` FROM ` + from + ` ORDER BY date_added LIMIT $3`, args
	}
}

// queryCurrent serves the default selection from the current-version
// indexes: every row a statement returns is a result, so a page costs its
// own rows whatever the number of versions. One round trip: the
// collection's lookup and the page's statement go in one batch.
func (s *Store) queryCurrent(ctx context.Context, collection string, q store.Query) (store.Page, error) {
	var page store.Page
	ids, restricted := queryIDs(&q)
	sql, args := currentStatement(collection, &q, ids, restricted)
	var seq int64
	var found bool
	var rerr error
	b := &pgx.Batch{}
	b.Queue(resolve, collection, q.ObjectID).QueryRow(func(row pgx.Row) error {
		rerr = row.Scan(&seq, &found)
		return nil
	})
	if !restricted || len(ids) > 0 {
		maxBytes := cmp.Or(q.MaxBytes, store.DefaultMaxPageBytes)
		size := 0
		b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
			var r store.Record
			var added int64
			_, err := pgx.ForEachRow(rows, []any{&added, &r.ID, &r.VersionText, &r.SpecVersion, &r.Raw}, func() error {
				page.Scanned++
				if page.More {
					return nil
				}
				if len(page.Records) == q.Limit || (len(page.Records) > 0 && size+len(r.Raw) > maxBytes && !q.NoBody) {
					// One past the page: there is more.
					page.More, page.Resume = true, page.Records[len(page.Records)-1].Position
					return nil
				}
				size += len(r.Raw)
				r.Position, r.DateAdded = uint64(added), microsTime(added)
				page.Records = append(page.Records, r)
				r = store.Record{}
				return nil
			})
			return err
		})
	}
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return store.Page{}, err
	}
	if err := resolved(rerr, collection, q.ObjectID, found); err != nil {
		return store.Page{}, err
	}
	return page, nil
}

// candidate is a version a selected query visits.
type candidate struct {
	versionInfo
	id, versionText string
	raw             []byte
}

// objectInfo is what a version selection needs of an object: its current
// spec version, and its first and last versions among the selected spec
// versions (date_added; 0 when not looked up).
type objectInfo struct {
	spec        string
	first, last int64
}

// selection decides which visited versions a query with explicit
// spec_version or version filters returns (added_after, id and type are the
// scan's business). Each object is looked up once per page.
type selection struct {
	q                     *store.Query
	needSpec, first, last bool
	info                  map[string]objectInfo
}

func newSelection(q *store.Query) *selection {
	vs := q.Versions
	if vs.IsZero() {
		vs.Last = true
	}
	return &selection{q: q, needSpec: len(q.SpecVersions) == 0, first: vs.First, last: vs.Last, info: map[string]objectInfo{}}
}

// lookups is the number of rows one object's lookup returns.
func (sel *selection) lookups() int {
	n := 0
	for _, b := range []bool{sel.needSpec, sel.first, sel.last} {
		if b {
			n++
		}
	}
	return n
}

// statement is the lookup's: $1 the collection's seq, $2 the ids, $3 the
// spec versions selected (when given).
func (sel *selection) statement() string {
	specs := "$3::text[]"
	cols, joins := "i.id", ""
	if sel.needSpec {
		cols += ", cs.spec"
		joins += ` LEFT JOIN LATERAL (SELECT spec FROM versions WHERE coll = $1 AND id = i.id AND is_current) cs ON true`
		specs = "ARRAY[cs.spec]"
	} else {
		cols += ", NULL::text"
	}
	for _, end := range []struct {
		on    bool
		alias string
		order string
	}{{sel.first, "f", "version_s, version_ns"}, {sel.last, "l", "version_s DESC, version_ns DESC"}} {
		if !end.on {
			cols += ", NULL::int8"
			continue
		}
		cols += ", " + end.alias + ".date_added"
		joins += ` LEFT JOIN LATERAL (SELECT date_added FROM versions WHERE coll = $1 AND id = i.id AND spec = ANY(` + specs + `) ORDER BY ` + end.order + ` LIMIT 1) ` + end.alias + ` ON true`
	}
	return `SELECT ` + cols + ` FROM unnest($2::text[]) AS i(id)` + joins
}

// lookup reads what the selection needs of the objects ids, one lateral
// index lookup each: the current version's spec version (the current
// index), and the first and last versions within the spec versions
// selected (the version index, from either end).
func (sel *selection) lookup(ctx context.Context, tx pgx.Tx, seq int64, ids []string) error {
	if len(ids) == 0 || sel.lookups() == 0 {
		return nil
	}
	args := []any{seq, ids}
	if !sel.needSpec {
		args = append(args, sel.q.SpecVersions)
	}
	rows, err := tx.Query(ctx, sel.statement(), args...)
	if err != nil {
		return err
	}
	var id string
	var spec *string
	var first, last *int64
	_, err = pgx.ForEachRow(rows, []any{&id, &spec, &first, &last}, func() error {
		var in objectInfo
		if spec != nil {
			in.spec = *spec
		}
		if first != nil {
			in.first = *first
		}
		if last != nil {
			in.last = *last
		}
		sel.info[id] = in
		return nil
	})
	return err
}

func (sel *selection) include(c *candidate) bool {
	q := sel.q
	if len(q.SpecVersions) > 0 && !slices.Contains(q.SpecVersions, c.spec) {
		return false
	}
	in := sel.info[c.id]
	if sel.needSpec && c.spec != in.spec {
		return false
	}
	if q.Versions.All {
		return true
	}
	if matchesAt(&c.versionInfo, q.Versions.At) {
		return true
	}
	return (sel.first && in.first == c.added) || (sel.last && in.last == c.added)
}

// selectedStatement is the statement that visits the versions a page of
// another selection may return: $1 the collection's seq, $2 the position
// to start after, $3 the batch size.
func selectedStatement(seq int64, q *store.Query, ids []string, restricted bool) (string, []any) {
	body := "raw"
	if q.NoBody {
		body = "NULL::bytea"
	}
	cols := "date_added, id, version_s, version_ns, version_text, spec, " + body
	from := `versions WHERE coll = $1 AND date_added > $2`
	args := []any{seq, int64(0), 0}
	switch {
	case restricted:
		return unionOf(cols, from, "id", ids, args, "$3")
	case len(q.Types) > 0:
		return unionOf(cols, from, "type", uniq(q.Types), args, "$3")
	default:
		return `SELECT ` + cols + ` FROM ` + from + ` ORDER BY date_added LIMIT $3`, args
	}
}

// querySelected serves the other version selections: it visits every
// version that can match, in date_added order, from the narrowest index
// (by id when ids are given, by type for types alone, else the primary
// key), in batches no larger than the page still needs and the scan
// budget allows, and keeps those the selection chooses.
func querySelected(ctx context.Context, tx pgx.Tx, collection string, q store.Query) (store.Page, error) {
	var page store.Page
	var seq int64
	var found bool
	err := tx.QueryRow(ctx, resolve, collection, q.ObjectID).Scan(&seq, &found)
	if err := resolved(err, collection, q.ObjectID, found); err != nil {
		return page, err
	}
	ids, restricted := queryIDs(&q)
	if restricted && len(ids) == 0 {
		return page, nil
	}
	sql, args := selectedStatement(seq, &q, ids, restricted)
	sel := newSelection(&q)
	maxScan, maxBytes := cmp.Or(q.MaxScan, store.DefaultMaxScan), cmp.Or(q.MaxBytes, store.DefaultMaxPageBytes)
	pos, size := start(&q), 0
	for {
		if page.Scanned%1024 == 0 && ctx.Err() != nil {
			return page, ctx.Err()
		}
		// A visited version costs its row and, for an object not looked up
		// yet, the lookup's rows.
		n := min(q.Limit+1-len(page.Records), (maxScan-page.Scanned)/(1+sel.lookups()))
		if n < 1 {
			if page.Scanned > 0 {
				page.More, page.Resume = true, uint64(pos) // go on after the last version visited
				return page, nil
			}
			n = 1
		}
		args[1], args[2] = pos, n
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return page, err
		}
		var batch []candidate
		var c candidate
		_, err = pgx.ForEachRow(rows, []any{&c.added, &c.id, &c.s, &c.ns, &c.versionText, &c.spec, &c.raw}, func() error {
			batch = append(batch, c)
			c = candidate{}
			return nil
		})
		if err != nil {
			return page, err
		}
		page.Scanned += len(batch)
		var unknown []string
		for _, c := range batch {
			if _, ok := sel.info[c.id]; !ok && !slices.Contains(unknown, c.id) {
				unknown = append(unknown, c.id)
			}
		}
		if err := sel.lookup(ctx, tx, seq, unknown); err != nil {
			return page, err
		}
		page.Scanned += len(unknown) * sel.lookups()
		for i := range batch {
			c := &batch[i]
			pos = c.added
			if !sel.include(c) {
				continue
			}
			if len(page.Records) == q.Limit || (len(page.Records) > 0 && size+len(c.raw) > maxBytes && !q.NoBody) {
				page.More, page.Resume = true, page.Records[len(page.Records)-1].Position
				return page, nil
			}
			size += len(c.raw)
			page.Records = append(page.Records, store.Record{DateAdded: microsTime(c.added), Position: uint64(c.added),
				ID: c.id, VersionText: c.versionText, SpecVersion: c.spec, Raw: c.raw})
		}
		if len(batch) < n {
			return page, nil // the index has nothing more
		}
	}
}
