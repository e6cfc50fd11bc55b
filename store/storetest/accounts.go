package storetest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"liaison/store"
)

func (s *suite) testCreateUser(t *testing.T) {
	ctx := context.Background()
	t.Run("ErrInvalid", func(t *testing.T) {
		db := s.open(t)
		for _, name := range []string{"", "anonymous", "bad name", "a/b", "é", strings.Repeat("a", 65)} {
			if _, err := db.CreateUser(ctx, name, false, ""); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("CreateUser(%q) = %v, want ErrInvalid", name, err)
			}
		}
		if users, err := db.Users(ctx); err != nil || len(users) != 0 {
			t.Errorf("Users after refused creates = %v, %v; want none", users, err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		db := s.open(t)
		for _, name := range []string{"Alice.B@example-1_x", strings.Repeat("z", 64)} {
			u, err := db.CreateUser(ctx, name, true, "a long passphrase")
			if err != nil {
				t.Fatalf("CreateUser(%q): %v", name, err)
			}
			if u.Name != name || !u.Admin || !u.Created.Equal(pinnedNow) || u.PasswordHash == "" || len(u.Grants) != 0 {
				t.Errorf("CreateUser = %+v", u)
			}
			got, err := db.User(ctx, name)
			if err != nil || !reflect.DeepEqual(got, u) {
				t.Errorf("User(%q) = %+v, %v; want %+v", name, got, err, u)
			}
		}
		if _, err := db.CreateUser(ctx, "Alice.B@example-1_x", false, ""); !errors.Is(err, store.ErrExists) {
			t.Errorf("second CreateUser = %v, want ErrExists", err)
		}
		if u, _ := db.User(ctx, "Alice.B@example-1_x"); !u.Admin {
			t.Error("a refused create changed the existing user")
		}
	})
	t.Run("SortedByName", func(t *testing.T) {
		db := s.open(t)
		for _, n := range []string{"mallory", "bob", "zed", "alice"} {
			if _, err := db.CreateUser(ctx, n, false, ""); err != nil {
				t.Fatal(err)
			}
		}
		users, err := db.Users(ctx)
		var names []string
		for _, u := range users {
			names = append(names, u.Name)
		}
		if want := []string{"alice", "bob", "mallory", "zed"}; err != nil || !reflect.DeepEqual(names, want) {
			t.Errorf("Users = %v, %v; want %v", names, err, want)
		}
	})
}

func (s *suite) testPasswords(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	if _, err := db.CreateUser(ctx, "alice", false, "first passphrase"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, "keys-only", false, ""); err != nil {
		t.Fatal(err)
	}
	verify := func(name, password string, want error) {
		t.Helper()
		u, err := db.VerifyPassword(ctx, name, password)
		if !errors.Is(err, want) {
			t.Errorf("VerifyPassword(%q, %q) = %v, want %v", name, password, err, want)
		}
		if err == nil && u.Name != name {
			t.Errorf("VerifyPassword(%q) returned user %q", name, u.Name)
		}
		if err != nil && !reflect.DeepEqual(u, store.User{}) {
			t.Errorf("VerifyPassword(%q, %q) returned %+v with an error", name, password, u)
		}
	}
	verify("alice", "first passphrase", nil)
	verify("alice", "First passphrase", store.ErrBadPassword)
	verify("alice", "", store.ErrBadPassword)
	verify("keys-only", "", store.ErrBadPassword)
	verify("keys-only", "anything", store.ErrBadPassword)
	verify("nobody", "first passphrase", store.ErrUserNotFound)

	if err := db.SetPassword(ctx, "alice", "second passphrase"); err != nil {
		t.Fatal(err)
	}
	verify("alice", "first passphrase", store.ErrBadPassword)
	verify("alice", "second passphrase", nil)
	if err := db.SetPassword(ctx, "alice", ""); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.User(ctx, "alice"); u.PasswordHash != "" {
		t.Errorf("an empty password left the hash %q", u.PasswordHash)
	}
	verify("alice", "second passphrase", store.ErrBadPassword)
	if err := db.SetPassword(ctx, "nobody", "x"); !errors.Is(err, store.ErrUserNotFound) {
		t.Errorf("SetPassword of an unknown user = %v", err)
	}

	if err := db.SetAdmin(ctx, "alice", true); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.User(ctx, "alice"); !u.Admin {
		t.Error("SetAdmin(true) did not make alice an admin")
	}
	if err := db.SetAdmin(ctx, "alice", false); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.User(ctx, "alice"); u.Admin {
		t.Error("SetAdmin(false) left alice an admin")
	}
	if err := db.SetAdmin(ctx, "nobody", true); !errors.Is(err, store.ErrUserNotFound) {
		t.Errorf("SetAdmin of an unknown user = %v", err)
	}
}

func (s *suite) testGrants(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	a := mustCreateCollection(t, db, testRoot, store.Collection{})
	b := mustCreateCollection(t, db, testRoot, store.Collection{})
	if _, err := db.CreateUser(ctx, "alice", false, ""); err != nil {
		t.Fatal(err)
	}
	grants := func() map[string]store.Grant {
		t.Helper()
		u, err := db.User(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		return u.Grants
	}
	if err := db.SetGrant(ctx, "alice", a.ID, store.Grant{Read: true}); err != nil {
		t.Fatal(err)
	}
	var seen []store.Grant
	g, err := db.UpdateGrant(ctx, "alice", a.ID, func(g store.Grant) store.Grant {
		seen = append(seen, g)
		g.Write = true
		return g
	})
	if err != nil || !reflect.DeepEqual(g, store.Grant{Read: true, Write: true}) || !reflect.DeepEqual(seen, []store.Grant{{Read: true}}) {
		t.Errorf("UpdateGrant = %+v, %v (f saw %v); want read+write, f seeing read", g, err, seen)
	}
	if _, err := db.UpdateGrant(ctx, "alice", b.ID, func(g store.Grant) store.Grant {
		if !reflect.DeepEqual(g, store.Grant{}) {
			t.Errorf("f saw %+v for a collection without a grant, want no rights", g)
		}
		return store.Grant{Write: true}
	}); err != nil {
		t.Fatal(err)
	}
	if want := map[string]store.Grant{a.ID: {Read: true, Write: true}, b.ID: {Write: true}}; !reflect.DeepEqual(grants(), want) {
		t.Errorf("grants = %v, want %v", grants(), want)
	}
	// A grant without rights is removed.
	if err := db.SetGrant(ctx, "alice", a.ID, store.Grant{}); err != nil {
		t.Fatal(err)
	}
	if want := map[string]store.Grant{b.ID: {Write: true}}; !reflect.DeepEqual(grants(), want) {
		t.Errorf("grants after removing one = %v, want %v", grants(), want)
	}
	if err := db.SetGrant(ctx, "alice", testUUID(99), store.Grant{Read: true}); !errors.Is(err, store.ErrCollectionNotFound) {
		t.Errorf("grant on an unknown collection = %v, want ErrCollectionNotFound", err)
	}
	if err := db.SetGrant(ctx, "nobody", a.ID, store.Grant{Read: true}); !errors.Is(err, store.ErrUserNotFound) {
		t.Errorf("grant to an unknown user = %v, want ErrUserNotFound", err)
	}
	if want := map[string]store.Grant{b.ID: {Write: true}}; !reflect.DeepEqual(grants(), want) {
		t.Errorf("refused grants changed the user's: %v", grants())
	}
}

func (s *suite) testAPIKeys(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	for _, n := range []string{"alice", "bob"} {
		if _, err := db.CreateUser(ctx, n, false, ""); err != nil {
			t.Fatal(err)
		}
	}
	key, token, err := db.CreateAPIKey(ctx, "alice", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !store.IsAPIKey(token) || store.APIKeyID(token) != key.ID || key.User != "alice" || !key.Created.Equal(pinnedNow) || key.Revoked {
		t.Errorf("CreateAPIKey = %+v, %q", key, token)
	}
	if strings.Contains(string(key.Hash), token) {
		t.Error("the key holds its token")
	}
	setNow(db, pinnedNow.Add(time.Second)) // listed by creation time
	later, laterToken, err := db.CreateAPIKey(ctx, "alice", pinnedNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateAPIKey(ctx, "nobody", time.Time{}); !errors.Is(err, store.ErrUserNotFound) {
		t.Errorf("key for an unknown user: %v", err)
	}

	u, got, err := db.VerifyAPIKey(ctx, token)
	if err != nil || u.Name != "alice" || got.ID != key.ID || got.Hash != nil {
		t.Errorf("VerifyAPIKey = %+v, %+v, %v; want alice's key without its hash", u, got, err)
	}
	wrongSecret := token[:len(token)-1] + map[bool]string{true: "A", false: "B"}[token[len(token)-1] != 'A']
	for _, tc := range []struct{ name, token string }{
		{"Empty", ""},
		{"NotAKey", "password"},
		{"WrongSecret", wrongSecret},
		{"UnknownID", "lsn_0000000000000000_" + token[len(token)-43:]},
		{"OtherKeysSecret", token[:4+16+1] + laterToken[len(laterToken)-43:]},
	} {
		if _, _, err := db.VerifyAPIKey(ctx, tc.token); !errors.Is(err, store.ErrBadAPIKey) {
			t.Errorf("%s: VerifyAPIKey = %v, want ErrBadAPIKey", tc.name, err)
		}
	}

	keys, err := db.APIKeys(ctx, "alice")
	if err != nil || len(keys) != 2 || keys[0].ID != key.ID || keys[1].ID != later.ID {
		t.Fatalf("APIKeys = %+v, %v; want alice's two keys, oldest first", keys, err)
	}
	for _, k := range keys {
		if k.Hash != nil {
			t.Errorf("APIKeys shows the hash of %s", k.ID)
		}
	}
	if keys, err := db.APIKeys(ctx, "bob"); err != nil || len(keys) != 0 {
		t.Errorf("bob's keys = %+v, %v; want none", keys, err)
	}
	if _, err := db.APIKeys(ctx, "nobody"); !errors.Is(err, store.ErrUserNotFound) {
		t.Errorf("keys of an unknown user: %v", err)
	}

	// Expiry: valid before, refused at the instant and after.
	if _, _, err := db.VerifyAPIKey(ctx, laterToken); err != nil {
		t.Errorf("a key an hour from expiry: %v", err)
	}
	setNow(db, pinnedNow.Add(time.Hour))
	if _, _, err := db.VerifyAPIKey(ctx, laterToken); !errors.Is(err, store.ErrBadAPIKey) {
		t.Errorf("a key at its expiry: %v, want ErrBadAPIKey", err)
	}
	setNow(db, pinnedNow)

	// Last use: later times are kept, earlier ones and unknown keys ignored.
	t1, t2 := pinnedNow.Add(time.Minute), pinnedNow.Add(2*time.Minute)
	if err := db.TouchAPIKeys(ctx, map[string]time.Time{key.ID: t2, "0000000000000000": t1}); err != nil {
		t.Fatal(err)
	}
	if err := db.TouchAPIKeys(ctx, map[string]time.Time{key.ID: t1}); err != nil {
		t.Fatal(err)
	}
	if err := db.TouchAPIKeys(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if keys, _ := db.APIKeys(ctx, "alice"); !keys[0].LastUsed.Equal(t2) || !keys[1].LastUsed.IsZero() {
		t.Errorf("last used = %v, %v; want %v and zero", keys[0].LastUsed, keys[1].LastUsed, t2)
	}

	// Revocation.
	if err := db.RevokeAPIKey(ctx, key.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.VerifyAPIKey(ctx, token); !errors.Is(err, store.ErrBadAPIKey) {
		t.Errorf("a revoked key: %v, want ErrBadAPIKey", err)
	}
	if keys, _ := db.APIKeys(ctx, "alice"); !keys[0].Revoked {
		t.Error("APIKeys does not show the revocation")
	}
	if err := db.RevokeAPIKey(ctx, "0000000000000000"); !errors.Is(err, store.ErrAPIKeyNotFound) {
		t.Errorf("revoking an unknown key: %v, want ErrAPIKeyNotFound", err)
	}

	// Removing a user removes its keys.
	_, bobToken, err := db.CreateAPIKey(ctx, "bob", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveUser(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.User(ctx, "alice"); !errors.Is(err, store.ErrUserNotFound) {
		t.Errorf("User after RemoveUser: %v", err)
	}
	if _, _, err := db.VerifyAPIKey(ctx, laterToken); !errors.Is(err, store.ErrBadAPIKey) {
		t.Errorf("a removed user's key: %v, want ErrBadAPIKey", err)
	}
	if err := db.RevokeAPIKey(ctx, later.ID); !errors.Is(err, store.ErrAPIKeyNotFound) {
		t.Errorf("a removed user's key is still stored: %v", err)
	}
	if _, _, err := db.VerifyAPIKey(ctx, bobToken); err != nil {
		t.Errorf("another user's key after RemoveUser: %v", err)
	}
	if err := db.RemoveUser(ctx, "alice"); !errors.Is(err, store.ErrUserNotFound) {
		t.Errorf("removing a removed user: %v", err)
	}
}
