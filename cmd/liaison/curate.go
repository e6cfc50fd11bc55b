package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"liaison/stix"
	"liaison/store"
	"liaison/store/bolt"
	"liaison/store/curation"
)

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

// apirootFlags declares the settings of an API root.
type apirootFlags struct {
	title, desc optString
	maxLen      *int64
	def         optBool
}

func addAPIRootFlags(fs *flag.FlagSet) *apirootFlags {
	f := &apirootFlags{}
	fs.Var(&f.title, "title", "`title` of the API root")
	fs.Var(&f.desc, "description", "`description` of the API root")
	f.maxLen = fs.Int64("max-content-length", 0, "largest POST body in `bytes`")
	fs.Var(&f.def, "default", "make it the default API root")
	return f
}

func (c *cli) apirootAdd(fs *flag.FlagSet) runFunc {
	f := addAPIRootFlags(fs)
	return func(ctx context.Context, args []string) error {
		return c.target.run(func(api adminAPI) error {
			r, err := api.AddAPIRoot(ctx, store.APIRoot{Name: args[0], Title: f.title.v, Description: f.desc.v, MaxContentLength: *f.maxLen, Default: f.def.v})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "created API root %s (/%s/)\n", r.Name, r.Name)
			return nil
		})
	}
}

func (c *cli) apirootList(fs *flag.FlagSet) runFunc {
	asJSON := fs.Bool("json", false, "print JSON")
	return func(ctx context.Context, args []string) error {
		return c.target.run(func(api adminAPI) error {
			roots, err := api.APIRoots(ctx)
			if err != nil {
				return err
			}
			if *asJSON {
				return printJSON(c.stdout, roots)
			}
			return printAPIRoots(c.stdout, roots)
		})
	}
}

func (c *cli) apirootUpdate(fs *flag.FlagSet) runFunc {
	f := addAPIRootFlags(fs)
	return func(ctx context.Context, args []string) error {
		u := store.APIRootUpdate{Title: f.title.ptr(), Description: f.desc.ptr(), Default: f.def.ptr()}
		if *f.maxLen != 0 {
			u.MaxContentLength = f.maxLen
		}
		return c.target.run(func(api adminAPI) error {
			if _, err := api.UpdateAPIRoot(ctx, args[0], u); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "updated API root %s\n", args[0])
			return nil
		})
	}
}

