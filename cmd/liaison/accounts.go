package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"liaison/store"
	"liaison/store/bolt"
	"liaison/store/curation"
)

// Account commands work offline on the database file. bbolt lets one
// process open it at a time, so they refuse, in one line, while a server
// holds it.

// cli holds what a command needs from its process.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// tty is standard input when it is a terminal, for password prompts.
	tty terminal
	// stdoutTTY is whether standard output is a terminal, which gets
	// progress lines.
	stdoutTTY bool
	// target is where the running command acts, for commands that act on
	// the database (see command.db).
	target *target
	// passwordCost is the cost of the password hashes the commands make
	// (zero: the production cost); tests set it low.
	passwordCost store.PasswordCost
}

// openBoltDB opens the database file for an offline command. A command
// that only reads refuses a missing file rather than create an empty one (a
// mistyped --db would otherwise look like an empty database); one that
// writes creates it and says so on stderr.
func openBoltDB(path string, mode dbMode, cost store.PasswordCost, stderr io.Writer) (*bolt.Store, error) {
	_, err := os.Stat(path)
	missing := errors.Is(err, os.ErrNotExist)
	if missing && mode != writeDB {
		return nil, &noDatabaseError{path}
	}
	db, err := bolt.Open(path, bolt.Options{Options: store.Options{PasswordCost: cost}, OpenTimeout: 500 * time.Millisecond})
	if err != nil {
		if errors.Is(err, bolt.ErrDatabaseLocked) {
			return nil, fmt.Errorf("%s is in use by a running liaison server; act through it with --server URL (and LIAISON_API_KEY): %w", path, errInUse)
		}
		return nil, withRestoreHint(err, path)
	}
	if missing {
		fmt.Fprintf(stderr, "created new database %s\n", path)
	}
	return db, nil
}

// withRestoreHint tells, after a damaged database file's problem, what to
// do about it.
func withRestoreHint(err error, path string) error {
	if !errors.Is(err, bolt.ErrDamaged) {
		return err
	}
	return fmt.Errorf("%w; restore it from a backup (liaison restore BACKUP --db %s --force), or move it away to start anew", err, path)
}

// noDatabaseError is a missing database file named to a command that
// only reads.
type noDatabaseError struct{ path string }

func (e *noDatabaseError) Error() string {
	return fmt.Sprintf("no database at %s (serve creates one; check --db)", e.path)
}

// errInUse is returned when the database file is held by a server.
var errInUse = errors.New("database in use")

// dbMode is how a command uses the database: not at all, only to read
// it, or to write it.
type dbMode int

const (
	noDB dbMode = iota
	readDB
	writeDB
)

// target is where a curation command acts: the database file (--db), or a
// running server's admin API (--server, with an admin's API key from
// --api-key or LIAISON_API_KEY).
type target struct {
	mode               dbMode
	stderr             io.Writer
	passwordCost       store.PasswordCost // offline
	db, server, apiKey *string
}

func addTarget(fs *flag.FlagSet, mode dbMode, cost store.PasswordCost, stderr io.Writer) *target {
	return &target{
		mode:         mode,
		stderr:       stderr,
		passwordCost: cost,
		db:           fs.String("db", DefaultDBPath, "database `file`, or postgres:// URL (offline)"),
		server:       fs.String("server", "", "base `URL` of a running server to act on through its admin API"),
		apiKey:       fs.String("api-key", "", "admin API `key` for --server (default $LIAISON_API_KEY)"),
	}
}

// baseURL is the server's base URL, or "" offline.
func (t *target) baseURL() string { return strings.TrimRight(*t.server, "/") }

// run calls f with the API of the target.
func (t *target) run(f func(api curation.API) error) error {
	if *t.server != "" {
		if err := checkServerURL(*t.server); err != nil {
			return err
		}
		key := cmp.Or(*t.apiKey, os.Getenv("LIAISON_API_KEY"))
		if key == "" {
			return usagef("--server needs an admin API key: --api-key or LIAISON_API_KEY")
		}
		err := f(&curation.Client{BaseURL: *t.server, Token: key, HTTP: &http.Client{}})
		var dnsErr *net.DNSError
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return fmt.Errorf("no server answers at %s: is it running?", *t.server)
		case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
			return fmt.Errorf("no host %s: check --server", dnsErr.Name)
		}
		return err
	}
	db, err := openDB(*t.db, t.mode, t.passwordCost, t.stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	return f(curation.New(db, nil)) // the validator is made when an import needs it
}

// checkServerURL refuses a --server that is not an http(s) URL, showing
// what was probably meant.
func checkServerURL(server string) error {
	u, err := url.Parse(server)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return nil
	}
	if strings.Contains(server, "://") {
		return usagef("--server %q: use an http:// or https:// URL", server)
	}
	// The server speaks plain HTTP on loopback only.
	scheme := "https://"
	if loopback(server) || loopback(server+":443") {
		scheme = "http://"
	}
	return usagef("--server %q lacks http:// or https://, e.g. --server %s%s", server, scheme, server)
}

