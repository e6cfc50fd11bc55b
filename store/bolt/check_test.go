package bolt_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"liaison/store"
	"liaison/store/bolt"
)

// TestOpenDamaged: a damaged file is refused at Open with ErrDamaged, never
// opened (or crashed on) and never treated as a new database; the quick
// check catches what would crash the process, the full one garbage inside.
func TestOpenDamaged(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	db := openDB(t, good)
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
			if err := bolt.CheckFile(path); !errors.Is(err, bolt.ErrDamaged) {
				t.Errorf("CheckFile = %v, want ErrDamaged", err)
			}
			for _, mode := range []bolt.CheckMode{bolt.CheckFull, bolt.CheckQuick} {
				before, _ := os.ReadFile(path)
				db, err := bolt.Open(path, bolt.Options{CheckMode: mode})
				if err == nil {
					db.Close()
				} else if after, _ := os.ReadFile(path); string(after) != string(before) {
					t.Errorf("check mode %d: refusing the file changed it", mode)
				}
				switch {
				case mode == bolt.CheckFull || tc.quick:
					if !errors.Is(err, bolt.ErrDamaged) {
						t.Errorf("check mode %d: Open = %v, want ErrDamaged", mode, err)
					}
				case err != nil && !errors.Is(err, bolt.ErrDamaged):
					t.Errorf("check mode %d: Open = %v, want ErrDamaged or success", mode, err)
				}
			}
		})
	}

	// The intact file passes every check.
	if err := bolt.CheckFile(good); err != nil {
		t.Errorf("CheckFile on the intact file: %v", err)
	}
	for _, mode := range []bolt.CheckMode{bolt.CheckQuick, bolt.CheckFull} {
		db, err := bolt.Open(good, bolt.Options{CheckMode: mode})
		if err != nil {
			t.Fatalf("intact file, check mode %d: %v", mode, err)
		}
		db.Close()
	}
}
