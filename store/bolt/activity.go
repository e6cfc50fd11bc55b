package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"go.etcd.io/bbolt"

	"liaison/store"
)

// RecordActivity merges what happened since the last call into the stored
// activity, in one transaction: callers batch, so that reading never costs
// a write per request.
func (s *Store) RecordActivity(ctx context.Context, deltas []store.Activity) error {
	if len(deltas) == 0 {
		return nil
	}
	return s.update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketActivity)
		if err != nil {
			return err
		}
		for _, d := range deltas {
			k := []byte(d.Collection + "\x00" + d.Principal)
			var a store.Activity
			if v := b.Get(k); v != nil {
				if err := json.Unmarshal(v, &a); err != nil {
					return fmt.Errorf("decode activity: %w", err)
				}
			}
			a.Merge(d)
			if err := putJSON(b, k, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// Activity returns the activity on a collection, or on every collection
// when collection is empty, most recent request first.
func (s *Store) Activity(ctx context.Context, collection string) ([]store.Activity, error) {
	var out []store.Activity
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketActivity)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		prefix := []byte(collection)
		if collection != "" {
			prefix = append(prefix, 0)
		}
		for k, v := c.Seek(prefix); k != nil && string(k[:min(len(k), len(prefix))]) == string(prefix); k, v = c.Next() {
			var a store.Activity
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("decode activity: %w", err)
			}
			out = append(out, a)
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastRequest.After(out[j].LastRequest) })
	return out, err
}
