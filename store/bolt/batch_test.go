package bolt

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// TestBatch_SharedCommitAndFailures queues writes behind a commit that is
// held open: they share the next commit, and the one that fails after
// writing fails alone, leaving nothing behind, while the others land.
func TestBatch_SharedCommitAndFailures(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bucket := []byte("batch-test")
	if err := s.update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket(bucket); return err }); err != nil {
		t.Fatal(err)
	}
	put := func(k string) func(*bbolt.Tx) error {
		return func(tx *bbolt.Tx) error { return tx.Bucket(bucket).Put([]byte(k), []byte{1}) }
	}
	errBad := errors.New("refused after writing")

	release := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.batch(func(tx *bbolt.Tx) error {
			<-release // hold the commit while the others queue
			return put("first")(tx)
		})
	}()
	waitFor(t, func() bool {
		s.commits.mu.Lock()
		defer s.commits.mu.Unlock()
		return s.commits.leading && len(s.commits.pending) == 0
	})

	const n = 6
	results := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("w%d", i)
			results[i] = s.batch(func(tx *bbolt.Tx) error {
				if err := put(key)(tx); err != nil {
					return err
				}
				if i == 2 {
					return errBad
				}
				if i == 4 {
					panic("write 4 panics")
				}
				return nil
			})
		})
	}
	waitFor(t, func() bool { s.commits.mu.Lock(); defer s.commits.mu.Unlock(); return len(s.commits.pending) == n })
	before := s.writes.Load()
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first write: %v", err)
	}
	wg.Wait()
	// The first commit, then one for the queued writes that succeeded
	// (the failed attempts commit nothing).
	if got := s.writes.Load() - before; got != 2 {
		t.Errorf("%d commits for 1+%d writes, want 2", got, n)
	}
	err = s.bolt.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucket)
		for i, err := range results {
			key := fmt.Sprintf("w%d", i)
			landed := b.Get([]byte(key)) != nil
			switch i {
			case 2:
				if !errors.Is(err, errBad) || landed {
					t.Errorf("write 2: err %v, landed %v; want its own error and nothing stored", err, landed)
				}
			case 4:
				if err == nil || landed {
					t.Errorf("write 4 (panics): err %v, landed %v; want an error and nothing stored", err, landed)
				}
			default:
				if err != nil || !landed {
					t.Errorf("write %d: err %v, landed %v; want stored", i, err, landed)
				}
			}
		}
		if b.Get([]byte("first")) == nil {
			t.Error("the first write did not land")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestBatch_CommitPanic: a panic in a shared commit itself, outside any
// writer's function (bbolt panics on some invalid pages), answers every
// writer of that commit and leaves the queue to the next writers, rather
// than leaving them all waiting for ever.
func TestBatch_CommitPanic(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bucket := []byte("batch-test")
	if err := s.update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket(bucket); return err }); err != nil {
		t.Fatal(err)
	}
	put := func(k string, tx *bbolt.Tx) error { return tx.Bucket(bucket).Put([]byte(k), []byte{1}) }

	release := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.batch(func(tx *bbolt.Tx) error {
			<-release // hold the commit while the others queue
			return put("first", tx)
		})
	}()
	waitFor(t, func() bool {
		s.commits.mu.Lock()
		defer s.commits.mu.Unlock()
		return s.commits.leading && len(s.commits.pending) == 0
	})

	// Two writers share the next commit; one of them makes it panic. The
	// panic may surface in either's call (the leader's): each is caught.
	type outcome struct {
		err      error
		panicked any
	}
	results := make(chan outcome, 2)
	write := func(fn func(*bbolt.Tx) error) {
		go func() {
			var o outcome
			defer func() {
				o.panicked = recover()
				results <- o
			}()
			o.err = s.batch(fn)
		}()
	}
	write(func(tx *bbolt.Tx) error {
		tx.OnCommit(func() { panic("the commit panics") })
		return put("panics", tx)
	})
	write(func(tx *bbolt.Tx) error { return put("other", tx) })
	waitFor(t, func() bool { s.commits.mu.Lock(); defer s.commits.mu.Unlock(); return len(s.commits.pending) == 2 })
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first write: %v", err)
	}
	reported := false
	for range 2 {
		select {
		case o := <-results:
			reported = reported || o.err != nil || o.panicked != nil
		case <-time.After(10 * time.Second):
			t.Fatal("a writer of the commit that panicked is still waiting after 10 s")
		}
	}
	if !reported {
		t.Error("the panic was reported to neither writer")
	}
	later := make(chan error, 1)
	go func() { later <- s.batch(func(tx *bbolt.Tx) error { return put("later", tx) }) }()
	select {
	case err := <-later:
		if err != nil {
			t.Errorf("a write after the panic: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write after the commit that panicked is still waiting after 10 s")
	}
}
