package curation

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"liaison/store"
)

// API is every curation operation. *Service performs them on a database;
// *Client asks a running server's admin HTTP API to. The CLI works with
// either and prints the same.
type API interface {
	APIRoots(ctx context.Context) ([]store.APIRoot, error)
	AddAPIRoot(ctx context.Context, r store.APIRoot) (store.APIRoot, error)
	UpdateAPIRoot(ctx context.Context, name string, u store.APIRootUpdate) (store.APIRoot, error)
	RemoveAPIRoot(ctx context.Context, name string, force bool) error

	Collections(ctx context.Context, root string) ([]CollectionInfo, error)
	Collection(ctx context.Context, ref string) (CollectionInfo, error)
	AddCollection(ctx context.Context, c store.Collection) (store.Collection, error)
	UpdateCollection(ctx context.Context, ref string, u store.CollectionUpdate) (store.Collection, error)
	RemoveCollection(ctx context.Context, ref string, force bool) error

	Users(ctx context.Context) ([]UserInfo, error)
	AddUser(ctx context.Context, name string, admin bool, password string) error
	RemoveUser(ctx context.Context, name string) error
	SetPassword(ctx context.Context, name, password string) error
	SetAdmin(ctx context.Context, name string, admin bool) error
	SetOrg(ctx context.Context, name, org string) (string, error)
	Explain(ctx context.Context, user, ref, objectID string) (Explanation, error)
	ChangeGrant(ctx context.Context, name string, ch GrantChange) (GrantResult, error)
	CreateAPIKey(ctx context.Context, name string, lifetime time.Duration) (store.APIKey, string, error)
	APIKeys(ctx context.Context, name string) ([]store.APIKey, error)
	RevokeAPIKey(ctx context.Context, id string) error

	Import(ctx context.Context, ref, owner string, r io.Reader, progress func(ImportProgress)) (ImportResult, error)
	Export(ctx context.Context, ref string, o ExportOptions, w io.Writer) (int, error)
	DeleteObject(ctx context.Context, ref, id, version string) (int, error)
	RevokeObject(ctx context.Context, ref, owner, id string) (store.Status, error)

	Stats(ctx context.Context) (Stats, error)
	Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error)
	Consumers(ctx context.Context, ref string) ([]ConsumerInfo, error)
	Backup(ctx context.Context, w io.Writer) (int64, error)
}

var _ API = (*Service)(nil)

// UserInfo is what an admin sees of a user: never the password hash.
type UserInfo struct {
	Name        string      `json:"name"`
	Admin       bool        `json:"admin"`
	HasPassword bool        `json:"has_password"`
	ActiveKeys  int         `json:"active_keys"`
	Org         string      `json:"org,omitempty"` // identity id
	Grants      []UserGrant `json:"grants,omitempty"`
}

// UserGrant is a user's rights on a collection, with the names an admin
// knows it by.
type UserGrant struct {
	Collection string `json:"collection"` // its id
	APIRoot    string `json:"api_root,omitempty"`
	Alias      string `json:"alias,omitempty"`
	store.Grant
}

// GrantChange adds rights to a user's grant on a collection and drops
// rights from it; the rights it names in neither stay as they were. A
// clearance in Add replaces the grant's; allowed markings in Add are
// added, in Drop removed.
type GrantChange struct {
	Collection string      `json:"collection"` // id, alias or ROOT/ALIAS
	Add        store.Grant `json:"add"`
	Drop       store.Grant `json:"drop"`
}

// GrantResult is a user's grant on a collection after a change.
type GrantResult struct {
	Collection store.Collection `json:"collection"`
	Grant      store.Grant      `json:"grant"`
}

// APIRoots lists the API roots, sorted by name.
func (s *Service) APIRoots(ctx context.Context) ([]store.APIRoot, error) {
	return s.Store.APIRoots(ctx)
}

// AddAPIRoot creates an API root.
func (s *Service) AddAPIRoot(ctx context.Context, r store.APIRoot) (_ store.APIRoot, err error) {
	defer func() { s.audit(ctx, "apiroot.add", r.Name, "", err) }()
	return s.Store.CreateAPIRoot(ctx, r)
}

