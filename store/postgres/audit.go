package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/store"
)

// RecordAudit appends an entry to the audit trail. Its Time is set when
// zero.
func (s *Store) RecordAudit(ctx context.Context, e store.AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	at, err := nanos(e.Time)
	if err != nil {
		return fmt.Errorf("record audit entry: %w", err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO audit (time_ns, user_name, key_id, remote, action, target, detail, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		*at, text(e.User), text(e.KeyID), text(e.Remote), text(e.Action), text(e.Target), text(e.Detail), text(e.Outcome))
	if err != nil {
		return fmt.Errorf("record audit entry: %w", mapErr(err))
	}
	return nil
}

// Audit returns the entries the query selects, oldest first.
func (s *Store) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	// Since is compared at microsecond precision, as in every backend.
	since := int64(-1 << 63)
	if !q.Since.IsZero() {
		since = q.Since.Truncate(time.Microsecond).UnixNano()
	}
	limit := any(nil) // no LIMIT
	if q.Limit > 0 {
		limit = q.Limit
	}
	// Newest first, so that Limit costs what it returns; then reversed.
	rows, err := s.pool.Query(ctx, `SELECT time_ns, user_name, key_id, remote, action, target, detail, outcome FROM audit
		WHERE time_ns >= $1 AND ($2 = '' OR user_name = $2) ORDER BY time_ns DESC, seq DESC LIMIT $3`, since, q.User, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit trail: %w", mapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.AuditEntry, error) {
		var e store.AuditEntry
		var at int64
		err := row.Scan(&at, &e.User, &e.KeyID, &e.Remote, &e.Action, &e.Target, &e.Detail, &e.Outcome)
		e.Time = fromNanos(&at)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read audit trail: %w", mapErr(err))
	}
	slices.Reverse(out)
	return out, nil
}

// PurgeAudit removes the entries older than retention and returns how many.
func (s *Store) PurgeAudit(ctx context.Context, retention time.Duration) (int, error) {
	cutoff := s.now().Add(-retention).Truncate(time.Microsecond).UnixNano()
	tag, err := s.pool.Exec(ctx, `DELETE FROM audit WHERE time_ns < $1`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("purge audit trail: %w", mapErr(err))
	}
	return int(tag.RowsAffected()), nil
}

const activityColumns = `collection_id, principal, requests, last_request_ns, last_served_ns, day, served_today, served_total, last_error, last_error_at_ns`

func scanActivity(row pgx.Row) (store.Activity, error) {
	var a store.Activity
	var req, served, errAt *int64
	err := row.Scan(&a.Collection, &a.Principal, &a.Requests, &req, &served, &a.Day, &a.ServedToday, &a.ServedTotal, &a.LastError, &errAt)
	a.LastRequest, a.LastServed, a.LastErrorAt = fromNanos(req), fromNanos(served), fromNanos(errAt)
	return a, err
}

// RecordActivity merges what happened since the last call into the stored
// activity, in one transaction. Replicas record at once: the rows are
// created if missing and then locked, in key order, before the merge, so
// that no delta is lost and no two flushes deadlock.
func (s *Store) RecordActivity(ctx context.Context, deltas []store.Activity) error {
	if len(deltas) == 0 {
		return nil
	}
	deltas = slices.Clone(deltas)
	slices.SortStableFunc(deltas, func(a, b store.Activity) int {
		return cmp.Or(cmp.Compare(a.Collection, b.Collection), cmp.Compare(a.Principal, b.Principal))
	})
	colls, principals := make([]string, len(deltas)), make([]string, len(deltas))
	for i, d := range deltas {
		colls[i], principals[i] = d.Collection, d.Principal
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO activity (collection_id, principal) SELECT * FROM unnest($1::text[], $2::text[])
			ORDER BY 1, 2 ON CONFLICT DO NOTHING`, colls, principals); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+activityColumns+` FROM activity
			WHERE (collection_id, principal) IN (SELECT * FROM unnest($1::text[], $2::text[]))
			ORDER BY collection_id, principal FOR UPDATE`, colls, principals)
		if err != nil {
			return err
		}
		stored, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Activity, error) { return scanActivity(row) })
		if err != nil {
			return err
		}
		byKey := map[[2]string]*store.Activity{}
		for i := range stored {
			byKey[[2]string{stored[i].Collection, stored[i].Principal}] = &stored[i]
		}
		for _, d := range deltas {
			a := byKey[[2]string{d.Collection, d.Principal}]
			if a == nil {
				return fmt.Errorf("activity of %s on %s vanished", d.Principal, d.Collection)
			}
			a.Merge(d)
		}
		b := &pgx.Batch{}
		for _, a := range stored {
			b.Queue(`UPDATE activity SET requests = $3, last_request_ns = $4, last_served_ns = $5, day = $6, served_today = $7,
				served_total = $8, last_error = $9, last_error_at_ns = $10 WHERE collection_id = $1 AND principal = $2`,
				a.Collection, a.Principal, a.Requests, nanosOrNil(a.LastRequest), nanosOrNil(a.LastServed), a.Day,
				a.ServedToday, a.ServedTotal, a.LastError, nanosOrNil(a.LastErrorAt))
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("record activity: %w", err)
	}
	return nil
}

// nanosOrNil is nanos for times that are in range in practice (request
// times); one that is not is left out rather than failing the batch.
func nanosOrNil(t time.Time) *int64 {
	n, _ := nanos(t)
	return n
}

// Activity returns the activity on a collection, or on every collection
// when collection is empty, most recent request first.
func (s *Store) Activity(ctx context.Context, collection string) ([]store.Activity, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+activityColumns+` FROM activity WHERE $1 = '' OR collection_id = $1
		ORDER BY last_request_ns DESC NULLS LAST, collection_id, principal`, collection)
	if err != nil {
		return nil, fmt.Errorf("read activity: %w", mapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Activity, error) { return scanActivity(row) })
	if err != nil {
		return nil, fmt.Errorf("read activity: %w", mapErr(err))
	}
	return out, nil
}
