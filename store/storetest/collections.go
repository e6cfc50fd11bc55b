package storetest

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
)

var uuid4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func (s *suite) testCreateCollection(t *testing.T) {
	ctx := context.Background()
	media21 := stix.MediaType(stix.SpecVersion21)
	media20 := stix.MediaType(stix.SpecVersion20)

	t.Run("OK", func(t *testing.T) {
		db := s.open(t)
		mustCreateRoot(t, db, "r")
		given := store.Collection{APIRoot: "r", Title: "T", Description: "D", Alias: "feed", PublicRead: true}
		c, err := db.CreateCollection(ctx, given)
		if err != nil {
			t.Fatal(err)
		}
		if !uuid4.MatchString(c.ID) || !stix.ValidUUID(c.ID) {
			t.Errorf("ID = %q, want a lowercase UUIDv4", c.ID)
		}
		if !reflect.DeepEqual(c.MediaTypes, []string{media21}) {
			t.Errorf("MediaTypes = %v, want the STIX 2.1 default", c.MediaTypes)
		}
		if !c.Created.Equal(pinnedNow) || c.Created.Location() != time.UTC {
			t.Errorf("Created = %v, want the pinned clock %v in UTC", c.Created, pinnedNow)
		}
		if c.Seq == 0 {
			t.Error("Seq = 0, want a creation sequence number")
		}
		if c.Title != "T" || c.Description != "D" || c.Alias != "feed" || !c.PublicRead || c.PublicWrite || c.APIRoot != "r" {
			t.Errorf("collection = %+v does not hold the given fields %+v", c, given)
		}
		for _, key := range []string{c.ID, "feed"} {
			got, err := db.Collection(ctx, "r", key)
			if err != nil {
				t.Fatalf("Collection(%q): %v", key, err)
			}
			if !reflect.DeepEqual(got, c) {
				t.Errorf("Collection(%q) = %+v, want %+v", key, got, c)
			}
		}
	})

	t.Run("UniqueIDs", func(t *testing.T) {
		db := s.open(t)
		seen := map[string]bool{}
		for range 20 {
			c := mustCreateCollection(t, db, "r", store.Collection{})
			if seen[c.ID] || !uuid4.MatchString(c.ID) {
				t.Fatalf("id %q repeated or not a UUIDv4", c.ID)
			}
			seen[c.ID] = true
		}
	})

	t.Run("MediaTypes", func(t *testing.T) {
		tests := []struct {
			name      string
			given     []string
			expect    []string
			expectErr error
		}{
			{"Default", nil, []string{media21}, nil},
			{"EmptySlice", []string{}, []string{media21}, nil},
			{"Both", []string{media21, media20}, []string{media21, media20}, nil},
			{"Only20", []string{media20}, []string{media20}, nil},
			{"Unknown", []string{"application/json"}, nil, store.ErrInvalid},
			{"OneUnknown", []string{media21, "application/stix+json;version=2.2"}, nil, store.ErrInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				db := s.open(t)
				mustCreateRoot(t, db, "r")
				c, err := db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "T", MediaTypes: tt.given})
				if !errors.Is(err, tt.expectErr) {
					t.Fatalf("error = %v, want %v", err, tt.expectErr)
				}
				if err != nil {
					return
				}
				if !reflect.DeepEqual(c.MediaTypes, tt.expect) {
					t.Errorf("MediaTypes = %v, want %v", c.MediaTypes, tt.expect)
				}
				got, err := db.Collection(ctx, "r", c.ID)
				if err != nil || !reflect.DeepEqual(got.MediaTypes, tt.expect) {
					t.Errorf("stored MediaTypes = %v (%v), want %v", got.MediaTypes, err, tt.expect)
				}
			})
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		tests := []struct {
			name  string
			given store.Collection
		}{
			{"EmptyTitle", store.Collection{APIRoot: "r"}},
			{"AliasUUID", store.Collection{APIRoot: "r", Title: "T", Alias: "0d9a1b0e-3b5c-4c1d-8e2f-1a2b3c4d5e6f"}},
			{"AliasUUIDOfExisting", store.Collection{APIRoot: "r", Title: "T", Alias: "<existing>"}},
			{"AliasUppercase", store.Collection{APIRoot: "r", Title: "T", Alias: "Feed"}},
			{"AliasSlash", store.Collection{APIRoot: "r", Title: "T", Alias: "a/b"}},
			{"AliasDotDot", store.Collection{APIRoot: "r", Title: "T", Alias: ".."}},
			{"AliasTooLong", store.Collection{APIRoot: "r", Title: "T", Alias: strings.Repeat("a", 65)}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				db := s.open(t)
				existing := mustCreateCollection(t, db, "r", store.Collection{})
				if tt.given.Alias == "<existing>" {
					tt.given.Alias = existing.ID
				}
				if _, err := db.CreateCollection(ctx, tt.given); !errors.Is(err, store.ErrInvalid) {
					t.Fatalf("CreateCollection(%+v) error = %v, want ErrInvalid", tt.given, err)
				}
				cs, err := db.Collections(ctx, "r")
				if err != nil {
					t.Fatal(err)
				}
				if len(cs) != 1 {
					t.Errorf("Collections holds %d collections after a refused create, want 1", len(cs))
				}
			})
		}
	})

	t.Run("ErrAPIRootNotFound", func(t *testing.T) {
		db := s.open(t)
		_, err := db.CreateCollection(ctx, store.Collection{APIRoot: "missing", Title: "T"})
		if !errors.Is(err, store.ErrAPIRootNotFound) {
			t.Fatalf("error = %v, want ErrAPIRootNotFound", err)
		}
	})

	t.Run("Alias", func(t *testing.T) {
		db := s.open(t)
		a := mustCreateCollection(t, db, "a", store.Collection{Alias: "feed", Title: "A feed"})
		// The same alias in another API root is another collection.
		b := mustCreateCollection(t, db, "b", store.Collection{Alias: "feed", Title: "B feed"})
		if a.ID == b.ID {
			t.Fatal("two collections got one id")
		}
		// Twice in one API root is refused.
		_, err := db.CreateCollection(ctx, store.Collection{APIRoot: "a", Title: "again", Alias: "feed"})
		if !errors.Is(err, store.ErrExists) {
			t.Errorf("duplicate alias error = %v, want ErrExists", err)
		}
		// Collections without alias do not collide with each other.
		mustCreateCollection(t, db, "a", store.Collection{})
		mustCreateCollection(t, db, "a", store.Collection{})

		for _, tc := range []struct{ root, key, expectTitle string }{
			{"a", "feed", "A feed"},
			{"b", "feed", "B feed"},
			{"a", a.ID, "A feed"},
			{"b", b.ID, "B feed"},
		} {
			got, err := db.Collection(ctx, tc.root, tc.key)
			if err != nil {
				t.Errorf("Collection(%q, %q): %v", tc.root, tc.key, err)
				continue
			}
			if got.Title != tc.expectTitle {
				t.Errorf("Collection(%q, %q).Title = %q, want %q", tc.root, tc.key, got.Title, tc.expectTitle)
			}
		}
		cs, err := db.Collections(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 3 {
			t.Errorf("root a holds %d collections, want 3 (the refused duplicate must not be stored)", len(cs))
		}
	})
}

