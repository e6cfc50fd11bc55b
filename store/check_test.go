package store_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"liaison/store"
)

// TestOpenDamaged: a damaged file is refused at Open with ErrDamaged, never
// opened (or crashed on) and never treated as a new database; the quick
// check catches what would crash the process, the full one garbage inside.
func TestOpenDamaged(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	db := newDB(good)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	c := MustCreateCollection(t, db, testRoot, store.Collection{Title: "C"})
	for batch := range 20 {
		var objs []string
		for i := range 200 {
			objs = append(objs, indicator(batch*200+i, fmt.Sprintf("2024-01-01T00:00:%02d.000Z", i%60)))
		}
		MustAdd(t, db, c, objs...)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	intact, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	size := len(intact)
	t.Logf("database of %d bytes", size)
	garbage := make([]byte, 64<<10)
	rand.Read(garbage)

	for _, tc := range []struct {
		name  string
		bytes func() []byte
		quick bool // the quick check must refuse it
	}{
		{"empty file", func() []byte { return nil }, true},
		{"truncated to 8 KiB", func() []byte { return intact[:8<<10] }, true},
		{"truncated to an eighth", func() []byte { return intact[:size/8] }, true},
		{"truncated to half", func() []byte { return intact[:size/2] }, true},
		{"not a database", func() []byte { return []byte("liaison.db: this is a text file\n") }, true},
		{"both meta pages overwritten", func() []byte {
			b := append([]byte(nil), intact...)
			copy(b, garbage[:8<<10])
			return b
		}, true},
		{"garbage over the data", func() []byte {
			b := append([]byte(nil), intact...)
			for off := 16 << 10; off < 1<<20; off += len(garbage) {
				copy(b[off:], garbage)
			}
			return b
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "damaged.db")
			if err := os.WriteFile(path, tc.bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := store.CheckFile(path); !errors.Is(err, store.ErrDamaged) {
				t.Errorf("CheckFile = %v, want ErrDamaged", err)
			}
			for _, mode := range []store.CheckMode{store.CheckFull, store.CheckQuick} {
				before, _ := os.ReadFile(path)
				db := store.NewDB(path)
				db.CheckMode = mode
				err := db.Open()
				if err == nil {
					db.Close()
				} else if after, _ := os.ReadFile(path); string(after) != string(before) {
					t.Errorf("check mode %d: refusing the file changed it", mode)
				}
				switch {
				case mode == store.CheckFull || tc.quick:
					if !errors.Is(err, store.ErrDamaged) {
						t.Errorf("check mode %d: Open = %v, want ErrDamaged", mode, err)
					}
				case err != nil && !errors.Is(err, store.ErrDamaged):
					t.Errorf("check mode %d: Open = %v, want ErrDamaged or success", mode, err)
				}
			}
		})
	}

	// The intact file passes every check.
	if err := store.CheckFile(good); err != nil {
		t.Errorf("CheckFile on the intact file: %v", err)
	}
	for _, mode := range []store.CheckMode{store.CheckQuick, store.CheckFull} {
		db := store.NewDB(good)
		db.CheckMode = mode
		if err := db.Open(); err != nil {
			t.Fatalf("intact file, check mode %d: %v", mode, err)
		}
		db.Close()
	}
}
