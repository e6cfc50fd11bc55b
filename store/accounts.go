package store

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"
)

var (
	// ErrUserNotFound is returned when no user has the given name.
	ErrUserNotFound = errors.New("user not found")
	// ErrAPIKeyNotFound is returned when no API key has the given id.
	ErrAPIKeyNotFound = errors.New("API key not found")
	// ErrBadAPIKey is returned when a token is not a valid, current API
	// key: unknown, wrong secret, revoked or expired.
	ErrBadAPIKey = errors.New("invalid API key")
)

var (
	bucketUsers   = []byte("users")    // name -> User JSON
	bucketAPIKeys = []byte("api_keys") // id -> APIKey JSON
)

// Grant is a user's rights on one collection.
type Grant struct {
	Read  bool `json:"read"`
	Write bool `json:"write"`
}

// User is an account. Admins may do everything; other users have the
// rights their grants give, plus reading public-read collections.
type User struct {
	Name         string           `json:"name"`
	Admin        bool             `json:"admin,omitempty"`
	PasswordHash string           `json:"password_hash,omitempty"` // argon2id; empty: API keys only
	Grants       map[string]Grant `json:"grants,omitempty"`        // by collection id
	Created      time.Time        `json:"created"`
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

func validUserName(s string) bool {
	if len(s) == 0 || len(s) > 64 || reservedUserNames[s] {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '@') {
			return false
		}
	}
	return true
}

func (db *DB) updateUser(name string, f func(tx *bbolt.Tx, u *User) error) error {
	return db.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		var u User
		v := b.Get([]byte(name))
		if v == nil {
			return fmt.Errorf("user %q: %w", name, ErrUserNotFound)
		}
		if err := json.Unmarshal(v, &u); err != nil {
			return fmt.Errorf("decode user %q: %w", name, err)
		}
		if err := f(tx, &u); err != nil {
			return err
		}
		return putJSON(b, []byte(name), u)
	})
}

// CreateUser creates a user. An empty password leaves the user without
// one: it can then authenticate only with API keys. Returns ErrExists or
// ErrInvalid for a bad name.
func (db *DB) CreateUser(ctx context.Context, name string, admin bool, password string) (User, error) {
	if !validUserName(name) {
		return User{}, fmt.Errorf("user name %q: %w: use 1-64 characters of letters, digits, '-', '_', '.' and '@'", name, ErrInvalid)
	}
	u := User{Name: name, Admin: admin, Created: db.now()}
	if password != "" {
		h, err := HashPassword(password)
		if err != nil {
			return User{}, err
		}
		u.PasswordHash = h
	}
	err := db.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b.Get([]byte(name)) != nil {
			return fmt.Errorf("user %q: %w", name, ErrExists)
		}
		return putJSON(b, []byte(name), u)
	})
	return u, err
}

// User returns the user with the given name, or ErrUserNotFound.
func (db *DB) User(ctx context.Context, name string) (User, error) {
	var u User
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketUsers).Get([]byte(name))
		if v == nil {
			return fmt.Errorf("user %q: %w", name, ErrUserNotFound)
		}
		return json.Unmarshal(v, &u)
	})
	return u, err
}

// Users returns every user, sorted by name.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	var out []User
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
			var u User
			if err := json.Unmarshal(v, &u); err != nil {
				return fmt.Errorf("decode user %s: %w", k, err)
			}
			out = append(out, u)
			return nil
		})
	})
	return out, err
}

