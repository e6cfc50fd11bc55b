package storetest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"liaison/store"
)

func (s *suite) testCreateAPIRoot(t *testing.T) {
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
				db := s.open(t)
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
				db := s.open(t)
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
		db := s.open(t)
		for _, name := range []string{"a", "api-1", "v2_root", "x.y", "taxii", "status2", strings.Repeat("z", 64)} {
			if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: name, Title: "T"}); err != nil {
				t.Errorf("CreateAPIRoot(%q): %v", name, err)
			}
		}
	})

	t.Run("ErrExists", func(t *testing.T) {
		db := s.open(t)
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
		db := s.open(t)
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
		db := s.open(t)
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

func (s *suite) testAPIRoots(t *testing.T) {
	ctx := context.Background()
	t.Run("Empty", func(t *testing.T) {
		db := s.open(t)
		roots, err := db.APIRoots(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(roots) != 0 {
			t.Errorf("APIRoots = %+v, want none", roots)
		}
	})
	t.Run("SortedByName", func(t *testing.T) {
		db := s.open(t)
		for _, n := range []string{"m", "b", "z", "a"} {
			mustCreateRoot(t, db, n)
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

func (s *suite) testAPIRoot(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	want := mustCreateRoot(t, db, "known")
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

func ptr[T any](v T) *T { return &v }

func (s *suite) testUpdateAPIRoot(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	mustCreateRoot(t, db, "a")
	mustCreateRoot(t, db, "b")
	r, err := db.UpdateAPIRoot(ctx, "a", store.APIRootUpdate{Title: ptr("New"), MaxLimit: ptr(50), DefaultLimit: ptr(10), Default: ptr(true)})
	if err != nil || r.Title != "New" || r.MaxLimit != 50 || r.DefaultLimit != 10 || !r.Default {
		t.Fatalf("UpdateAPIRoot = %+v, %v", r, err)
	}
	if _, err := db.UpdateAPIRoot(ctx, "b", store.APIRootUpdate{Default: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if a, _ := db.APIRoot(ctx, "a"); a.Default {
		t.Error("two default API roots")
	}
	for _, u := range []store.APIRootUpdate{{Title: ptr("")}, {DefaultLimit: ptr(51)}, {MaxObjects: ptr(0)}} {
		if _, err := db.UpdateAPIRoot(ctx, "a", u); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("UpdateAPIRoot(%+v) = %v, want ErrInvalid", u, err)
		}
	}
	if _, err := db.UpdateAPIRoot(ctx, "zzz", store.APIRootUpdate{}); !errors.Is(err, store.ErrAPIRootNotFound) {
		t.Errorf("unknown root: %v", err)
	}
}

func (s *suite) testRemoveAPIRootAndCollection(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	mustCreateRoot(t, db, "a")
	c := mustCreateCollection(t, db, "a", store.Collection{Alias: "x"})
	mustAdd(t, db, c, indicator(1, "2020-01-01T00:00:00.000Z"))
	if _, err := db.CreateUser(ctx, "u", false, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.SetGrant(ctx, "u", c.ID, store.Grant{Read: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveAPIRoot(ctx, "a", false); !errors.Is(err, store.ErrNotEmpty) {
		t.Fatalf("removing a root with collections: %v", err)
	}
	if err := db.RemoveCollection(ctx, c.ID, false); !errors.Is(err, store.ErrNotEmpty) {
		t.Fatalf("removing a collection with objects: %v", err)
	}
	if err := db.RemoveCollection(ctx, c.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection(ctx, "a", "x"); !errors.Is(err, store.ErrCollectionNotFound) {
		t.Errorf("collection after removal: %v", err)
	}
	if u, _ := db.User(ctx, "u"); len(u.Grants) != 0 {
		t.Errorf("grants on a removed collection remain: %v", u.Grants)
	}
	c2 := mustCreateCollection(t, db, "a", store.Collection{Alias: "x"}) // the alias is free again
	mustAdd(t, db, c2, indicator(2, "2020-01-01T00:00:00.000Z"))
	if err := db.RemoveAPIRoot(ctx, "a", true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.APIRoot(ctx, "a"); !errors.Is(err, store.ErrAPIRootNotFound) {
		t.Errorf("root after forced removal: %v", err)
	}
	if err := db.RemoveCollection(ctx, c2.ID, true); !errors.Is(err, store.ErrCollectionNotFound) {
		t.Errorf("collection of a removed root: %v", err)
	}
}
