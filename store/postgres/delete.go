package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/store"
)

// DeleteObject deletes versions of an object from a collection (TAXII 2.1
// §5.7) and returns how many it deleted; see the package documentation of
// store, "Deletes". It holds the collection's lock, as writers do, so that
// the object's current version is chosen again with no writer in between.
// With a clearance, the versions it does not admit do not exist: they are
// neither chosen nor deleted.
func (s *Store) DeleteObject(ctx context.Context, collection, id string, versions store.VersionSelect, specVersions []string, clearance *store.Clearance) (int, error) {
	if !storable(collection, id) {
		// Names nothing: the answer of an unknown collection or object.
		if _, err := s.CollectionLastAdded(ctx, collection); err != nil {
			return 0, fmt.Errorf("delete %s from collection %s: %w", id, collection, err)
		}
		return 0, fmt.Errorf("delete %s from collection %s: object %q: %w", id, collection, id, store.ErrObjectNotFound)
	}
	var n int
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var seq int64
		err := tx.QueryRow(ctx, `SELECT seq FROM collections WHERE id = $1 FOR NO KEY UPDATE`, collection).Scan(&seq)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("collection %q: %w", collection, store.ErrCollectionNotFound)
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+markedVersionColumns+` FROM versions WHERE coll = $1 AND id = $2 ORDER BY date_added`, seq, id)
		if err != nil {
			return err
		}
		var every []markedVersion
		for rows.Next() {
			_, v, err := scanMarkedVersion(rows)
			if err != nil {
				rows.Close()
				return err
			}
			every = append(every, v)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		hadCurrent := len(every) > 0
		// The versions the client may not see do not exist for it.
		var all []versionInfo
		for _, v := range every {
			if clearance == nil || clearance.Admits(v.markings) {
				all = append(all, v.versionInfo)
			}
		}
		if len(all) == 0 {
			return fmt.Errorf("object %q: %w", id, store.ErrObjectNotFound)
		}
		var doomed []int64
		for _, i := range store.DeleteChoice(all, func(v *versionInfo) string { return v.spec }, versionLess,
			func(v *versionInfo) bool { return matchesAt(v, versions.At) }, versions, specVersions) {
			doomed = append(doomed, all[i].added)
		}
		if len(doomed) == 0 {
			return fmt.Errorf("object %q: no version matches: %w", id, store.ErrObjectNotFound)
		}
		// The current version is chosen again among those left, whoever
		// may see them, and so are the shadows.
		var left []markedVersion
		var best *markedVersion
		for _, v := range every {
			if !slices.Contains(doomed, v.added) {
				left = append(left, v)
			}
		}
		for i := range left {
			if best == nil || currentLess(&best.versionInfo, &left[i].versionInfo) {
				best = &left[i]
			}
		}
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM versions WHERE coll = $1 AND date_added = ANY($2)`, seq, doomed)
		if best != nil {
			best.wantCurrent = true
			computeShadows(left)
			queueFlagUpdates(b, seq, left)
		} else if hadCurrent {
			b.Queue(`UPDATE collections SET objects = objects - 1 WHERE seq = $1`, seq)
		}
		n = len(doomed)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		// Pages of the collection changed: other replicas' entity tags
		// must, and their additions-only view (CollectionLastAdded) does
		// not see a deletion.
		return s.notifyResources(ctx, tx)
	})
	if err != nil {
		return 0, fmt.Errorf("delete %s from collection %s: %w", id, collection, err)
	}
	return n, nil
}

func matchesAt(v *versionInfo, at []time.Time) bool {
	for _, t := range at {
		if k := keyOf("", t); k.s == v.s && k.ns == v.ns {
			return true
		}
	}
	return false
}