func (c *cli) apirootRemove(fs *flag.FlagSet) runFunc {
	force := fs.Bool("force", false, "remove its collections and objects too")
	return func(ctx context.Context, args []string) error {
		return c.target.run(func(api adminAPI) error {
			if err := api.RemoveAPIRoot(ctx, args[0], *force); err != nil {
				return withHint(err, "--force removes its collections and their objects too")
			}
			fmt.Fprintf(c.stdout, "removed API root %s\n", args[0])
			return nil
		})
	}
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

// collectionFlags declares the settings of a collection.
type collectionFlags struct {
	title, desc, alias   optString
	public, rejectCustom optBool
	mediaTypes           listFlag
	// Sharing by markings.
	anonClearance, defaultMarking optString
	requireMarking                optBool
	strictOrgs                    listFlag
}

// mediaTypeList returns the --media-type values, with the shorthands 2.0 and
// 2.1 written out, or nil when none was given.
func (f *collectionFlags) mediaTypeList() []string {
	var out []string
	for _, mt := range f.mediaTypes {
		if mt == stix.SpecVersion20 || mt == stix.SpecVersion21 {
			mt = stix.MediaType(mt)
		}
		out = append(out, mt)
	}
	return out
}

func addCollectionFlags(fs *flag.FlagSet) *collectionFlags {
	f := &collectionFlags{}
	fs.Var(&f.title, "title", "`title` of the collection")
	fs.Var(&f.desc, "description", "`description` of the collection")
	fs.Var(&f.alias, "alias", "`alias`, unique in the API root (empty: none)")
	fs.Var(&f.public, "public-read", "anyone may read it, anonymous clients too")
	fs.Var(&f.rejectCustom, "reject-custom", "refuse custom objects and properties")
	fs.Var(&f.mediaTypes, "media-type", "a STIX media `type` the collection accepts, e.g. 'application/stix+json;version=2.0' (or 2.0); repeatable (default: STIX 2.1 only)")
	fs.Var(&f.anonClearance, "anonymous-clearance", "the highest TLP `level` anonymous clients of a public-read collection receive (default clear)")
	fs.Var(&f.defaultMarking, "default-marking", "the TLP `level` of objects posted without a TLP marking (default clear)")
	fs.Var(&f.requireMarking, "require-marking", "refuse objects posted without a TLP marking")
	fs.Var(&f.strictOrgs, "strict-org", "an organisation (`identity` id) the collection's TLP:AMBER+STRICT objects are shared with besides their creator's; repeatable")
	return f
}

// strictOrgList returns the --strict-org values, or nil when none was
// given.
func (f *collectionFlags) strictOrgList() []string {
	if len(f.strictOrgs) == 0 {
		return nil
	}
	return []string(f.strictOrgs)
}

func (c *cli) collectionAdd(fs *flag.FlagSet) runFunc {
	root := fs.String("api-root", "", "API root `name`")
	f := addCollectionFlags(fs)
	return func(ctx context.Context, args []string) error {
		if *root == "" {
			return usagef("--api-root is required")
		}
		return c.target.run(func(api adminAPI) error {
			col, err := api.AddCollection(ctx, store.Collection{APIRoot: *root, Title: f.title.v, Description: f.desc.v,
				Alias: f.alias.v, PublicRead: f.public.v, RejectCustom: f.rejectCustom.v, MediaTypes: f.mediaTypeList(),
				AnonymousClearance: f.anonClearance.v, DefaultMarking: f.defaultMarking.v, RequireMarking: f.requireMarking.v,
				StrictOrgs: f.strictOrgList()})
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, col.ID)
			fmt.Fprintf(c.stderr, "objects URL for TAXII clients: %s\n", objectsURL(c.target.baseURL(), col))
			return nil
		})
	}
}

func (c *cli) collectionList(fs *flag.FlagSet) runFunc {
	root := fs.String("api-root", "", "only the collections of this API root (`name`)")
	asJSON := fs.Bool("json", false, "print JSON")
	return func(ctx context.Context, args []string) error {
		return c.target.run(func(api adminAPI) error {
			colls, err := api.Collections(ctx, *root)
			if err != nil {
				return err
			}
			if *asJSON {
				return printJSON(c.stdout, colls)
			}
			return printCollections(c.stdout, colls)
		})
	}
}

func (c *cli) collectionShow(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, args []string) error {
		return c.target.run(func(api adminAPI) error {
			col, err := api.Collection(ctx, args[0])
			if err != nil {
				return err
			}
			return printCollection(c.stdout, col, c.target.baseURL())
		})
	}
}

func (c *cli) collectionUpdate(fs *flag.FlagSet) runFunc {
	f := addCollectionFlags(fs)
	return func(ctx context.Context, args []string) error {
		u := store.CollectionUpdate{Title: f.title.ptr(), Description: f.desc.ptr(),
			Alias: f.alias.ptr(), PublicRead: f.public.ptr(), RejectCustom: f.rejectCustom.ptr()}
		if mediaTypes := f.mediaTypeList(); mediaTypes != nil {
			u.MediaTypes = &mediaTypes // the list given replaces the collection's
		}
		u.AnonymousClearance, u.DefaultMarking, u.RequireMarking = f.anonClearance.ptr(), f.defaultMarking.ptr(), f.requireMarking.ptr()
		if orgs := f.strictOrgList(); orgs != nil {
			if len(orgs) == 1 && orgs[0] == "" {
				orgs = []string{} // --strict-org '' empties the list
			}
			u.StrictOrgs = &orgs
		}
		return c.target.run(func(api adminAPI) error {
			before, err := api.Collection(ctx, args[0])
			if err != nil {
				return err
			}
			col, err := api.UpdateCollection(ctx, args[0], u)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "updated collection %s\n", col.ID)
			// The default marking applies when objects are read: lowering
			// it shares the unmarked objects already stored more widely.
			was, _ := store.ClearanceLevel(before.DefaultMarking, store.DefaultMarking)
			now, _ := store.ClearanceLevel(col.DefaultMarking, store.DefaultMarking)
			if now < was && before.Stats.Objects > 0 {
				fmt.Fprintf(c.stderr, "note: the unmarked objects already in the collection are now TLP:%s, not TLP:%s: they reach every client cleared for TLP:%s\n",
					strings.ToUpper(now.String()), strings.ToUpper(was.String()), strings.ToUpper(now.String()))
			}
			return nil
		})
	}
}

