// Package postgres is the PostgreSQL backend of the store: one database
// shared by any number of Liaison processes (replicas behind a load
// balancer), through github.com/jackc/pgx/v5 and its connection pool.
//
// The schema is created and migrated by the binary (Migrate; the SQL is
// embedded, versioned, under migrations/), in the schema the connection's
// search_path names first (public by default). Object versions are rows of
// one table with an index per query shape (see the migrations), so that
// every page is a keyset scan that reads its own rows and no more.
//
// What the contract asks of many writers on many replicas:
//
//   - date_added: AddObjects locks its collection's row (SELECT ... FOR NO
//     KEY UPDATE) for its whole transaction, allocates date_added values
//     after the collection's last one, and commits. Writers to one
//     collection therefore allocate and commit one at a time, in date_added
//     order, whichever replica they run on: no two get the same value, and
//     no reader can see a later date_added before an earlier one is visible
//     (a lock is released only after its commit is visible), so paging by
//     added_after never skips a version. Writers to other collections do
//     not wait for each other.
//   - one transaction per request: AddObjects stores the versions, the
//     collection's counters and the status resource in one transaction,
//     committed before it returns (before the 202).
//   - the cursor secret is a row of the meta table, made once per
//     database: every replica seals and opens the same cursors.
//   - status resources are rows: any replica serves any status.
//   - caches: every write that changes what a credential may do (a
//     password, the admin role, a grant, a key revoked, a user or
//     collection removed) sends a NOTIFY in its transaction, and so does
//     every change to an API root or a collection and every deletion of
//     objects; OnAccountsChanged and OnResourcesChanged register what to
//     call when one arrives from any replica, or when the listening
//     connection was lost and notifications may have been missed.
//
// Sharing by markings: each version row holds its markings (TLP level,
// with a bit for AMBER+STRICT beside a higher level, creator, other
// marking ids), and a query with a clearance tests them in
// its SQL, on the rows its index scan reads anyway; a version the
// clearance does not admit is never sent. A restricted client's default
// query merges the current-version index with a shadow index, which lists
// the versions that are the newest some clients may see although the
// object has a newer one (a re-marking; store/bolt keeps the same list),
// and keeps those with no newer version the client may see. Writers
// recompute an object's shadows only when its versions differ in
// markings, which the current version's row records.
//
// Page.Scanned counts the rows the page's statements returned to Liaison:
// index entries (with their rows) of the keyset scans, and for version
// selections other than the default, one row per lookup of an object's
// current spec version, first or last version. A restricted client's
// default query counts the index entries its scan visited up to the last
// row it returned, admitted or not, and stops at MaxScan. Every statement
// is a LIMITed range scan of an index in the order it pages in, so
// PostgreSQL reads those rows and a bounded few more (a lookup that skips
// versions of another spec version reads those too; a shadow costs the
// versions of its object).
package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"liaison/store"
)

// Options are the settings of a PostgreSQL store: those of every backend,
// and the pool's and the schema's.
type Options struct {
	store.Options
	// MaxConns bounds the connection pool (0: the connection string's
	// pool_max_conns, else pgxpool's default, four or the number of CPUs).
	MaxConns int32
	// Migrate lets Open migrate a database whose schema is older than this
	// binary's (else Open refuses it and says to run liaison
	// migrate-schema). A database without Liaison's schema gets it either
	// way, unless NoCreate.
	Migrate bool
	// NoCreate makes Open refuse a database without Liaison's schema
	// rather than create it (commands that only read).
	NoCreate bool
}

