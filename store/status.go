package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// Values of Status.Status.
const (
	StatusComplete = "complete"
	StatusPending  = "pending"
)

// Status is a status resource (TAXII 2.1 §4.3.1).
type Status struct {
	ID               string         `json:"id"`
	Status           string         `json:"status"`
	RequestTimestamp string         `json:"request_timestamp,omitempty"`
	TotalCount       int            `json:"total_count"`
	SuccessCount     int            `json:"success_count"`
	Successes        []StatusDetail `json:"successes,omitempty"`
	FailureCount     int            `json:"failure_count"`
	Failures         []StatusDetail `json:"failures,omitempty"`
	PendingCount     int            `json:"pending_count"`
	Pendings         []StatusDetail `json:"pendings,omitempty"`
}

// StatusDetail is one object's outcome in a status resource (TAXII 2.1
// §4.3.1, status-details).
type StatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

type storedStatus struct {
	APIRoot   string    `json:"api_root"`
	Owner     string    `json:"owner"`
	Completed time.Time `json:"completed"`
	Status    Status    `json:"status"`
}

func statusTimeKey(t time.Time, id string) []byte {
	return append(dateKey(timeMicros(t)), id...)
}

func putStatus(tx *bbolt.Tx, s storedStatus) error {
	if err := putJSON(tx.Bucket(bucketStatus), []byte(s.Status.ID), s); err != nil {
		return fmt.Errorf("store status: %w", err)
	}
	return tx.Bucket(bucketStatusTime).Put(statusTimeKey(s.Completed, s.Status.ID), []byte{})
}

// Status returns the status resource id of an API root, with the name of the
// principal that owns it. Returns ErrStatusNotFound if it does not exist in
// that API root or has been purged.
func (db *DB) Status(ctx context.Context, root, id string) (Status, string, error) {
	var s storedStatus
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketStatus).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("status %q: %w", id, ErrStatusNotFound)
		}
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("decode status %q: %w", id, err)
		}
		if s.APIRoot != root {
			return fmt.Errorf("status %q: %w", id, ErrStatusNotFound)
		}
		return nil
	})
	if err != nil {
		return Status{}, "", err
	}
	return s.Status, s.Owner, nil
}

// PurgeStatuses deletes the status resources completed longer than
// StatusRetention ago and returns how many it deleted.
func (db *DB) PurgeStatuses(ctx context.Context) (int, error) {
	var n int
	err := db.update(func(tx *bbolt.Tx) error {
		var err error
		n, err = purgeStatuses(tx, db.now().Add(-db.StatusRetention), -1)
		return err
	})
	return n, err
}

// purgeStatuses deletes at most limit (all when negative) statuses
// completed before cutoff, oldest first.
func purgeStatuses(tx *bbolt.Tx, cutoff time.Time, limit int) (int, error) {
	idx := tx.Bucket(bucketStatusTime)
	end := dateKey(timeMicros(cutoff))
	var keys [][]byte
	c := idx.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) < 0 && (limit < 0 || len(keys) < limit); k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		if err := idx.Delete(k); err != nil {
			return 0, err
		}
		if err := tx.Bucket(bucketStatus).Delete(k[8:]); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