func (c *cli) collectionRemove(fs *flag.FlagSet) runFunc {
	force := fs.Bool("force", false, "remove it with its objects")
	return func(ctx context.Context, args []string) error {
		return c.target.run(func(api adminAPI) error {
			if err := api.RemoveCollection(ctx, args[0], *force); err != nil {
				return withHint(err, "--force removes it with its objects")
			}
			fmt.Fprintf(c.stdout, "removed collection %s\n", args[0])
			return nil
		})
	}
}

func printCollections(w io.Writer, colls []curation.CollectionInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "API ROOT\tID\tALIAS\tTITLE\tPUBLIC\tOBJECTS\tVERSIONS\tLAST ADDED")
	for _, c := range colls {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", c.APIRoot, c.ID, orDash(c.Alias), c.Title, yesNo(c.PublicRead),
			c.Stats.Objects, c.Stats.Versions, taxiiStamp(c.Stats.LastAdded))
	}
	return tw.Flush()
}

// objectsURL is the URL of a collection's objects built with its id, on
// the server's base URL (offline, unknown: the path alone). Aliases are for
// people: taxii2-client and python-stix2 check that the collection's id
// ends its URL, and refuse an alias URL.
func objectsURL(base string, c store.Collection) string {
	return base + "/" + url.PathEscape(c.APIRoot) + "/collections/" + c.ID + "/objects/"
}

