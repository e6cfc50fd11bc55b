// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema in the database that the environment variable LIAISON_TEST_POSTGRES
// names (a connection string), dropped when the test ends. Without the
// variable the test is skipped with a message that says how to run it.
// .ci/run starts a throwaway server and sets the variable.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// EnvVar names the connection string of the test database.
const EnvVar = "LIAISON_TEST_POSTGRES"

// Available reports whether a test database is configured.
func Available() bool { return os.Getenv(EnvVar) != "" }

// Skip skips tb unless a test database is configured.
func Skip(tb testing.TB) {
	tb.Helper()
	if !Available() {
		tb.Skipf("PostgreSQL tests skipped: set %s to a connection string (postgres://USER@HOST:PORT/DB); .ci/run starts a throwaway server", EnvVar)
	}
}

// URL returns the connection string of a new, empty schema for tb (its
// search_path), dropped with everything in it when tb ends. It skips tb
// when no test database is configured.
func URL(tb testing.TB) string {
	tb.Helper()
	Skip(tb)
	base := os.Getenv(EnvVar)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to the test database (%s): %v", EnvVar, err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	schema := fmt.Sprintf("test_%x", b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(base, schema)
}

// WithSearchPath returns the connection string base with its search_path
// set to schema.
func WithSearchPath(base, schema string) string {
	if u, err := url.Parse(base); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(base) + " search_path=" + schema
}

// BackendVar chooses the store that tests written for any backend run on:
// bolt (the default) or postgres, in the database EnvVar names. .ci/run
// runs such packages once with each.
const BackendVar = "LIAISON_TEST_BACKEND"

// Backend returns the backend BackendVar chooses, "bolt" or "postgres".
// postgres without a test database fails tb: the run asked for it.
func Backend(tb testing.TB) string {
	tb.Helper()
	switch b := os.Getenv(BackendVar); b {
	case "", "bolt":
		return "bolt"
	case "postgres":
		if !Available() {
			tb.Fatalf("%s=postgres needs %s, a PostgreSQL connection string", BackendVar, EnvVar)
		}
		return b
	default:
		tb.Fatalf("%s=%q: use bolt or postgres", BackendVar, b)
		return ""
	}
}
