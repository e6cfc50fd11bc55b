package bolt_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"liaison/store"
)

func TestDB_CreateAPIRoot(t *testing.T) {
	ctx := context.Background()

	t.Run("Defaults", func(t *testing.T) {
		tests := []struct {
			name   string
			given  store.APIRoot
			expect store.APIRoot
		}{
			{
				name:   "AllZero",
				given:  store.APIRoot{Name: "r", Title: "T"},
				expect: store.APIRoot{Name: "r", Title: "T", MaxContentLength: store.DefaultMaxContentLength, MaxObjects: store.DefaultMaxObjects, DefaultLimit: store.DefaultPageLimit, MaxLimit: store.DefaultMaxPageLimit},
			},
			{
				name:   "SmallMaxCapsDefaultLimit",
				given:  store.APIRoot{Name: "r", Title: "T", MaxLimit: 50},
				expect: store.APIRoot{Name: "r", Title: "T", MaxContentLength: store.DefaultMaxContentLength, MaxObjects: store.DefaultMaxObjects, DefaultLimit: 50, MaxLimit: 50},
			},
			{
				name:   "ExplicitKept",
				given:  store.APIRoot{Name: "r", Title: "T", Description: "d", MaxContentLength: 1234, MaxObjects: 5, DefaultLimit: 7, MaxLimit: 9, Default: true},
				expect: store.APIRoot{Name: "r", Title: "T", Description: "d", MaxContentLength: 1234, MaxObjects: 5, DefaultLimit: 7, MaxLimit: 9, Default: true},
			},
			{
				name:   "DefaultLimitEqualsMax",
				given:  store.APIRoot{Name: "r", Title: "T", DefaultLimit: 9, MaxLimit: 9},
				expect: store.APIRoot{Name: "r", Title: "T", MaxContentLength: store.DefaultMaxContentLength, MaxObjects: store.DefaultMaxObjects, DefaultLimit: 9, MaxLimit: 9},
			},
			{
				name:   "NegativeMeansDefault",
				given:  store.APIRoot{Name: "r", Title: "T", MaxContentLength: -1, MaxObjects: -1, DefaultLimit: -1, MaxLimit: -1},
				expect: store.APIRoot{Name: "r", Title: "T", MaxContentLength: store.DefaultMaxContentLength, MaxObjects: store.DefaultMaxObjects, DefaultLimit: store.DefaultPageLimit, MaxLimit: store.DefaultMaxPageLimit},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				db := MustOpenDB(t)
				got, err := db.CreateAPIRoot(ctx, tt.given)
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.expect {
					t.Errorf("CreateAPIRoot = %+v, want %+v", got, tt.expect)
				}
				stored, err := db.APIRoot(ctx, tt.given.Name)
				if err != nil {
					t.Fatal(err)
				}
				if stored != tt.expect {
					t.Errorf("APIRoot = %+v, want %+v", stored, tt.expect)
				}
			})
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		tests := []struct {
			name  string
			given store.APIRoot
		}{
			{"ReservedTaxii2", store.APIRoot{Name: "taxii2", Title: "T"}},
			{"ReservedAdmin", store.APIRoot{Name: "admin", Title: "T"}},
			{"ReservedStatus", store.APIRoot{Name: "status", Title: "T"}},
			{"EmptyName", store.APIRoot{Name: "", Title: "T"}},
			{"Dot", store.APIRoot{Name: ".", Title: "T"}},
			{"DotDot", store.APIRoot{Name: "..", Title: "T"}},
			{"Uppercase", store.APIRoot{Name: "Root", Title: "T"}},
			{"Slash", store.APIRoot{Name: "a/b", Title: "T"}},
			{"Space", store.APIRoot{Name: "a b", Title: "T"}},
			{"Percent", store.APIRoot{Name: "a%2f", Title: "T"}},
			{"NonASCII", store.APIRoot{Name: "wurzel-ä", Title: "T"}},
			{"TooLong", store.APIRoot{Name: strings.Repeat("a", 65), Title: "T"}},
			{"EmptyTitle", store.APIRoot{Name: "r"}},
			{"DefaultLimitAboveMax", store.APIRoot{Name: "r", Title: "T", DefaultLimit: 11, MaxLimit: 10}},
			{"DefaultLimitAboveDefaultMax", store.APIRoot{Name: "r", Title: "T", DefaultLimit: store.DefaultMaxPageLimit + 1}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				db := MustOpenDB(t)
				if _, err := db.CreateAPIRoot(ctx, tt.given); !errors.Is(err, store.ErrInvalid) {
					t.Fatalf("CreateAPIRoot(%+v) error = %v, want ErrInvalid", tt.given, err)
				}
				roots, err := db.APIRoots(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(roots) != 0 {
					t.Errorf("APIRoots = %+v after a refused create, want none", roots)
				}
			})
		}
	})

	t.Run("ValidNames", func(t *testing.T) {
		db := MustOpenDB(t)
		for _, name := range []string{"a", "api-1", "v2_root", "x.y", "taxii", "status2", strings.Repeat("z", 64)} {
			if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: name, Title: "T"}); err != nil {
				t.Errorf("CreateAPIRoot(%q): %v", name, err)
			}
		}
	})

	t.Run("ErrExists", func(t *testing.T) {
		db := MustOpenDB(t)
		first := store.APIRoot{Name: "r", Title: "First", Default: true}
		if _, err := db.CreateAPIRoot(ctx, first); err != nil {
			t.Fatal(err)
		}
		_, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "Second"})
		if !errors.Is(err, store.ErrExists) {
			t.Fatalf("second CreateAPIRoot error = %v, want ErrExists", err)
		}
		got, err := db.APIRoot(ctx, "r")
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "First" || !got.Default {
			t.Errorf("APIRoot after refused duplicate = %+v, want the first one unchanged", got)
		}
	})

	t.Run("DuplicateDefaultKeepsOldDefault", func(t *testing.T) {
		db := MustOpenDB(t)
		if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "a", Title: "A", Default: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "a", Title: "A2", Default: true}); !errors.Is(err, store.ErrExists) {
			t.Fatalf("error = %v, want ErrExists", err)
		}
		got, err := db.APIRoot(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		if !got.Default {
			t.Error("a refused create cleared the default mark of the existing root")
		}
	})

	t.Run("DefaultMovesToNewest", func(t *testing.T) {
		db := MustOpenDB(t)
		steps := []struct {
			create        store.APIRoot
			expectDefault string // the only default root afterwards ("" for none)
		}{
			{store.APIRoot{Name: "b", Title: "B"}, ""},
			{store.APIRoot{Name: "c", Title: "C", Default: true}, "c"},
			{store.APIRoot{Name: "d", Title: "D"}, "c"},
			{store.APIRoot{Name: "a", Title: "A", Default: true}, "a"},
			{store.APIRoot{Name: "e", Title: "E", Default: true}, "e"},
		}
		for _, s := range steps {
			if _, err := db.CreateAPIRoot(ctx, s.create); err != nil {
				t.Fatal(err)
			}
			roots, err := db.APIRoots(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var defaults []string
			for _, r := range roots {
				if r.Default {
					defaults = append(defaults, r.Name)
				}
			}
			want := []string(nil)
			if s.expectDefault != "" {
				want = []string{s.expectDefault}
			}
			if !reflect.DeepEqual(defaults, want) {
				t.Errorf("after creating %q: default roots = %v, want %v", s.create.Name, defaults, want)
			}
		}
	})
}