func (s *suite) testCollection(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	a := mustCreateCollection(t, db, "a", store.Collection{Alias: "only-in-a"})
	b := mustCreateCollection(t, db, "b", store.Collection{})
	mustCreateRoot(t, db, "empty")

	t.Run("OK", func(t *testing.T) {
		for _, key := range []string{a.ID, "only-in-a"} {
			got, err := db.Collection(ctx, "a", key)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != a.ID {
				t.Errorf("Collection(a, %q).ID = %q, want %q", key, got.ID, a.ID)
			}
		}
	})
	t.Run("ErrCollectionNotFound", func(t *testing.T) {
		tests := []struct{ name, root, key string }{
			{"UnknownID", "a", testUUID(1)},
			{"UnknownAlias", "a", "nope"},
			{"IDOfOtherRoot", "a", b.ID},
			{"OtherRootByID", "b", a.ID},
			{"OtherRootByAlias", "b", "only-in-a"},
			{"EmptyRoot", "empty", a.ID},
			{"UppercaseID", "a", strings.ToUpper(a.ID)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := db.Collection(ctx, tt.root, tt.key); !errors.Is(err, store.ErrCollectionNotFound) {
					t.Errorf("Collection(%q, %q) error = %v, want ErrCollectionNotFound", tt.root, tt.key, err)
				}
			})
		}
	})
	t.Run("ErrAPIRootNotFound", func(t *testing.T) {
		if _, err := db.Collection(ctx, "missing", a.ID); !errors.Is(err, store.ErrAPIRootNotFound) {
			t.Errorf("error = %v, want ErrAPIRootNotFound", err)
		}
	})
}

// An empty id-or-alias names no collection (the alias scan once matched
// the first collection without an alias).
func (s *suite) testCollection_EmptyKeyMatchesNothing(t *testing.T) {
	db := s.open(t)
	mustCreateCollection(t, db, "a", store.Collection{})
	got, err := db.Collection(context.Background(), "a", "")
	if !errors.Is(err, store.ErrCollectionNotFound) {
		t.Errorf(`Collection(a, "") = %+v, %v; want ErrCollectionNotFound`, got, err)
	}
}

