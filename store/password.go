package store

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// PasswordCost is the cost of argon2id password hashes. The zero value
// is DefaultPasswordCost: OWASP's minimum parameters (19 MiB of memory, 2
// passes, 1 thread), about 30-60 ms per hash on one core. That is the
// point of it; servers keep it off the hot path by caching verified
// credentials briefly (see taxii/auth). Tests set it low
// (storetest.CheapPasswordCost): their passwords guard nothing.
type PasswordCost struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// The production parameters, those of the zero PasswordCost.
const (
	defaultArgonMemory  = 19 * 1024 // KiB
	defaultArgonTime    = 2
	defaultArgonThreads = 1

	argonKeyLen  = 32
	argonSaltLen = 16
)

// DefaultPasswordCost returns the production cost.
func DefaultPasswordCost() PasswordCost {
	return PasswordCost{Memory: defaultArgonMemory, Time: defaultArgonTime, Threads: defaultArgonThreads}
}

// orDefault returns c, or the production cost for the zero value.
func (c PasswordCost) orDefault() PasswordCost {
	if c == (PasswordCost{}) {
		return DefaultPasswordCost()
	}
	return c
}

// HashPassword returns the argon2id hash of password at cost c (zero:
// DefaultPasswordCost) in the PHC string format
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash), which holds the cost:
// CheckPassword needs nothing else.
func HashPassword(c PasswordCost, password string) (string, error) {
	c = c.orDefault()
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, c.Time, c.Memory, c.Threads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.Memory, c.Time, c.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Passwords hashes and checks the passwords of one store at its cost. A
// backend keeps one for its lifetime.
type Passwords struct {
	Cost  PasswordCost
	dummy func() string
}

// NewPasswords returns Passwords hashing at cost c (zero:
// DefaultPasswordCost).
func NewPasswords(c PasswordCost) *Passwords {
	c = c.orDefault()
	return &Passwords{Cost: c, dummy: sync.OnceValue(func() string {
		// A hash that matches nothing anyone can send.
		h, _ := HashPassword(c, "\x00liaison: no such user\x00")
		return h
	})}
}

// Hash returns the hash of password at the cost.
func (p *Passwords) Hash(password string) (string, error) { return HashPassword(p.Cost, password) }

// Check compares password with hash (CheckPassword). For an empty hash (a
// user without a password, or none at all) it spends the time of a check
// against a hash that matches nothing, and returns ErrBadPassword: the
// delay of an answer must not tell which user names exist.
func (p *Passwords) Check(hash, password string) error {
	if hash == "" {
		_ = CheckPassword(p.dummy(), password)
		return ErrBadPassword
	}
	return CheckPassword(hash, password)
}

// Verify returns u if password is its password; u and lookupErr are the
// outcome of looking the user up by name. When the lookup failed, a check
// is still made, against a hash that matches nothing, so that an unknown
// name takes as long to refuse as a known one, and lookupErr is returned.
func (p *Passwords) Verify(u User, lookupErr error, password string) (User, error) {
	if lookupErr != nil {
		_ = p.Check("", password)
		return User{}, lookupErr
	}
	if err := p.Check(u.PasswordHash, password); err != nil {
		return User{}, err
	}
	return u, nil
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
