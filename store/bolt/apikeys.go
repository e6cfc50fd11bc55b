package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"

	"liaison/store"
)

// CreateAPIKey creates an API key for a user and returns it with its token.
func (s *Store) CreateAPIKey(ctx context.Context, user string, expires time.Time) (store.APIKey, string, error) {
	key, token, err := store.NewAPIKey(user, s.now(), expires)
	if err != nil {
		return store.APIKey{}, "", err
	}
	err = s.update(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketUsers).Get([]byte(user)) == nil {
			return fmt.Errorf("user %q: %w", user, store.ErrUserNotFound)
		}
		return putJSON(tx.Bucket(bucketAPIKeys), []byte(key.ID), key)
	})
	if err != nil {
		return store.APIKey{}, "", err
	}
	return key, token, nil
}

// APIKeys returns a user's API keys (without their hashes), oldest first.
func (s *Store) APIKeys(ctx context.Context, user string) ([]store.APIKey, error) {
	var out []store.APIKey
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketUsers).Get([]byte(user)) == nil {
			return fmt.Errorf("user %q: %w", user, store.ErrUserNotFound)
		}
		return tx.Bucket(bucketAPIKeys).ForEach(func(k, v []byte) error {
			var key store.APIKey
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

// RevokeAPIKey revokes a key by id.
func (s *Store) RevokeAPIKey(ctx context.Context, id string) error {
	return s.update(func(tx *bbolt.Tx) error {
		keys := tx.Bucket(bucketAPIKeys)
		v := keys.Get([]byte(id))
		if v == nil {
			return fmt.Errorf("API key %q: %w", id, store.ErrAPIKeyNotFound)
		}
		var key store.APIKey
		if err := json.Unmarshal(v, &key); err != nil {
			return err
		}
		key.Revoked = true
		return putJSON(keys, []byte(id), key)
	})
}

// VerifyAPIKey returns the user and key a token belongs to if it is a
// current key; any failure is ErrBadAPIKey.
func (s *Store) VerifyAPIKey(ctx context.Context, token string) (store.User, store.APIKey, error) {
	id := store.APIKeyID(token)
	if id == "" {
		return store.User{}, store.APIKey{}, store.ErrBadAPIKey
	}
	var u store.User
	var key store.APIKey
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketAPIKeys).Get([]byte(id))
		if v == nil {
			return store.ErrBadAPIKey
		}
		if err := json.Unmarshal(v, &key); err != nil {
			return err
		}
		if !key.Admits(token, s.now()) {
			return store.ErrBadAPIKey
		}
		uv := tx.Bucket(bucketUsers).Get([]byte(key.User))
		if uv == nil {
			return store.ErrBadAPIKey
		}
		return json.Unmarshal(uv, &u)
	})
	if err != nil {
		return store.User{}, store.APIKey{}, err
	}
	key.Hash = nil
	return u, key, nil
}

// TouchAPIKeys records when keys were last used. Callers batch these
// updates: one write per request would make every request a disk sync.
func (s *Store) TouchAPIKeys(ctx context.Context, used map[string]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	return s.update(func(tx *bbolt.Tx) error {
		keys := tx.Bucket(bucketAPIKeys)
		for id, t := range used {
			v := keys.Get([]byte(id))
			if v == nil {
				continue
			}
			var key store.APIKey
			if err := json.Unmarshal(v, &key); err != nil {
				return err
			}
			if t.After(key.LastUsed) {
				key.LastUsed = t
				if err := putJSON(keys, []byte(id), key); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
