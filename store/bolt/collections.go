package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"go.etcd.io/bbolt"

	"liaison/store"
)

// CreateCollection creates a collection; see store.Store.
func (s *Store) CreateCollection(ctx context.Context, c store.Collection) (store.Collection, error) {
	c, err := store.NewCollection(c)
	if err != nil {
		return store.Collection{}, err
	}
	if c.ID, err = store.NewID(); err != nil {
		return store.Collection{}, err
	}
	c.Created = s.now()
	err = s.update(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketRoots).Get([]byte(c.APIRoot)) == nil {
			return fmt.Errorf("API root %q: %w", c.APIRoot, store.ErrAPIRootNotFound)
		}
		if c.Alias != "" {
			if _, err := findCollection(tx, c.APIRoot, c.Alias); err == nil {
				return fmt.Errorf("collection alias %q in API root %q: %w", c.Alias, c.APIRoot, store.ErrExists)
			}
		}
		meta := tx.Bucket(bucketMeta)
		c.Seq = getUint(meta, keyCollSeq) + 1
		if err := putUint(meta, keyCollSeq, c.Seq); err != nil {
			return err
		}
		if err := putJSON(tx.Bucket(bucketCollections), []byte(c.ID), c); err != nil {
			return err
		}
		return createCollectionBuckets(tx, c.ID)
	})
	return c, err
}

func createCollectionBuckets(tx *bbolt.Tx, id string) error {
	b, err := tx.CreateBucket([]byte(collectionBucketPrefix + id))
	if err != nil {
		return fmt.Errorf("create collection bucket: %w", err)
	}
	for _, name := range [][]byte{bucketObjects, bucketByID, bucketByType, bucketCurrent, bucketCurrentType} {
		if _, err := b.CreateBucket(name); err != nil {
			return fmt.Errorf("create collection bucket %s: %w", name, err)
		}
	}
	return nil
}

// Collections returns the collections of an API root in creation order.
func (s *Store) Collections(ctx context.Context, root string) ([]store.Collection, error) {
	var out []store.Collection
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketRoots).Get([]byte(root)) == nil {
			return fmt.Errorf("API root %q: %w", root, store.ErrAPIRootNotFound)
		}
		return tx.Bucket(bucketCollections).ForEach(func(k, v []byte) error {
			var c store.Collection
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode collection %s: %w", k, err)
			}
			if c.APIRoot == root {
				out = append(out, c)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, err
}

// Collection returns the collection of the API root whose id or alias is
// idOrAlias.
func (s *Store) Collection(ctx context.Context, root, idOrAlias string) (store.Collection, error) {
	var c store.Collection
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketRoots).Get([]byte(root)) == nil {
			return fmt.Errorf("API root %q: %w", root, store.ErrAPIRootNotFound)
		}
		var err error
		c, err = findCollection(tx, root, idOrAlias)
		return err
	})
	return c, err
}

