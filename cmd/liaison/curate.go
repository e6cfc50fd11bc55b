package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"liaison/stix"
	"liaison/store"
	"liaison/store/admin"
)

const curateUsage = `Curation:
  liaison apiroot add NAME --title T [--description D] [--max-content-length BYTES] [--default]
  liaison apiroot list
  liaison apiroot update NAME [--title T] [--description D] [--max-content-length BYTES] [--default]
  liaison apiroot remove NAME [--force]
  liaison collection add --api-root NAME --title T [--alias A] [--description D] [--public-read] [--reject-custom]
  liaison collection list [--api-root NAME]
  liaison collection show ID|ALIAS
  liaison collection update ID|ALIAS [--title T] [--alias A] [--description D] [--public-read=BOOL] [--reject-custom=BOOL]
  liaison collection remove ID|ALIAS [--force]
  liaison import --collection ID|ALIAS [--json] FILE...    (- reads standard input)
  liaison export --collection ID|ALIAS [--added-after T] [--type T]... [--all-versions] [--envelope] [-o FILE]
  liaison object delete --collection ID|ALIAS OBJECT-ID [--version V | --all-versions]
  liaison object revoke --collection ID|ALIAS OBJECT-ID
  liaison stats
  liaison backup FILE
  liaison restore BACKUP --db FILE
Each takes --db FILE (default ./liaison.db), or --server URL with an
admin's API key (--api-key or LIAISON_API_KEY) to act on a running server
(restore is offline only: it refuses a database in use).
`

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// optString and friends record whether a flag was given, for updates.
type optString struct {
	v   string
	set bool
}

func (o *optString) String() string     { return o.v }
func (o *optString) Set(v string) error { o.v, o.set = v, true; return nil }
func (o *optString) ptr() *string {
	if !o.set {
		return nil
	}
	return &o.v
}

type optBool struct {
	v   bool
	set bool
}

func (o *optBool) String() string   { return fmt.Sprint(o.v) }
func (o *optBool) IsBoolFlag() bool { return true }
func (o *optBool) Set(v string) error {
	b, err := parseBool(v)
	o.v, o.set = b, true
	return err
}
func (o *optBool) ptr() *bool {
	if !o.set {
		return nil
	}
	return &o.v
}

func parseBool(v string) (bool, error) {
	switch v {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", v)
}

func (c *cli) apiroot(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("apiroot: expected add, list, update or remove")
	}
	fs := flag.NewFlagSet("apiroot", flag.ContinueOnError)
	t := addTarget(fs)
	var title, desc optString
	fs.Var(&title, "title", "title")
	fs.Var(&desc, "description", "description")
	maxLen := fs.Int64("max-content-length", 0, "largest POST body in bytes")
	var def optBool
	fs.Var(&def, "default", "make it the default API root")
	force := fs.Bool("force", false, "remove its collections and objects too")
	switch args[0] {
	case "add":
		pos, err := parseArgs(fs, args[1:], "NAME")
		if err != nil {
			return err
		}
		return t.run(func(api adminAPI) error {
			r, err := api.AddAPIRoot(ctx, store.APIRoot{Name: pos[0], Title: title.v, Description: desc.v, MaxContentLength: *maxLen, Default: def.v})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "created API root %s (/%s/)\n", r.Name, r.Name)
			return nil
		})
	case "list":
		if _, err := parseArgs(fs, args[1:]); err != nil {
			return err
		}
		return t.run(func(api adminAPI) error {
			roots, err := api.APIRoots(ctx)
			if err != nil {
				return err
			}
			return printAPIRoots(c.stdout, roots)
		})
	case "update":
		pos, err := parseArgs(fs, args[1:], "NAME")
		if err != nil {
			return err
		}
		u := store.APIRootUpdate{Title: title.ptr(), Description: desc.ptr(), Default: def.ptr()}
		if *maxLen != 0 {
			u.MaxContentLength = maxLen
		}
		return t.run(func(api adminAPI) error {
			if _, err := api.UpdateAPIRoot(ctx, pos[0], u); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "updated API root %s\n", pos[0])
			return nil
		})
	case "remove":
		pos, err := parseArgs(fs, args[1:], "NAME")
		if err != nil {
			return err
		}
		return t.run(func(api adminAPI) error {
			if err := api.RemoveAPIRoot(ctx, pos[0], *force); err != nil {
				return withHint(err, "--force removes its collections and their objects too")
			}
			fmt.Fprintf(c.stdout, "removed API root %s\n", pos[0])
			return nil
		})
	}
	return usagef("apiroot: unknown command %q", args[0])
}

