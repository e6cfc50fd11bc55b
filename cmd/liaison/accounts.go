package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"liaison/store"
	"liaison/store/admin"
)

// Account commands work offline on the database file. bbolt lets one
// process open it at a time, so they refuse, in one line, while a server
// holds it.

const accountsUsage = `Accounts (offline, on the database file):
  liaison user add NAME [--admin] [--password-stdin]
  liaison user list
  liaison user update NAME --admin|--admin=false
  liaison user remove NAME
  liaison user passwd NAME --password-stdin
  liaison grant NAME --collection ID|ALIAS [--read] [--write]
  liaison revoke NAME --collection ID|ALIAS
  liaison apikey create NAME [--expires DURATION]
  liaison apikey list NAME
  liaison apikey revoke KEYID
Each takes --db FILE (default ./liaison.db), or --server URL with an
admin's API key (--api-key or LIAISON_API_KEY) to act on a running server.
`

// cli holds what a command needs from its process.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// usageError is a command line the program cannot run (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// parseArgs parses flags that may come before or after the positional
// arguments, and checks the positional count.
func parseArgs(fs *flag.FlagSet, args []string, positional ...string) ([]string, error) {
	pos, err := parseAnyArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != len(positional) {
		return nil, usagef("expected %s", strings.Join(positional, " "))
	}
	return pos, nil
}

// openDB opens the database file for an offline command.
func openDB(path string) (*store.DB, error) {
	db := store.NewDB(path)
	db.OpenTimeout = 500 * time.Millisecond
	if err := db.Open(); err != nil {
		if errors.Is(err, store.ErrDatabaseLocked) {
			return nil, fmt.Errorf("%s is in use by a running liaison server; act through it with --server URL (and LIAISON_API_KEY): %w", path, errInUse)
		}
		return nil, err
	}
	return db, nil
}

// errInUse is returned when the database file is held by a server.
var errInUse = errors.New("database in use")

// withDB runs f on the database file at *dbPath.
func withDB(dbPath *string, f func(db *store.DB) error) error {
	db, err := openDB(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	return f(db)
}

// target is where a curation command acts: the database file (--db), or a
// running server's admin API (--server, with an admin's API key from
// --api-key or LIAISON_API_KEY).
type target struct {
	db, server, apiKey *string
}

func addTarget(fs *flag.FlagSet) *target {
	return &target{
		db:     fs.String("db", DefaultDBPath, "database `file` (offline)"),
		server: fs.String("server", "", "base `URL` of a running server to act on through its admin API"),
		apiKey: fs.String("api-key", "", "admin API `key` for --server (default $LIAISON_API_KEY)"),
	}
}

// run calls f with the API of the target.
func (t *target) run(f func(api admin.API) error) error {
	if *t.server != "" {
		key := cmp.Or(*t.apiKey, os.Getenv("LIAISON_API_KEY"))
		if key == "" {
			return usagef("--server needs an admin API key: --api-key or LIAISON_API_KEY")
		}
		return f(&admin.Client{BaseURL: *t.server, Token: key, HTTP: &http.Client{}})
	}
	return withDB(t.db, func(db *store.DB) error {
		return f(admin.New(db, nil)) // the validator is made when an import needs it
	})
}

func readPassword(in io.Reader) (string, error) {
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usagef("--password-stdin: standard input holds no password")
	}
	return pw, nil
}

