package store

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Fuzz targets for what the store reads back from its file: a damaged or
// tampered user record must give errors, never panics. Crashers that `go
// test -fuzz` finds are kept under testdata/fuzz/FuzzXxx/ and run as
// regression tests.

// fuzzMaxArgonCost bounds the work of one FuzzCheckPassword input, in KiB
// of memory times passes: hashes with larger parameters are skipped, or
// the fuzzer would spend its time (and gigabytes) in argon2id. Liaison's
// own hashes cost 19 MiB x 2 passes.
const fuzzMaxArgonCost = 64 << 10

// FuzzCheckPassword verifies passwords against arbitrary stored hashes (a
// damaged or tampered user record). CheckPassword must never panic, must
// accept only the password the hash was made from, and must otherwise
// answer ErrBadPassword or a "password hash:" error. (A hash whose key is
// a few bytes long matches other passwords by chance: the fuzzer finds
// them for a one-byte key. Only keys of 8 bytes or more are held to it.)
func FuzzCheckPassword(f *testing.F) {
	const password = "fuzz-stored-hash-5Tq9w"
	good, err := HashPassword(PasswordCost{}, password)
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	for _, h := range []string{
		good,
		NewPasswords(PasswordCost{}).dummy(),
		"",
		"$",
		"$$$$$",
		"$argon2id$",
		"$argon2id$v=19$m=19456,t=2,p=1$$",
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",
		"$argon2id$v=19$m=19456,t=2,p=1$$" + key,
		"$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=0,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=8,t=1,p=255$" + salt + "$" + key,
		"$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=-2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=256$" + salt + "$" + key,
		"$argon2id$v=19$m=99999999999999999999,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "=$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$",
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$" + key,
		"argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
	} {
		f.Add(h, password)
		f.Add(h, "wrong")
	}
	f.Fuzz(func(t *testing.T, hash, pw string) {
		keyLen := 0
		if p := strings.Split(hash, "$"); len(p) == 6 {
			var mem, iter uint32
			var threads uint8
			if _, err := fmt.Sscanf(p[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err == nil &&
				uint64(max(mem, 8*uint32(threads)))*uint64(iter) > fuzzMaxArgonCost {
				t.Skip("argon2id parameters too costly for fuzzing")
			}
			key, _ := base64.RawStdEncoding.DecodeString(p[5])
			keyLen = len(key)
		}
		err := CheckPassword(hash, pw)
		switch {
		case err == nil:
			if pw != password && keyLen >= 8 {
				t.Fatalf("CheckPassword(%q, %q) accepted a password the hash was not made from", hash, pw)
			}
		case errors.Is(err, ErrBadPassword), strings.HasPrefix(err.Error(), "password hash: "):
		default:
			t.Fatalf("CheckPassword(%q, %q) = %v", hash, pw, err)
		}
	})
}
