// Package store keeps Liaison's API roots, collections, STIX objects and
// status resources in one bbolt file.
//
// Every collection has its own bucket. Object versions are keyed by their
// date_added (unix microseconds, unique and strictly increasing within the
// collection) and indexed by id, type and version, so that every query is a
// keyset scan over an index and costs in proportion to the page it serves.
package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// DB is the bbolt-backed store. Set the exported fields before Open.
type DB struct {
	// Path is the database file; it is created when absent.
	Path string
	// Now returns the current time; tests pin it.
	Now func() time.Time
	// Logger receives the store's log records.
	Logger *slog.Logger
	// StatusRetention is how long status resources are kept after their
	// request completed (TAXII 2.1 §4.3: SHOULD be at least 24 hours).
	StatusRetention time.Duration
	// OpenTimeout bounds the wait for bbolt's file lock, held by another
	// process that has the file open.
	OpenTimeout time.Duration
	// CheckMode is how thoroughly Open checks an existing file before
	// using it; a damaged file is refused with ErrDamaged.
	CheckMode CheckMode

	bolt   *bbolt.DB
	writes atomic.Int64 // write transactions committed, for DBStats
}

// DefaultStatusRetention is the default StatusRetention.
const DefaultStatusRetention = 24 * time.Hour

// NewDB returns a DB for the file at path with default settings.
func NewDB(path string) *DB {
	return &DB{
		Path:            path,
		Now:             time.Now,
		Logger:          slog.New(slog.DiscardHandler),
		StatusRetention: DefaultStatusRetention,
		OpenTimeout:     2 * time.Second,
	}
}

// Open opens (or creates) the database file and its buckets, and creates the
// secret that signs paging cursors on first use.
func (db *DB) Open() error {
	exists := false
	if _, err := os.Stat(db.Path); err == nil {
		exists = true
		if err := checkShape(db.Path); err != nil {
			return err
		}
	}
	var b *bbolt.DB
	err := guard(db.Path, func() (err error) {
		b, err = bbolt.Open(db.Path, 0o600, &bbolt.Options{Timeout: db.OpenTimeout})
		return err
	})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return fmt.Errorf("open database %s: %w", db.Path, ErrDatabaseLocked)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum), errors.Is(err, bolterrors.ErrVersionMismatch):
		return damaged(db.Path, "%v", err)
	case err != nil:
		return fmt.Errorf("open database %s: %w", db.Path, err)
	}
	db.bolt = b
	if exists {
		if err := db.check(db.CheckMode); err != nil {
			b.Close()
			return err
		}
	}
	err = b.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketRoots, bucketCollections, bucketStatus, bucketStatusTime, bucketUsers, bucketAPIKeys} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keySecret) == nil {
			secret := make([]byte, 32)
			if _, err := rand.Read(secret); err != nil {
				return fmt.Errorf("create cursor secret: %w", err)
			}
			if err := meta.Put(keySecret, secret); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Close()
		return fmt.Errorf("initialise database %s: %w", db.Path, err)
	}
	return nil
}

// Close closes the database file.
func (db *DB) Close() error {
	if db.bolt == nil {
		return nil
	}
	return db.bolt.Close()
}

// CursorSecret returns the key that signs paging cursors. It is created once
// per database, so cursors stay valid across restarts of the server and are
// refused by any other database.
func (db *DB) CursorSecret(ctx context.Context) ([]byte, error) {
	var secret []byte
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		secret = append([]byte(nil), tx.Bucket(bucketMeta).Get(keySecret)...)
		return nil
	})
	return secret, err
}

// CheckFile opens a database file read-only, without creating or changing
// anything, and checks it fully: for backups before they are trusted, and
// for liaison check.
func CheckFile(path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	if err := checkShape(path); err != nil {
		return err
	}
	var b *bbolt.DB
	err := guard(path, func() (err error) {
		b, err = bbolt.Open(path, 0o400, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
		return err
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		// Locked, not damaged: a server has it open.
		return fmt.Errorf("check %s: %w", path, ErrDatabaseLocked)
	}
	if err != nil {
		return damaged(path, "%v", err)
	}
	defer b.Close()
	db := &DB{Path: path, bolt: b}
	return db.check(CheckFull)
}

// Check reads every page and runs bbolt's consistency check, and returns
// the first problem found.
func (db *DB) Check() error { return db.check(CheckFull) }

func (db *DB) check(mode CheckMode) error {
	return guard(db.Path, func() error {
		return db.bolt.View(func(tx *bbolt.Tx) error {
			if err := walk(tx, mode == CheckFull); err != nil {
				return damaged(db.Path, "%v", err)
			}
			if tx.Bucket(bucketMeta) == nil || tx.Bucket(bucketRoots) == nil {
				return damaged(db.Path, "it is a bbolt file but not a Liaison database")
			}
			if mode != CheckFull {
				return nil
			}
			var first error
			for err := range tx.Check() { // drain: the checker blocks until read
				if first == nil {
					first = damaged(db.Path, "%v", err)
				}
			}
			return first
		})
	})
}

func (db *DB) now() time.Time { return db.Now().UTC() }
