package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"time"

	"liaison/store"
)

// copyCmd is the copy command: it copies a whole database to another
// backend (a database file to PostgreSQL, or back), item for item (see
// store.Item): every API root, collection, object version with its
// date_added, user with its password hash and grants, API key with its
// hash, status resource, audit entry and activity record, and the cursor
// secret, so that clients go on paging where they were. Then it exports
// both and compares them.
func (c *cli) copyCmd(fs *flag.FlagSet) runFunc {
	from := fs.String("from", "", "the database to copy: a `file` or a postgres:// URL")
	to := fs.String("to", "", "the empty database to copy into: a new file, or a postgres:// URL (the schema is created)")
	return func(ctx context.Context, _ []string) error {
		if *from == "" || *to == "" {
			return usagef("--from and --to are required")
		}
		if *from == *to {
			return usagef("--from and --to name the same database")
		}
		if !isPostgres(*to) {
			if _, err := os.Stat(*to); err == nil {
				return fmt.Errorf("%s exists: copy into a new file", *to)
			}
		}
		src, err := openDB(*from, readDB, c.passwordCost, c.stderr)
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := openDB(*to, writeDB, c.passwordCost, io.Discard)
		if err != nil {
			return err
		}
		defer dst.Close()
		exp, ok := src.(store.Exporter)
		if !ok {
			return fmt.Errorf("%s cannot be exported", redactDB(*from))
		}
		imp, ok := dst.(store.Importer)
		if !ok {
			return fmt.Errorf("%s cannot be imported into", redactDB(*to))
		}
		start := time.Now()
		w, err := imp.Import(ctx)
		if err != nil {
			return err
		}
		var counts itemCounts
		progress := time.Now()
		err = exp.Export(ctx, func(it store.Item) error {
			counts.add(it)
			if c.stdoutTTY && time.Since(progress) > time.Second {
				progress = time.Now()
				fmt.Fprintf(c.stdout, "\r%d object versions copied", counts.versions)
			}
			return w.Write(ctx, it)
		})
		if err == nil {
			err = w.Close(ctx)
		}
		if c.stdoutTTY && counts.versions > 0 {
			fmt.Fprint(c.stdout, "\r")
		}
		if err != nil {
			return fmt.Errorf("copy %s to %s: %w", redactDB(*from), redactDB(*to), err)
		}
		fmt.Fprintf(c.stdout, "copied %s to %s in %s: %s\n", redactDB(*from), redactDB(*to), time.Since(start).Round(time.Millisecond), counts)

		// Verify: both export the same items.
		a, err := digest(ctx, exp)
		if err != nil {
			return err
		}
		b, err := digest(ctx, dst.(store.Exporter))
		if err != nil {
			return err
		}
		if a.sum != b.sum {
			return fmt.Errorf("the copy differs from the original: the original exports %s (sha256 %x), the copy %s (sha256 %x); was the original written to meanwhile?", a.counts, a.sum, b.counts, b.sum)
		}
		fmt.Fprintf(c.stdout, "verified: both export the same %d items (sha256 %x)\n", a.counts.total(), a.sum)
		return nil
	}
}

// itemCounts counts an export's items by kind.
type itemCounts struct {
	roots, collections, versions, users, keys, statuses, audit, activity int
}

func (n *itemCounts) add(it store.Item) {
	switch {
	case it.APIRoot != nil:
		n.roots++
	case it.Collection != nil:
		n.collections++
	case it.Version != nil:
		n.versions++
	case it.User != nil:
		n.users++
	case it.APIKey != nil:
		n.keys++
	case it.Status != nil:
		n.statuses++
	case it.Audit != nil:
		n.audit++
	case it.Activity != nil:
		n.activity++
	}
}

func (n itemCounts) total() int {
	return 1 + n.roots + n.collections + n.versions + n.users + n.keys + n.statuses + n.audit + n.activity
}

func (n itemCounts) String() string {
	parts := []string{
		fmt.Sprintf("%d API roots", n.roots), fmt.Sprintf("%d collections", n.collections),
		fmt.Sprintf("%d object versions", n.versions), fmt.Sprintf("%d users", n.users),
		fmt.Sprintf("%d API keys", n.keys), fmt.Sprintf("%d statuses", n.statuses),
		fmt.Sprintf("%d audit entries", n.audit), fmt.Sprintf("%d activity records", n.activity),
		"the cursor secret",
	}
	return strings.Join(parts, ", ")
}

type exportDigest struct {
	sum    [32]byte
	counts itemCounts
}

// digest hashes a database's export: the JSON of each item, one per line.
func digest(ctx context.Context, exp store.Exporter) (exportDigest, error) {
	var d exportDigest
	var h hash.Hash = sha256.New()
	enc := json.NewEncoder(h)
	err := exp.Export(ctx, func(it store.Item) error {
		d.counts.add(it)
		return enc.Encode(it)
	})
	if err != nil {
		return d, fmt.Errorf("verify: %w", err)
	}
	copy(d.sum[:], h.Sum(nil))
	return d, nil
}
