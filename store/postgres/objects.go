package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/stix"
	"liaison/store"
)

// collSeq is the subquery that turns a collection id ($1) into its seq.
const collSeq = `(SELECT seq FROM collections WHERE id = $1)`

// versionKey is an object version's identity within a collection.
type versionKey struct {
	id string
	s  int64
	ns int32
}

func keyOf(id string, t time.Time) versionKey {
	return versionKey{id: id, s: t.Unix(), ns: int32(t.Nanosecond())}
}

// versionInfo is what choosing an object's current version needs of one
// of its versions.
type versionInfo struct {
	added int64 // date_added
	s     int64 // version instant: seconds
	ns    int32 // and nanoseconds
	spec  string
}

// versionLess orders an object's versions by version, then date_added.
func versionLess(a, b *versionInfo) bool {
	if a.s != b.s {
		return a.s < b.s
	}
	if a.ns != b.ns {
		return a.ns < b.ns
	}
	return a.added < b.added
}

// currentLess orders versions for the choice of an object's current
// version: by spec version, then version, then date_added.
func currentLess(a, b *versionInfo) bool {
	if a.spec != b.spec {
		return store.SpecVersionLess(a.spec, b.spec)
	}
	return versionLess(a, b)
}

// newVersion is a row AddObjects inserts.
type newVersion struct {
	versionInfo
	id, typ, versionText string
	hash, raw            []byte
	markings             stix.Markings
}

// currentRow is what AddObjects reads of an object's current version.
type currentRow struct {
	versionInfo
	markings stix.Markings
	mixed    bool
}

// AddObjects stores the valid objects of a request and its status resource
// in one transaction; see store.Store and the package documentation for
// how date_added stays unique and in commit order across replicas.
func (s *Store) AddObjects(ctx context.Context, req store.AddRequest) (store.Status, error) {
	id, err := store.NewID()
	if err != nil {
		return store.Status{}, err
	}
	now, started := s.now(), time.Now()
	st := store.NewStatus(id, now, req)
	err = s.tx(ctx, func(tx pgx.Tx) error {
		st, err = s.addObjects(ctx, tx, req, now, st)
		return err
	})
	if err != nil {
		return store.Status{}, fmt.Errorf("add objects to collection %s: %w", req.Collection, err)
	}
	s.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "objects added", slog.String("collection", req.Collection),
		slog.Int("total", st.TotalCount), slog.Int("successes", st.SuccessCount), slog.Int("failures", st.FailureCount),
		slog.Duration("duration", time.Since(started)))
	return st, nil
}

