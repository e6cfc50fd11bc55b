package store_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"liaison/store"
)

func TestNewDB(t *testing.T) {
	db := store.NewDB("x.db")
	if db.Path != "x.db" || db.Now == nil || db.Logger == nil || db.StatusRetention != store.DefaultStatusRetention || db.OpenTimeout <= 0 {
		t.Errorf("NewDB = %+v, want defaults set", db)
	}
	if store.DefaultStatusRetention < 24*time.Hour {
		t.Errorf("DefaultStatusRetention = %v, TAXII 2.1 §4.3 asks for at least 24h", store.DefaultStatusRetention)
	}
}

func TestDB_CursorSecret(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "db")

	open := func(path string) *store.DB {
		t.Helper()
		db := newDB(path)
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		return db
	}
	secret := func(db *store.DB) []byte {
		t.Helper()
		s, err := db.CursorSecret(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	db := open(path)
	first := secret(db)
	if len(first) != 32 {
		t.Fatalf("secret is %d bytes, want 32", len(first))
	}
	if bytes.Equal(first, make([]byte, 32)) {
		t.Fatal("secret is all zero")
	}
	// The caller may not change the stored secret through the slice.
	first[0] ^= 0xff
	if again := secret(db); again[0] == first[0] {
		t.Error("CursorSecret returned the stored bytes, not a copy")
	}
	first[0] ^= 0xff
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	reopened := open(path)
	if got := secret(reopened); !bytes.Equal(got, first) {
		t.Error("secret changed across Close and Open of the same file")
	}
	if err := reopened.Check(); err != nil {
		t.Error(err)
	}
	if err := reopened.Close(); err != nil {
		t.Fatal(err)
	}

	other := MustOpenDBAt(t, filepath.Join(dir, "other"))
	if got := secret(other); bytes.Equal(got, first) || len(got) != 32 {
		t.Error("another database file has the same secret")
	}
}

// Data written before Close is there after Open.
func TestDB_Reopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	db := newDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	c := MustCreateCollection(t, db, testRoot, store.Collection{Alias: "feed"})
	st := MustAdd(t, db, c, indicator(1, "2020-01-01T00:00:00.000Z"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = MustOpenDBAt(t, path)
	if got, err := db.Collection(ctx, testRoot, "feed"); err != nil || got.ID != c.ID {
		t.Errorf("Collection after reopen = %+v, %v", got, err)
	}
	if _, owner, err := db.Status(ctx, testRoot, st.ID); err != nil || owner != testUser {
		t.Errorf("Status after reopen: %q, %v", owner, err)
	}
	// date_added continues after the stored last one, the clock still pinned.
	MustAdd(t, db, c, indicator(2, "2020-01-01T00:00:00.000Z"))
	recs := MustQuery(t, db, c.ID, everything).Records
	if len(recs) != 2 || !recs[1].DateAdded.Equal(pinnedMicros.Add(time.Microsecond)) {
		t.Errorf("records after reopen = %+v, want two, the second at %v", recs, pinnedMicros.Add(time.Microsecond))
	}
}

func TestDB_Open(t *testing.T) {
	t.Run("ErrDatabaseLocked", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "db")
		MustOpenDBAt(t, path)
		second := newDB(path)
		second.OpenTimeout = 50 * time.Millisecond
		start := time.Now()
		err := second.Open()
		if !errors.Is(err, store.ErrDatabaseLocked) {
			t.Fatalf("second Open error = %v, want ErrDatabaseLocked", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Open waited %v with OpenTimeout 50ms", d)
		}
		if err := second.Close(); err != nil {
			t.Errorf("Close of a store that failed to open: %v", err)
		}
	})
	t.Run("MissingDirectory", func(t *testing.T) {
		db := newDB(filepath.Join(t.TempDir(), "no", "such", "dir", "db"))
		db.OpenTimeout = 50 * time.Millisecond
		err := db.Open()
		if err == nil {
			db.Close()
			t.Fatal("Open in a missing directory succeeded")
		}
		if errors.Is(err, store.ErrDatabaseLocked) {
			t.Errorf("error = %v, want a plain open error, not ErrDatabaseLocked", err)
		}
	})
}

func TestDB_Close(t *testing.T) {
	t.Run("NeverOpened", func(t *testing.T) {
		if err := store.NewDB("unused").Close(); err != nil {
			t.Errorf("Close = %v, want nil", err)
		}
	})
	t.Run("Twice", func(t *testing.T) {
		db := newDB(filepath.Join(t.TempDir(), "db"))
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("second Close = %v, want nil", err)
		}
	})
}
