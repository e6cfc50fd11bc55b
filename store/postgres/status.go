package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/store"
)

// Status returns the status resource id of an API root, with the name of
// the principal that owns it.
func (s *Store) Status(ctx context.Context, root, id string) (store.Status, string, error) {
	if !storable(root, id) {
		return store.Status{}, "", fmt.Errorf("status %q: %w", id, store.ErrStatusNotFound)
	}
	var owner string
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT owner, body FROM statuses WHERE id = $1 AND api_root = $2`, id, root).Scan(&owner, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Status{}, "", fmt.Errorf("status %q: %w", id, store.ErrStatusNotFound)
	}
	if err != nil {
		return store.Status{}, "", fmt.Errorf("read status %q: %w", id, mapErr(err))
	}
	var st store.Status
	if err := json.Unmarshal(body, &st); err != nil {
		return store.Status{}, "", fmt.Errorf("decode status %q: %w", id, err)
	}
	return st, owner, nil
}

// PurgeStatuses deletes the status resources completed longer than
// StatusRetention ago and returns how many it deleted.
func (s *Store) PurgeStatuses(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-s.opts.StatusRetention).Truncate(time.Microsecond)
	tag, err := s.pool.Exec(ctx, `DELETE FROM statuses WHERE completed < $1`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("purge statuses: %w", mapErr(err))
	}
	return int(tag.RowsAffected()), nil
}
