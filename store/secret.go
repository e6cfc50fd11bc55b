package store

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Password hashing: argon2id with OWASP's minimum parameters (19 MiB of
// memory, 2 passes, 1 thread), about 30-60 ms per hash on one core. That
// is the point of it; servers keep it off the hot path by caching verified
// credentials briefly (see taxii/auth).
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// ErrBadPassword is returned when a password does not match its hash.
var ErrBadPassword = errors.New("wrong password")

// dummyHash is a password hash that matches nothing anyone can send, for
// spending the time of a check when there is no real hash to check
// against. Computed once; immutable.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("\x00liaison: no such user\x00")
	return h
})

// HashPassword returns the argon2id hash of password in the PHC string
// format ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword compares password with a hash made by HashPassword, in
// constant time. It returns ErrBadPassword on a mismatch.
func CheckPassword(hash, password string) error {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return fmt.Errorf("password hash: unknown format")
	}
	var version int
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return fmt.Errorf("password hash: unknown version")
	}
	// argon2 panics on zero passes or threads: a damaged record must be an
	// error, not a crash.
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil || threads == 0 || iter == 0 || mem > 1<<22 || iter > 100 {
		return fmt.Errorf("password hash: bad parameters")
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return fmt.Errorf("password hash: bad encoding")
	}
	got := argon2.IDKey([]byte(password), salt, iter, mem, threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrBadPassword
	}
	return nil
}

// API keys look like "lsn_<id>_<secret>": a public id of 8 random bytes in
// hex, which names the key in listings and finds it in the store, and a
// secret of 32 random bytes in base64url. Only a SHA-256 of the secret is
// stored. With 256 random bits no password-style slow hash is needed: no
// dictionary helps against it.
const apiKeyPrefix = "lsn_"

// newAPIKey returns a new key's id, its full token and the hash to store.
func newAPIKey() (id, token string, hash []byte, err error) {
	b := make([]byte, 8+32)
	if _, err := rand.Read(b); err != nil {
		return "", "", nil, fmt.Errorf("generate API key: %w", err)
	}
	id = fmt.Sprintf("%x", b[:8])
	secret := base64.RawURLEncoding.EncodeToString(b[8:])
	sum := sha256.Sum256([]byte(secret))
	return id, apiKeyPrefix + id + "_" + secret, sum[:], nil
}

// IsAPIKey reports whether s has the shape of an API key token.
func IsAPIKey(s string) bool {
	_, _, ok := splitAPIKey(s)
	return ok
}

// APIKeyID returns the public id of an API key token, which names the key
// in listings and logs, or "" when token does not have a key's shape.
func APIKeyID(token string) string {
	id, _, _ := splitAPIKey(token)
	return id
}

func splitAPIKey(token string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(token, apiKeyPrefix)
	if !ok {
		return "", "", false
	}
	id, secret, ok = strings.Cut(rest, "_")
	if !ok || len(id) != 16 || len(secret) != 43 {
		return "", "", false
	}
	return id, secret, true
}
