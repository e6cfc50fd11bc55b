package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/store"
)

const collectionColumns = `seq, id, api_root, title, description, coalesce(alias, ''), media_types, public_read, public_write, reject_custom,
	anonymous_clearance, default_marking, require_marking, strict_orgs, created_ns`

func scanCollection(row pgx.Row) (store.Collection, error) {
	var c store.Collection
	var seq, created int64
	err := row.Scan(collectionFields(&c, &seq, &created)...)
	c.Seq, c.Created, c.StrictOrgs = uint64(seq), fromNanos(&created), nilIfEmpty(c.StrictOrgs)
	return c, err
}

// collectionFields are the destinations of collectionColumns.
func collectionFields(c *store.Collection, seq, created *int64) []any {
	return []any{seq, &c.ID, &c.APIRoot, &c.Title, &c.Description, &c.Alias, &c.MediaTypes, &c.PublicRead, &c.PublicWrite, &c.RejectCustom,
		&c.AnonymousClearance, &c.DefaultMarking, &c.RequireMarking, &c.StrictOrgs, created}
}

// nullable returns nil for "", so that a collection without alias has a
// NULL one, which the unique (api_root, alias) constraint ignores.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreateCollection creates a collection; see store.Store.
func (s *Store) CreateCollection(ctx context.Context, c store.Collection) (store.Collection, error) {
	c, err := store.NewCollection(c)
	if err != nil {
		return store.Collection{}, err
	}
	if c.ID, err = store.NewID(); err != nil {
		return store.Collection{}, err
	}
	c.Created = s.now()
	var seq int64
	err = s.pool.QueryRow(ctx, `INSERT INTO collections (id, api_root, title, description, alias, media_types, public_read, public_write, reject_custom,
			anonymous_clearance, default_marking, require_marking, strict_orgs, created_ns)
		SELECT $1, name, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 FROM api_roots WHERE name = $2 RETURNING seq`,
		c.ID, c.APIRoot, c.Title, c.Description, nullable(c.Alias), c.MediaTypes, c.PublicRead, c.PublicWrite, c.RejectCustom,
		c.AnonymousClearance, c.DefaultMarking, c.RequireMarking, nonNil(c.StrictOrgs), mustNanos(c.Created)).Scan(&seq)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return store.Collection{}, fmt.Errorf("create collection: API root %q: %w", c.APIRoot, store.ErrAPIRootNotFound)
	case isUniqueViolation(err):
		return store.Collection{}, fmt.Errorf("create collection: alias %q in API root %q: %w", c.Alias, c.APIRoot, store.ErrExists)
	case err != nil:
		return store.Collection{}, fmt.Errorf("create collection: %w", mapErr(err))
	}
	c.Seq = uint64(seq)
	return c, nil
}

// Collection returns the collection of the API root whose id or alias is
// idOrAlias.
func (s *Store) Collection(ctx context.Context, root, idOrAlias string) (store.Collection, error) {
	if !storable(root, idOrAlias) {
		if _, err := s.APIRoot(ctx, root); err != nil {
			return store.Collection{}, err
		}
		return store.Collection{}, fmt.Errorf("collection %q: %w", idOrAlias, store.ErrCollectionNotFound)
	}
	c, err := scanCollection(s.pool.QueryRow(ctx, `SELECT `+collectionColumns+` FROM collections
		WHERE api_root = $1 AND (id = $2 OR alias = $2)`, root, idOrAlias))
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err := s.APIRoot(ctx, root); err != nil {
			return store.Collection{}, err
		}
		return store.Collection{}, fmt.Errorf("collection %q: %w", idOrAlias, store.ErrCollectionNotFound)
	}
	if err != nil {
		return store.Collection{}, fmt.Errorf("read collection %q: %w", idOrAlias, mapErr(err))
	}
	return c, nil
}

// Collections returns the collections of an API root in creation order.
func (s *Store) Collections(ctx context.Context, root string) ([]store.Collection, error) {
	if _, err := s.APIRoot(ctx, root); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+collectionColumns+` FROM collections WHERE api_root = $1 ORDER BY seq`, root)
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", mapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Collection, error) { return scanCollection(row) })
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", mapErr(err))
	}
	return out, nil
}

