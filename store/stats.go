package store

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"go.etcd.io/bbolt"
)

// CollectionSummary is what monitoring asks of every collection: cheap to
// compute (the size of the current-version index and its last key), unlike
// CollectionStats, which reads the whole collection.
type CollectionSummary struct {
	ID        string
	APIRoot   string
	Objects   int       // current objects
	LastAdded time.Time // the newest date_added; zero when empty
}

// CollectionSummaries returns a summary of every collection.
func (db *DB) CollectionSummaries(ctx context.Context) ([]CollectionSummary, error) {
	var out []CollectionSummary
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketCollections).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var c Collection
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode collection %s: %w", k, err)
			}
			s := CollectionSummary{ID: c.ID, APIRoot: c.APIRoot}
			if cb, err := collectionBucket(tx, c.ID); err == nil {
				s.Objects = cb.Bucket(bucketCurrent).Stats().KeyN
				if k, _ := cb.Bucket(bucketObjects).Cursor().Last(); k != nil {
					s.LastAdded = microsTime(dateFromKey(k))
				}
			}
			out = append(out, s)
			return nil
		})
	})
	return out, err
}

// DBStats are the database engine's counters, for monitoring.
type DBStats struct {
	ReadTx       int     // read transactions started
	OpenReadTx   int     // read transactions open now
	WriteTx      int     // write transactions committed
	PagesWritten int     // pages written by committed write transactions
	WriteSeconds float64 // time spent writing pages
	FreePages    int     // free pages, reusable
	PendingPages int     // pages freed by writes still visible to readers
	PageSize     int
	FileSize     int64 // bytes
}

// DBStats returns the engine's counters. It takes no transaction.
func (db *DB) DBStats() DBStats {
	st := db.bolt.Stats()
	s := DBStats{
		ReadTx: st.TxN, OpenReadTx: st.OpenTxN, WriteTx: int(db.writes.Load()),
		PagesWritten: int(st.TxStats.GetWrite()), WriteSeconds: st.TxStats.GetWriteTime().Seconds(),
		FreePages: st.FreePageN, PendingPages: st.PendingPageN, PageSize: db.bolt.Info().PageSize,
	}
	if fi, err := os.Stat(db.Path); err == nil {
		s.FileSize = fi.Size()
	}
	return s
}