// Store is the PostgreSQL-backed store.Store.
type Store struct {
	pool      *pgxpool.Pool
	opts      Options
	passwords *store.Passwords
	schema    string // the schema the tables are in
	channel   string // the NOTIFY channel of account and resource changes

	secretOnce sync.Once
	secret     []byte

	listen      sync.Mutex
	onAccounts  []func()
	onResources []func()
	stop        context.CancelFunc // ends the listener
	done        chan struct{}      // closed when the listener ended
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string), checks its schema (creating or migrating it as o
// allows) and creates the cursor secret on first use.
func Open(ctx context.Context, url string, o Options) (*Store, error) {
	o.Options = o.Options.WithDefaults()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL connection string: %w", err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	// Each prepared statement is planned once per connection, generically
	// (its plan is the one TestPlansDoNotGrowWithTheCollection checks),
	// rather than for every page: planning a page's statement costs more
	// than running it. A connection string that sets plan_cache_mode keeps
	// its own.
	if _, set := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !set {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	s := &Store{pool: pool, opts: o, passwords: store.NewPasswords(o.PasswordCost)}
	if err := s.init(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	var schema *string
	if err := s.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("connect to PostgreSQL %s: %w", s.describe(), err)
	}
	if schema == nil {
		return fmt.Errorf("PostgreSQL %s: no schema of the search_path exists; create it, or fix search_path", s.describe())
	}
	s.schema = *schema
	s.channel = notifyChannel(s.schema)
	version, err := SchemaVersion(ctx, s.pool)
	if err != nil {
		return err
	}
	switch {
	case version > latestVersion():
		return fmt.Errorf("PostgreSQL %s: %w", s.describe(), &SchemaError{Have: version, Want: latestVersion()})
	case version == 0 && s.opts.NoCreate:
		return fmt.Errorf("PostgreSQL %s: %w", s.describe(), ErrNoSchema)
	case version == 0 || (version < latestVersion() && s.opts.Migrate):
		if _, _, err := migrate(ctx, s.pool); err != nil {
			return err
		}
	case version < latestVersion():
		return fmt.Errorf("PostgreSQL %s: %w", s.describe(), &SchemaError{Have: version, Want: latestVersion()})
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("create cursor secret: %w", err)
	}
	// Replicas starting together race here; the first row stays.
	if _, err := s.pool.Exec(ctx, `INSERT INTO meta (key, value) VALUES ('cursor_secret', $1) ON CONFLICT (key) DO NOTHING`, secret); err != nil {
		return fmt.Errorf("create cursor secret: %w", mapErr(err))
	}
	return nil
}

// describe names the database for messages, without the password.
func (s *Store) describe() string {
	c := s.pool.Config().ConnConfig
	return fmt.Sprintf("database %q at %s:%d", c.Database, c.Host, c.Port)
}

// Close ends the listener and closes the pool's connections. Closing twice
// is harmless.
func (s *Store) Close() error {
	s.listen.Lock()
	stop, done := s.stop, s.done
	s.stop = nil
	s.listen.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	s.pool.Close()
	return nil
}

// Pool returns the connection pool, for the pool's statistics.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Schema returns the schema Liaison's tables are in.
func (s *Store) Schema() string { return s.schema }

// CursorSecret returns the key that seals paging cursors: a row of the
// database, the same for every replica and across restarts.
func (s *Store) CursorSecret(ctx context.Context) ([]byte, error) {
	var err error
	s.secretOnce.Do(func() {
		err = s.pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'cursor_secret'`).Scan(&s.secret)
	})
	if err != nil {
		s.secretOnce = sync.Once{}
		return nil, fmt.Errorf("read cursor secret: %w", mapErr(err))
	}
	return append([]byte(nil), s.secret...), nil
}

// Ready reports whether a write could begin before ctx ends: the database
// answers and is not a read-only standby.
func (s *Store) Ready(ctx context.Context) error {
	var standby bool
	if err := s.pool.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
		return fmt.Errorf("PostgreSQL does not answer: %w", mapErr(err))
	}
	if standby {
		return errors.New("PostgreSQL is a read-only standby: point --db at the primary")
	}
	return nil
}

// tx runs f in a READ COMMITTED transaction, committed when f returns
// nil. The level is explicit, whatever the database's or role's default:
// writers lock a row (the collection's, a user's) and then read what the
// writer before them committed, which a snapshot taken before the wait
// (REPEATABLE READ, SERIALIZABLE) refuses with a serialization failure.
func (s *Store) tx(ctx context.Context, f func(tx pgx.Tx) error) error {
	return s.txOptions(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, f)
}

func (s *Store) txOptions(ctx context.Context, opts pgx.TxOptions, f func(tx pgx.Tx) error) error {
	err := pgx.BeginTxFunc(ctx, s.pool, opts, f)
	return mapErr(err)
}

// mapErr turns PostgreSQL's errors into the contract's where one applies:
// a full disk is store.ErrNoSpace.
func mapErr(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "53100" { // disk_full
		return fmt.Errorf("%w: %v", store.ErrNoSpace, err)
	}
	return err
}

// isUniqueViolation reports whether err is a unique constraint's.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

func (s *Store) now() time.Time { return s.opts.Now().UTC() }
