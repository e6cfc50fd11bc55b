package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/stix"
	"liaison/store"
)

var (
	_ store.Exporter = (*Store)(nil)
	_ store.Importer = (*Store)(nil)
)

// Export calls emit with every item of the database (see store.Item),
// from one snapshot: a repeatable-read transaction. Rows stream from the
// server; nothing is held in memory but the item at hand.
func (s *Store) Export(ctx context.Context, emit func(store.Item) error) error {
	err := s.txOptions(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var secret []byte
		if err := tx.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'cursor_secret'`).Scan(&secret); err != nil {
			return err
		}
		if err := emit(store.Item{CursorSecret: secret}); err != nil {
			return err
		}
		roots, err := collect(ctx, tx, `SELECT `+rootColumns+` FROM api_roots ORDER BY name`, scanRoot)
		if err != nil {
			return err
		}
		for i := range roots {
			if err := emit(store.Item{APIRoot: &roots[i]}); err != nil {
				return err
			}
		}
		type coll struct {
			store.CollectionItem
			seq int64
		}
		colls, err := collect(ctx, tx, `SELECT `+collectionColumns+`, last_added FROM collections ORDER BY seq`, func(row pgx.Row) (coll, error) {
			var c coll
			var seq, created, last int64
			err := row.Scan(append(collectionFields(&c.Collection, &seq, &created), &last)...)
			c.Seq, c.Created, c.LastAdded, c.seq = uint64(seq), fromNanos(&created), uint64(last), seq
			c.StrictOrgs = nilIfEmpty(c.StrictOrgs)
			return c, err
		})
		if err != nil {
			return err
		}
		for i := range colls {
			c := &colls[i]
			if err := emit(store.Item{Collection: &c.CollectionItem}); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT date_added, version_text, spec, `+markingColumns+`, raw FROM versions WHERE coll = $1 ORDER BY date_added`, c.seq)
			if err != nil {
				return err
			}
			var v store.VersionItem
			var added int64
			var tlp int16
			var creator string
			var others []string
			_, err = pgx.ForEachRow(rows, []any{&added, &v.VersionText, &v.SpecVersion, &tlp, &creator, &others, &v.Raw}, func() error {
				it := v
				it.Collection, it.Position, it.Markings = c.ID, uint64(added), markingsOf(tlp, creator, others)
				return emit(store.Item{Version: &it})
			})
			if err != nil {
				return err
			}
		}
		users, err := collect(ctx, tx, `SELECT `+userColumns+` FROM users u ORDER BY u.name`, scanUser)
		if err != nil {
			return err
		}
		for i := range users {
			if err := emit(store.Item{User: &users[i]}); err != nil {
				return err
			}
		}
		keys, err := collect(ctx, tx, `SELECT `+keyColumns+` FROM api_keys ORDER BY id`, scanKey)
		if err != nil {
			return err
		}
		for i := range keys {
			if err := emit(store.Item{APIKey: &keys[i]}); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `SELECT api_root, owner, completed, body FROM statuses ORDER BY id`)
		if err != nil {
			return err
		}
		var st store.StatusItem
		var body []byte
		_, err = pgx.ForEachRow(rows, []any{&st.APIRoot, &st.Owner, &st.Completed, &body}, func() error {
			it := st
			it.Completed = it.Completed.UTC()
			if err := json.Unmarshal(body, &it.Status); err != nil {
				return fmt.Errorf("decode status: %w", err)
			}
			return emit(store.Item{Status: &it})
		})
		if err != nil {
			return err
		}
		// Entries of one microsecond in the order they were recorded, as
		// in every backend.
		rows, err = tx.Query(ctx, `SELECT time_ns, user_name, key_id, remote, action, target, detail, outcome FROM audit ORDER BY time_ns / 1000, seq`)
		if err != nil {
			return err
		}
		var e store.AuditEntry
		var at int64
		_, err = pgx.ForEachRow(rows, []any{&at, &e.User, &e.KeyID, &e.Remote, &e.Action, &e.Target, &e.Detail, &e.Outcome}, func() error {
			it := e
			it.Time = fromNanos(&at)
			return emit(store.Item{Audit: &it})
		})
		if err != nil {
			return err
		}
		acts, err := collect(ctx, tx, `SELECT `+activityColumns+` FROM activity ORDER BY collection_id, principal`, scanActivity)
		if err != nil {
			return err
		}
		for i := range acts {
			if err := emit(store.Item{Activity: &acts[i]}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

func collect[T any](ctx context.Context, tx pgx.Tx, sql string, scan func(pgx.Row) (T, error)) ([]T, error) {
	rows, err := tx.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
}

// Import returns a writer of another database's items into this one, in
// one transaction: a copy that fails leaves nothing behind.
func (s *Store) Import(ctx context.Context) (store.ItemWriter, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("import: %w", mapErr(err))
	}
	var used bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM api_roots) OR EXISTS (SELECT 1 FROM collections) OR EXISTS (SELECT 1 FROM users)`).Scan(&used); err != nil {
		tx.Rollback(ctx)
		return nil, fmt.Errorf("import: %w", mapErr(err))
	}
	if used {
		tx.Rollback(ctx)
		return nil, fmt.Errorf("import: the target database holds API roots, collections or users: %w (copy into an empty one)", store.ErrNotEmpty)
	}
	return &importer{s: s, tx: tx}, nil
}

// importer writes items in one transaction; versions go in batches of
// versionBatch rows, all of them first not current; when a collection's
// versions are all in, one statement marks each object's current version.
type importer struct {
	s       *Store
	tx      pgx.Tx
	seq     int64  // the collection being filled
	coll    string // its id
	pending []store.VersionItem
	maxSeq  int64
}

const versionBatch = 1000

func (w *importer) Write(ctx context.Context, it store.Item) error {
	if err := w.write(ctx, it); err != nil {
		return fmt.Errorf("import: %w", mapErr(err))
	}
	return nil
}

func (w *importer) write(ctx context.Context, it store.Item) error {
	if it.Version == nil {
		if err := w.finishCollection(ctx); err != nil {
			return err
		}
	}
	tx := w.tx
	switch {
	case it.CursorSecret != nil:
		_, err := tx.Exec(ctx, `UPDATE meta SET value = $1 WHERE key = 'cursor_secret'`, it.CursorSecret)
		return err
	case it.APIRoot != nil:
		r := it.APIRoot
		_, err := tx.Exec(ctx, `INSERT INTO api_roots (`+rootColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			r.Name, r.Title, r.Description, r.MaxContentLength, r.MaxObjects, r.DefaultLimit, r.MaxLimit, r.Default)
		return err
	case it.Collection != nil:
		c := it.Collection
		created, err := nanos(c.Created)
		if err != nil {
			return err
		}
		w.seq, w.coll = int64(c.Seq), c.ID
		w.maxSeq = max(w.maxSeq, w.seq)
		_, err = tx.Exec(ctx, `INSERT INTO collections (seq, id, api_root, title, description, alias, media_types, public_read, public_write, reject_custom,
				anonymous_clearance, default_marking, require_marking, strict_orgs, created_ns, last_added)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			w.seq, c.ID, c.APIRoot, c.Title, c.Description, nullable(c.Alias), c.MediaTypes, c.PublicRead, c.PublicWrite, c.RejectCustom,
			c.AnonymousClearance, c.DefaultMarking, c.RequireMarking, nonNil(c.StrictOrgs), created, int64(c.LastAdded))
		return err
	case it.Version != nil:
		if it.Version.Collection != w.coll {
			return fmt.Errorf("version %d of collection %s comes after collection %s", it.Version.Position, it.Version.Collection, w.coll)
		}
		w.pending = append(w.pending, *it.Version)
		if len(w.pending) == versionBatch {
			return w.flush(ctx)
		}
		return nil
	case it.User != nil:
		u := it.User
		created, err := nanos(u.Created)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO users (name, admin, password_hash, org, created_ns) VALUES ($1, $2, $3, $4, $5)`,
			u.Name, u.Admin, u.PasswordHash, u.Org, created); err != nil {
			return err
		}
		for coll, g := range u.Grants {
			if _, err := tx.Exec(ctx, `INSERT INTO grants (user_name, collection_id, can_read, can_write, clearance, allow_markings) VALUES ($1, $2, $3, $4, $5, $6)`,
				u.Name, coll, g.Read, g.Write, g.Clearance, nonNil(g.AllowMarkings)); err != nil {
				return err
			}
		}
		return nil
	case it.APIKey != nil:
		k := it.APIKey
		var times [3]*int64
		for i, t := range []time.Time{k.Created, k.Expires, k.LastUsed} {
			var err error
			if times[i], err = nanos(t); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO api_keys (`+keyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			k.ID, k.User, k.Hash, times[0], times[1], times[2], k.Revoked)
		return err
	case it.Status != nil:
		st := it.Status
		body, err := json.Marshal(st.Status)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO statuses (id, api_root, owner, completed, body) VALUES ($1, $2, $3, $4, $5)`,
			st.Status.ID, st.APIRoot, st.Owner, st.Completed.Truncate(time.Microsecond), string(body))
		return err
	case it.Audit != nil:
		e := it.Audit
		at, err := nanos(e.Time)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit (time_ns, user_name, key_id, remote, action, target, detail, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			at, e.User, e.KeyID, e.Remote, e.Action, e.Target, e.Detail, e.Outcome)
		return err
	case it.Activity != nil:
		a := it.Activity
		_, err := tx.Exec(ctx, `INSERT INTO activity (`+activityColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			a.Collection, a.Principal, a.Requests, nanosOrNil(a.LastRequest), nanosOrNil(a.LastServed), a.Day,
			a.ServedToday, a.ServedTotal, a.LastError, nanosOrNil(a.LastErrorAt))
		return err
	}
	return fmt.Errorf("an empty item")
}

// flush inserts the pending versions, not current yet.
func (w *importer) flush(ctx context.Context) error {
	n := len(w.pending)
	if n == 0 {
		return nil
	}
	vr := newVersionRows(n)
	for i, v := range w.pending {
		o, err := stix.Peek(i, v.Raw)
		if err != nil {
			return fmt.Errorf("version %d of collection %s: %w", v.Position, w.coll, err)
		}
		version := o.Version
		var hash []byte
		if !o.Versioned() {
			version = microsTime(int64(v.Position))
			hash = store.ContentHash(v.Raw)
		}
		// Not current yet, nor shadows: finishCollection marks them.
		vr.set(i, int64(v.Position), keyOf(o.ID, version), o.Type, v.VersionText, v.SpecVersion, hash, v.Raw, o.Markings, false, false, false)
	}
	w.pending = w.pending[:0]
	_, err := w.tx.Exec(ctx, insertVersions, vr.args(w.seq)...)
	return err
}

// finishCollection flushes the collection's last versions and marks each
// object's current version: the latest version of its latest spec
// version (spec versions compare as store.SpecVersionLess: by length,
// then text); then the shadows of the objects whose versions differ in
// markings.
func (w *importer) finishCollection(ctx context.Context) error {
	if w.coll == "" {
		return nil
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	_, err := w.tx.Exec(ctx, `WITH cur AS (
			SELECT DISTINCT ON (id) date_added FROM versions WHERE coll = $1
			ORDER BY id, length(spec) DESC, spec DESC, version_s DESC, version_ns DESC, date_added DESC),
		marked AS (UPDATE versions v SET is_current = true FROM cur WHERE v.coll = $1 AND v.date_added = cur.date_added RETURNING 1)
		UPDATE collections SET objects = (SELECT count(*) FROM marked) WHERE seq = $1`, w.seq)
	if err != nil {
		return err
	}
	rows, err := w.tx.Query(ctx, `SELECT id FROM versions WHERE coll = $1 GROUP BY id HAVING count(DISTINCT (`+markingColumns+`)) > 1`, w.seq)
	if err != nil {
		return err
	}
	mixed, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for len(mixed) > 0 {
		n := min(len(mixed), versionBatch)
		if err := refreshShadows(ctx, w.tx, w.seq, mixed[:n]); err != nil {
			return err
		}
		mixed = mixed[n:]
	}
	w.coll = ""
	return nil
}

func (w *importer) Close(ctx context.Context) error {
	err := w.finishCollection(ctx)
	if err == nil && w.maxSeq > 0 {
		// New collections are numbered after the copied ones.
		_, err = w.tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('collections', 'seq'), $1)`, w.maxSeq)
	}
	if err == nil {
		err = w.tx.Commit(ctx)
	}
	if err != nil {
		w.tx.Rollback(ctx)
		return fmt.Errorf("import: %w", mapErr(err))
	}
	return nil
}