func withHint(err error, hint string) error {
	if errors.Is(err, store.ErrNotEmpty) {
		return fmt.Errorf("%w; %s", err, hint)
	}
	return err
}

func printAPIRoots(w io.Writer, roots []store.APIRoot) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTITLE\tDEFAULT\tMAX CONTENT\tPAGE\tMAX PAGE\tMAX OBJECTS")
	for _, r := range roots {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\n", r.Name, r.Title, yesNo(r.Default), r.MaxContentLength, r.DefaultLimit, r.MaxLimit, r.MaxObjects)
	}
	return tw.Flush()
}

func (c *cli) collection(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("collection: expected add, list, show, update or remove")
	}
	fs := flag.NewFlagSet("collection", flag.ContinueOnError)
	t := addTarget(fs)
	root := fs.String("api-root", "", "API root name")
	var title, desc, alias optString
	fs.Var(&title, "title", "title")
	fs.Var(&desc, "description", "description")
	fs.Var(&alias, "alias", "alias, unique in the API root")
	var public, rejectCustom optBool
	fs.Var(&public, "public-read", "anyone may read it, anonymous clients too")
	fs.Var(&rejectCustom, "reject-custom", "refuse custom objects and properties")
	force := fs.Bool("force", false, "remove it with its objects")
	switch args[0] {
	case "add":
		if _, err := parseArgs(fs, args[1:]); err != nil {
			return err
		}
		if *root == "" {
			return usagef("collection add: --api-root is required")
		}
		return t.run(func(api adminAPI) error {
			col, err := api.AddCollection(ctx, store.Collection{APIRoot: *root, Title: title.v, Description: desc.v,
				Alias: alias.v, PublicRead: public.v, RejectCustom: rejectCustom.v})
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, col.ID)
			return nil
		})
	case "list":
		if _, err := parseArgs(fs, args[1:]); err != nil {
			return err
		}
		return t.run(func(api adminAPI) error {
			colls, err := api.Collections(ctx, *root)
			if err != nil {
				return err
			}
			return printCollections(c.stdout, colls)
		})
	case "show":
		pos, err := parseArgs(fs, args[1:], "ID|ALIAS")
		if err != nil {
			return err
		}
		return t.run(func(api adminAPI) error {
			col, err := api.Collection(ctx, pos[0])
			if err != nil {
				return err
			}
			return printCollection(c.stdout, col)
		})
	case "update":
		pos, err := parseArgs(fs, args[1:], "ID|ALIAS")
		if err != nil {
			return err
		}
		return t.run(func(api adminAPI) error {
			col, err := api.UpdateCollection(ctx, pos[0], store.CollectionUpdate{Title: title.ptr(), Description: desc.ptr(),
				Alias: alias.ptr(), PublicRead: public.ptr(), RejectCustom: rejectCustom.ptr()})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "updated collection %s\n", col.ID)
			return nil
		})
	case "remove":
		pos, err := parseArgs(fs, args[1:], "ID|ALIAS")
		if err != nil {
			return err
		}
		return t.run(func(api adminAPI) error {
			if err := api.RemoveCollection(ctx, pos[0], *force); err != nil {
				return withHint(err, "--force removes it with its objects")
			}
			fmt.Fprintf(c.stdout, "removed collection %s\n", pos[0])
			return nil
		})
	}
	return usagef("collection: unknown command %q", args[0])
}

func printCollections(w io.Writer, colls []admin.CollectionInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "API ROOT\tID\tALIAS\tTITLE\tPUBLIC\tOBJECTS\tVERSIONS\tLAST ADDED")
	for _, c := range colls {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", c.APIRoot, c.ID, orDash(c.Alias), c.Title, yesNo(c.PublicRead),
			c.Stats.Objects, c.Stats.Versions, taxiiStamp(c.Stats.LastAdded))
	}
	return tw.Flush()
}

func printCollection(w io.Writer, c admin.CollectionInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, row := range [][2]string{
		{"ID", c.ID}, {"API root", c.APIRoot}, {"Alias", orDash(c.Alias)}, {"Title", c.Title},
		{"Description", orDash(c.Description)}, {"Media types", strings.Join(c.MediaTypes, ", ")},
		{"Public read", yesNo(c.PublicRead)}, {"Reject custom", yesNo(c.RejectCustom)},
		{"Objects", fmt.Sprint(c.Stats.Objects)}, {"Versions", fmt.Sprint(c.Stats.Versions)},
		{"Bytes", fmt.Sprint(c.Stats.Bytes)}, {"First added", taxiiStamp(c.Stats.FirstAdded)},
		{"Last added", taxiiStamp(c.Stats.LastAdded)},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	return tw.Flush()
}

func taxiiStamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return stix.FormatTAXII(t)
}

