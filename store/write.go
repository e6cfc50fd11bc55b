package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"go.etcd.io/bbolt"
)

// ErrNoSpace is returned when a write transaction cannot be committed
// because the file system is full (or the file may not grow). Nothing of
// the transaction is stored; reads go on working.
var ErrNoSpace = errors.New("no space left to store data")

// update runs fn in a write transaction, as bbolt's Update does, and tells
// a full disk apart from other failures.
func (db *DB) update(fn func(tx *bbolt.Tx) error) error {
	err := db.bolt.Update(fn)
	if err == nil {
		db.writes.Add(1)
	}
	if err != nil && noSpace(err) {
		return fmt.Errorf("%w: %v", ErrNoSpace, err)
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

// Ready reports whether the database is open and a write transaction can
// begin before ctx ends: what a readiness probe asks. A transaction that
// cannot begin (a long import holds the writer lock) is left to begin and
// roll back in the background; callers bound how many probes run at once.
func (db *DB) Ready(ctx context.Context) error {
	if db.bolt == nil {
		return errors.New("the database is not open")
	}
	done := make(chan error, 1)
	go func() {
		tx, err := db.bolt.Begin(true)
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