func (s *Store) addObjects(ctx context.Context, tx pgx.Tx, req store.AddRequest, now time.Time, st store.Status) (store.Status, error) {
	// What the collection holds of the request's objects, read in one
	// round trip after the collection's lock is held: the lock makes this
	// writer the only one of the collection until it commits, so what it
	// reads stays true.
	var (
		ids   []string
		vkeys struct {
			ids []string
			s   []int64
			ns  []int32
		}
		hkeys struct {
			ids    []string
			hashes [][]byte
		}
		hashes = make([][]byte, len(req.Objects))
		seenID = map[string]bool{}
	)
	for i := range req.Objects {
		o := &req.Objects[i]
		if !seenID[o.ID] {
			seenID[o.ID] = true
			ids = append(ids, o.ID)
		}
		if o.Versioned() {
			k := keyOf(o.ID, o.Version)
			vkeys.ids, vkeys.s, vkeys.ns = append(vkeys.ids, k.id), append(vkeys.s, k.s), append(vkeys.ns, k.ns)
		} else {
			hashes[i] = store.ContentHash(o.Raw)
			hkeys.ids, hkeys.hashes = append(hkeys.ids, o.ID), append(hkeys.hashes, hashes[i])
		}
	}
	var seq, last int64
	b := &pgx.Batch{}
	b.Queue(`SELECT seq, last_added FROM collections WHERE id = $1 FOR NO KEY UPDATE`, req.Collection).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&seq, &last)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("collection %q: %w", req.Collection, store.ErrCollectionNotFound)
		}
		return err
	})
	held := map[versionKey][]byte{}
	if len(vkeys.ids) > 0 {
		b.Queue(`SELECT v.id, v.version_s, v.version_ns, v.raw FROM unnest($2::text[], $3::int8[], $4::int4[]) AS k(id, s, ns)
			JOIN versions v ON v.coll = `+collSeq+` AND v.id = k.id AND v.version_s = k.s AND v.version_ns = k.ns`,
			req.Collection, vkeys.ids, vkeys.s, vkeys.ns).Query(func(rows pgx.Rows) error {
			var k versionKey
			var raw []byte
			_, err := pgx.ForEachRow(rows, []any{&k.id, &k.s, &k.ns, &raw}, func() error {
				held[k] = raw
				return nil
			})
			return err
		})
	}
	heldSCO := map[string]string{} // id and content hash -> version text
	if len(hkeys.ids) > 0 {
		b.Queue(`SELECT v.id, v.content_hash, v.version_text FROM unnest($2::text[], $3::bytea[]) AS k(id, h)
			JOIN versions v ON v.coll = `+collSeq+` AND v.id = k.id AND v.content_hash = k.h`,
			req.Collection, hkeys.ids, hkeys.hashes).Query(func(rows pgx.Rows) error {
			var id, vt string
			var h []byte
			_, err := pgx.ForEachRow(rows, []any{&id, &h, &vt}, func() error {
				heldSCO[id+"\x00"+string(h)] = vt
				return nil
			})
			return err
		})
	}
	current := map[string]versionInfo{}
	old := map[string]currentRow{}
	if len(ids) > 0 {
		b.Queue(`SELECT id, date_added, version_s, version_ns, spec, mixed, `+markingColumns+` FROM versions WHERE coll = `+collSeq+` AND is_current AND id = ANY($2)`,
			req.Collection, ids).Query(func(rows pgx.Rows) error {
			var id string
			var v currentRow
			var tlp int16
			var creator string
			var others []string
			_, err := pgx.ForEachRow(rows, []any{&id, &v.added, &v.s, &v.ns, &v.spec, &v.mixed, &tlp, &creator, &others}, func() error {
				v.markings = markingsOf(tlp, creator, others)
				current[id], old[id] = v.versionInfo, v
				return nil
			})
			return err
		})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return st, err
	}

	// Outcomes and date_added values, in envelope order.
	wasCurrent := make(map[string]int64, len(current))
	for id, v := range current {
		wasCurrent[id] = v.added
	}
	var rows []newVersion
	// The objects whose shadows a new version may change: those whose
	// versions differ in markings (or will), most objects never.
	reshadow := map[string]bool{}
	firstMarkings := map[string]stix.Markings{}
	nowMicros := timeMicros(now)
	for i := range req.Objects {
		if i%1024 == 0 && ctx.Err() != nil {
			return st, ctx.Err()
		}
		o := &req.Objects[i]
		var key versionKey
		if o.Versioned() {
			key = keyOf(o.ID, o.Version)
			if raw, ok := held[key]; ok {
				if store.SameContent(raw, o.Raw) {
					st.AddOutcome(o, o.VersionText, store.Duplicate)
				} else {
					st.AddOutcome(o, o.VersionText, store.Conflict)
				}
				continue
			}
		} else if vt, ok := heldSCO[o.ID+"\x00"+string(hashes[i])]; ok {
			// SCOs carry no version: identical content is the same version,
			// whose version string is the date_added it first got (TAXII
			// 2.1 §3.4.1 leaves the value to the server).
			st.AddOutcome(o, vt, store.Duplicate)
			continue
		}
		added := max(nowMicros, last+1)
		last = added
		r := newVersion{id: o.ID, typ: o.Type, versionText: o.VersionText, raw: o.Raw, hash: hashes[i], markings: o.Markings}
		r.added, r.spec = added, o.SpecVersion
		if o.Versioned() {
			r.s, r.ns = key.s, key.ns
			held[key] = o.Raw
		} else {
			t := microsTime(added)
			r.versionText = stix.FormatTAXII(t)
			k := keyOf(o.ID, t)
			r.s, r.ns = k.s, k.ns
			heldSCO[o.ID+"\x00"+string(hashes[i])] = r.versionText
		}
		rows = append(rows, r)
		ref, seen := firstMarkings[o.ID]
		if !seen {
			ref = o.Markings
			if cur, ok := old[o.ID]; ok {
				ref = cur.markings
				reshadow[o.ID] = cur.mixed
			}
			firstMarkings[o.ID] = ref
		}
		if !sameMarkings(ref, o.Markings) {
			reshadow[o.ID] = true
		}
		// The new version becomes the object's current one unless the
		// current one has a later spec version or a later version.
		if cur, ok := current[o.ID]; !ok || currentLess(&cur, &r.versionInfo) {
			current[o.ID] = r.versionInfo
		}
		st.AddOutcome(o, r.versionText, store.Stored)
	}

	// The shadows of the objects whose versions differ in markings, with
	// the new versions: their stored versions are read (one more round
	// trip, for those objects only), and every row is written once, with
	// its flags.
	var again []string
	for id, yes := range reshadow {
		if yes {
			again = append(again, id)
		}
	}
	stored, err := readMarkedVersions(ctx, tx, seq, again)
	if err != nil {
		return st, err
	}
	newFlags := map[int64]*markedVersion{} // the new rows of those objects, by date_added
	fresh := map[string][]markedVersion{}
	for i := range rows {
		if r := &rows[i]; reshadow[r.id] {
			fresh[r.id] = append(fresh[r.id], markedVersion{versionInfo: r.versionInfo, markings: r.markings, fresh: true})
		}
	}
	b = &pgx.Batch{}
	for _, id := range again {
		vs := append(stored[id], fresh[id]...)
		for i := range vs {
			vs[i].wantCurrent = vs[i].added == current[id].added
		}
		computeShadows(vs)
		queueFlagUpdates(b, seq, vs)
		for i := range vs {
			if vs[i].fresh {
				newFlags[vs[i].added] = &vs[i]
			}
		}
	}

	// Writes, in one round trip: the old current versions that lost the
	// mark first (one current version per object is a unique index).
	var unset []int64
	newObjects := 0
	for id, cur := range current {
		old, had := wasCurrent[id]
		switch {
		case !had:
			newObjects++
		case old != cur.added && stored[id] == nil:
			unset = append(unset, old)
		}
	}
	if len(unset) > 0 {
		b.Queue(`UPDATE versions SET is_current = false WHERE coll = $1 AND date_added = ANY($2)`, seq, unset)
	}
	if len(rows) > 0 {
		vr := newVersionRows(len(rows))
		for i, r := range rows {
			var shadow, mixed bool
			if f := newFlags[r.added]; f != nil {
				shadow, mixed = f.wantShadow, f.wantMixed
			}
			vr.set(i, r.added, versionKey{r.id, r.s, r.ns}, r.typ, r.versionText, r.spec, r.hash, r.raw, r.markings,
				current[r.id].added == r.added, shadow, mixed)
		}
		b.Queue(insertVersions, vr.args(seq)...)
		b.Queue(`UPDATE collections SET last_added = $2, objects = objects + $3 WHERE seq = $1`, seq, last, newObjects)
	}
	body, err := json.Marshal(st)
	if err != nil {
		return st, err
	}
	b.Queue(`INSERT INTO statuses (id, api_root, owner, completed, body) VALUES ($1, $2, $3, $4, $5)`,
		st.ID, req.APIRoot, req.Owner, now.Truncate(time.Microsecond), string(body))
	// Some expired statuses go on the way; rows another writer is
	// purging are left to it rather than waited for.
	b.Queue(`DELETE FROM statuses WHERE id IN (SELECT id FROM statuses WHERE completed < $1 ORDER BY completed LIMIT 100 FOR UPDATE SKIP LOCKED)`,
		now.Add(-s.opts.StatusRetention).Truncate(time.Microsecond))
	return st, tx.SendBatch(ctx, b).Close()
}

