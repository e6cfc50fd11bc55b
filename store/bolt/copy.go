package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"

	"liaison/stix"
	"liaison/store"
)

var (
	_ store.Exporter = (*Store)(nil)
	_ store.Importer = (*Store)(nil)
)

// Export calls emit with every item of the database (see store.Item),
// within one read transaction: a consistent snapshot while the store
// keeps serving.
func (s *Store) Export(ctx context.Context, emit func(store.Item) error) error {
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		secret := append([]byte(nil), tx.Bucket(bucketMeta).Get(keySecret)...)
		if err := emit(store.Item{CursorSecret: secret}); err != nil {
			return err
		}
		if err := eachJSON(tx.Bucket(bucketRoots), func(r *store.APIRoot) error { return emit(store.Item{APIRoot: r}) }); err != nil {
			return err
		}
		var colls []store.Collection
		if err := eachJSON(tx.Bucket(bucketCollections), func(c *store.Collection) error {
			colls = append(colls, *c)
			return nil
		}); err != nil {
			return err
		}
		sort.Slice(colls, func(i, j int) bool { return colls[i].Seq < colls[j].Seq })
		for _, c := range colls {
			b, err := collectionBucket(tx, c.ID)
			if err != nil {
				return err
			}
			if err := emit(store.Item{Collection: &store.CollectionItem{Collection: c, LastAdded: getUint(b, keyLastAdd)}}); err != nil {
				return err
			}
			cur := b.Bucket(bucketObjects).Cursor()
			for k, v := cur.First(); k != nil; k, v = cur.Next() {
				if err := ctx.Err(); err != nil {
					return err
				}
				sv, err := decodeStoredVersion(v)
				if err != nil {
					return err
				}
				if err := emit(store.Item{Version: &store.VersionItem{Collection: c.ID, Position: dateFromKey(k),
					VersionText: sv.VersionText, SpecVersion: sv.SpecVersion, Markings: sv.Markings, Raw: append([]byte(nil), sv.Raw...)}}); err != nil {
					return err
				}
			}
		}
		if err := eachJSON(tx.Bucket(bucketUsers), func(u *store.User) error { return emit(store.Item{User: u}) }); err != nil {
			return err
		}
		if err := eachJSON(tx.Bucket(bucketAPIKeys), func(k *store.APIKey) error { return emit(store.Item{APIKey: k}) }); err != nil {
			return err
		}
		if err := eachJSON(tx.Bucket(bucketStatus), func(st *storedStatus) error {
			return emit(store.Item{Status: &store.StatusItem{APIRoot: st.APIRoot, Owner: st.Owner,
				Completed: st.Completed.Truncate(time.Microsecond).UTC(), Status: st.Status}})
		}); err != nil {
			return err
		}
		if err := eachJSON(tx.Bucket(bucketAudit), func(e *store.AuditEntry) error { return emit(store.Item{Audit: e}) }); err != nil {
			return err
		}
		return eachJSON(tx.Bucket(bucketActivity), func(a *store.Activity) error { return emit(store.Item{Activity: a}) })
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// eachJSON decodes every value of b (which may be missing) in key order
// and calls f with it.
func eachJSON[T any](b *bbolt.Bucket, f func(*T) error) error {
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		var x T
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("decode %s: %w", k, err)
		}
		return f(&x)
	})
}

// Import returns a writer of another database's items into this one.
// Versions are written in transactions of a thousand; the other items one
// transaction each. A copy that fails leaves what it wrote: start again
// with a new file.
func (s *Store) Import(ctx context.Context) (store.ItemWriter, error) {
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketRoots, bucketCollections, bucketUsers} {
			if k, _ := tx.Bucket(name).Cursor().First(); k != nil {
				return fmt.Errorf("the target database holds API roots, collections or users: %w (copy into a new file)", store.ErrNotEmpty)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	return &importer{s: s}, nil
}

type importer struct {
	s       *Store
	pending []store.VersionItem
}

const versionBatch = 1000

func (w *importer) Write(ctx context.Context, it store.Item) error {
	if it.Version != nil {
		w.pending = append(w.pending, *it.Version)
		if len(w.pending) == versionBatch {
			return w.flush()
		}
		return nil
	}
	if err := w.flush(); err != nil {
		return err
	}
	err := w.s.update(func(tx *bbolt.Tx) error {
		switch {
		case it.CursorSecret != nil:
			return tx.Bucket(bucketMeta).Put(keySecret, it.CursorSecret)
		case it.APIRoot != nil:
			return putJSON(tx.Bucket(bucketRoots), []byte(it.APIRoot.Name), it.APIRoot)
		case it.Collection != nil:
			c := it.Collection
			if err := putJSON(tx.Bucket(bucketCollections), []byte(c.ID), c.Collection); err != nil {
				return err
			}
			meta := tx.Bucket(bucketMeta)
			if err := putUint(meta, keyCollSeq, max(getUint(meta, keyCollSeq), c.Seq)); err != nil {
				return err
			}
			if err := createCollectionBuckets(tx, c.ID); err != nil {
				return err
			}
			b, err := collectionBucket(tx, c.ID)
			if err != nil {
				return err
			}
			return putUint(b, keyLastAdd, c.LastAdded)
		case it.User != nil:
			return putJSON(tx.Bucket(bucketUsers), []byte(it.User.Name), it.User)
		case it.APIKey != nil:
			return putJSON(tx.Bucket(bucketAPIKeys), []byte(it.APIKey.ID), it.APIKey)
		case it.Status != nil:
			st := it.Status
			return putStatus(tx, storedStatus{APIRoot: st.APIRoot, Owner: st.Owner, Completed: st.Completed, Status: st.Status})
		case it.Audit != nil:
			b, err := tx.CreateBucketIfNotExists(bucketAudit)
			if err != nil {
				return err
			}
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			return putJSON(b, binary.BigEndian.AppendUint64(dateKey(timeMicros(it.Audit.Time)), seq), it.Audit)
		case it.Activity != nil:
			b, err := tx.CreateBucketIfNotExists(bucketActivity)
			if err != nil {
				return err
			}
			return putJSON(b, []byte(it.Activity.Collection+"\x00"+it.Activity.Principal), it.Activity)
		}
		return fmt.Errorf("an empty item")
	})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}

// flush stores the pending versions, each with its date_added, and keeps
// each object's current version as AddObjects does.
func (w *importer) flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	err := w.s.update(func(tx *bbolt.Tx) error {
		for i, v := range w.pending {
			coll, err := collectionBucket(tx, v.Collection)
			if err != nil {
				return err
			}
			o, err := stix.Peek(i, v.Raw)
			if err != nil {
				return fmt.Errorf("version %d of collection %s: %w", v.Position, v.Collection, err)
			}
			var contentKey []byte
			if !o.Versioned() {
				contentKey = idContentKey(o.ID, store.ContentHash(o.Raw))
			}
			cw := collectionWriter{coll: coll}
			if _, err := cw.put(&o, v.Position, contentKey, true); err != nil {
				return fmt.Errorf("version %d of collection %s: %w", v.Position, v.Collection, err)
			}
		}
		return nil
	})
	w.pending = w.pending[:0]
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}

func (w *importer) Close(ctx context.Context) error { return w.flush() }