// durationFlag is a duration that may also count days, as admins write
// lifetimes: 30d, 1d12h, 720h.
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(v string) error {
	days, rest := 0, v
	if n, after, ok := strings.Cut(v, "d"); ok {
		var err error
		if days, err = strconv.Atoi(n); err != nil || days < 0 {
			return fmt.Errorf("%q is not a duration: use e.g. 30d, 12h or 1d12h", v)
		}
		rest = after
	}
	var x time.Duration
	if rest != "" {
		var err error
		if x, err = time.ParseDuration(rest); err != nil {
			return fmt.Errorf("%q is not a duration: use e.g. 30d, 12h or 1d12h", v)
		}
	}
	*d = durationFlag(time.Duration(days)*24*time.Hour + x)
	return nil
}

func (c *cli) userAdd(fs *flag.FlagSet) runFunc {
	admin := fs.Bool("admin", false, "make the user an admin")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input (default: ask on the terminal)")
	org := fs.String("org", "", "the user's organisation: an `identity` id, or the name of an identity object a collection holds (TLP:AMBER+STRICT objects are shared within it)")
	return func(ctx context.Context, args []string) error {
		pw, _, err := c.password(args[0], *pwStdin, true)
		if err != nil {
			return err
		}
		return c.target.run(func(api adminAPI) error {
			if err := api.AddUser(ctx, args[0], *admin, pw); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "created user %s\n", args[0])
			if *org != "" {
				id, err := api.SetOrg(ctx, args[0], *org)
				if err != nil {
					return fmt.Errorf("user %s was created, but its organisation was not set: %w", args[0], err)
				}
				fmt.Fprintf(c.stdout, "%s belongs to %s\n", args[0], id)
			}
			if pw == "" {
				fmt.Fprintf(c.stdout, "it has no password; create an API key with: liaison apikey create %s\n", args[0])
			}
			return nil
		})
	}
}

func (c *cli) userList(fs *flag.FlagSet) runFunc {
	asJSON := fs.Bool("json", false, "print JSON")
	return func(ctx context.Context, args []string) error {
		return c.target.run(func(api adminAPI) error {
			users, err := api.Users(ctx)
			if err != nil {
				return err
			}
			if *asJSON {
				return printJSON(c.stdout, users)
			}
			return printUsers(c.stdout, users)
		})
	}
}

func (c *cli) userUpdate(fs *flag.FlagSet) runFunc {
	admin := fs.Bool("admin", false, "give (--admin) or take (--admin=false) the admin role")
	org := fs.String("org", "", "the user's organisation: an `identity` id or an identity's name ('' removes it)")
	return func(ctx context.Context, args []string) error {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		if !given["admin"] && !given["org"] {
			return usagef("say --admin, --admin=false or --org")
		}
		return c.target.run(func(api adminAPI) error {
			if given["admin"] {
				if err := api.SetAdmin(ctx, args[0], *admin); err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "%s is %san admin\n", args[0], map[bool]string{true: "", false: "no longer "}[*admin])
			}
			if given["org"] {
				id, err := api.SetOrg(ctx, args[0], *org)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "%s belongs to %s\n", args[0], cmp.Or(id, "no organisation"))
			}
			return nil
		})
	}
}

func (c *cli) userRemove(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, args []string) error {
		return c.target.run(func(api adminAPI) error {
			if err := api.RemoveUser(ctx, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "removed user %s and its API keys\n", args[0])
			return nil
		})
	}
}

func (c *cli) userPasswd(fs *flag.FlagSet) runFunc {
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input (default: ask on the terminal)")
	return func(ctx context.Context, args []string) error {
		pw, ok, err := c.password(args[0], *pwStdin, false)
		if err != nil {
			return err
		}
		if !ok {
			return usagef("standard input is not a terminal: pass --password-stdin (passwords are never taken as arguments)")
		}
		return c.target.run(func(api adminAPI) error {
			if err := api.SetPassword(ctx, args[0], pw); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "password of %s changed\n", args[0])
			return nil
		})
	}
}

