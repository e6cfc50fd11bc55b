package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"liaison/store"
	"liaison/store/postgres"
)

// --db names a bbolt database file, or, with the postgres:// (or
// postgresql://) scheme, a PostgreSQL database shared by any number of
// servers: the scheme chooses the backend.

// isPostgres reports whether db is a PostgreSQL connection URL.
func isPostgres(db string) bool {
	lower := strings.ToLower(db)
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// passwordParam matches a password given as a query parameter.
var passwordParam = regexp.MustCompile(`(?i)(password=)[^&]*`)

// redactDB returns db with any password in it masked, for logs and
// printed configurations.
func redactDB(db string) string {
	if !isPostgres(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "********")
	}
	u.RawQuery = passwordParam.ReplaceAllString(u.RawQuery, "${1}********")
	s, _ := url.PathUnescape(u.String())
	return s
}

// openTimeout bounds connecting to PostgreSQL when a command starts: an
// unreachable host fails the command instead of hanging it.
const openTimeout = 30 * time.Second

// openPostgres opens a PostgreSQL store for a command. Commands that only
// read refuse a database without Liaison's schema; the others create it.
// A schema older than the binary's is refused: liaison migrate-schema
// migrates it, deliberately, once for every replica.
func openPostgres(ctx context.Context, db string, mode dbMode, o store.Options) (*postgres.Store, error) {
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	st, err := postgres.Open(ctx, db, postgres.Options{Options: o, NoCreate: mode == readDB})
	if err != nil {
		if errors.Is(err, postgres.ErrNoSchema) {
			return nil, fmt.Errorf("%s: %w", redactDB(db), err)
		}
		return nil, fmt.Errorf("open %s: %w", redactDB(db), err)
	}
	return st, nil
}

// openDB opens the database of an offline command: a bbolt file, or the
// PostgreSQL database of a postgres:// URL.
func openDB(db string, mode dbMode, cost store.PasswordCost, stderr io.Writer) (store.Store, error) {
	// Typed nils must not become non-nil interfaces.
	if isPostgres(db) {
		st, err := openPostgres(context.Background(), db, mode, store.Options{PasswordCost: cost})
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	st, err := openBoltDB(db, mode, cost, stderr)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// notForPostgres refuses a command that works on database files only.
func notForPostgres(db, command, instead string) error {
	if !isPostgres(db) {
		return nil
	}
	return fmt.Errorf("%s works on database files; %s is PostgreSQL: %s", command, redactDB(db), instead)
}

// migrateSchema is the migrate-schema command: it creates Liaison's
// schema in a PostgreSQL database, or brings it to this binary's version.
func (c *cli) migrateSchema(fs *flag.FlagSet) runFunc {
	db := fs.String("db", "", "PostgreSQL `URL` (postgres://USER@HOST:PORT/DB)")
	return func(ctx context.Context, args []string) error {
		if !isPostgres(*db) {
			return usagef("--db must be a postgres:// URL (a database file needs no migration)")
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
		from, to, err := postgres.Migrate(ctx, *db)
		if err != nil {
			return fmt.Errorf("%s: %w", redactDB(*db), err)
		}
		if from == to {
			fmt.Fprintf(c.stdout, "%s: schema at version %d, nothing to do\n", redactDB(*db), to)
			return nil
		}
		fmt.Fprintf(c.stdout, "%s: schema migrated from version %d to %d\n", redactDB(*db), from, to)
		return nil
	}
}