// UpdateAPIRoot changes an API root's settings.
func (s *Service) UpdateAPIRoot(ctx context.Context, name string, u store.APIRootUpdate) (_ store.APIRoot, err error) {
	defer func() { s.audit(ctx, "apiroot.update", name, describeChange(u), err) }()
	return s.Store.UpdateAPIRoot(ctx, name, u)
}

// RemoveAPIRoot deletes an API root; one with collections needs force.
func (s *Service) RemoveAPIRoot(ctx context.Context, name string, force bool) (err error) {
	defer func() { s.audit(ctx, "apiroot.remove", name, forced(force), err) }()
	return s.Store.RemoveAPIRoot(ctx, name, force)
}

// AddCollection creates a collection and returns it with its new id.
func (s *Service) AddCollection(ctx context.Context, c store.Collection) (created store.Collection, err error) {
	defer func() {
		s.audit(ctx, "collection.add", c.APIRoot+"/"+cmp.Or(created.ID, c.Alias), describeChange(c), err)
	}()
	return s.Store.CreateCollection(ctx, c)
}

// UpdateCollection changes a collection.
func (s *Service) UpdateCollection(ctx context.Context, ref string, u store.CollectionUpdate) (_ store.Collection, err error) {
	defer func() { s.audit(ctx, "collection.update", ref, describeChange(u), err) }()
	c, err := s.Find(ctx, ref)
	if err != nil {
		return c, err
	}
	return s.Store.UpdateCollection(ctx, c.ID, u)
}

// RemoveCollection deletes a collection; one with objects needs force.
func (s *Service) RemoveCollection(ctx context.Context, ref string, force bool) (err error) {
	defer func() { s.audit(ctx, "collection.remove", ref, forced(force), err) }()
	c, err := s.Find(ctx, ref)
	if err != nil {
		return err
	}
	return s.Store.RemoveCollection(ctx, c.ID, force)
}

