package bolt

import (
	"context"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"

	"liaison/store"
)

// CreateUser creates a user; see store.Store.
func (s *Store) CreateUser(ctx context.Context, name string, admin bool, password string) (store.User, error) {
	if err := store.CheckUserName(name); err != nil {
		return store.User{}, err
	}
	u := store.User{Name: name, Admin: admin, Created: s.now()}
	if password != "" {
		h, err := s.passwords.Hash(password)
		if err != nil {
			return store.User{}, err
		}
		u.PasswordHash = h
	}
	err := s.update(func(tx *bbolt.Tx) error {
		users := tx.Bucket(bucketUsers)
		if users.Get([]byte(name)) != nil {
			return fmt.Errorf("user %q: %w", name, store.ErrExists)
		}
		return putJSON(users, []byte(name), u)
	})
	return u, err
}

// User returns the user with the given name, or ErrUserNotFound.
func (s *Store) User(ctx context.Context, name string) (store.User, error) {
	var u store.User
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketUsers).Get([]byte(name))
		if v == nil {
			return fmt.Errorf("user %q: %w", name, store.ErrUserNotFound)
		}
		return json.Unmarshal(v, &u)
	})
	return u, err
}

// Users returns every user, sorted by name.
func (s *Store) Users(ctx context.Context) ([]store.User, error) {
	var out []store.User
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
			var u store.User
			if err := json.Unmarshal(v, &u); err != nil {
				return fmt.Errorf("decode user %s: %w", k, err)
			}
			out = append(out, u)
			return nil
		})
	})
	return out, err
}

// updateUser runs f on the stored user in a write transaction and stores
// what f made of it.
func (s *Store) updateUser(name string, f func(tx *bbolt.Tx, u *store.User) error) error {
	return s.update(func(tx *bbolt.Tx) error {
		users := tx.Bucket(bucketUsers)
		var u store.User
		v := users.Get([]byte(name))
		if v == nil {
			return fmt.Errorf("user %q: %w", name, store.ErrUserNotFound)
		}
		if err := json.Unmarshal(v, &u); err != nil {
			return fmt.Errorf("decode user %q: %w", name, err)
		}
		if err := f(tx, &u); err != nil {
			return err
		}
		return putJSON(users, []byte(name), u)
	})
}

// RemoveUser deletes a user and its API keys.
func (s *Store) RemoveUser(ctx context.Context, name string) error {
	return s.update(func(tx *bbolt.Tx) error {
		users := tx.Bucket(bucketUsers)
		if users.Get([]byte(name)) == nil {
			return fmt.Errorf("user %q: %w", name, store.ErrUserNotFound)
		}
		keys := tx.Bucket(bucketAPIKeys)
		var doomed [][]byte
		err := keys.ForEach(func(k, v []byte) error {
			var key store.APIKey
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
		return users.Delete([]byte(name))
	})
}

// SetPassword replaces a user's password (empty: remove it).
func (s *Store) SetPassword(ctx context.Context, name, password string) error {
	hash := ""
	if password != "" {
		var err error
		if hash, err = s.passwords.Hash(password); err != nil {
			return err
		}
	}
	return s.updateUser(name, func(_ *bbolt.Tx, u *store.User) error {
		u.PasswordHash = hash
		return nil
	})
}

// SetAdmin gives or takes a user's admin role.
func (s *Store) SetAdmin(ctx context.Context, name string, admin bool) error {
	return s.updateUser(name, func(_ *bbolt.Tx, u *store.User) error {
		u.Admin = admin
		return nil
	})
}

// SetOrg sets a user's organisation (an identity id; "": none).
func (s *Store) SetOrg(ctx context.Context, name, org string) error {
	if err := store.CheckOrg(org); err != nil {
		return err
	}
	return s.updateUser(name, func(_ *bbolt.Tx, u *store.User) error {
		u.Org = org
		return nil
	})
}

// SetGrant gives a user rights on a collection; a grant without rights
// removes it.
func (s *Store) SetGrant(ctx context.Context, name, collection string, g store.Grant) error {
	_, err := s.UpdateGrant(ctx, name, collection, func(store.Grant) store.Grant { return g })
	return err
}

// UpdateGrant replaces a user's grant on a collection with f of it, in one
// transaction, and returns the new grant.
func (s *Store) UpdateGrant(ctx context.Context, name, collection string, f func(store.Grant) store.Grant) (store.Grant, error) {
	var g store.Grant
	err := s.updateUser(name, func(tx *bbolt.Tx, u *store.User) error {
		if tx.Bucket(bucketCollections).Get([]byte(collection)) == nil {
			return fmt.Errorf("collection %q: %w", collection, store.ErrCollectionNotFound)
		}
		if u.Grants == nil {
			u.Grants = map[string]store.Grant{}
		}
		g = f(u.Grants[collection])
		if err := store.CheckGrant(g); err != nil {
			return err
		}
		if g.Read || g.Write {
			u.Grants[collection] = g
		} else {
			delete(u.Grants, collection)
		}
		return nil
	})
	return g, err
}

// VerifyPassword returns the user if password is theirs.
func (s *Store) VerifyPassword(ctx context.Context, name, password string) (store.User, error) {
	u, err := s.User(ctx, name)
	return s.passwords.Verify(u, err, password)
}
