package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"
)

// bucketActivity holds what each principal did with each collection:
// collection 0 principal -> Activity.
var bucketActivity = []byte("activity")

// Activity is what one principal (a consumer) did with one collection:
// the question a feed operator asks most is who polls, and how far behind
// they are.
type Activity struct {
	Principal   string    `json:"principal"`
	Collection  string    `json:"collection"`
	Requests    int64     `json:"requests"`
	LastRequest time.Time `json:"last_request"`
	// LastServed is the X-TAXII-Date-Added-Last of the last page of
	// objects it was served: how far it has read.
	LastServed  time.Time `json:"last_served,omitzero"`
	Day         string    `json:"day"` // the UTC day ServedToday counts
	ServedToday int64     `json:"served_today"`
	ServedTotal int64     `json:"served_total"`
	LastError   string    `json:"last_error,omitempty"` // status and error_code
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
}

// Merge adds to a what d says happened after it.
func (a *Activity) Merge(d Activity) {
	a.Principal, a.Collection = d.Principal, d.Collection
	a.Requests += d.Requests
	if d.LastRequest.After(a.LastRequest) {
		a.LastRequest = d.LastRequest
		if !d.LastServed.IsZero() {
			a.LastServed = d.LastServed
		}
	}
	switch {
	case d.Day > a.Day:
		a.Day, a.ServedToday = d.Day, d.ServedToday
	case d.Day == a.Day:
		a.ServedToday += d.ServedToday
	}
	a.ServedTotal += d.ServedTotal
	if d.LastErrorAt.After(a.LastErrorAt) {
		a.LastError, a.LastErrorAt = d.LastError, d.LastErrorAt
	}
}

// RecordActivity merges what happened since the last call into the stored
// activity, in one transaction: callers batch, so that reading never costs
// a write per request.
func (db *DB) RecordActivity(ctx context.Context, deltas []Activity) error {
	if len(deltas) == 0 {
		return nil
	}
	return db.update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketActivity)
		if err != nil {
			return err
		}
		for _, d := range deltas {
			k := []byte(d.Collection + "\x00" + d.Principal)
			var a Activity
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
func (db *DB) Activity(ctx context.Context, collection string) ([]Activity, error) {
	var out []Activity
	err := db.bolt.View(func(tx *bbolt.Tx) error {
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
			var a Activity
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