func printUsers(w io.Writer, users []curation.UserInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tADMIN\tPASSWORD\tAPI KEYS\tORG\tGRANTS (rights@clearance)")
	for _, u := range users {
		var grants []string
		for _, g := range u.Grants { // sorted by the service
			name := g.Collection // a grant on a collection removed meanwhile
			if g.APIRoot != "" {
				name = g.APIRoot + "/" + cmp.Or(g.Alias, g.Collection)
			}
			grant := name + ":" + rightsText(g.Grant) + "@" + cmp.Or(g.Clearance, store.DefaultGrantClearance.String())
			if n := len(g.AllowMarkings); n > 0 {
				grant += fmt.Sprintf("+%d", n) // other markings allowed
			}
			grants = append(grants, grant)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", u.Name, yesNo(u.Admin), yesNo(u.HasPassword), u.ActiveKeys, orDash(u.Org), orDash(strings.Join(grants, " ")))
	}
	return tw.Flush()
}

// collName names a collection as admins know it: ROOT/ALIAS, or ROOT/ID
// when it has no alias.
func collName(c store.Collection) string { return c.APIRoot + "/" + cmp.Or(c.Alias, c.ID) }

// printJSON writes v as indented JSON; a nil list is written [].
func printJSON[T any](w io.Writer, v []T) error {
	if v == nil {
		v = []T{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func rightsText(g store.Grant) string {
	switch {
	case g.Read && g.Write:
		return "rw"
	case g.Read:
		return "r"
	case g.Write:
		return "w"
	}
	return "-"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (c *cli) grant(fs *flag.FlagSet) runFunc  { return c.changeGrant(fs, false) }
func (c *cli) revoke(fs *flag.FlagSet) runFunc { return c.changeGrant(fs, true) }

// changeGrant adds rights (grant) or drops them (revoke: all of them
// unless --read or --write names one); the merge is the curation service's,
// the same offline and online.
func (c *cli) changeGrant(fs *flag.FlagSet, revoke bool) runFunc {
	coll := fs.String("collection", "", "collection `id` or alias")
	verb := map[bool]string{false: "grant", true: "revoke"}[revoke]
	read := fs.Bool("read", false, verb+" reading")
	write := fs.Bool("write", false, verb+" writing")
	var allow listFlag
	fs.Var(&allow, "allow-marking", verb+" receiving objects with this other marking definition (`id`): a statement, a sharing group; repeatable")
	var clearance *string
	if !revoke {
		clearance = fs.String("clearance", "", "the highest TLP `level` the user receives and may post: clear, green, amber, amber+strict or red (new grants: green)")
	}
	return func(ctx context.Context, args []string) error {
		if *coll == "" {
			return usagef("--collection is required")
		}
		ch := curation.GrantChange{Collection: *coll}
		switch {
		case !revoke && !*read && !*write && *clearance == "" && len(allow) == 0:
			return usagef("give --read, --write, --clearance or --allow-marking")
		case !revoke:
			ch.Add = store.Grant{Read: *read, Write: *write, Clearance: *clearance, AllowMarkings: allow}
		case !*read && !*write && len(allow) == 0:
			ch.Drop = store.Grant{Read: true, Write: true}
		default:
			ch.Drop = store.Grant{Read: *read, Write: *write, AllowMarkings: allow}
		}
		return c.target.run(func(api adminAPI) error {
			res, err := api.ChangeGrant(ctx, args[0], ch)
			if err != nil {
				return err
			}
			if !res.Grant.Read && !res.Grant.Write {
				fmt.Fprintf(c.stdout, "%s has no rights on collection %s any more\n", args[0], collName(res.Collection))
				return nil
			}
			fmt.Fprintf(c.stdout, "%s may now %s collection %s (%s), up to TLP:%s\n", args[0], map[string]string{"r": "read", "w": "write", "rw": "read and write"}[rightsText(res.Grant)],
				collName(res.Collection), res.Collection.Title, strings.ToUpper(cmp.Or(res.Grant.Clearance, store.DefaultGrantClearance.String())))
			if len(res.Grant.AllowMarkings) > 0 {
				fmt.Fprintf(c.stdout, "and objects with the markings %s\n", strings.Join(res.Grant.AllowMarkings, ", "))
			}
			return nil
		})
	}
}

func (c *cli) apikeyCreate(fs *flag.FlagSet) runFunc {
	var expires durationFlag
	fs.Var(&expires, "expires", "lifetime of the key (a `duration`), e.g. 30d, 12h or 1d12h (default: no expiry)")
	return func(ctx context.Context, args []string) error {
		if expires < 0 {
			return usagef("--expires must be positive")
		}
		return c.target.run(func(api adminAPI) error {
			key, token, err := api.CreateAPIKey(ctx, args[0], time.Duration(expires))
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stderr, "API key %s for %s created; it is shown once, store it now:\n", key.ID, args[0])
			fmt.Fprintln(c.stdout, token)
			return nil
		})
	}
}

func (c *cli) apikeyList(fs *flag.FlagSet) runFunc {
	asJSON := fs.Bool("json", false, "print JSON")
	return func(ctx context.Context, args []string) error {
		return c.target.run(func(api adminAPI) error {
			keys, err := api.APIKeys(ctx, args[0])
			if err != nil {
				return err
			}
			if *asJSON {
				return printJSON(c.stdout, keys)
			}
			w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "KEY ID\tCREATED\tEXPIRES\tLAST USED\tSTATE")
			for _, k := range keys {
				state := "active"
				switch {
				case k.Revoked:
					state = "revoked"
				case !k.Expires.IsZero() && !k.Expires.After(time.Now()):
					state = "expired"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", k.ID, stamp(k.Created), stamp(k.Expires), stamp(k.LastUsed), state)
			}
			return w.Flush()
		})
	}
}

func (c *cli) apikeyRevoke(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, args []string) error {
		return c.target.run(func(api adminAPI) error {
			if err := api.RevokeAPIKey(ctx, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "revoked API key %s\n", args[0])
			return nil
		})
	}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// adminAPI is the curation API the commands use.
type adminAPI = curation.API