func (c *cli) user(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("user: expected add, list, update, remove or passwd")
	}
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	t := addTarget(fs)
	switch args[0] {
	case "add":
		admin := fs.Bool("admin", false, "make the user an admin")
		pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
		pos, err := parseArgs(fs, args[1:], "NAME")
		if err != nil {
			return err
		}
		pw := ""
		if *pwStdin {
			if pw, err = readPassword(c.stdin); err != nil {
				return err
			}
		}
		return t.run(func(api adminAPI) error {
			if err := api.AddUser(ctx, pos[0], *admin, pw); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "created user %s\n", pos[0])
			if pw == "" {
				fmt.Fprintf(c.stdout, "it has no password; create an API key with: liaison apikey create %s\n", pos[0])
			}
			return nil
		})
	case "list":
		if _, err := parseArgs(fs, args[1:]); err != nil {
			return err
		}
		return t.run(func(api adminAPI) error {
			users, err := api.Users(ctx)
			if err != nil {
				return err
			}
			return printUsers(c.stdout, users)
		})
	case "update":
		admin := fs.Bool("admin", false, "give (--admin) or take (--admin=false) the admin role")
		pos, err := parseArgs(fs, args[1:], "NAME")
		if err != nil {
			return err
		}
		given := false
		fs.Visit(func(f *flag.Flag) { given = given || f.Name == "admin" })
		if !given {
			return usagef("user update: say --admin or --admin=false")
		}
		return t.run(func(api adminAPI) error {
			if err := api.SetAdmin(ctx, pos[0], *admin); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s is %san admin\n", pos[0], map[bool]string{true: "", false: "no longer "}[*admin])
			return nil
		})
	case "remove":
		pos, err := parseArgs(fs, args[1:], "NAME")
		if err != nil {
			return err
		}
		return t.run(func(api adminAPI) error {
			if err := api.RemoveUser(ctx, pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "removed user %s and its API keys\n", pos[0])
			return nil
		})
	case "passwd":
		pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
		pos, err := parseArgs(fs, args[1:], "NAME")
		if err != nil {
			return err
		}
		if !*pwStdin {
			return usagef("user passwd: --password-stdin is required (passwords are never taken as arguments)")
		}
		pw, err := readPassword(c.stdin)
		if err != nil {
			return err
		}
		return t.run(func(api adminAPI) error {
			if err := api.SetPassword(ctx, pos[0], pw); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "password of %s changed\n", pos[0])
			return nil
		})
	}
	return usagef("user: unknown command %q", args[0])
}

func printUsers(w io.Writer, users []admin.UserInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tADMIN\tPASSWORD\tAPI KEYS\tGRANTS")
	for _, u := range users {
		var grants []string
		for id, g := range u.Grants {
			grants = append(grants, id+":"+rightsText(g))
		}
		sort.Strings(grants)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", u.Name, yesNo(u.Admin), yesNo(u.HasPassword), u.ActiveKeys, orDash(strings.Join(grants, " ")))
	}
	return tw.Flush()
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

func (c *cli) grant(ctx context.Context, args []string, revoke bool) error {
	fs := flag.NewFlagSet("grant", flag.ContinueOnError)
	t := addTarget(fs)
	coll := fs.String("collection", "", "collection id or alias")
	read := fs.Bool("read", false, "grant reading")
	write := fs.Bool("write", false, "grant writing")
	pos, err := parseArgs(fs, args, "NAME")
	if err != nil {
		return err
	}
	if *coll == "" {
		return usagef("--collection is required")
	}
	if !revoke && !*read && !*write {
		return usagef("grant: give --read, --write or both")
	}
	g := store.Grant{Read: *read, Write: *write}
	if revoke {
		g = store.Grant{}
	}
	return t.run(func(api adminAPI) error {
		col, err := api.SetGrant(ctx, pos[0], *coll, g)
		if err != nil {
			return err
		}
		if revoke {
			fmt.Fprintf(c.stdout, "%s has no rights on collection %s any more\n", pos[0], col.ID)
		} else {
			fmt.Fprintf(c.stdout, "%s may now %s collection %s (%s)\n", pos[0], map[string]string{"r": "read", "w": "write", "rw": "read and write"}[rightsText(g)], col.ID, col.Title)
		}
		return nil
	})
}

func (c *cli) apikey(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("apikey: expected create, list or revoke")
	}
	fs := flag.NewFlagSet("apikey", flag.ContinueOnError)
	t := addTarget(fs)
	switch args[0] {
	case "create":
		expires := fs.Duration("expires", 0, "lifetime of the key, e.g. 720h (default: no expiry)")
		pos, err := parseArgs(fs, args[1:], "NAME")
		if err != nil {
			return err
		}
		if *expires < 0 {
			return usagef("--expires must be positive")
		}
		return t.run(func(api adminAPI) error {
			key, token, err := api.CreateAPIKey(ctx, pos[0], *expires)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stderr, "API key %s for %s created; it is shown once, store it now:\n", key.ID, pos[0])
			fmt.Fprintln(c.stdout, token)
			return nil
		})
	case "list":
		pos, err := parseArgs(fs, args[1:], "NAME")
		if err != nil {
			return err
		}
		return t.run(func(api adminAPI) error {
			keys, err := api.APIKeys(ctx, pos[0])
			if err != nil {
				return err
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
	case "revoke":
		pos, err := parseArgs(fs, args[1:], "KEYID")
		if err != nil {
			return err
		}
		return t.run(func(api adminAPI) error {
			if err := api.RevokeAPIKey(ctx, pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "revoked API key %s\n", pos[0])
			return nil
		})
	}
	return usagef("apikey: unknown command %q", args[0])
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// adminAPI is the curation API the commands use.
type adminAPI = admin.API
