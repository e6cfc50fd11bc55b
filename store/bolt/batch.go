package bolt

import (
	"fmt"
	"sync"

	"go.etcd.io/bbolt"
)

// commitQueue lets concurrent writers share a commit, and with it the
// fsync that makes a commit slow: a writer that finds no commit under way
// leads one, holding every writer queued by then; writers arriving while
// it commits are queued for the next. No writer waits for a timer (unlike
// bbolt's DB.Batch, which waits up to 10 ms for company), so a lone writer
// commits as soon as it asks.
type commitQueue struct {
	mu      sync.Mutex
	pending []*queuedWrite
	leading bool // a writer is committing, or has been woken to
}

type queuedWrite struct {
	fn   func(*bbolt.Tx) error
	err  error
	done bool
	wake chan struct{} // done, or this writer leads the next commit
}

// batch runs fn in a write transaction shared with other calls of batch,
// and returns once that transaction is committed (and synced) or has
// failed. fn may run more than once: when another function of the shared
// transaction fails, the transaction is rolled back and the others are run
// again without it, so fn must start from what the transaction holds and
// keep nothing it did in a transaction that failed. A failing fn fails
// its own call alone.
func (s *Store) batch(fn func(*bbolt.Tx) error) error {
	w := &queuedWrite{fn: fn, wake: make(chan struct{}, 1)}
	q := &s.commits
	q.mu.Lock()
	q.pending = append(q.pending, w)
	lead := !q.leading
	q.leading = true
	q.mu.Unlock()
	if !lead {
		<-w.wake
		if w.done {
			return w.err
		}
	}
	// Leading: commit everything queued, this write included.
	q.mu.Lock()
	writes := q.pending
	q.pending = nil
	q.mu.Unlock()
	s.commitWrites(writes)
	// Hand the lead to the first writer queued meanwhile before answering
	// this one: a leader that kept leading would keep its own client
	// waiting while the others keep it busy.
	q.mu.Lock()
	if len(q.pending) > 0 {
		next := q.pending[0]
		q.mu.Unlock()
		next.wake <- struct{}{}
	} else {
		q.leading = false
		q.mu.Unlock()
	}
	for _, o := range writes {
		if o != w {
			o.wake <- struct{}{}
		}
	}
	return w.err
}

// commitWrites runs writes in one transaction and records each one's
// outcome. A write that fails is run again alone, for its own error, and
// the others again together without it.
func (s *Store) commitWrites(writes []*queuedWrite) {
	for len(writes) > 0 {
		failed := -1 // the write that failed, as opposed to the commit
		err := s.updateGuarded(func(tx *bbolt.Tx) error {
			for i, w := range writes {
				if err := runWrite(w.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, w := range writes {
				w.err, w.done = err, true
			}
			return
		}
		bad := writes[failed]
		bad.err, bad.done = s.updateGuarded(func(tx *bbolt.Tx) error { return runWrite(bad.fn, tx) }), true
		writes = append(writes[:failed:failed], writes[failed+1:]...)
	}
}

// updateGuarded is s.update with a panic outside the writers' functions,
// in the commit itself (bbolt panics on some invalid pages), turned into
// the error of every write of the transaction: otherwise the leader would
// unwind without answering them or waking the next leader, and every
// later writer would wait for ever.
func (s *Store) updateGuarded(fn func(*bbolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write transaction panicked: %v", r)
		}
	}()
	return s.update(fn)
}

// runWrite runs fn, turning a panic into its error: the writers sharing
// the transaction must not be left waiting.
func runWrite(fn func(*bbolt.Tx) error, tx *bbolt.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write transaction panicked: %v", r)
		}
	}()
	return fn(tx)
}