// Users lists the users, sorted by name, and their grants sorted by API
// root and alias (or id).
func (s *Service) Users(ctx context.Context) ([]UserInfo, error) {
	users, err := s.Store.Users(ctx)
	if err != nil {
		return nil, err
	}
	colls, err := s.collectionsByID(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]UserInfo, 0, len(users))
	now := s.Now()
	for _, u := range users {
		keys, err := s.Store.APIKeys(ctx, u.Name)
		if err != nil {
			return nil, err
		}
		active := 0
		for _, k := range keys {
			if !k.Revoked && (k.Expires.IsZero() || k.Expires.After(now)) {
				active++
			}
		}
		info := UserInfo{Name: u.Name, Admin: u.Admin, HasPassword: u.PasswordHash != "", ActiveKeys: active, Org: u.Org}
		for id, g := range u.Grants {
			c := colls[id]
			info.Grants = append(info.Grants, UserGrant{Collection: id, APIRoot: c.APIRoot, Alias: c.Alias, Grant: g})
		}
		sort.Slice(info.Grants, func(i, j int) bool {
			a, b := info.Grants[i], info.Grants[j]
			return a.APIRoot+"/"+cmp.Or(a.Alias, a.Collection) < b.APIRoot+"/"+cmp.Or(b.Alias, b.Collection)
		})
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// collectionsByID returns every collection by id.
func (s *Service) collectionsByID(ctx context.Context) (map[string]store.Collection, error) {
	roots, err := s.Store.APIRoots(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]store.Collection{}
	for _, r := range roots {
		colls, err := s.Store.Collections(ctx, r.Name)
		if err != nil {
			return nil, err
		}
		for _, c := range colls {
			out[c.ID] = c
		}
	}
	return out, nil
}

// AddUser creates a user; an empty password leaves it API-key only.
func (s *Service) AddUser(ctx context.Context, name string, admin bool, password string) (err error) {
	defer func() {
		s.audit(ctx, "user.add", name, fmt.Sprintf("admin=%v password=%v", admin, password != ""), err)
	}()
	if err := CheckPassword(name, password); err != nil {
		return err
	}
	_, err = s.Store.CreateUser(ctx, name, admin, password)
	return err
}

// RemoveUser deletes a user and its API keys.
func (s *Service) RemoveUser(ctx context.Context, name string) (err error) {
	defer func() { s.audit(ctx, "user.remove", name, "", err) }()
	return s.Store.RemoveUser(ctx, name)
}

// SetPassword replaces a user's password.
func (s *Service) SetPassword(ctx context.Context, name, password string) (err error) {
	defer func() { s.audit(ctx, "user.passwd", name, "", err) }()
	if err := CheckPassword(name, password); err != nil {
		return err
	}
	return s.Store.SetPassword(ctx, name, password)
}

// SetAdmin gives or takes a user's admin role.
func (s *Service) SetAdmin(ctx context.Context, name string, admin bool) (err error) {
	defer func() { s.audit(ctx, "user.update", name, fmt.Sprintf("admin=%v", admin), err) }()
	return s.Store.SetAdmin(ctx, name, admin)
}

// ChangeGrant adds and drops rights of a user on a collection, keeping
// the others, and returns the collection with the rights that remain.
// Offline and online commands share this merge.
func (s *Service) ChangeGrant(ctx context.Context, name string, ch GrantChange) (res GrantResult, err error) {
	defer func() {
		s.audit(ctx, "grant.change", name+" on "+ch.Collection, fmt.Sprintf("add=%s drop=%s now=%s clearance=%s allow=%v",
			rights(ch.Add), rights(ch.Drop), rights(res.Grant), cmp.Or(res.Grant.Clearance, store.DefaultGrantClearance.String()), res.Grant.AllowMarkings), err)
	}()
	c, err := s.Find(ctx, ch.Collection)
	if err != nil {
		return GrantResult{}, err
	}
	g, err := s.Store.UpdateGrant(ctx, name, c.ID, func(g store.Grant) store.Grant {
		out := store.Grant{
			Read:      (g.Read || ch.Add.Read) && !ch.Drop.Read,
			Write:     (g.Write || ch.Add.Write) && !ch.Drop.Write,
			Clearance: cmp.Or(ch.Add.Clearance, g.Clearance),
		}
		for _, id := range append(slices.Clone(g.AllowMarkings), ch.Add.AllowMarkings...) {
			if !slices.Contains(out.AllowMarkings, id) && !slices.Contains(ch.Drop.AllowMarkings, id) {
				out.AllowMarkings = append(out.AllowMarkings, id)
			}
		}
		return out
	})
	return GrantResult{Collection: c, Grant: g}, err
}

// CreateAPIKey creates a key for a user, with a lifetime (0: no expiry),
// and returns it with its token, shown once.
func (s *Service) CreateAPIKey(ctx context.Context, name string, lifetime time.Duration) (k store.APIKey, _ string, err error) {
	defer func() { s.audit(ctx, "apikey.create", name, "key "+k.ID, err) }()
	var expires time.Time
	if lifetime > 0 {
		expires = s.Now().Add(lifetime)
	}
	k, token, err := s.Store.CreateAPIKey(ctx, name, expires)
	k.Hash = nil
	return k, token, err
}

// APIKeys lists a user's keys.
func (s *Service) APIKeys(ctx context.Context, name string) ([]store.APIKey, error) {
	return s.Store.APIKeys(ctx, name)
}

// RevokeAPIKey revokes a key.
func (s *Service) RevokeAPIKey(ctx context.Context, id string) (err error) {
	defer func() { s.audit(ctx, "apikey.revoke", id, "", err) }()
	return s.Store.RevokeAPIKey(ctx, id)
}

// ErrNoBackup is returned by Backup when the store cannot copy itself
// (it is not a store.FileStore): its backend has backups of its own.
var ErrNoBackup = errors.New("this database is not a file Liaison can copy: back it up with its engine's own tools (PostgreSQL: pg_dump, or pg_basebackup and WAL archiving)")

// Backup writes a consistent snapshot of the database to w.
func (s *Service) Backup(ctx context.Context, w io.Writer) (int64, error) {
	fs, ok := s.Store.(store.FileStore)
	if !ok {
		return 0, ErrNoBackup
	}
	return fs.Backup(ctx, w)
}
