package store

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"go.etcd.io/bbolt"
)

// ErrNotEmpty is returned when removing an API root that has collections,
// or a collection that holds objects, without force.
var ErrNotEmpty = fmt.Errorf("not empty")

// APIRootUpdate changes the settings of an API root; nil fields stay.
type APIRootUpdate struct {
	Title            *string `json:"title,omitempty"`
	Description      *string `json:"description,omitempty"`
	MaxContentLength *int64  `json:"max_content_length,omitempty"`
	MaxObjects       *int    `json:"max_objects,omitempty"`
	DefaultLimit     *int    `json:"default_limit,omitempty"`
	MaxLimit         *int    `json:"max_limit,omitempty"`
	Default          *bool   `json:"default,omitempty"`
}

// UpdateAPIRoot applies u to an API root and returns the result. Returns
// ErrAPIRootNotFound or ErrInvalid.
func (db *DB) UpdateAPIRoot(ctx context.Context, name string, u APIRootUpdate) (APIRoot, error) {
	var r APIRoot
	err := db.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketRoots)
		v := b.Get([]byte(name))
		if v == nil {
			return fmt.Errorf("API root %q: %w", name, ErrAPIRootNotFound)
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		set(&r.Title, u.Title)
		set(&r.Description, u.Description)
		set(&r.MaxContentLength, u.MaxContentLength)
		set(&r.MaxObjects, u.MaxObjects)
		set(&r.DefaultLimit, u.DefaultLimit)
		set(&r.MaxLimit, u.MaxLimit)
		switch {
		case r.Title == "":
			return fmt.Errorf("API root %q: %w: title is required", name, ErrInvalid)
		case r.MaxContentLength <= 0 || r.MaxObjects <= 0 || r.DefaultLimit <= 0 || r.MaxLimit <= 0:
			return fmt.Errorf("API root %q: %w: sizes and limits must be positive", name, ErrInvalid)
		case r.DefaultLimit > r.MaxLimit:
			return fmt.Errorf("API root %q: %w: default limit %d exceeds maximum %d", name, ErrInvalid, r.DefaultLimit, r.MaxLimit)
		}
		if u.Default != nil {
			if *u.Default {
				if err := clearDefaultRoot(b); err != nil {
					return err
				}
			}
			r.Default = *u.Default
		}
		return putJSON(b, []byte(name), r)
	})
	return r, err
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// RemoveAPIRoot deletes an API root. One with collections is refused with
// ErrNotEmpty unless force, which deletes them and their objects too.
// Returns ErrAPIRootNotFound.
func (db *DB) RemoveAPIRoot(ctx context.Context, name string, force bool) error {
	return db.update(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketRoots).Get([]byte(name)) == nil {
			return fmt.Errorf("API root %q: %w", name, ErrAPIRootNotFound)
		}
		var ids []string
		err := tx.Bucket(bucketCollections).ForEach(func(k, v []byte) error {
			var c Collection
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
			return fmt.Errorf("API root %q has %d collections: %w", name, len(ids), ErrNotEmpty)
		}
		for _, id := range ids {
			if err := removeCollection(tx, id); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketRoots).Delete([]byte(name))
	})
}

// CollectionUpdate changes a collection; nil fields stay. An empty Alias
// removes the alias.
type CollectionUpdate struct {
	Title        *string   `json:"title,omitempty"`
	Description  *string   `json:"description,omitempty"`
	Alias        *string   `json:"alias,omitempty"`
	PublicRead   *bool     `json:"public_read,omitempty"`
	RejectCustom *bool     `json:"reject_custom,omitempty"`
	MediaTypes   *[]string `json:"media_types,omitempty"` // as Collection.MediaTypes
}

