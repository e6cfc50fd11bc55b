package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/store"
)

// userColumns reads a user with its grants (a JSON object by collection
// id, NULL for none; store.Grant's fields, empty ones left out) in one row.
const userColumns = `u.name, u.admin, u.password_hash, u.org, u.created_ns,
	(SELECT json_object_agg(g.collection_id, json_strip_nulls(json_build_object('read', g.can_read, 'write', g.can_write,
		'clearance', nullif(g.clearance, ''), 'allow_markings', CASE WHEN cardinality(g.allow_markings) > 0 THEN to_json(g.allow_markings) END)))
	 FROM grants g WHERE g.user_name = u.name)`

func scanUser(row pgx.Row) (store.User, error) {
	var u store.User
	var created int64
	var grants []byte
	if err := row.Scan(&u.Name, &u.Admin, &u.PasswordHash, &u.Org, &created, &grants); err != nil {
		return u, err
	}
	u.Created = fromNanos(&created)
	if grants != nil {
		if err := json.Unmarshal(grants, &u.Grants); err != nil {
			return u, fmt.Errorf("decode grants of %s: %w", u.Name, err)
		}
	}
	return u, nil
}

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
	_, err := s.pool.Exec(ctx, `INSERT INTO users (name, admin, password_hash, org, created_ns) VALUES ($1, $2, $3, '', $4)`,
		u.Name, u.Admin, u.PasswordHash, mustNanos(u.Created))
	if isUniqueViolation(err) {
		return store.User{}, fmt.Errorf("user %q: %w", name, store.ErrExists)
	}
	if err != nil {
		return store.User{}, fmt.Errorf("create user %q: %w", name, mapErr(err))
	}
	return u, nil
}

// User returns the user with the given name, with its grants.
func (s *Store) User(ctx context.Context, name string) (store.User, error) {
	if !storable(name) {
		return store.User{}, fmt.Errorf("user %q: %w", name, store.ErrUserNotFound)
	}
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.User{}, fmt.Errorf("user %q: %w", name, store.ErrUserNotFound)
	}
	if err != nil {
		return store.User{}, fmt.Errorf("read user %q: %w", name, mapErr(err))
	}
	return u, nil
}

// Users returns every user, sorted by name.
func (s *Store) Users(ctx context.Context) ([]store.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", mapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.User, error) { return scanUser(row) })
	if err != nil {
		return nil, fmt.Errorf("list users: %w", mapErr(err))
	}
	return out, nil
}

// changeUser runs one statement on a user's row ($1 is the name) and
// notifies the replicas: it changes what the user's credentials may do.
func (s *Store) changeUser(ctx context.Context, what, sql string, args ...any) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sql, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("user %q: %w", args[0], store.ErrUserNotFound)
		}
		return s.notifyAccounts(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// RemoveUser deletes a user, its API keys and grants (ON DELETE CASCADE).
func (s *Store) RemoveUser(ctx context.Context, name string) error {
	return s.changeUser(ctx, "remove user", `DELETE FROM users WHERE name = $1`, name)
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
	return s.changeUser(ctx, "set password", `UPDATE users SET password_hash = $2 WHERE name = $1`, name, hash)
}

// SetAdmin gives or takes a user's admin role.
func (s *Store) SetAdmin(ctx context.Context, name string, admin bool) error {
	return s.changeUser(ctx, "set admin", `UPDATE users SET admin = $2 WHERE name = $1`, name, admin)
}

// SetOrg sets a user's organisation (an identity id; "": none), and
// notifies the replicas: it changes which TLP:AMBER+STRICT objects the
// user's credentials may see.
func (s *Store) SetOrg(ctx context.Context, name, org string) error {
	if err := store.CheckOrg(org); err != nil {
		return err
	}
	return s.changeUser(ctx, "set organisation", `UPDATE users SET org = $2 WHERE name = $1`, name, org)
}

// SetGrant gives a user rights on a collection; a grant without rights
// removes it.
func (s *Store) SetGrant(ctx context.Context, name, collection string, g store.Grant) error {
	_, err := s.UpdateGrant(ctx, name, collection, func(store.Grant) store.Grant { return g })
	return err
}

// UpdateGrant replaces a user's grant on a collection with f of it, in one
// transaction (the user's row is locked), and returns the new grant.
func (s *Store) UpdateGrant(ctx context.Context, name, collection string, f func(store.Grant) store.Grant) (store.Grant, error) {
	var g store.Grant
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var found bool
		err := tx.QueryRow(ctx, `SELECT true FROM users WHERE name = $1 FOR UPDATE`, name).Scan(&found)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("user %q: %w", name, store.ErrUserNotFound)
		}
		if err != nil {
			return err
		}
		var old store.Grant
		var coll *string
		err = tx.QueryRow(ctx, `SELECT c.id, coalesce(g.can_read, false), coalesce(g.can_write, false), coalesce(g.clearance, ''), coalesce(g.allow_markings, '{}')
			FROM collections c LEFT JOIN grants g ON g.collection_id = c.id AND g.user_name = $1 WHERE c.id = $2 FOR KEY SHARE OF c`,
			name, collection).Scan(&coll, &old.Read, &old.Write, &old.Clearance, &old.AllowMarkings)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("collection %q: %w", collection, store.ErrCollectionNotFound)
		}
		if err != nil {
			return err
		}
		old.AllowMarkings = nilIfEmpty(old.AllowMarkings)
		g = f(old)
		if err := store.CheckGrant(g); err != nil {
			return err
		}
		if g.Read || g.Write {
			_, err = tx.Exec(ctx, `INSERT INTO grants (user_name, collection_id, can_read, can_write, clearance, allow_markings) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (user_name, collection_id) DO UPDATE SET can_read = excluded.can_read, can_write = excluded.can_write,
					clearance = excluded.clearance, allow_markings = excluded.allow_markings`,
				name, collection, g.Read, g.Write, g.Clearance, nonNil(g.AllowMarkings))
		} else {
			_, err = tx.Exec(ctx, `DELETE FROM grants WHERE user_name = $1 AND collection_id = $2`, name, collection)
		}
		if err != nil {
			return err
		}
		return s.notifyAccounts(ctx, tx)
	})
	if err != nil {
		return store.Grant{}, fmt.Errorf("update grant: %w", err)
	}
	return g, nil
}

