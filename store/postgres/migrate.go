package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The migrations are SQL files named NNNN_what.sql: version NNNN brings
// the schema from version NNNN-1 to NNNN. They only ever get added; one
// that shipped is never changed.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order.
func migrations() []migration {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			panic("migration file without a version: " + e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			panic(err)
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			panic(fmt.Sprintf("migration %s: want version %d", m.name, i+1))
		}
	}
	return out
}

func latestVersion() int { return len(migrations()) }

// LatestVersion is the schema version this binary uses.
func LatestVersion() int { return latestVersion() }

// ErrNoSchema is returned by Open with NoCreate for a database without
// Liaison's schema.
var ErrNoSchema = errors.New("no Liaison schema in this database (serve, or liaison migrate-schema, creates it; check --db)")

// SchemaError is returned by Open for a schema of another version than
// the binary's: a newer one is always refused (an older binary must not
// write to it), an older one unless Options.Migrate.
type SchemaError struct {
	Have, Want int
}

func (e *SchemaError) Error() string {
	if e.Have > e.Want {
		return fmt.Sprintf("the database's schema is version %d, newer than this liaison's (%d): run a liaison as new as the one that migrated it", e.Have, e.Want)
	}
	return fmt.Sprintf("the database's schema is version %d, this liaison needs %d: run liaison migrate-schema --db URL first", e.Have, e.Want)
}

// querier is what both a pool and a transaction can run.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// SchemaVersion returns the version of Liaison's schema in the database's
// current schema, 0 when it has none.
func SchemaVersion(ctx context.Context, q querier) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('liaison_schema') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("read the schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM liaison_schema`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read the schema version: %w", err)
	}
	return v, nil
}

// Migrate brings the schema of the database at url to this binary's
// version and returns the versions before and after. It refuses a newer
// schema. Several processes may run it at once: they take turns.
func Migrate(ctx context.Context, url string) (from, to int, err error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return 0, 0, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer pool.Close()
	return migrate(ctx, pool)
}

func migrate(ctx context.Context, pool *pgxpool.Pool) (from, to int, err error) {
	all := migrations()
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// One migrator at a time per schema: the others wait, then find
		// nothing left to do.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('liaison migrate ' || current_schema()))`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS liaison_schema (
			version integer PRIMARY KEY,
			name    text NOT NULL,
			applied timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		if from, err = SchemaVersion(ctx, tx); err != nil {
			return err
		}
		to = from
		if from > len(all) {
			return &SchemaError{Have: from, Want: len(all)}
		}
		// DDL is transactional in PostgreSQL: all the steps or none.
		for _, m := range all[from:] {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO liaison_schema (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
				return err
			}
			to = m.version
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("migrate the schema: %w", mapErr(err))
	}
	return from, to, nil
}