func findCollection(tx *bbolt.Tx, root, idOrAlias string) (store.Collection, error) {
	var c store.Collection
	if idOrAlias == "" {
		return c, fmt.Errorf("collection %q: %w", idOrAlias, store.ErrCollectionNotFound)
	}
	collections := tx.Bucket(bucketCollections)
	if v := collections.Get([]byte(idOrAlias)); v != nil {
		if err := json.Unmarshal(v, &c); err != nil {
			return c, fmt.Errorf("decode collection %s: %w", idOrAlias, err)
		}
		if c.APIRoot == root {
			return c, nil
		}
		return store.Collection{}, fmt.Errorf("collection %q: %w", idOrAlias, store.ErrCollectionNotFound)
	}
	// Aliases are few per API root; a scan of the collection list is cheap.
	found := false
	err := collections.ForEach(func(k, v []byte) error {
		if found {
			return nil
		}
		var x store.Collection
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("decode collection %s: %w", k, err)
		}
		if x.APIRoot == root && x.Alias == idOrAlias {
			c, found = x, true
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	if !found {
		return c, fmt.Errorf("collection %q: %w", idOrAlias, store.ErrCollectionNotFound)
	}
	return c, nil
}

// collectionBucket returns the bucket of collection id, or
// ErrCollectionNotFound.
func collectionBucket(tx *bbolt.Tx, id string) (*bbolt.Bucket, error) {
	b := tx.Bucket([]byte(collectionBucketPrefix + id))
	if b == nil {
		return nil, fmt.Errorf("collection %q: %w", id, store.ErrCollectionNotFound)
	}
	return b, nil
}

// UpdateCollection applies u to a collection; see store.Store.
func (s *Store) UpdateCollection(ctx context.Context, id string, u store.CollectionUpdate) (store.Collection, error) {
	var c store.Collection
	err := s.update(func(tx *bbolt.Tx) error {
		collections := tx.Bucket(bucketCollections)
		v := collections.Get([]byte(id))
		if v == nil {
			return fmt.Errorf("collection %q: %w", id, store.ErrCollectionNotFound)
		}
		var old store.Collection
		if err := json.Unmarshal(v, &old); err != nil {
			return err
		}
		if alias := u.Alias; alias != nil && *alias != old.Alias && *alias != "" {
			if err := store.CheckAlias(*alias); err != nil {
				return err
			}
			if _, err := findCollection(tx, old.APIRoot, *alias); err == nil {
				return fmt.Errorf("collection alias %q in API root %q: %w", *alias, old.APIRoot, store.ErrExists)
			}
		}
		var err error
		if c, err = u.Apply(old); err != nil {
			return err
		}
		return putJSON(collections, []byte(id), c)
	})
	if err != nil {
		return store.Collection{}, err
	}
	return c, nil
}

// RemoveCollection deletes a collection; see store.Store.
func (s *Store) RemoveCollection(ctx context.Context, id string, force bool) error {
	return s.update(func(tx *bbolt.Tx) error {
		coll, err := collectionBucket(tx, id)
		if err != nil {
			return err
		}
		if n := coll.Bucket(bucketObjects).Stats().KeyN; n > 0 && !force {
			return fmt.Errorf("collection %q holds %d object versions: %w", id, n, store.ErrNotEmpty)
		}
		return removeCollection(tx, id)
	})
}

// removeCollection deletes a collection, its objects and the grants on it.
func removeCollection(tx *bbolt.Tx, id string) error {
	if err := tx.DeleteBucket([]byte(collectionBucketPrefix + id)); err != nil {
		return fmt.Errorf("delete collection %s: %w", id, err)
	}
	if err := tx.Bucket(bucketCollections).Delete([]byte(id)); err != nil {
		return err
	}
	users := tx.Bucket(bucketUsers)
	var changed []store.User
	err := users.ForEach(func(k, v []byte) error {
		var u store.User
		if err := json.Unmarshal(v, &u); err != nil {
			return err
		}
		if _, ok := u.Grants[id]; ok {
			delete(u.Grants, id)
			changed = append(changed, u)
		}
		return nil
	})
	for _, u := range changed {
		if err == nil {
			err = putJSON(users, []byte(u.Name), u)
		}
	}
	return err
}

// CollectionStats counts a collection's objects, versions and bytes,
// reading the whole collection.
func (s *Store) CollectionStats(ctx context.Context, id string) (store.CollectionStats, error) {
	var st store.CollectionStats
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		coll, err := collectionBucket(tx, id)
		if err != nil {
			return err
		}
		st.Objects = coll.Bucket(bucketCurrent).Stats().KeyN
		c := coll.Bucket(bucketObjects).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if st.Versions%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			st.Versions++
			if sv, err := decodeStoredVersion(v); err == nil {
				st.Bytes += int64(len(sv.Raw))
			}
		}
		if k, _ := c.First(); k != nil {
			st.FirstAdded = microsTime(dateFromKey(k))
		}
		if k, _ := c.Last(); k != nil {
			st.LastAdded = microsTime(dateFromKey(k))
		}
		return nil
	})
	return st, err
}

// CollectionSummaries returns a summary of every collection: the size of
// its current-version index and its last key.
func (s *Store) CollectionSummaries(ctx context.Context) ([]store.CollectionSummary, error) {
	var out []store.CollectionSummary
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketCollections).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var c store.Collection
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode collection %s: %w", k, err)
			}
			sum := store.CollectionSummary{ID: c.ID, APIRoot: c.APIRoot}
			if coll, err := collectionBucket(tx, c.ID); err == nil {
				sum.Objects = coll.Bucket(bucketCurrent).Stats().KeyN
				if k, _ := coll.Bucket(bucketObjects).Cursor().Last(); k != nil {
					sum.LastAdded = microsTime(dateFromKey(k))
				}
			}
			out = append(out, sum)
			return nil
		})
	})
	return out, err
}