func TestDB_APIRoots(t *testing.T) {
	ctx := context.Background()
	t.Run("Empty", func(t *testing.T) {
		db := MustOpenDB(t)
		roots, err := db.APIRoots(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(roots) != 0 {
			t.Errorf("APIRoots = %+v, want none", roots)
		}
	})
	t.Run("SortedByName", func(t *testing.T) {
		db := MustOpenDB(t)
		for _, n := range []string{"m", "b", "z", "a"} {
			MustCreateRoot(t, db, n)
		}
		roots, err := db.APIRoots(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range roots {
			names = append(names, r.Name)
			if r.Title != "Root "+r.Name || r.DefaultLimit != store.DefaultPageLimit {
				t.Errorf("root %+v does not hold what was created", r)
			}
		}
		if want := []string{"a", "b", "m", "z"}; !reflect.DeepEqual(names, want) {
			t.Errorf("APIRoots names = %v, want %v", names, want)
		}
	})
}

func TestDB_APIRoot(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	want := MustCreateRoot(t, db, "known")
	t.Run("OK", func(t *testing.T) {
		got, err := db.APIRoot(ctx, "known")
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("APIRoot = %+v, want %+v", got, want)
		}
	})
	t.Run("ErrAPIRootNotFound", func(t *testing.T) {
		for _, name := range []string{"unknown", "", "KNOWN", "known/"} {
			if _, err := db.APIRoot(ctx, name); !errors.Is(err, store.ErrAPIRootNotFound) {
				t.Errorf("APIRoot(%q) error = %v, want ErrAPIRootNotFound", name, err)
			}
		}
	})
}
