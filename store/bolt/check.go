package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrDamaged is returned when a database file fails a check: it is
// truncated, overwritten or not a database at all. Such a file is never
// opened for serving, since reading it can crash the process (a read past
// the end of a memory-mapped file is a SIGBUS) or serve garbage.
var ErrDamaged = errors.New("database file is damaged")

// damaged wraps ErrDamaged with what is wrong.
func damaged(path, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", path, ErrDamaged, fmt.Sprintf(format, args...))
}

// boltMeta is what checkShape reads of a bbolt meta page (format version 2:
// a 16-byte page header, then magic, version, page size, flags, the root
// bucket's page and sequence, the freelist page, the high water mark, the
// transaction id and an FNV-64a checksum of everything before it, in the
// machine's byte order).
type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64 // pages in use: the file must hold at least this many
	txid     uint64
}

const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	boltMetaOffset = 16 // the page header
	boltMetaSize   = 64
	boltNoFreelist = ^uint64(0)
)

func parseBoltMeta(b []byte) (boltMeta, bool) {
	if len(b) < boltMetaOffset+boltMetaSize {
		return boltMeta{}, false
	}
	m := b[boltMetaOffset : boltMetaOffset+boltMetaSize]
	e := binary.NativeEndian
	h := fnv.New64a()
	h.Write(m[:56])
	if e.Uint32(m[0:]) != boltMagic || e.Uint32(m[4:]) != boltVersion || e.Uint64(m[56:]) != h.Sum64() {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: e.Uint32(m[8:]), root: e.Uint64(m[16:]), freelist: e.Uint64(m[32:]), pgid: e.Uint64(m[40:]), txid: e.Uint64(m[48:])}, true
}

// checkShape checks, without mapping it, that an existing file is a whole
// bbolt database: not empty, with a valid meta page whose pages all lie
// inside the file. It is quick (two reads) and catches what would crash
// bbolt: truncation, an empty file, another kind of file.
func checkShape(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	if size == 0 {
		return damaged(path, "the file is empty (an existing file is never made into a new database)")
	}
	first := make([]byte, 4096)
	n, err := f.ReadAt(first, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	meta0, ok0 := parseBoltMeta(first[:n])
	pageSize := int64(os.Getpagesize())
	if ok0 {
		pageSize = int64(meta0.pageSize)
	}
	second := make([]byte, boltMetaOffset+boltMetaSize)
	n, err = f.ReadAt(second, pageSize)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	meta1, ok1 := parseBoltMeta(second[:n])
	var m boltMeta
	switch {
	case ok0 && ok1:
		m = meta0
		if meta1.txid > meta0.txid {
			m = meta1
		}
	case ok0:
		m = meta0
	case ok1:
		m = meta1
	default:
		return damaged(path, "it has no valid bbolt meta page: it is not a Liaison database, or its beginning is overwritten")
	}
	if m.pageSize < 512 || m.pageSize&(m.pageSize-1) != 0 {
		return damaged(path, "its page size %d is impossible", m.pageSize)
	}
	if need := int64(m.pgid) * int64(m.pageSize); size < need {
		return damaged(path, "it is %d bytes long but its data needs %d: it was truncated", size, need)
	}
	if m.root < 2 || m.root >= m.pgid || (m.freelist != boltNoFreelist && (m.freelist < 2 || m.freelist >= m.pgid)) {
		return damaged(path, "its meta page points outside the data")
	}
	return nil
}

// guard runs f and turns a panic, or a memory fault in f's goroutine,
// into ErrDamaged: bbolt panics on some invalid pages.
func guard(path string, f func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damaged(path, "%v", r)
		}
	}()
	return f()
}

// walk reads every key and value of every bucket in the database, which
// touches every page holding data; with deep false it reads only the
// top-level buckets' first keys.
func walk(tx *bbolt.Tx, deep bool) error {
	var visit func(b *bbolt.Bucket) error
	visit = func(b *bbolt.Bucket) error {
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if v == nil {
				if sub := b.Bucket(k); sub != nil && deep {
					if err := visit(sub); err != nil {
						return err
					}
				}
			}
			if !deep {
				break
			}
		}
		return nil
	}
	return tx.ForEach(func(name []byte, b *bbolt.Bucket) error { return visit(b) })
}

// CheckMode is how thoroughly Open checks an existing file.
type CheckMode int

// Check modes.
const (
	// CheckQuick checks the file's shape and size and its top-level
	// buckets: milliseconds, whatever the size.
	CheckQuick CheckMode = iota
	// CheckFull reads every page and runs bbolt's consistency check: time
	// in proportion to the file's size.
	CheckFull
)

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
	s := &Store{path: path, bolt: b}
	return s.check(CheckFull)
}

// Check reads every page and runs bbolt's consistency check, and returns
// the first problem found.
func (s *Store) Check() error { return s.check(CheckFull) }

func (s *Store) check(mode CheckMode) error {
	return guard(s.path, func() error {
		return s.bolt.View(func(tx *bbolt.Tx) error {
			if err := walk(tx, mode == CheckFull); err != nil {
				return damaged(s.path, "%v", err)
			}
			if tx.Bucket(bucketMeta) == nil || tx.Bucket(bucketRoots) == nil {
				return damaged(s.path, "it is a bbolt file but not a Liaison database")
			}
			if mode != CheckFull {
				return nil
			}
			var first error
			for err := range tx.Check() { // drain: the checker blocks until read
				if first == nil {
					first = damaged(s.path, "%v", err)
				}
			}
			return first
		})
	})
}
