package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"liaison/store"
)

// RecordAudit appends an entry to the audit trail. Its Time is set when
// zero.
func (s *Store) RecordAudit(ctx context.Context, e store.AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	return s.update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketAudit)
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		k := binary.BigEndian.AppendUint64(dateKey(timeMicros(e.Time)), seq)
		if err := putJSON(b, k, e); err != nil {
			return fmt.Errorf("record audit entry: %w", err)
		}
		return nil
	})
}

// Audit returns the entries the query selects, oldest first.
func (s *Store) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	var out []store.AuditEntry
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		// Keys hold microseconds: Since is compared at that precision,
		// or an entry at Since itself would be left out.
		since := q.Since.Truncate(time.Microsecond)
		// Walk back from the newest, so that Limit costs what it returns.
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if len(out)%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if !q.Since.IsZero() && microsTime(dateFromKey(k)).Before(since) {
				break
			}
			var e store.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode audit entry: %w", err)
			}
			if q.User != "" && e.User != q.User {
				continue
			}
			out = append(out, e)
			if q.Limit > 0 && len(out) == q.Limit {
				break
			}
		}
		return nil
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// PurgeAudit removes the entries older than retention and returns how many.
func (s *Store) PurgeAudit(ctx context.Context, retention time.Duration) (int, error) {
	cutoff := dateKey(timeMicros(s.now().Add(-retention)))
	n := 0
	err := s.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil && string(k[:8]) < string(cutoff); k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
