package bolt_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"liaison/store"
	"liaison/store/bolt"
)

func TestStore_CursorSecret(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "db")

	secret := func(db *bolt.Store) []byte {
		t.Helper()
		s, err := db.CursorSecret(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	db := openDB(t, path)
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

	reopened := openDB(t, path)
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
func TestStore_Reopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	db := openDB(t, path)
	c := MustCreateCollection(t, db, testRoot, store.Collection{Alias: "feed"})
	st := MustAdd(t, db, c, indicator(1, "2020-01-01T00:00:00.000Z"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	reopened := MustOpenDBAt(t, path)
	if got, err := reopened.Collection(ctx, testRoot, "feed"); err != nil || got.ID != c.ID {
		t.Errorf("Collection after reopen = %+v, %v", got, err)
	}
	if _, owner, err := reopened.Status(ctx, testRoot, st.ID); err != nil || owner != testUser {
		t.Errorf("Status after reopen: %q, %v", owner, err)
	}
	// date_added continues after the stored last one, the clock still pinned.
	MustAdd(t, reopened, c, indicator(2, "2020-01-01T00:00:00.000Z"))
	recs := MustQuery(t, reopened, c.ID, everything).Records
	if len(recs) != 2 || !recs[1].DateAdded.Equal(pinnedMicros.Add(time.Microsecond)) {
		t.Errorf("records after reopen = %+v, want two, the second at %v", recs, pinnedMicros.Add(time.Microsecond))
	}
}

func TestOpen(t *testing.T) {
	t.Run("ErrDatabaseLocked", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "db")
		MustOpenDBAt(t, path)
		start := time.Now()
		second, err := bolt.Open(path, bolt.Options{OpenTimeout: 50 * time.Millisecond})
		if !errors.Is(err, bolt.ErrDatabaseLocked) {
			if second != nil {
				second.Close()
			}
			t.Fatalf("second Open error = %v, want ErrDatabaseLocked", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Open waited %v with OpenTimeout 50ms", d)
		}
	})
	t.Run("MissingDirectory", func(t *testing.T) {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "no", "such", "dir", "db"), bolt.Options{OpenTimeout: 50 * time.Millisecond})
		if err == nil {
			db.Close()
			t.Fatal("Open in a missing directory succeeded")
		}
		if errors.Is(err, bolt.ErrDatabaseLocked) {
			t.Errorf("error = %v, want a plain open error, not ErrDatabaseLocked", err)
		}
	})
}

func TestStore_CloseTwice(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "db"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

// TestOpen_ProductionPasswordCost: a store opened without a password cost
// hashes at the production cost (OWASP's minimum for argon2id: 19 MiB, 2
// passes, 1 thread), whatever tests set.
func TestOpen_ProductionPasswordCost(t *testing.T) {
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.CreateUser(ctx, "alice", false, "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(u.PasswordHash, want) {
		t.Errorf("password hash %q, want the production parameters %q", u.PasswordHash, want)
	}
	if c := store.DefaultPasswordCost(); c != (store.PasswordCost{Memory: 19 * 1024, Time: 2, Threads: 1}) {
		t.Errorf("DefaultPasswordCost = %+v", c)
	}
	if _, err := db.VerifyPassword(ctx, "alice", "a long passphrase"); err != nil {
		t.Errorf("VerifyPassword: %v", err)
	}
}
