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
	if !storable(collection, q.ObjectID) {
		// Names nothing: the answer of an unknown collection or object.
		if _, err := s.CollectionLastAdded(ctx, collection); err != nil {
			return store.Page{}, fmt.Errorf("query collection %s: %w", collection, err)
		}
		return store.Page{}, fmt.Errorf("query collection %s: object %q: %w", collection, q.ObjectID, store.ErrObjectNotFound)
	}
	q.IDs, q.Types = storableList(q.IDs), storableList(q.Types)
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
// With a clearance, an object none of whose versions it admits is not
// held.
func resolve(q *store.Query, collection string) (string, []any) {
	args := []any{collection, q.ObjectID}
	admitted := ""
	if q.Clearance != nil {
		admitted = " AND " + admitsSQL("v.", 3)
		args = append(args, clearanceArgs(q.Clearance)...)
	}
	return `SELECT seq, $2::text = '' OR EXISTS (SELECT 1 FROM versions v WHERE v.coll = c.seq AND v.id = $2` + admitted + `) FROM collections c WHERE c.id = $1`, args
}

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
	cols := "date_added, id, version_text, spec, " + markingColumns + ", " + body
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

// clearedStatement is the statement of a page of the default selection
// for a client with a clearance: each object's newest version the client
// may see, which is its current version or a shadow. It merges the
// current and shadow indexes (by id or type when asked) in date_added
// order, visits at most $4 (MaxScan) entries, and keeps, in SQL, those the
// clearance admits that have no newer version it admits (current versions
// have none). Rows come with their row number among the entries visited;
// the last one visited comes too, admitted or not, when the scan stopped
// at the bound. $1 is the collection id, $2 the position to start after,
// $3 the page's limit plus one, $4 the bound, then the clearance's
// parameters, then the ids or types.
func clearedStatement(collection string, q *store.Query, ids []string, restricted bool, maxScan int) (string, []any) {
	body := "raw"
	if q.NoBody {
		body = "NULL::bytea"
	}
	cols := "coll, date_added, id, version_s, version_ns, version_text, spec, is_current, " + markingColumns + ", " + body + " AS raw"
	args := append([]any{collection, start(q), q.Limit + 1, maxScan}, clearanceArgs(q.Clearance)...)
	// Every branch reads the collection's seq from one lookup.
	from := func(flag string) string {
		return `versions WHERE coll = (SELECT seq FROM cs) AND ` + flag + ` AND date_added > $2`
	}
	var parts []string
	switch {
	case restricted:
		// An object's current version and its shadows, by the current and
		// shadow indexes by id.
		args = append(args, ids)
		parts = append(parts, fmt.Sprintf(`SELECT v.* FROM unnest($%d::text[]) AS i(id) CROSS JOIN LATERAL (
			(SELECT %s FROM %s AND id = i.id) UNION ALL (SELECT %s FROM %s AND id = i.id ORDER BY date_added LIMIT $4)) v`,
			len(args), cols, from("is_current"), cols, from("is_shadow")))
	case len(q.Types) > 0:
		for _, typ := range uniq(q.Types) {
			args = append(args, typ)
			for _, flag := range []string{"is_current", "is_shadow"} {
				parts = append(parts, fmt.Sprintf(`(SELECT %s FROM %s AND type = $%d ORDER BY date_added LIMIT $4)`, cols, from(flag), len(args)))
			}
		}
	default:
		for _, flag := range []string{"is_current", "is_shadow"} {
			parts = append(parts, fmt.Sprintf(`(SELECT %s FROM %s ORDER BY date_added LIMIT $4)`, cols, from(flag)))
		}
	}
	const p = 5 // the clearance's first parameter
	// A version is the newest the client may see when the clearance
	// admits it and no version after it (in the order that chooses the
	// current version) is admitted; CASE keeps the lookup of the later
	// versions to the shadows.
	ok := `CASE WHEN NOT ` + admitsSQL("c.", p) + ` THEN false WHEN c.is_current THEN true
		ELSE NOT EXISTS (SELECT 1 FROM versions w WHERE w.coll = c.coll AND w.id = c.id
			AND (length(w.spec), w.spec, w.version_s, w.version_ns, w.date_added) > (length(c.spec), c.spec, c.version_s, c.version_ns, c.date_added)
			AND ` + admitsSQL("w.", p) + `) END`
	return `WITH cs AS MATERIALIZED (SELECT seq FROM collections WHERE id = $1)
		SELECT date_added, id, version_text, spec, ` + markingColumns + `, CASE WHEN ok THEN raw END, rn, ok FROM (
		SELECT c.*, row_number() OVER (ORDER BY c.date_added) AS rn, ` + ok + ` AS ok
		FROM (` + strings.Join(parts, " UNION ALL ") + `) c ORDER BY c.date_added LIMIT $4) s
		WHERE ok OR rn = $4 ORDER BY date_added LIMIT $3`, args
}