// UpdateCollection applies u to a collection; see store.Store.
func (s *Store) UpdateCollection(ctx context.Context, id string, u store.CollectionUpdate) (store.Collection, error) {
	var c store.Collection
	err := s.tx(ctx, func(tx pgx.Tx) error {
		old, err := scanCollection(tx.QueryRow(ctx, `SELECT `+collectionColumns+` FROM collections WHERE id = $1 FOR NO KEY UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("collection %q: %w", id, store.ErrCollectionNotFound)
		}
		if err != nil {
			return err
		}
		if c, err = u.Apply(old); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE collections SET title = $2, description = $3, alias = $4, media_types = $5,
			public_read = $6, public_write = $7, reject_custom = $8,
			anonymous_clearance = $9, default_marking = $10, require_marking = $11, strict_orgs = $12 WHERE id = $1`,
			id, c.Title, c.Description, nullable(c.Alias), c.MediaTypes, c.PublicRead, c.PublicWrite, c.RejectCustom,
			c.AnonymousClearance, c.DefaultMarking, c.RequireMarking, nonNil(c.StrictOrgs))
		if isUniqueViolation(err) {
			return fmt.Errorf("collection alias %q in API root %q: %w", c.Alias, c.APIRoot, store.ErrExists)
		}
		if err != nil {
			return err
		}
		return s.notifyResources(ctx, tx)
	})
	if err != nil {
		return store.Collection{}, fmt.Errorf("update collection: %w", err)
	}
	return c, nil
}

// RemoveCollection deletes a collection, its objects and the grants on it
// (ON DELETE CASCADE).
func (s *Store) RemoveCollection(ctx context.Context, id string, force bool) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var seq int64
		var held bool
		err := tx.QueryRow(ctx, `SELECT seq, EXISTS (SELECT 1 FROM versions WHERE coll = c.seq) FROM collections c WHERE id = $1 FOR UPDATE`, id).Scan(&seq, &held)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("collection %q: %w", id, store.ErrCollectionNotFound)
		}
		if err != nil {
			return err
		}
		if held && !force {
			return fmt.Errorf("collection %q holds objects: %w", id, store.ErrNotEmpty)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM collections WHERE seq = $1`, seq); err != nil {
			return err
		}
		if err := s.notifyAccounts(ctx, tx); err != nil {
			return err
		}
		return s.notifyResources(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("remove collection: %w", err)
	}
	return nil
}

// CollectionStats counts a collection's objects, versions and bytes,
// reading the whole collection.
func (s *Store) CollectionStats(ctx context.Context, id string) (store.CollectionStats, error) {
	var st store.CollectionStats
	var first, last *int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE v.is_current), count(v.date_added), coalesce(sum(octet_length(v.raw)), 0), min(v.date_added), max(v.date_added)
		FROM collections c LEFT JOIN versions v ON v.coll = c.seq WHERE c.id = $1 GROUP BY c.seq`, id).
		Scan(&st.Objects, &st.Versions, &st.Bytes, &first, &last)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, fmt.Errorf("collection %q: %w", id, store.ErrCollectionNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("collection stats: %w", mapErr(err))
	}
	if first != nil {
		st.FirstAdded, st.LastAdded = microsTime(*first), microsTime(*last)
	}
	return st, nil
}

// CollectionSummaries returns a summary of every collection: its count of
// current objects, kept up to date by the writers, and its newest
// date_added, the last entry of its primary key.
func (s *Store) CollectionSummaries(ctx context.Context) ([]store.CollectionSummary, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.id, c.api_root, c.objects,
		(SELECT v.date_added FROM versions v WHERE v.coll = c.seq ORDER BY v.date_added DESC LIMIT 1)
		FROM collections c ORDER BY c.seq`)
	if err != nil {
		return nil, fmt.Errorf("collection summaries: %w", mapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.CollectionSummary, error) {
		var sum store.CollectionSummary
		var last *int64
		err := row.Scan(&sum.ID, &sum.APIRoot, &sum.Objects, &last)
		if last != nil {
			sum.LastAdded = microsTime(*last)
		}
		return sum, err
	})
	if err != nil {
		return nil, fmt.Errorf("collection summaries: %w", mapErr(err))
	}
	return out, nil
}

// CollectionLastAdded returns the latest date_added the collection ever
// gave (zero when it never held an object).
func (s *Store) CollectionLastAdded(ctx context.Context, collection string) (time.Time, error) {
	if !storable(collection) {
		return time.Time{}, fmt.Errorf("collection %q: %w", collection, store.ErrCollectionNotFound)
	}
	var last int64
	err := s.pool.QueryRow(ctx, `SELECT last_added FROM collections WHERE id = $1`, collection).Scan(&last)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, fmt.Errorf("collection %q: %w", collection, store.ErrCollectionNotFound)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read collection %q: %w", collection, mapErr(err))
	}
	if last == 0 {
		return time.Time{}, nil
	}
	return microsTime(last), nil
}
