package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// bucketAudit holds the audit trail: time(8) seq(8) -> AuditEntry.
var bucketAudit = []byte("audit")

// AuditEntry records one change made by an admin (or an object DELETE
// through TAXII): when, who, from where, what, and how it ended.
type AuditEntry struct {
	Time    time.Time `json:"time"`
	User    string    `json:"user"`             // the user, or local:<account> offline
	KeyID   string    `json:"key_id,omitempty"` // the API key used, if any
	Remote  string    `json:"remote"`           // the client address, or "local"
	Action  string    `json:"action"`           // e.g. collection.add, object.delete
	Target  string    `json:"target"`           // what it acted on
	Detail  string    `json:"detail,omitempty"`
	Outcome string    `json:"outcome"` // "ok", or what went wrong
}

// DefaultAuditRetention is how long audit entries are kept by default.
const DefaultAuditRetention = 365 * 24 * time.Hour

// RecordAudit appends an entry to the audit trail. Its Time is set when
// zero.
func (db *DB) RecordAudit(ctx context.Context, e AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = db.now()
	}
	return db.update(func(tx *bbolt.Tx) error {
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

// AuditQuery selects audit entries.
type AuditQuery struct {
	Since time.Time // entries at or after it
	User  string    // of this user only, when set
	Limit int       // at most this many, the newest; 0: all
}

// Audit returns the entries the query selects, oldest first.
func (db *DB) Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	var out []AuditEntry
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		// Walk back from the newest, so that Limit costs what it returns.
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if len(out)%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if !q.Since.IsZero() && microsTime(dateFromKey(k)).Before(q.Since) {
				break
			}
			var e AuditEntry
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
func (db *DB) PurgeAudit(ctx context.Context, retention time.Duration) (int, error) {
	cutoff := dateKey(timeMicros(db.now().Add(-retention)))
	n := 0
	err := db.update(func(tx *bbolt.Tx) error {
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
