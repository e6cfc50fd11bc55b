package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"liaison/store"
)

// storedStatus is a status resource as the status bucket holds it, with
// its API root, owner and completion time.
type storedStatus struct {
	APIRoot   string       `json:"api_root"`
	Owner     string       `json:"owner"`
	Completed time.Time    `json:"completed"`
	Status    store.Status `json:"status"`
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
// principal that owns it.
func (s *Store) Status(ctx context.Context, root, id string) (store.Status, string, error) {
	var st storedStatus
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketStatus).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("status %q: %w", id, store.ErrStatusNotFound)
		}
		if err := json.Unmarshal(v, &st); err != nil {
			return fmt.Errorf("decode status %q: %w", id, err)
		}
		if st.APIRoot != root {
			return fmt.Errorf("status %q: %w", id, store.ErrStatusNotFound)
		}
		return nil
	})
	if err != nil {
		return store.Status{}, "", err
	}
	return st.Status, st.Owner, nil
}

// PurgeStatuses deletes the status resources completed longer than
// StatusRetention ago and returns how many it deleted.
func (s *Store) PurgeStatuses(ctx context.Context) (int, error) {
	var n int
	err := s.update(func(tx *bbolt.Tx) error {
		var err error
		n, err = purgeStatuses(tx, s.now().Add(-s.opts.StatusRetention), -1)
		return err
	})
	return n, err
}

// purgeStatuses deletes at most limit (all when negative) statuses
// completed before cutoff, oldest first.
func purgeStatuses(tx *bbolt.Tx, cutoff time.Time, limit int) (int, error) {
	byTime := tx.Bucket(bucketStatusTime)
	end := dateKey(timeMicros(cutoff))
	var keys [][]byte
	c := byTime.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) < 0 && (limit < 0 || len(keys) < limit); k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		if err := byTime.Delete(k); err != nil {
			return 0, err
		}
		if err := tx.Bucket(bucketStatus).Delete(k[8:]); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
