// Package bolt is the bbolt backend of the store: everything in one file,
// for one process at a time.
//
// Every collection has its own bucket. Object versions are keyed by their
// date_added (unix microseconds, unique and strictly increasing within the
// collection) and indexed by id, type and version, so that every query is a
// keyset scan over an index and costs in proportion to the page it serves.
// Besides store.Store, a *Store implements store.FileStore (FileStats and
// Backup, a consistent copy of the file while serving) and
// store.StatsReporter (bbolt's counters), and has Check; CheckFile checks a
// file without opening it for use.
package bolt

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"liaison/store"
)

// Options are the settings of a bbolt store: those of every backend, and
// bbolt's own.
type Options struct {
	store.Options
	// OpenTimeout bounds the wait for bbolt's file lock, held by another
	// process that has the file open (0: two seconds).
	OpenTimeout time.Duration
	// CheckMode is how thoroughly Open checks an existing file before
	// using it; a damaged file is refused with ErrDamaged.
	CheckMode CheckMode
}

// ErrDatabaseLocked is returned by Open when another process holds the
// database file (bbolt allows one process at a time).
var ErrDatabaseLocked = errors.New("database file is locked by another process")

// Store is the bbolt-backed store.Store.
type Store struct {
	path      string
	opts      Options
	passwords *store.Passwords
	bolt      *bbolt.DB
	writes    atomic.Int64 // write transactions committed, for DBStats
	commits   commitQueue  // AddObjects calls sharing a commit
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.FileStore     = (*Store)(nil)
	_ store.StatsReporter = (*Store)(nil)
)

// Open opens (or creates) the database file at path and its buckets, and
// creates the secret that signs paging cursors on first use. An existing
// file is checked first (o.CheckMode).
func Open(path string, o Options) (*Store, error) {
	o.Options = o.Options.WithDefaults()
	if o.OpenTimeout <= 0 {
		o.OpenTimeout = 2 * time.Second
	}
	s := &Store{path: path, opts: o, passwords: store.NewPasswords(o.PasswordCost)}
	exists := false
	if _, err := os.Stat(path); err == nil {
		exists = true
		if err := checkShape(path); err != nil {
			return nil, err
		}
	}
	var b *bbolt.DB
	err := guard(path, func() (err error) {
		b, err = bbolt.Open(path, 0o600, &bbolt.Options{Timeout: o.OpenTimeout})
		return err
	})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("open database %s: %w", path, ErrDatabaseLocked)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum), errors.Is(err, bolterrors.ErrVersionMismatch):
		return nil, damaged(path, "%v", err)
	case err != nil:
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s.bolt = b
	if exists {
		if err := s.check(o.CheckMode); err != nil {
			b.Close()
			return nil, err
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
		return nil, fmt.Errorf("initialise database %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database file. Closing twice is harmless.
func (s *Store) Close() error { return s.bolt.Close() }

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// CursorSecret returns the key that signs paging cursors. It is created once
// per database, so cursors stay valid across restarts of the server and are
// refused by any other database.
func (s *Store) CursorSecret(ctx context.Context) ([]byte, error) {
	var secret []byte
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		secret = append([]byte(nil), tx.Bucket(bucketMeta).Get(keySecret)...)
		return nil
	})
	return secret, err
}

// Ready reports whether a write transaction can begin before ctx ends. A
// transaction that cannot begin (a long import holds the writer lock) is
// left to begin and roll back in the background; callers bound how many
// probes run at once.
func (s *Store) Ready(ctx context.Context) error {
	done := make(chan error, 1)
	go func() {
		tx, err := s.bolt.Begin(true)
		if err == nil {
			err = tx.Rollback()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("begin a write transaction: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("no write transaction could begin: %w", ctx.Err())
	}
}

// update runs fn in a write transaction, as bbolt's Update does, and tells
// a full disk apart from other failures.
func (s *Store) update(fn func(tx *bbolt.Tx) error) error {
	err := s.bolt.Update(fn)
	if err == nil {
		s.writes.Add(1)
	}
	if err != nil && noSpace(err) {
		return fmt.Errorf("%w: %v", store.ErrNoSpace, err)
	}
	return err
}

// noSpace reports whether err comes from a full file system, a quota or a
// file size limit. bbolt wraps some of these with %s, which drops the
// errno, so its text is read too.
func noSpace(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EFBIG) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{syscall.ENOSPC.Error(), syscall.EDQUOT.Error(), syscall.EFBIG.Error()} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func (s *Store) now() time.Time { return s.opts.Now().UTC() }