func (s *suite) testCollections(t *testing.T) {
	ctx := context.Background()
	t.Run("CreationOrder", func(t *testing.T) {
		db := s.open(t)
		mustCreateRoot(t, db, "a")
		mustCreateRoot(t, db, "b")
		var want []string
		titles := []string{"zulu", "alpha", "mike", "bravo", "yankee", "charlie", "x-ray", "delta"}
		for i, title := range titles {
			c := mustCreateCollection(t, db, "a", store.Collection{Title: title})
			want = append(want, c.ID)
			// Collections of another root interleave and must not show.
			if i%2 == 0 {
				mustCreateCollection(t, db, "b", store.Collection{Title: title})
			}
		}
		for range 2 { // stable across calls
			cs, err := db.Collections(ctx, "a")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, c := range cs {
				got = append(got, c.ID)
				if c.APIRoot != "a" || c.Title != titles[i] {
					t.Errorf("collection %d = %+v, want title %q in root a", i, c, titles[i])
				}
				if i > 0 && c.Seq <= cs[i-1].Seq {
					t.Errorf("Seq not increasing: %d after %d", c.Seq, cs[i-1].Seq)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Collections ids = %v, want creation order %v", got, want)
			}
		}
		cs, err := db.Collections(ctx, "b")
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 4 {
			t.Errorf("root b holds %d collections, want 4", len(cs))
		}
	})
	t.Run("Empty", func(t *testing.T) {
		db := s.open(t)
		mustCreateRoot(t, db, "a")
		cs, err := db.Collections(ctx, "a")
		if err != nil || len(cs) != 0 {
			t.Errorf("Collections = %v, %v; want none", cs, err)
		}
	})
	t.Run("ErrAPIRootNotFound", func(t *testing.T) {
		db := s.open(t)
		if _, err := db.Collections(ctx, "missing"); !errors.Is(err, store.ErrAPIRootNotFound) {
			t.Errorf("error = %v, want ErrAPIRootNotFound", err)
		}
	})
}

func (s *suite) testUpdateCollection(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	mustCreateRoot(t, db, "a")
	c1 := mustCreateCollection(t, db, "a", store.Collection{Alias: "one"})
	mustCreateCollection(t, db, "a", store.Collection{Alias: "two"})
	got, err := db.UpdateCollection(ctx, c1.ID, store.CollectionUpdate{Title: ptr("T"), Alias: ptr("uno"), PublicRead: ptr(true), RejectCustom: ptr(true)})
	if err != nil || got.Title != "T" || got.Alias != "uno" || !got.PublicRead || !got.RejectCustom {
		t.Fatalf("UpdateCollection = %+v, %v", got, err)
	}
	if _, err := db.Collection(ctx, "a", "uno"); err != nil {
		t.Errorf("lookup by new alias: %v", err)
	}
	for _, tc := range []struct {
		u    store.CollectionUpdate
		want error
	}{
		{store.CollectionUpdate{Alias: ptr("two")}, store.ErrExists},
		{store.CollectionUpdate{Alias: ptr("Bad Alias")}, store.ErrInvalid},
		{store.CollectionUpdate{Title: ptr("")}, store.ErrInvalid},
		{store.CollectionUpdate{MediaTypes: ptr([]string{"text/plain"})}, store.ErrInvalid},
	} {
		if _, err := db.UpdateCollection(ctx, c1.ID, tc.u); !errors.Is(err, tc.want) {
			t.Errorf("UpdateCollection(%+v) = %v, want %v", tc.u, err, tc.want)
		}
	}
	if got, _ := db.UpdateCollection(ctx, c1.ID, store.CollectionUpdate{Alias: ptr("")}); got.Alias != "" {
		t.Errorf("alias not removed: %+v", got)
	}
}

func (s *suite) testCollectionStats(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	c := mustCreateCollection(t, db, testRoot, store.Collection{})
	if st, err := db.CollectionStats(ctx, c.ID); err != nil || st.Objects != 0 || st.Versions != 0 || !st.FirstAdded.IsZero() {
		t.Fatalf("empty stats = %+v, %v", st, err)
	}
	objs := []string{indicator(1, "2020-01-01T00:00:00.000Z"), indicator(1, "2020-02-01T00:00:00.000Z"), indicator(2, "2020-01-01T00:00:00.000Z")}
	mustAdd(t, db, c, objs...)
	st, err := db.CollectionStats(ctx, c.ID)
	want := 0
	for _, o := range objs {
		want += len(compact(t, o))
	}
	if err != nil || st.Objects != 2 || st.Versions != 3 || st.Bytes != int64(want) || !st.FirstAdded.Before(st.LastAdded) {
		t.Fatalf("stats = %+v, %v (want 2 objects, 3 versions, %d bytes)", st, err, want)
	}
}