// RemoveUser deletes a user and its API keys. Returns ErrUserNotFound.
func (db *DB) RemoveUser(ctx context.Context, name string) error {
	return db.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b.Get([]byte(name)) == nil {
			return fmt.Errorf("user %q: %w", name, ErrUserNotFound)
		}
		keys := tx.Bucket(bucketAPIKeys)
		var doomed [][]byte
		err := keys.ForEach(func(k, v []byte) error {
			var key APIKey
			if err := json.Unmarshal(v, &key); err == nil && key.User == name {
				doomed = append(doomed, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range doomed {
			if err := keys.Delete(k); err != nil {
				return err
			}
		}
		return b.Delete([]byte(name))
	})
}

// SetPassword replaces a user's password (empty: remove it). Returns
// ErrUserNotFound.
func (db *DB) SetPassword(ctx context.Context, name, password string) error {
	hash := ""
	if password != "" {
		var err error
		if hash, err = HashPassword(password); err != nil {
			return err
		}
	}
	return db.updateUser(name, func(_ *bbolt.Tx, u *User) error {
		u.PasswordHash = hash
		return nil
	})
}

// SetAdmin gives or takes a user's admin role. Returns ErrUserNotFound.
func (db *DB) SetAdmin(ctx context.Context, name string, admin bool) error {
	return db.updateUser(name, func(_ *bbolt.Tx, u *User) error {
		u.Admin = admin
		return nil
	})
}

// SetGrant gives a user rights on a collection; a grant without rights
// removes it. Returns ErrUserNotFound or ErrCollectionNotFound.
func (db *DB) SetGrant(ctx context.Context, name, collection string, g Grant) error {
	_, err := db.UpdateGrant(ctx, name, collection, func(Grant) Grant { return g })
	return err
}

// UpdateGrant replaces a user's grant on a collection with f of it (no
// rights when there is none), in one transaction, and returns the new
// grant; one without rights is removed. Returns ErrUserNotFound or
// ErrCollectionNotFound.
func (db *DB) UpdateGrant(ctx context.Context, name, collection string, f func(Grant) Grant) (Grant, error) {
	var g Grant
	err := db.updateUser(name, func(tx *bbolt.Tx, u *User) error {
		if tx.Bucket(bucketCollections).Get([]byte(collection)) == nil {
			return fmt.Errorf("collection %q: %w", collection, ErrCollectionNotFound)
		}
		if u.Grants == nil {
			u.Grants = map[string]Grant{}
		}
		g = f(u.Grants[collection])
		if g.Read || g.Write {
			u.Grants[collection] = g
		} else {
			delete(u.Grants, collection)
		}
		return nil
	})
	return g, err
}

// VerifyPassword returns the user if password is theirs. Returns
// ErrUserNotFound, or ErrBadPassword (also for a user without password).
func (db *DB) VerifyPassword(ctx context.Context, name, password string) (User, error) {
	u, err := db.User(ctx, name)
	if err != nil || u.PasswordHash == "" {
		// Spend the time a real check takes, so that the answer's delay
		// does not tell which user names exist.
		_ = CheckPassword(dummyHash(), password)
		if err != nil {
			return User{}, err
		}
		return User{}, ErrBadPassword
	}
	if err := CheckPassword(u.PasswordHash, password); err != nil {
		return User{}, err
	}
	return u, nil
}

// CreateAPIKey creates an API key for a user and returns it with its token,
// which is shown once and never stored. A zero expires never expires.
// Returns ErrUserNotFound.
func (db *DB) CreateAPIKey(ctx context.Context, user string, expires time.Time) (APIKey, string, error) {
	id, token, hash, err := newAPIKey()
	if err != nil {
		return APIKey{}, "", err
	}
	key := APIKey{ID: id, User: user, Hash: hash, Created: db.now(), Expires: expires}
	err = db.update(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketUsers).Get([]byte(user)) == nil {
			return fmt.Errorf("user %q: %w", user, ErrUserNotFound)
		}
		return putJSON(tx.Bucket(bucketAPIKeys), []byte(id), key)
	})
	if err != nil {
		return APIKey{}, "", err
	}
	return key, token, nil
}

// APIKeys returns a user's API keys (without their hashes), oldest first.
func (db *DB) APIKeys(ctx context.Context, user string) ([]APIKey, error) {
	var out []APIKey
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketUsers).Get([]byte(user)) == nil {
			return fmt.Errorf("user %q: %w", user, ErrUserNotFound)
		}
		return tx.Bucket(bucketAPIKeys).ForEach(func(k, v []byte) error {
			var key APIKey
			if err := json.Unmarshal(v, &key); err != nil {
				return fmt.Errorf("decode API key %s: %w", k, err)
			}
			if key.User == user {
				key.Hash = nil
				out = append(out, key)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, err
}

// RevokeAPIKey revokes a key by id. Returns ErrAPIKeyNotFound.
func (db *DB) RevokeAPIKey(ctx context.Context, id string) error {
	return db.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAPIKeys)
		v := b.Get([]byte(id))
		if v == nil {
			return fmt.Errorf("API key %q: %w", id, ErrAPIKeyNotFound)
		}
		var key APIKey
		if err := json.Unmarshal(v, &key); err != nil {
			return err
		}
		key.Revoked = true
		return putJSON(b, []byte(id), key)
	})
}

// VerifyAPIKey returns the user and key a token belongs to if it is a
// current key: known, not revoked, not expired, and its secret matches in
// constant time. Any failure returns ErrBadAPIKey.
func (db *DB) VerifyAPIKey(ctx context.Context, token string) (User, APIKey, error) {
	id, secret, ok := splitAPIKey(token)
	if !ok {
		return User{}, APIKey{}, ErrBadAPIKey
	}
	var u User
	var key APIKey
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketAPIKeys).Get([]byte(id))
		if v == nil {
			return ErrBadAPIKey
		}
		if err := json.Unmarshal(v, &key); err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(secret))
		if subtle.ConstantTimeCompare(sum[:], key.Hash) != 1 || key.Revoked ||
			(!key.Expires.IsZero() && !db.now().Before(key.Expires)) {
			return ErrBadAPIKey
		}
		uv := tx.Bucket(bucketUsers).Get([]byte(key.User))
		if uv == nil {
			return ErrBadAPIKey
		}
		return json.Unmarshal(uv, &u)
	})
	if err != nil {
		return User{}, APIKey{}, err
	}
	key.Hash = nil
	return u, key, nil
}

// TouchAPIKeys records when keys were last used. Callers batch these
// updates: one write per request would make every request a disk sync.
func (db *DB) TouchAPIKeys(ctx context.Context, used map[string]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	return db.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAPIKeys)
		for id, t := range used {
			v := b.Get([]byte(id))
			if v == nil {
				continue
			}
			var key APIKey
			if err := json.Unmarshal(v, &key); err != nil {
				return err
			}
			if t.After(key.LastUsed) {
				key.LastUsed = t
				if err := putJSON(b, []byte(id), key); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
