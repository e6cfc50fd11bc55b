package store

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// Grant is a user's rights on one collection.
type Grant struct {
	Read  bool `json:"read"`
	Write bool `json:"write"`
	// Clearance is the highest TLP level the user may receive from the
	// collection (a stix.TLPLevel name; "": DefaultGrantClearance), and
	// may post: objects above it are refused.
	Clearance string `json:"clearance,omitempty"`
	// AllowMarkings are marking definitions other than TLP's the user may
	// receive.
	AllowMarkings []string `json:"allow_markings,omitempty"`
}

// CheckGrant refuses, with ErrInvalid, a clearance that is not a TLP level
// and allowed markings that are not marking definitions.
func CheckGrant(g Grant) error {
	if _, err := ClearanceLevel(g.Clearance, DefaultGrantClearance); err != nil {
		return fmt.Errorf("grant: %w", err)
	}
	return checkMarkingIDs("grant", g.AllowMarkings)
}

// User is an account. Admins may do everything; other users have the
// rights their grants give, plus reading public-read collections.
type User struct {
	Name         string           `json:"name"`
	Admin        bool             `json:"admin,omitempty"`
	PasswordHash string           `json:"password_hash,omitempty"` // argon2id; empty: API keys only
	Grants       map[string]Grant `json:"grants,omitempty"`        // by collection id
	// Org is the identity id of the user's organisation: TLP:AMBER+STRICT
	// objects are shared within it.
	Org     string    `json:"org,omitempty"`
	Created time.Time `json:"created"`
}

// APIKey is a user's API key. The secret itself is never stored.
type APIKey struct {
	ID       string    `json:"id"`
	User     string    `json:"user"`
	Hash     []byte    `json:"hash,omitempty"` // SHA-256 of the secret; empty outside the store
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires,omitzero"`
	LastUsed time.Time `json:"last_used,omitzero"`
	Revoked  bool      `json:"revoked,omitempty"`
}

// reservedUserNames are names the server uses for principals that are not
// accounts: a user so named would see their status resources.
var reservedUserNames = map[string]bool{"anonymous": true}

// CheckUserName refuses, with ErrInvalid, a name no user may have.
// Backends call it in CreateUser.
func CheckUserName(name string) error {
	valid := len(name) > 0 && len(name) <= 64 && !reservedUserNames[name]
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '@') {
			valid = false
		}
	}
	if !valid {
		return fmt.Errorf("user name %q: %w: use 1-64 characters of letters, digits, '-', '_', '.' and '@'", name, ErrInvalid)
	}
	return nil
}

// API keys look like "lsn_<id>_<secret>": a public id of 8 random bytes in
// hex, which names the key in listings and finds it in the store, and a
// secret of 32 random bytes in base64url. Only a SHA-256 of the secret is
// stored. With 256 random bits no password-style slow hash is needed: no
// dictionary helps against it.
const apiKeyPrefix = "lsn_"

// NewAPIKey returns a new key for user, created at now and expiring at
// expires (zero: never), with its token, which is shown once and never
// stored: the key holds the hash of its secret.
func NewAPIKey(user string, now, expires time.Time) (APIKey, string, error) {
	b := make([]byte, 8+32)
	if _, err := rand.Read(b); err != nil {
		return APIKey{}, "", fmt.Errorf("generate API key: %w", err)
	}
	id := fmt.Sprintf("%x", b[:8])
	secret := base64.RawURLEncoding.EncodeToString(b[8:])
	sum := sha256.Sum256([]byte(secret))
	key := APIKey{ID: id, User: user, Hash: sum[:], Created: now, Expires: expires}
	return key, apiKeyPrefix + id + "_" + secret, nil
}

// Admits reports whether token is a current token of the key: its secret
// matches (compared in constant time), and the key is neither revoked nor
// expired at now. The key's id is the token's (APIKeyID) when the backend
// found it by that id.
func (k APIKey) Admits(token string, now time.Time) bool {
	id, secret, ok := splitAPIKey(token)
	if !ok || id != k.ID {
		return false
	}
	sum := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(sum[:], k.Hash) == 1 && !k.Revoked && (k.Expires.IsZero() || now.Before(k.Expires))
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
