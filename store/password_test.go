package store_test

import (
	"errors"
	"strings"
	"testing"

	"liaison/store"
)

// TestCheckPassword_MalformedHash checks that a damaged or tampered stored
// hash is an error, never a panic: argon2 panics on zero passes or zero
// threads, and a panic in a password check kills the whole server (it runs
// in a singleflight goroutine, beyond the handlers' recover).
func TestCheckPassword_MalformedHash(t *testing.T) {
	const password = "malformed-hash-test-9Zp"
	good, err := store.HashPassword(store.PasswordCost{Memory: 64, Time: 1, Threads: 1}, password)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CheckPassword(good, password); err != nil {
		t.Fatalf("the intact hash: %v", err)
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=...,t=...,p=..., salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for _, tc := range []struct {
		name, hash, wantErr string
	}{
		{"zero passes", with(3, "m=19456,t=0,p=1"), "password hash: bad parameters"},
		{"zero threads", with(3, "m=19456,t=2,p=0"), "password hash: bad parameters"},
		{"too many passes", with(3, "m=19456,t=101,p=1"), "password hash: bad parameters"},
		{"negative memory", with(3, "m=-1,t=2,p=1"), "password hash: bad parameters"},
		{"missing parameter", with(3, "m=19456,t=2"), "password hash: bad parameters"},
		{"other algorithm", with(1, "argon2i"), "password hash: unknown format"},
		{"other version", with(2, "v=16"), "password hash: unknown version"},
		{"bad salt", with(4, "!!"), "password hash: bad encoding"},
		{"empty key", with(5, ""), "password hash: bad encoding"},
		{"empty", "", "password hash: unknown format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := store.CheckPassword(tc.hash, password)
			if err == nil || errors.Is(err, store.ErrBadPassword) || err.Error() != tc.wantErr {
				t.Errorf("CheckPassword(%q) = %v, want %q", tc.hash, err, tc.wantErr)
			}
		})
	}
}

// TestPasswordsVerify checks the password check both backends' VerifyPassword
// make after looking the user up.
func TestPasswordsVerify(t *testing.T) {
	p := store.NewPasswords(store.PasswordCost{Memory: 64, Time: 1, Threads: 1})
	hash, err := p.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	alice := store.User{Name: "alice", PasswordHash: hash}
	for _, tc := range []struct {
		name      string
		u         store.User
		lookupErr error
		password  string
		want      error
	}{
		{"right password", alice, nil, "correct horse battery staple", nil},
		{"wrong password", alice, nil, "wrong", store.ErrBadPassword},
		{"no password set", store.User{Name: "bob"}, nil, "", store.ErrBadPassword},
		{"unknown user", store.User{}, store.ErrUserNotFound, "correct horse battery staple", store.ErrUserNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := p.Verify(tc.u, tc.lookupErr, tc.password)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if err == nil && u.Name != tc.u.Name {
				t.Errorf("returned user %q, want %q", u.Name, tc.u.Name)
			}
			if err != nil && u.Name != "" {
				t.Errorf("returned user %q with an error", u.Name)
			}
		})
	}
}