// queryCurrent serves the default selection from the current-version
// indexes: every row a statement returns is a result, so a page costs its
// own rows whatever the number of versions. With a clearance, the
// statement is clearedStatement's, whose rows are the results but for
// the scan's last entry when the scan stopped at MaxScan. One round trip:
// the collection's lookup and the page's statement go in one batch.
func (s *Store) queryCurrent(ctx context.Context, collection string, q store.Query) (store.Page, error) {
	var page store.Page
	ids, restricted := queryIDs(&q)
	maxScan := cmp.Or(q.MaxScan, store.DefaultMaxScan)
	var sql string
	var args []any
	if q.Clearance != nil {
		sql, args = clearedStatement(collection, &q, ids, restricted, maxScan)
	} else {
		sql, args = currentStatement(collection, &q, ids, restricted)
	}
	var seq int64
	var found bool
	var rerr error
	b := &pgx.Batch{}
	rsql, rargs := resolve(&q, collection)
	b.Queue(rsql, rargs...).QueryRow(func(row pgx.Row) error {
		rerr = row.Scan(&seq, &found)
		return nil
	})
	if !restricted || len(ids) > 0 {
		maxBytes := cmp.Or(q.MaxBytes, store.DefaultMaxPageBytes)
		size := 0
		b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
			var r store.Record
			var added, rn int64
			var tlp int16
			var creator string
			var others []string
			ok := true
			dest := []any{&added, &r.ID, &r.VersionText, &r.SpecVersion, &tlp, &creator, &others, &r.Raw}
			if q.Clearance != nil {
				dest = append(dest, &rn, &ok)
			}
			_, err := pgx.ForEachRow(rows, dest, func() error {
				if q.Clearance != nil {
					page.Scanned = int(rn)
				} else {
					page.Scanned++
				}
				if page.More {
					return nil
				}
				if !ok {
					// The last entry the scan could visit, withheld: go on
					// after it.
					page.More, page.Resume = true, uint64(added)
					return nil
				}
				if len(page.Records) == q.Limit || (len(page.Records) > 0 && size+len(r.Raw) > maxBytes && !q.NoBody) {
					// One past the page: there is more.
					page.More, page.Resume = true, page.Records[len(page.Records)-1].Position
					return nil
				}
				size += len(r.Raw)
				r.Position, r.DateAdded, r.Markings = uint64(added), microsTime(added), markingsOf(tlp, creator, others)
				page.Records = append(page.Records, r)
				r, others = store.Record{}, nil
				if q.Clearance != nil && rn == int64(maxScan) {
					// The scan stopped here: what follows is for the next page.
					page.More, page.Resume = true, uint64(added)
				}
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
	tlp             int16
	creator         string
	others          []string
	raw             []byte
	admitted        bool // by the query's clearance, if any
}

// objectInfo is what a version selection needs of an object: its current
// spec version, and its first and last versions among the selected spec
// versions (date_added; 0 when not looked up). With a clearance, these are
// of the versions it admits: the latest spec version the client may see,
// the first and last versions it may see.
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
// spec versions selected (when given), then the clearance's parameters
// (when the query has one).
func (sel *selection) statement() string {
	specs := "$3::text[]"
	cols, joins := "i.id", ""
	admitted := ""
	if sel.q.Clearance != nil {
		p := 3
		if !sel.needSpec {
			p = 4
		}
		admitted = " AND " + admitsSQL("", p)
	}
	switch {
	case sel.needSpec && sel.q.Clearance != nil:
		// The latest spec version among those the client may see: every
		// version of the object is read (at most linear, as the contract
		// allows for selections other than the default).
		cols += ", cs.spec"
		joins += ` LEFT JOIN LATERAL (SELECT spec FROM versions WHERE coll = $1 AND id = i.id` + admitted + ` ORDER BY length(spec) DESC, spec DESC LIMIT 1) cs ON true`
		specs = "ARRAY[cs.spec]"
	case sel.needSpec:
		cols += ", cs.spec"
		joins += ` LEFT JOIN LATERAL (SELECT spec FROM versions WHERE coll = $1 AND id = i.id AND is_current) cs ON true`
		specs = "ARRAY[cs.spec]"
	default:
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
		joins += ` LEFT JOIN LATERAL (SELECT date_added FROM versions WHERE coll = $1 AND id = i.id AND spec = ANY(` + specs + `)` + admitted + ` ORDER BY ` + end.order + ` LIMIT 1) ` + end.alias + ` ON true`
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
	rows, err := tx.Query(ctx, sel.statement(), sel.args(seq, ids)...)
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

// args returns the lookup's arguments.
func (sel *selection) args(seq int64, ids []string) []any {
	args := []any{seq, ids}
	if !sel.needSpec {
		args = append(args, sel.q.SpecVersions)
	}
	if sel.q.Clearance != nil {
		args = append(args, clearanceArgs(sel.q.Clearance)...)
	}
	return args
}

func (sel *selection) include(c *candidate) bool {
	q := sel.q
	if !c.admitted {
		return false // it does not exist for this client
	}
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
// to start after, $3 the batch size, then the clearance's parameters (when
// the query has one). Each row says whether the clearance admits it; the
// object of a version it does not admit is left out.
func selectedStatement(seq int64, q *store.Query, ids []string, restricted bool) (string, []any) {
	body := "raw"
	if q.NoBody {
		body = "NULL::bytea"
	}
	args := []any{seq, int64(0), 0}
	admitted := "true"
	if q.Clearance != nil {
		admitted = admitsSQL("", 4)
		body = "CASE WHEN " + admitted + " THEN " + body + " END"
		args = append(args, clearanceArgs(q.Clearance)...)
	}
	cols := "date_added, id, version_s, version_ns, version_text, spec, " + markingColumns + ", " + body + " AS raw, " + admitted + " AS admitted"
	from := `versions WHERE coll = $1 AND date_added > $2`
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
	rsql, rargs := resolve(&q, collection)
	err := tx.QueryRow(ctx, rsql, rargs...).Scan(&seq, &found)
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
		_, err = pgx.ForEachRow(rows, []any{&c.added, &c.id, &c.s, &c.ns, &c.versionText, &c.spec, &c.tlp, &c.creator, &c.others, &c.raw, &c.admitted}, func() error {
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
			if _, ok := sel.info[c.id]; !ok && c.admitted && !slices.Contains(unknown, c.id) {
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
				ID: c.id, VersionText: c.versionText, SpecVersion: c.spec, Markings: markingsOf(c.tlp, c.creator, c.others), Raw: c.raw})
		}
		if len(batch) < n {
			return page, nil // the index has nothing more
		}
	}
}