func (c *cli) importCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	t := addTarget(fs)
	coll := fs.String("collection", "", "collection id or alias")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	files, err := parseAnyArgs(fs, args)
	if err != nil {
		return err
	}
	if *coll == "" || len(files) == 0 {
		return usagef("import: --collection and at least one FILE are required")
	}
	failed := false
	err = t.run(func(api adminAPI) error {
		for _, name := range files {
			in, closeIn, err := openInput(name, c.stdin)
			if err != nil {
				return err
			}
			progress := c.progress(name)
			res, err := api.Import(ctx, *coll, cliOwner, in, progress)
			closeIn()
			c.endProgress(progress)
			if err != nil {
				if res.Objects > 0 {
					return fmt.Errorf("%s: %w (%d objects imported before)", name, err, res.Objects)
				}
				return fmt.Errorf("%s: %w", name, err)
			}
			if res.Failures > 0 {
				failed = true
			}
			if *asJSON {
				json.NewEncoder(c.stdout).Encode(struct {
					File string `json:"file"`
					admin.ImportResult
				}{name, res})
				continue
			}
			for _, f := range res.FailureDetails {
				fmt.Fprintf(c.stdout, "%s: failed: %s\n", name, f.Message)
			}
			rate := float64(res.Objects) / max(res.Elapsed.Seconds(), 1e-9)
			fmt.Fprintf(c.stdout, "%s: %d objects, %d stored or already present, %d failed, in %s (%.0f objects/s)\n",
				name, res.Objects, res.Successes, res.Failures, res.Elapsed.Round(time.Millisecond), rate)
		}
		return nil
	})
	if err == nil && failed {
		return errSomeFailed
	}
	return err
}

// errSomeFailed makes the exit status 1 without another message.
var errSomeFailed = &silentError{}

type silentError struct{}

func (*silentError) Error() string { return "some objects failed" }

// progress returns a progress printer for a terminal, or nil.
func (c *cli) progress(name string) func(admin.ImportProgress) {
	f, ok := c.stdout.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil // not a terminal: the one-line summary is enough
	}
	return func(p admin.ImportProgress) {
		rate := float64(p.Objects) / max(p.Elapsed.Seconds(), 1e-9)
		fmt.Fprintf(c.stdout, "\r%s: %d objects, %d failed, %.0f objects/s   ", filepath.Base(name), p.Objects, p.Failures, rate)
	}
}

func (c *cli) endProgress(p func(admin.ImportProgress)) {
	if p != nil {
		fmt.Fprintln(c.stdout)
	}
}

func openInput(name string, stdin io.Reader) (io.Reader, func(), error) {
	if name == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// parseAnyArgs is parseArgs without a fixed number of positional arguments.
func parseAnyArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%v", err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func (c *cli) exportCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	t := addTarget(fs)
	coll := fs.String("collection", "", "collection id or alias")
	addedAfter := fs.String("added-after", "", "only objects added after this timestamp")
	var types listFlag
	fs.Var(&types, "type", "only objects of this type (repeatable)")
	all := fs.Bool("all-versions", false, "every version, not only the current one")
	envelope := fs.Bool("envelope", false, "write a TAXII envelope instead of a STIX bundle")
	outName := fs.String("o", "", "output file (default standard output)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *coll == "" {
		return usagef("export: --collection is required")
	}
	o := admin.ExportOptions{Types: types, AllVersions: *all, Envelope: *envelope}
	if *addedAfter != "" {
		t, err := stix.ParseTimestamp(*addedAfter)
		if err != nil {
			return usagef("--added-after: %v", err)
		}
		o.AddedAfter = t
	}
	return t.run(func(api adminAPI) error {
		if *outName == "" {
			n, err := api.Export(ctx, *coll, o, c.stdout)
			if err == nil {
				fmt.Fprintf(c.stderr, "exported %d objects\n", n)
			}
			return err
		}
		var n int
		err := writeFileAtomic(*outName, func(f *os.File) error {
			var err error
			n, err = api.Export(ctx, *coll, o, f)
			return err
		})
		if err == nil {
			fmt.Fprintf(c.stderr, "exported %d objects to %s\n", n, *outName)
		}
		return err
	})
}