// versionRows are rows of the versions table for one bulk insert
// (insertVersions), one array per column: a batch of versions costs one
// statement whatever its size.
type versionRows struct {
	added         []int64
	ids, types    []string
	vs            []int64
	vns           []int32
	vtexts, specs []string
	hashes, raws  [][]byte
	current       []bool
	shadow, mixed []bool
	markings      markingArrays
}

func newVersionRows(n int) *versionRows {
	return &versionRows{
		added: make([]int64, n), ids: make([]string, n), types: make([]string, n),
		vs: make([]int64, n), vns: make([]int32, n), vtexts: make([]string, n), specs: make([]string, n),
		hashes: make([][]byte, n), raws: make([][]byte, n),
		current: make([]bool, n), shadow: make([]bool, n), mixed: make([]bool, n),
		markings: newMarkingArrays(n),
	}
}

// set fills row i.
func (r *versionRows) set(i int, added int64, k versionKey, typ, versionText, spec string, hash, raw []byte, m stix.Markings, current, shadow, mixed bool) {
	r.added[i], r.ids[i], r.types[i], r.vs[i], r.vns[i], r.vtexts[i], r.specs[i], r.hashes[i], r.raws[i] =
		added, k.id, typ, k.s, k.ns, versionText, spec, hash, raw
	r.current[i], r.shadow[i], r.mixed[i] = current, shadow, mixed
	r.markings.set(i, m)
}

// args are insertVersions' arguments for the rows, into collection seq.
func (r *versionRows) args(seq int64) []any {
	return []any{seq, r.added, r.ids, r.types, r.vs, r.vns, r.vtexts, r.specs, r.hashes, r.current, r.raws,
		r.markings.tlp, r.markings.creator, r.markings.others, r.shadow, r.mixed}
}

// insertVersions inserts versionRows (versionRows.args).
const insertVersions = `INSERT INTO versions (coll, date_added, id, type, version_s, version_ns, version_text, spec, content_hash, is_current, raw,
		tlp, creator, others, is_shadow, mixed)
	SELECT $1, a, i, t, s, ns, vt, sp, h, c, r, tlp, cr, ` + othersFromJSON + `, sh, mx
	FROM unnest($2::int8[], $3::text[], $4::text[], $5::int8[], $6::int4[], $7::text[], $8::text[], $9::bytea[], $10::bool[], $11::bytea[],
		$12::int2[], $13::text[], $14::text[], $15::bool[], $16::bool[]) AS u(a, i, t, s, ns, vt, sp, h, c, r, tlp, cr, o, sh, mx)`
