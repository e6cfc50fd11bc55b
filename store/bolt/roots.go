package bolt

import (
	"context"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"

	"liaison/store"
)

// CreateAPIRoot creates an API root; see store.Store.
func (s *Store) CreateAPIRoot(ctx context.Context, r store.APIRoot) (store.APIRoot, error) {
	r, err := store.NewAPIRoot(r)
	if err != nil {
		return store.APIRoot{}, err
	}
	err = s.update(func(tx *bbolt.Tx) error {
		roots := tx.Bucket(bucketRoots)
		if roots.Get([]byte(r.Name)) != nil {
			return fmt.Errorf("API root %q: %w", r.Name, store.ErrExists)
		}
		if r.Default {
			if err := clearDefaultRoot(roots); err != nil {
				return err
			}
		}
		return putJSON(roots, []byte(r.Name), r)
	})
	return r, err
}

// clearDefaultRoot takes the default mark off every API root.
func clearDefaultRoot(roots *bbolt.Bucket) error {
	var changed []store.APIRoot
	err := roots.ForEach(func(k, v []byte) error {
		var r store.APIRoot
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode API root %s: %w", k, err)
		}
		if r.Default {
			r.Default = false
			changed = append(changed, r)
		}
		return nil
	})
	for _, r := range changed {
		if err == nil {
			err = putJSON(roots, []byte(r.Name), r)
		}
	}
	return err
}

// APIRoots returns every API root, sorted by name.
func (s *Store) APIRoots(ctx context.Context) ([]store.APIRoot, error) {
	var roots []store.APIRoot
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketRoots).ForEach(func(k, v []byte) error {
			var r store.APIRoot
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode API root %s: %w", k, err)
			}
			roots = append(roots, r)
			return nil
		})
	})
	return roots, err
}

// APIRoot returns the API root with the given name, or ErrAPIRootNotFound.
func (s *Store) APIRoot(ctx context.Context, name string) (store.APIRoot, error) {
	var r store.APIRoot
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketRoots).Get([]byte(name))
		if v == nil {
			return fmt.Errorf("API root %q: %w", name, store.ErrAPIRootNotFound)
		}
		return json.Unmarshal(v, &r)
	})
	return r, err
}

// UpdateAPIRoot applies u to an API root; see store.Store.
func (s *Store) UpdateAPIRoot(ctx context.Context, name string, u store.APIRootUpdate) (store.APIRoot, error) {
	var r store.APIRoot
	err := s.update(func(tx *bbolt.Tx) error {
		roots := tx.Bucket(bucketRoots)
		v := roots.Get([]byte(name))
		if v == nil {
			return fmt.Errorf("API root %q: %w", name, store.ErrAPIRootNotFound)
		}
		var old store.APIRoot
		if err := json.Unmarshal(v, &old); err != nil {
			return err
		}
		var err error
		if r, err = u.Apply(old); err != nil {
			return err
		}
		if r.Default && !old.Default {
			if err := clearDefaultRoot(roots); err != nil {
				return err
			}
		}
		return putJSON(roots, []byte(name), r)
	})
	if err != nil {
		return store.APIRoot{}, err
	}
	return r, nil
}

// RemoveAPIRoot deletes an API root; see store.Store.
func (s *Store) RemoveAPIRoot(ctx context.Context, name string, force bool) error {
	return s.update(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketRoots).Get([]byte(name)) == nil {
			return fmt.Errorf("API root %q: %w", name, store.ErrAPIRootNotFound)
		}
		var ids []string
		err := tx.Bucket(bucketCollections).ForEach(func(k, v []byte) error {
			var c store.Collection
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			if c.APIRoot == name {
				ids = append(ids, c.ID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(ids) > 0 && !force {
			return fmt.Errorf("API root %q has %d collections: %w", name, len(ids), store.ErrNotEmpty)
		}
		for _, id := range ids {
			if err := removeCollection(tx, id); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketRoots).Delete([]byte(name))
	})
}
