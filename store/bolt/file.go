package bolt

import (
	"context"
	"io"
	"os"

	"go.etcd.io/bbolt"

	"liaison/store"
)

// FileStats returns the size of the database file and its free pages.
func (s *Store) FileStats(ctx context.Context) (store.FileStats, error) {
	var st store.FileStats
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		st = store.FileStats{Path: s.path, Size: tx.Size(), PageSize: s.bolt.Info().PageSize}
		return nil
	})
	bs := s.bolt.Stats()
	st.FreePages = bs.FreePageN + bs.PendingPageN
	return st, err
}

// Backup writes a consistent snapshot of the whole database to w while
// the server keeps running (bbolt's Tx.WriteTo within one read
// transaction), and returns its size.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// DBStats returns bbolt's counters. It takes no transaction.
func (s *Store) DBStats() store.DBStats {
	bs := s.bolt.Stats()
	st := store.DBStats{
		ReadTx: bs.TxN, OpenReadTx: bs.OpenTxN, WriteTx: int(s.writes.Load()),
		PagesWritten: int(bs.TxStats.GetWrite()), WriteSeconds: bs.TxStats.GetWriteTime().Seconds(),
		FreePages: bs.FreePageN, PendingPages: bs.PendingPageN, PageSize: s.bolt.Info().PageSize,
	}
	if fi, err := os.Stat(s.path); err == nil {
		st.FileSize = fi.Size()
	}
	return st
}