// VerifyPassword returns the user if password is theirs.
func (s *Store) VerifyPassword(ctx context.Context, name, password string) (store.User, error) {
	u, err := s.User(ctx, name)
	return s.passwords.Verify(u, err, password)
}

const keyColumns = `id, user_name, hash, created_ns, expires_ns, last_used_ns, revoked`

func scanKey(row pgx.Row) (store.APIKey, error) {
	var k store.APIKey
	var created int64
	var expires, used *int64
	err := row.Scan(&k.ID, &k.User, &k.Hash, &created, &expires, &used, &k.Revoked)
	k.Created, k.Expires, k.LastUsed = fromNanos(&created), fromNanos(expires), fromNanos(used)
	return k, err
}

// CreateAPIKey creates an API key for a user and returns it with its token.
func (s *Store) CreateAPIKey(ctx context.Context, user string, expires time.Time) (store.APIKey, string, error) {
	key, token, err := store.NewAPIKey(user, s.now(), expires)
	if err != nil {
		return store.APIKey{}, "", err
	}
	exp, err := nanos(expires)
	if err != nil {
		return store.APIKey{}, "", fmt.Errorf("API key expiry: %w", err)
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO api_keys (`+keyColumns+`) SELECT $1, name, $3, $4, $5, NULL, false FROM users WHERE name = $2`,
		key.ID, user, key.Hash, mustNanos(key.Created), exp)
	if err != nil {
		return store.APIKey{}, "", fmt.Errorf("create API key: %w", mapErr(err))
	}
	if tag.RowsAffected() == 0 {
		return store.APIKey{}, "", fmt.Errorf("create API key: user %q: %w", user, store.ErrUserNotFound)
	}
	return key, token, nil
}

// APIKeys returns a user's API keys (without their hashes), oldest first.
func (s *Store) APIKeys(ctx context.Context, user string) ([]store.APIKey, error) {
	var out []store.APIKey
	err := s.txOptions(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var found bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE name = $1)`, user).Scan(&found); err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("user %q: %w", user, store.ErrUserNotFound)
		}
		rows, err := tx.Query(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE user_name = $1 ORDER BY created_ns, id`, user)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.APIKey, error) {
			k, err := scanKey(row)
			k.Hash = nil
			return k, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	return out, nil
}

// RevokeAPIKey revokes a key by id, and notifies the replicas, which drop
// what they cached of it.
func (s *Store) RevokeAPIKey(ctx context.Context, id string) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE api_keys SET revoked = true WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("API key %q: %w", id, store.ErrAPIKeyNotFound)
		}
		return s.notifyAccounts(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("revoke API key: %w", err)
	}
	return nil
}

// VerifyAPIKey returns the user and key a token belongs to if it is a
// current key; any failure is ErrBadAPIKey.
func (s *Store) VerifyAPIKey(ctx context.Context, token string) (store.User, store.APIKey, error) {
	id := store.APIKeyID(token)
	if id == "" || !storable(id) {
		return store.User{}, store.APIKey{}, store.ErrBadAPIKey
	}
	var key store.APIKey
	var u store.User
	b := &pgx.Batch{}
	var kerr, uerr error
	b.Queue(`SELECT `+keyColumns+` FROM api_keys WHERE id = $1`, id).QueryRow(func(row pgx.Row) error {
		key, kerr = scanKey(row)
		return nil
	})
	b.Queue(`SELECT `+userColumns+` FROM users u JOIN api_keys k ON k.user_name = u.name WHERE k.id = $1`, id).QueryRow(func(row pgx.Row) error {
		u, uerr = scanUser(row)
		return nil
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return store.User{}, store.APIKey{}, fmt.Errorf("verify API key: %w", mapErr(err))
	}
	for _, err := range []error{kerr, uerr} {
		if errors.Is(err, pgx.ErrNoRows) {
			return store.User{}, store.APIKey{}, store.ErrBadAPIKey
		}
		if err != nil {
			return store.User{}, store.APIKey{}, fmt.Errorf("verify API key: %w", mapErr(err))
		}
	}
	if !key.Admits(token, s.now()) || u.Name != key.User {
		return store.User{}, store.APIKey{}, store.ErrBadAPIKey
	}
	key.Hash = nil
	return u, key, nil
}

// TouchAPIKeys records when keys were last used. The rows are locked in
// id order, so that replicas flushing at once cannot deadlock.
func (s *Store) TouchAPIKeys(ctx context.Context, used map[string]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	ids := make([]string, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	times := make([]int64, len(ids))
	for i, id := range ids {
		times[i] = mustNanos(used[id])
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM api_keys WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, ids); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE api_keys k SET last_used_ns = t.used FROM unnest($1::text[], $2::int8[]) AS t(id, used)
			WHERE k.id = t.id AND (k.last_used_ns IS NULL OR k.last_used_ns < t.used)`, ids, times)
		return err
	})
	if err != nil {
		return fmt.Errorf("record API key use: %w", err)
	}
	return nil
}