func (c *cli) object(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("object: expected delete or revoke")
	}
	fs := flag.NewFlagSet("object", flag.ContinueOnError)
	t := addTarget(fs)
	coll := fs.String("collection", "", "collection id or alias")
	version := fs.String("version", "", "delete: only this version (its modified)")
	all := fs.Bool("all-versions", false, "delete: every version (the default)")
	pos, err := parseArgs(fs, args[1:], "OBJECT-ID")
	if err != nil {
		return err
	}
	if *coll == "" {
		return usagef("object: --collection is required")
	}
	switch args[0] {
	case "delete":
		if *version != "" && *all {
			return usagef("object delete: --version and --all-versions exclude each other")
		}
		return t.run(func(api adminAPI) error {
			n, err := api.DeleteObject(ctx, *coll, pos[0], *version)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "deleted %d version(s) of %s\n", n, pos[0])
			return nil
		})
	case "revoke":
		return t.run(func(api adminAPI) error {
			st, err := api.RevokeObject(ctx, *coll, cliOwner, pos[0])
			if err != nil {
				return err
			}
			if st.FailureCount > 0 {
				return fmt.Errorf("revocation refused: %s", st.Failures[0].Message)
			}
			fmt.Fprintf(c.stdout, "revoked %s: new version %s\n", pos[0], st.Successes[0].Version)
			return nil
		})
	}
	return usagef("object: unknown command %q", args[0])
}

func (c *cli) stats(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	t := addTarget(fs)
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	return t.run(func(api adminAPI) error {
		st, err := api.Stats(ctx)
		if err != nil {
			return err
		}
		return printStats(c.stdout, st)
	})
}

func printStats(w io.Writer, st admin.Stats) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "API ROOT\tCOLLECTION\tOBJECTS\tVERSIONS\tBYTES\tFIRST ADDED\tLAST ADDED")
	for _, c := range st.Collections {
		name := c.ID
		if c.Alias != "" {
			name = c.Alias
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", c.APIRoot, name, c.Stats.Objects, c.Stats.Versions, c.Stats.Bytes,
			taxiiStamp(c.Stats.FirstAdded), taxiiStamp(c.Stats.LastAdded))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\ndatabase: %d bytes, %d free pages of %d bytes\n", st.File.Size, st.File.FreePages, st.File.PageSize)
	return nil
}

func (c *cli) backup(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	t := addTarget(fs)
	pos, err := parseArgs(fs, args, "FILE")
	if err != nil {
		return err
	}
	return t.run(func(api adminAPI) error {
		var n int64
		err := writeFileAtomic(pos[0], func(f *os.File) error {
			var err error
			if n, err = api.Backup(ctx, f); err != nil {
				return err
			}
			// A snapshot cut short on the way is refused, not kept.
			return store.CheckFile(f.Name())
		})
		if err == nil {
			fmt.Fprintf(c.stdout, "backed up %d bytes to %s\n", n, pos[0])
		}
		return err
	})
}

func (c *cli) restore(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	dbPath := fs.String("db", "", "database file to create from the backup")
	pos, err := parseArgs(fs, args, "BACKUP")
	if err != nil {
		return err
	}
	if *dbPath == "" {
		return usagef("restore: --db is required")
	}
	// Check the backup, read-only, before anything is touched.
	if err := store.CheckFile(pos[0]); err != nil {
		return fmt.Errorf("backup %s: %w", pos[0], err)
	}
	if _, err := os.Stat(*dbPath); err == nil {
		// Refuse a file in use; an idle one is replaced.
		db, err := openDB(*dbPath)
		if err != nil {
			if errors.Is(err, errInUse) {
				return fmt.Errorf("%s is in use by a running liaison server; stop it before restoring over it", *dbPath)
			}
			return err
		}
		db.Close()
	}
	src, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer src.Close()
	err = writeFileAtomic(*dbPath, func(f *os.File) error {
		_, err := io.Copy(f, src)
		return err
	})
	if err == nil {
		fmt.Fprintf(c.stdout, "restored %s from %s\n", *dbPath, pos[0])
	}
	return err
}

// cliOwner owns the status resources of offline imports and revocations;
// it cannot be a user name, so no user sees them.
const cliOwner = "(cli)"

// writeFileAtomic writes a file through a temporary file in the same
// folder, synced and renamed into place, so that no half-written file is
// ever left under the name.
func writeFileAtomic(name string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