// UpdateCollection applies u to a collection and returns the result.
// Returns ErrCollectionNotFound, ErrExists for an alias taken in the API
// root, or ErrInvalid.
func (db *DB) UpdateCollection(ctx context.Context, id string, u CollectionUpdate) (Collection, error) {
	var c Collection
	err := db.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketCollections)
		v := b.Get([]byte(id))
		if v == nil {
			return fmt.Errorf("collection %q: %w", id, ErrCollectionNotFound)
		}
		if err := json.Unmarshal(v, &c); err != nil {
			return err
		}
		if u.Alias != nil && *u.Alias != c.Alias && *u.Alias != "" {
			if err := checkAlias(*u.Alias); err != nil {
				return err
			}
			if _, err := findCollection(tx, c.APIRoot, *u.Alias); err == nil {
				return fmt.Errorf("collection alias %q in API root %q: %w", *u.Alias, c.APIRoot, ErrExists)
			}
		}
		set(&c.Title, u.Title)
		set(&c.Description, u.Description)
		set(&c.Alias, u.Alias)
		set(&c.PublicRead, u.PublicRead)
		set(&c.RejectCustom, u.RejectCustom)
		set(&c.MediaTypes, u.MediaTypes)
		if c.Title == "" {
			return fmt.Errorf("collection %q: %w: title is required", id, ErrInvalid)
		}
		if err := checkMediaTypes(c.MediaTypes); err != nil {
			return err
		}
		return putJSON(b, []byte(id), c)
	})
	return c, err
}

// RemoveCollection deletes a collection. One holding objects is refused
// with ErrNotEmpty unless force. Grants on it are removed. Returns
// ErrCollectionNotFound.
func (db *DB) RemoveCollection(ctx context.Context, id string, force bool) error {
	return db.update(func(tx *bbolt.Tx) error {
		cb, err := collectionBucket(tx, id)
		if err != nil {
			return err
		}
		if n := cb.Bucket(bucketObjects).Stats().KeyN; n > 0 && !force {
			return fmt.Errorf("collection %q holds %d object versions: %w", id, n, ErrNotEmpty)
		}
		return removeCollection(tx, id)
	})
}

func removeCollection(tx *bbolt.Tx, id string) error {
	if err := tx.DeleteBucket([]byte(collPrefix + id)); err != nil {
		return fmt.Errorf("delete collection %s: %w", id, err)
	}
	if err := tx.Bucket(bucketCollections).Delete([]byte(id)); err != nil {
		return err
	}
	users := tx.Bucket(bucketUsers)
	var changed []User
	err := users.ForEach(func(k, v []byte) error {
		var u User
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

// CollectionStats describes what a collection holds.
type CollectionStats struct {
	Objects    int       `json:"objects"`  // distinct objects
	Versions   int       `json:"versions"` // stored versions
	Bytes      int64     `json:"bytes"`    // bytes of stored JSON
	FirstAdded time.Time `json:"first_added,omitzero"`
	LastAdded  time.Time `json:"last_added,omitzero"`
}

// CollectionStats counts a collection's objects, versions and bytes. It
// reads the whole collection: an admin operation, not a request path.
// Returns ErrCollectionNotFound.
func (db *DB) CollectionStats(ctx context.Context, id string) (CollectionStats, error) {
	var s CollectionStats
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		cb, err := collectionBucket(tx, id)
		if err != nil {
			return err
		}
		s.Objects = cb.Bucket(bucketCurrent).Stats().KeyN
		c := cb.Bucket(bucketObjects).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if s.Versions%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			s.Versions++
			if r, err := decodeRecord(v); err == nil {
				s.Bytes += int64(len(r.Raw))
			}
		}
		if k, _ := c.First(); k != nil {
			s.FirstAdded = microsTime(dateFromKey(k))
		}
		if k, _ := c.Last(); k != nil {
			s.LastAdded = microsTime(dateFromKey(k))
		}
		return nil
	})
	return s, err
}

// FileStats describes the database file.
type FileStats struct {
	Path      string `json:"path"`
	Size      int64  `json:"size"`       // bytes
	FreePages int    `json:"free_pages"` // pages bbolt can reuse
	PageSize  int    `json:"page_size"`
}

// FileStats returns the size of the database file and its free pages.
func (db *DB) FileStats(ctx context.Context) (FileStats, error) {
	var s FileStats
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		s = FileStats{Path: db.Path, Size: tx.Size(), PageSize: db.bolt.Info().PageSize}
		return nil
	})
	st := db.bolt.Stats()
	s.FreePages = st.FreePageN + st.PendingPageN
	return s, err
}

// Backup writes a consistent snapshot of the whole database to w while
// the server keeps running (bbolt's Tx.WriteTo within one read
// transaction), and returns its size.
func (db *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}
