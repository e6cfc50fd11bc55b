package store

import (
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
