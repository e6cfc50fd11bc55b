package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"liaison/store"
)

const rootColumns = `name, title, description, max_content_length, max_objects, default_limit, max_limit, is_default`

func scanRoot(row pgx.Row) (store.APIRoot, error) {
	var r store.APIRoot
	err := row.Scan(&r.Name, &r.Title, &r.Description, &r.MaxContentLength, &r.MaxObjects, &r.DefaultLimit, &r.MaxLimit, &r.Default)
	return r, err
}

// CreateAPIRoot creates an API root; see store.Store.
func (s *Store) CreateAPIRoot(ctx context.Context, r store.APIRoot) (store.APIRoot, error) {
	r, err := store.NewAPIRoot(r)
	if err != nil {
		return store.APIRoot{}, err
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		if r.Default {
			tag, err := tx.Exec(ctx, `UPDATE api_roots SET is_default = false WHERE is_default`)
			if err != nil {
				return err
			}
			if tag.RowsAffected() > 0 {
				// Another API root changed: what replicas cached of it is
				// stale.
				if err := s.notifyResources(ctx, tx); err != nil {
					return err
				}
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO api_roots (`+rootColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			r.Name, r.Title, r.Description, r.MaxContentLength, r.MaxObjects, r.DefaultLimit, r.MaxLimit, r.Default)
		if isUniqueViolation(err) {
			return fmt.Errorf("API root %q: %w", r.Name, store.ErrExists)
		}
		return err
	})
	if err != nil {
		return store.APIRoot{}, fmt.Errorf("create API root: %w", err)
	}
	return r, nil
}

// APIRoot returns the API root with the given name.
func (s *Store) APIRoot(ctx context.Context, name string) (store.APIRoot, error) {
	if !storable(name) {
		return store.APIRoot{}, fmt.Errorf("API root %q: %w", name, store.ErrAPIRootNotFound)
	}
	r, err := scanRoot(s.pool.QueryRow(ctx, `SELECT `+rootColumns+` FROM api_roots WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.APIRoot{}, fmt.Errorf("API root %q: %w", name, store.ErrAPIRootNotFound)
	}
	if err != nil {
		return store.APIRoot{}, fmt.Errorf("read API root %q: %w", name, mapErr(err))
	}
	return r, nil
}

// APIRoots returns every API root, sorted by name.
func (s *Store) APIRoots(ctx context.Context) ([]store.APIRoot, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+rootColumns+` FROM api_roots ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list API roots: %w", mapErr(err))
	}
	roots, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.APIRoot, error) { return scanRoot(row) })
	if err != nil {
		return nil, fmt.Errorf("list API roots: %w", mapErr(err))
	}
	return roots, nil
}

// UpdateAPIRoot applies u to an API root; see store.Store.
func (s *Store) UpdateAPIRoot(ctx context.Context, name string, u store.APIRootUpdate) (store.APIRoot, error) {
	var r store.APIRoot
	err := s.tx(ctx, func(tx pgx.Tx) error {
		old, err := scanRoot(tx.QueryRow(ctx, `SELECT `+rootColumns+` FROM api_roots WHERE name = $1 FOR UPDATE`, name))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("API root %q: %w", name, store.ErrAPIRootNotFound)
		}
		if err != nil {
			return err
		}
		if r, err = u.Apply(old); err != nil {
			return err
		}
		if r.Default && !old.Default {
			if _, err := tx.Exec(ctx, `UPDATE api_roots SET is_default = false WHERE is_default`); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE api_roots SET title = $2, description = $3, max_content_length = $4, max_objects = $5,
			default_limit = $6, max_limit = $7, is_default = $8 WHERE name = $1`,
			name, r.Title, r.Description, r.MaxContentLength, r.MaxObjects, r.DefaultLimit, r.MaxLimit, r.Default)
		if err != nil {
			return err
		}
		return s.notifyResources(ctx, tx)
	})
	if err != nil {
		return store.APIRoot{}, fmt.Errorf("update API root: %w", err)
	}
	return r, nil
}

// RemoveAPIRoot deletes an API root; with force, its collections, their
// objects and the grants on them go too (ON DELETE CASCADE).
func (s *Store) RemoveAPIRoot(ctx context.Context, name string, force bool) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var n int
		err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM collections WHERE api_root = r.name) FROM api_roots r WHERE name = $1 FOR UPDATE`, name).Scan(&n)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("API root %q: %w", name, store.ErrAPIRootNotFound)
		}
		if err != nil {
			return err
		}
		if n > 0 && !force {
			return fmt.Errorf("API root %q has %d collections: %w", name, n, store.ErrNotEmpty)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM api_roots WHERE name = $1`, name); err != nil {
			return err
		}
		if n > 0 {
			if err := s.notifyAccounts(ctx, tx); err != nil { // grants went with the collections
				return err
			}
		}
		return s.notifyResources(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("remove API root: %w", err)
	}
	return nil
}
