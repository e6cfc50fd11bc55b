package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Options are the settings every backend takes.
type Options struct {
	// Now returns the current time (nil: time.Now); tests pin it. Every
	// time a backend stores (date_added, status times, audit times,
	// creation times) and every expiry it checks comes from it.
	Now func() time.Time
	// Logger receives the store's log records (nil: discarded).
	Logger *slog.Logger
	// StatusRetention is how long status resources are kept after their
	// request completed (0: DefaultStatusRetention).
	StatusRetention time.Duration
	// PasswordCost is the cost of the password hashes the store makes
	// (zero: DefaultPasswordCost, for production).
	PasswordCost PasswordCost
}

// WithDefaults returns o with its zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.StatusRetention <= 0 {
		o.StatusRetention = DefaultStatusRetention
	}
	return o
}

// NewID returns a random RFC 4122 version 4 UUID, in lowercase: the id of
// a new collection (TAXII 2.1 §2, "identifier") or status resource.
func NewID() (string, error) {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return "", fmt.Errorf("generate id: %w", err)
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]), nil
}

// Store is the storage contract: everything above the storage (the TAXII
// API, authentication, curation, the command) uses a store through it, and
// every backend implements it. The rules its methods share are written
// once, in the package documentation; store/storetest checks them.
//
// Methods that name a resource return its not-found error (wrapped) when
// it does not exist; every write is atomic: it happens whole or not at all.
type Store interface {
	// CreateAPIRoot creates an API root (after NewAPIRoot). If r.Default
	// is set, any other default API root loses that mark. Returns
	// ErrExists if the name is taken, ErrInvalid for a bad name or title.
	CreateAPIRoot(ctx context.Context, r APIRoot) (APIRoot, error)
	// APIRoot returns the API root with the given name.
	APIRoot(ctx context.Context, name string) (APIRoot, error)
	// APIRoots returns every API root, sorted by name.
	APIRoots(ctx context.Context) ([]APIRoot, error)
	// UpdateAPIRoot applies u (APIRootUpdate.Apply) and returns the result.
	UpdateAPIRoot(ctx context.Context, name string, u APIRootUpdate) (APIRoot, error)
	// RemoveAPIRoot deletes an API root. One with collections is refused
	// with ErrNotEmpty unless force, which removes them (as
	// RemoveCollection) too.
	RemoveAPIRoot(ctx context.Context, name string, force bool) error

	// CreateCollection creates a collection in an existing API root (after
	// NewCollection) and returns it with its new id (NewID), Created and
	// Seq, which grows with each collection created. Returns
	// ErrAPIRootNotFound, ErrExists for an alias already used in the API
	// root, or ErrInvalid.
	CreateCollection(ctx context.Context, c Collection) (Collection, error)
	// Collection returns the collection of the API root whose id or alias
	// is idOrAlias, matched exactly (an empty one matches nothing).
	// Returns ErrAPIRootNotFound or ErrCollectionNotFound.
	Collection(ctx context.Context, root, idOrAlias string) (Collection, error)
	// Collections returns the collections of an API root in creation
	// order (Seq: a stable order, TAXII 2.1 §3.3).
	Collections(ctx context.Context, root string) ([]Collection, error)
	// UpdateCollection applies u (CollectionUpdate.Apply) to the collection
	// with the id and returns the result; ErrExists for an alias taken in
	// the API root.
	UpdateCollection(ctx context.Context, id string, u CollectionUpdate) (Collection, error)
	// RemoveCollection deletes a collection, its objects and the grants on
	// it. One holding objects is refused with ErrNotEmpty unless force.
	RemoveCollection(ctx context.Context, id string, force bool) error
	// CollectionStats counts a collection's objects, versions and bytes.
	// It may read the whole collection: an admin operation.
	CollectionStats(ctx context.Context, id string) (CollectionStats, error)
	// CollectionSummaries returns a summary of every collection, cheaply
	// enough for every monitoring scrape.
	CollectionSummaries(ctx context.Context) ([]CollectionSummary, error)

	// AddObjects stores the valid objects of a request and its status
	// resource in one transaction, committed before it returns, and
	// returns the status, which is then complete (NewStatus, AddOutcome).
	// Returns ErrCollectionNotFound, storing nothing.
	AddObjects(ctx context.Context, req AddRequest) (Status, error)
	// Query returns one page of the versions selected by q from a
	// collection. Returns ErrCollectionNotFound, or ErrObjectNotFound when
	// q.ObjectID names an object the collection does not hold; an error
	// for a limit that is not positive.
	Query(ctx context.Context, collection string, q Query) (Page, error)
	// CollectionLastAdded returns the latest date_added the collection
	// ever gave (zero when it never held an object): it never decreases,
	// not even when the version that got it is deleted.
	CollectionLastAdded(ctx context.Context, collection string) (time.Time, error)
	// DeleteObject deletes versions of an object (TAXII 2.1 §5.7) and
	// returns how many. Returns ErrObjectNotFound when the object is
	// absent or no version matches. With a clearance, the versions it does
	// not admit do not exist: they are neither chosen nor deleted.
	DeleteObject(ctx context.Context, collection, id string, versions VersionSelect, specVersions []string, clearance *Clearance) (int, error)

	// Status returns the status resource id of an API root with the name
	// of the principal that owns it, or ErrStatusNotFound (and nothing
	// else) when it belongs to another API root or was purged.
	Status(ctx context.Context, root, id string) (Status, string, error)
	// PurgeStatuses deletes the status resources completed longer than
	// Options.StatusRetention ago and returns how many it deleted.
	PurgeStatuses(ctx context.Context) (int, error)

	// CreateUser creates a user (CheckUserName). An empty password leaves
	// the user without one: it can then authenticate only with API keys.
	// Returns ErrExists or ErrInvalid.
	CreateUser(ctx context.Context, name string, admin bool, password string) (User, error)
	// User returns the user with the given name.
	User(ctx context.Context, name string) (User, error)
	// Users returns every user, sorted by name.
	Users(ctx context.Context) ([]User, error)
	// RemoveUser deletes a user and its API keys.
	RemoveUser(ctx context.Context, name string) error
	// SetPassword replaces a user's password (empty: remove it).
	SetPassword(ctx context.Context, name, password string) error
	// SetAdmin gives or takes a user's admin role.
	SetAdmin(ctx context.Context, name string, admin bool) error
	// SetOrg sets a user's organisation, the identity id TLP:AMBER+STRICT
	// objects are shared within ("": none); ErrInvalid for another id.
	SetOrg(ctx context.Context, name, org string) error
	// SetGrant sets a user's rights on a collection; a grant without
	// rights removes it. Returns ErrUserNotFound or ErrCollectionNotFound.
	// A grant CheckGrant refuses is ErrInvalid.
	SetGrant(ctx context.Context, name, collection string, g Grant) error
	// UpdateGrant replaces a user's grant on a collection with f of it (no
	// rights when there is none), in one transaction, and returns the new
	// grant; one without rights is removed.
	UpdateGrant(ctx context.Context, name, collection string, f func(Grant) Grant) (Grant, error)
	// VerifyPassword returns the user if password is theirs. Returns
	// ErrUserNotFound, or ErrBadPassword (also for a user without one).
	VerifyPassword(ctx context.Context, name, password string) (User, error)
	// CreateAPIKey creates an API key for a user (NewAPIKey) and returns
	// it with its token, shown once and never stored. A zero expires never
	// expires.
	CreateAPIKey(ctx context.Context, user string, expires time.Time) (APIKey, string, error)
	// APIKeys returns a user's API keys, without their hashes, oldest
	// first.
	APIKeys(ctx context.Context, user string) ([]APIKey, error)
	// RevokeAPIKey revokes a key by id.
	RevokeAPIKey(ctx context.Context, id string) error
	// VerifyAPIKey returns the user and key (without its hash) a token
	// belongs to if the key admits it (APIKey.Admits) and its user exists.
	// Any failure is ErrBadAPIKey.
	VerifyAPIKey(ctx context.Context, token string) (User, APIKey, error)
	// TouchAPIKeys records when keys were last used; a time earlier than
	// the recorded one and an unknown key are ignored. Callers batch.
	TouchAPIKeys(ctx context.Context, used map[string]time.Time) error

	// RecordAudit appends an entry to the audit trail; a zero Time is set
	// to now.
	RecordAudit(ctx context.Context, e AuditEntry) error
	// Audit returns the entries the query selects, oldest first.
	Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
	// PurgeAudit removes the entries older than retention and returns how
	// many.
	PurgeAudit(ctx context.Context, retention time.Duration) (int, error)
	// RecordActivity merges deltas into the stored activity
	// (Activity.Merge), in one transaction.
	RecordActivity(ctx context.Context, deltas []Activity) error
	// Activity returns the activity on a collection, or on every
	// collection when collection is empty, most recent request first.
	Activity(ctx context.Context, collection string) ([]Activity, error)

	// CursorSecret returns the key that signs paging cursors: created once
	// per database, the same across restarts, another for another
	// database. The caller may change the returned slice.
	CursorSecret(ctx context.Context) ([]byte, error)
	// Ready reports whether a write could begin before ctx ends: what a
	// readiness probe asks.
	Ready(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// FileStore is implemented by backends that keep the whole database in
// one local file (bbolt): they describe the file and copy it.
type FileStore interface {
	Store
	// FileStats returns the size of the database file and its free pages.
	FileStats(ctx context.Context) (FileStats, error)
	// Backup writes a consistent snapshot of the whole database to w while
	// the store keeps serving, and returns its size. The snapshot is a
	// database file of the backend.
	Backup(ctx context.Context, w io.Writer) (int64, error)
}

// StatsReporter is implemented by backends that report their database
// engine's counters for monitoring. DBStats takes no transaction.
type StatsReporter interface {
	DBStats() DBStats
}