func printCollection(w io.Writer, c curation.CollectionInfo, base string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, row := range [][2]string{
		{"ID", c.ID}, {"API root", c.APIRoot}, {"Alias", orDash(c.Alias)}, {"Title", c.Title},
		{"Objects URL", objectsURL(base, c.Collection)},
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

func (c *cli) importCmd(fs *flag.FlagSet) runFunc {
	coll := fs.String("collection", "", "collection `id` or alias")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	return func(ctx context.Context, files []string) error {
		if *coll == "" {
			return usagef("--collection is required")
		}
		failed := false
		err := c.target.run(func(api adminAPI) error {
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
						curation.ImportResult
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
}

// errSomeFailed makes the exit status 1 without another message.
var errSomeFailed = &silentError{}

type silentError struct{}

func (*silentError) Error() string { return "some objects failed" }

// progress returns a progress printer for a terminal, or nil.
func (c *cli) progress(name string) func(curation.ImportProgress) {
	if !c.stdoutTTY {
		return nil // not a terminal: the one-line summary is enough
	}
	return func(p curation.ImportProgress) {
		rate := float64(p.Objects) / max(p.Elapsed.Seconds(), 1e-9)
		fmt.Fprintf(c.stdout, "\r%s: %d objects, %d failed, %.0f objects/s   ", filepath.Base(name), p.Objects, p.Failures, rate)
	}
}

func (c *cli) endProgress(p func(curation.ImportProgress)) {
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

func (c *cli) exportCmd(fs *flag.FlagSet) runFunc {
	coll := fs.String("collection", "", "collection `id` or alias")
	addedAfter := fs.String("added-after", "", "only objects added after this `timestamp`")
	var types listFlag
	fs.Var(&types, "type", "only objects of this `type` (repeatable)")
	all := fs.Bool("all-versions", false, "every version, not only the current one")
	envelope := fs.Bool("envelope", false, "write a TAXII envelope instead of a STIX bundle")
	outName := fs.String("o", "", "output `file` (default standard output)")
	return func(ctx context.Context, args []string) error {
		if *coll == "" {
			return usagef("--collection is required")
		}
		o := curation.ExportOptions{Types: types, AllVersions: *all, Envelope: *envelope}
		if *addedAfter != "" {
			t, err := stix.ParseTimestamp(*addedAfter)
			if err != nil {
				return usagef("--added-after: %v", err)
			}
			o.AddedAfter = t
		}
		return c.target.run(func(api adminAPI) error {
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
}

func (c *cli) objectDelete(fs *flag.FlagSet) runFunc {
	coll := fs.String("collection", "", "collection `id` or alias")
	version := fs.String("version", "", "only this `version` (its modified)")
	all := fs.Bool("all-versions", false, "every version (the default)")
	return func(ctx context.Context, args []string) error {
		if *coll == "" {
			return usagef("--collection is required")
		}
		if *version != "" && *all {
			return usagef("--version and --all-versions exclude each other")
		}
		return c.target.run(func(api adminAPI) error {
			n, err := api.DeleteObject(ctx, *coll, args[0], *version)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "deleted %d version(s) of %s\n", n, args[0])
			return nil
		})
	}
}

func (c *cli) objectRevoke(fs *flag.FlagSet) runFunc {
	coll := fs.String("collection", "", "collection `id` or alias")
	return func(ctx context.Context, args []string) error {
		if *coll == "" {
			return usagef("--collection is required")
		}
		return c.target.run(func(api adminAPI) error {
			st, err := api.RevokeObject(ctx, *coll, cliOwner, args[0])
			if err != nil {
				return err
			}
			if st.FailureCount > 0 {
				return fmt.Errorf("revocation refused: %s", st.Failures[0].Message)
			}
			if len(st.Successes) == 1 {
				fmt.Fprintf(c.stdout, "revoked %s: new version %s\n", args[0], st.Successes[0].Version)
				return nil
			}
			// A re-marked object: one revoked version per newest version
			// some clearance sees.
			fmt.Fprintf(c.stdout, "revoked %s: new versions", args[0])
			for _, s := range st.Successes {
				fmt.Fprintf(c.stdout, " %s", s.Version)
			}
			fmt.Fprintf(c.stdout, " (its versions differ in markings: each one some clients see newest is revoked)\n")
			return nil
		})
	}
}

func (c *cli) stats(fs *flag.FlagSet) runFunc {
	asJSON := fs.Bool("json", false, "print JSON")
	return func(ctx context.Context, args []string) error {
		return c.target.run(func(api adminAPI) error {
			st, err := api.Stats(ctx)
			if err != nil {
				return err
			}
			if *asJSON {
				enc := json.NewEncoder(c.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			return printStats(c.stdout, st)
		})
	}
}

func printStats(w io.Writer, st curation.Stats) error {
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
	if st.File.Size > 0 { // a database file; PostgreSQL reports its own sizes
		fmt.Fprintf(w, "\ndatabase: %d bytes, %d free pages of %d bytes\n", st.File.Size, st.File.FreePages, st.File.PageSize)
	}
	return nil
}

func (c *cli) backup(fs *flag.FlagSet) runFunc {
	force := fs.Bool("force", false, "replace FILE when it exists")
	return func(ctx context.Context, args []string) error {
		if *c.target.server == "" {
			if err := notForPostgres(*c.target.db, "backup", pgBackupHint); err != nil {
				return err
			}
		}
		if err := refuseExisting(args[0], *force, "overwrite it"); err != nil {
			return err
		}
		return c.target.run(func(api adminAPI) error {
			var n int64
			err := writeFileAtomic(args[0], func(f *os.File) error {
				var err error
				if n, err = api.Backup(ctx, f); err != nil {
					return err
				}
				// A snapshot cut short on the way is refused, not kept.
				return bolt.CheckFile(f.Name())
			})
			if err == nil {
				fmt.Fprintf(c.stdout, "backed up %d bytes to %s\n", n, args[0])
			}
			return err
		})
	}
}

// pgBackupHint says how a PostgreSQL database is backed up.
const pgBackupHint = "back it up with PostgreSQL's own tools: pg_dump (pg_dump -Fc -f liaison.dump URL) for a logical copy, or pg_basebackup with WAL archiving for point-in-time recovery (docs/postgres.md)"

// check checks a database file fully, offline, without changing it.
func (c *cli) check(fs *flag.FlagSet) runFunc {
	dbPath := fs.String("db", DefaultDBPath, "database `file` to check")
	return func(ctx context.Context, args []string) error {
		if err := notForPostgres(*dbPath, "check", "PostgreSQL checks its own pages (data checksums, the amcheck extension)"); err != nil {
			return err
		}
		start := time.Now()
		fi, err := os.Stat(*dbPath)
		if errors.Is(err, os.ErrNotExist) {
			return &noDatabaseError{*dbPath}
		}
		if err != nil {
			return err
		}
		if err := bolt.CheckFile(*dbPath); errors.Is(err, bolt.ErrDatabaseLocked) {
			return fmt.Errorf("%s is in use by a running liaison server; stop it to check the file, or check a backup of it (liaison backup FILE --server URL)", *dbPath)
		} else if err != nil {
			return withRestoreHint(err, *dbPath)
		}
		fmt.Fprintf(c.stdout, "%s: no problem found (%d bytes, every page read in %s)\n", *dbPath, fi.Size(), time.Since(start).Round(time.Millisecond))
		return nil
	}
}

func (c *cli) restore(fs *flag.FlagSet) runFunc {
	dbPath := fs.String("db", "", "database `file` to create from the backup")
	force := fs.Bool("force", false, "replace the database file when it exists")
	return func(ctx context.Context, args []string) error {
		if *dbPath == "" {
			return usagef("--db is required")
		}
		if err := notForPostgres(*dbPath, "restore", "restore a dump with pg_restore; to load a Liaison backup file into PostgreSQL, use liaison copy --from BACKUP --to URL"); err != nil {
			return err
		}
		// Check the backup, read-only, before anything is touched.
		if err := bolt.CheckFile(args[0]); err != nil {
			return fmt.Errorf("backup %s: %w", args[0], err)
		}
		if err := refuseExisting(*dbPath, *force, "replace it with the backup"); err != nil {
			return err
		}
		if _, err := os.Stat(*dbPath); err == nil {
			// Even with --force, refuse a file in use.
			db, err := openBoltDB(*dbPath, writeDB, c.passwordCost, c.stderr)
			switch {
			case errors.Is(err, errInUse):
				return fmt.Errorf("%s is in use by a running liaison server; stop it before restoring over it", *dbPath)
			case errors.Is(err, bolt.ErrDamaged):
				// What a restore is for; no server can have it open.
			case err != nil:
				return err
			default:
				db.Close()
			}
		}
		src, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer src.Close()
		err = writeFileAtomic(*dbPath, func(f *os.File) error {
			_, err := io.Copy(f, src)
			return err
		})
		if err != nil {
			return err
		}
		// The restore goes on the record of the database it made.
		db, err := openBoltDB(*dbPath, writeDB, c.passwordCost, c.stderr)
		if err != nil {
			return err
		}
		a := curation.LocalActor()
		err = db.RecordAudit(ctx, store.AuditEntry{User: a.User, Remote: a.Remote, Action: "database.restore", Target: *dbPath, Detail: "from " + args[0], Outcome: "ok"})
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "restored %s from %s\n", *dbPath, args[0])
		return nil
	}
}

// refuseExisting refuses to replace the file name unless force.
func refuseExisting(name string, force bool, what string) error {
	if force {
		return nil
	}
	if _, err := os.Stat(name); err == nil {
		return fmt.Errorf("%s exists: pass --force to %s", name, what)
	}
	return nil
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
