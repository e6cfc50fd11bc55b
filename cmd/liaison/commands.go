package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
)

// command is one entry of the command table. Dispatch, the top-level
// usage, `liaison help` and every command's own help are made from the
// table, so a command exists in one place.
type command struct {
	name    string // "serve", or "user add" for a command of a group
	usage   string // what follows the name on its usage line
	args    string // its positional arguments: "NAME", "FILE..." (one or more), "[COMMAND...]"
	summary string // one line
	section string // the section of the top-level usage
	// db says whether the command acts on the database (--db, or a server
	// through --server), and whether it may create a missing file.
	db dbMode
	// setup defines the command's flags on fs and returns the function
	// that runs it with its positional arguments.
	setup func(c *cli, fs *flag.FlagSet) runFunc
}

type runFunc func(ctx context.Context, args []string) error

// section is a part of the top-level usage, with the note printed under
// it.
type section struct{ name, heading, note string }

// sectionTable returns the sections of the top-level usage, in order.
func sectionTable() []section {
	return []section{
		{"", "Usage:", ""},
		{"accounts", "Accounts:", ""},
		{"curation", "Curation:", `Account and curation commands take --db FILE (default ./liaison.db) or
--db postgres://URL, or --server URL with an admin's API key (--api-key or
LIAISON_API_KEY) to act on a running server (restore is offline only: it
refuses a database in use).
`},
		{"measuring", "Measuring (any TAXII 2.1 server, over HTTP):", `Credentials: --api-key KEY (or LIAISON_API_KEY), or --user NAME with
--password-stdin. --ceiling runs the same scenario against the server's own
first page served from memory, and prints the ratio.
`},
		{"validation", "Validation (offline):", `Exit status: 0 when every object is valid, 1 when any is invalid, 2 for
usage or I/O errors (an unreadable file, not JSON at all).
`},
	}
}

// commandTable returns every command.
func commandTable() []command {
	return []command{
		{name: "serve", section: "", usage: "[--config FILE] [--db FILE] [--listen ADDR] [--public-url URL] [--demo] [--check-db]\n[--tls-cert FILE --tls-key FILE | --insecure-http] [...]",
			summary: "Serve TAXII 2.1 (and the admin API) from the database file, which is created when absent.", setup: (*cli).serve},
		{name: "config check", usage: "[--config FILE] [SERVE FLAGS...]",
			summary: "Check the configuration serve would run with (its flags, LIAISON_* variables, the file) and print it, saying where each value comes from; secrets are masked.",
			setup:   (*cli).configCheck},
		{name: "healthcheck", usage: "[--url URL] [--timeout DURATION] [--insecure]",
			summary: "GET a running server's /healthz; exit 0 when it answers 200, 1 otherwise.", setup: (*cli).healthcheck},
		{name: "version", summary: "Print the version, commit, build date and Go version.", setup: (*cli).version},
		{name: "completion", usage: "bash|zsh|fish", args: "SHELL",
			summary: "Print the shell completion script for bash, zsh or fish (it says how to install it).", setup: (*cli).completion},
		{name: "help", usage: "[COMMAND]", args: "[COMMAND...]", summary: "Print the usage of every command, or of one.", setup: (*cli).help},

		{name: "user add", section: "accounts", usage: "NAME [--admin] [--password-stdin] [--org IDENTITY]", args: "NAME", db: writeDB,
			summary: "Create a user; one without a password signs in with API keys only.", setup: (*cli).userAdd},
		{name: "user list", section: "accounts", usage: "[--json]", db: readDB, summary: "List the users with their role, API keys and grants.", setup: (*cli).userList},
		{name: "user update", section: "accounts", usage: "NAME [--admin|--admin=false] [--org IDENTITY]", args: "NAME", db: writeDB,
			summary: "Give or take a user's admin role.", setup: (*cli).userUpdate},
		{name: "user remove", section: "accounts", usage: "NAME", args: "NAME", db: writeDB,
			summary: "Remove a user and its API keys.", setup: (*cli).userRemove},
		{name: "user passwd", section: "accounts", usage: "NAME [--password-stdin]", args: "NAME", db: writeDB,
			summary: "Change a user's password.", setup: (*cli).userPasswd},
		{name: "grant", section: "accounts", usage: "NAME --collection ID|ALIAS [--read] [--write] [--clearance LEVEL] [--allow-marking ID]...", args: "NAME", db: writeDB,
			summary: "Give a user rights on a collection, in addition to those it has.", setup: (*cli).grant},
		{name: "revoke", section: "accounts", usage: "NAME --collection ID|ALIAS [--read] [--write] [--allow-marking ID]...", args: "NAME", db: writeDB,
			summary: "Take a user's rights on a collection: all of them, or those named.", setup: (*cli).revoke},
		{name: "apikey create", section: "accounts", usage: "NAME [--expires DURATION]", args: "NAME", db: writeDB,
			summary: "Create an API key for a user and print it, once.", setup: (*cli).apikeyCreate},
		{name: "apikey list", section: "accounts", usage: "NAME [--json]", args: "NAME", db: readDB,
			summary: "List a user's API keys.", setup: (*cli).apikeyList},
		{name: "apikey revoke", section: "accounts", usage: "KEYID", args: "KEYID", db: writeDB,
			summary: "Revoke an API key.", setup: (*cli).apikeyRevoke},

		{name: "apiroot add", section: "curation", usage: "NAME --title T [--description D] [--max-content-length BYTES] [--default]", args: "NAME", db: writeDB,
			summary: "Create an API root.", setup: (*cli).apirootAdd},
		{name: "apiroot list", section: "curation", usage: "[--json]", db: readDB, summary: "List the API roots.", setup: (*cli).apirootList},
		{name: "apiroot update", section: "curation", usage: "NAME [--title T] [--description D] [--max-content-length BYTES] [--default]", args: "NAME", db: writeDB,
			summary: "Change an API root's settings.", setup: (*cli).apirootUpdate},
		{name: "apiroot remove", section: "curation", usage: "NAME [--force]", args: "NAME", db: writeDB,
			summary: "Remove an API root (with --force, its collections and objects too).", setup: (*cli).apirootRemove},
		{name: "collection add", section: "curation", usage: "--api-root NAME --title T [--alias A] [--description D] [--public-read] [--reject-custom] [--media-type TYPE]... [--anonymous-clearance LEVEL] [--default-marking LEVEL] [--require-marking] [--strict-org IDENTITY]...", db: writeDB,
			summary: "Create a collection and print its id.", setup: (*cli).collectionAdd},
		{name: "collection list", section: "curation", usage: "[--api-root NAME] [--json]", db: readDB,
			summary: "List the collections with what they hold.", setup: (*cli).collectionList},
		{name: "collection show", section: "curation", usage: "ID|ALIAS", args: "ID|ALIAS", db: readDB,
			summary: "Show a collection's settings and what it holds.", setup: (*cli).collectionShow},
		{name: "collection update", section: "curation", usage: "ID|ALIAS [--title T] [--alias A] [--description D] [--public-read=BOOL] [--reject-custom=BOOL] [--media-type TYPE]... [--anonymous-clearance LEVEL] [--default-marking LEVEL] [--require-marking=BOOL] [--strict-org IDENTITY]...", args: "ID|ALIAS", db: writeDB,
			summary: "Change a collection's settings.", setup: (*cli).collectionUpdate},
		{name: "collection remove", section: "curation", usage: "ID|ALIAS [--force]", args: "ID|ALIAS", db: writeDB,
			summary: "Remove a collection (with --force, one that holds objects).", setup: (*cli).collectionRemove},
		{name: "import", section: "curation", usage: "--collection ID|ALIAS [--json] FILE...    (- reads standard input)", args: "FILE...", db: writeDB,
			summary: "Check and store the objects of STIX bundles or TAXII envelopes.", setup: (*cli).importCmd},
		{name: "export", section: "curation", usage: "--collection ID|ALIAS [--added-after T] [--type T]... [--all-versions] [--envelope] [-o FILE]", db: readDB,
			summary: "Write a collection's objects as a STIX bundle or TAXII envelope.", setup: (*cli).exportCmd},
		{name: "object delete", section: "curation", usage: "--collection ID|ALIAS OBJECT-ID [--version V | --all-versions]", args: "OBJECT-ID", db: writeDB,
			summary: "Delete an object's versions.", setup: (*cli).objectDelete},
		{name: "object revoke", section: "curation", usage: "--collection ID|ALIAS OBJECT-ID", args: "OBJECT-ID", db: writeDB,
			summary: "Publish a revoked version of an object.", setup: (*cli).objectRevoke},
		{name: "stats", section: "curation", usage: "[--json]", db: readDB, summary: "Show what every collection holds, and the database file's size.", setup: (*cli).stats},
		{name: "backup", section: "curation", usage: "FILE [--force]", args: "FILE", db: readDB,
			summary: "Write a consistent snapshot of the database to FILE.", setup: (*cli).backup},
		{name: "explain", section: "curation", usage: "--user NAME|anonymous --collection ID|ALIAS OBJECT-ID [--json]", args: "OBJECT-ID", db: readDB,
			summary: "Say whether a user sees an object, and why: its clearance, each version's markings, the version it is served.", setup: (*cli).explain},
		{name: "audit", section: "curation", usage: "[--since T] [--user U] [--limit N] [--json]", db: readDB,
			summary: "Show the audit trail: who changed what, when, from where, and how it ended.", setup: (*cli).audit},
		{name: "consumers", section: "curation", usage: "[--collection ID|ALIAS] [--json]", db: readDB,
			summary: "Show who reads each collection, how much, how far behind, and their last error.", setup: (*cli).consumers},
		{name: "check", section: "curation", usage: "[--db FILE]",
			summary: "Check every page of a database file, offline, without changing it.", setup: (*cli).check},
		{name: "copy", section: "curation", usage: "--from FILE|URL --to FILE|URL",
			summary: "Copy a whole database to another backend (a file to PostgreSQL, or back) with every date_added, account, key and status, then verify the copy.", setup: (*cli).copyCmd},
		{name: "migrate-schema", section: "curation", usage: "--db postgres://USER@HOST:PORT/DB",
			summary: "Create Liaison's schema in a PostgreSQL database, or migrate it to this version (before starting upgraded replicas).", setup: (*cli).migrateSchema},
		{name: "restore", section: "curation", usage: "BACKUP --db FILE [--force]", args: "BACKUP",
			summary: "Create a database file from a backup (offline only).", setup: (*cli).restore},

		{name: "bench walk", section: "measuring", usage: "--url OBJECTS-URL [--limit 1000] [--by next|added_after] [--no-verify] [--ceiling] [--json]",
			summary: "Page through a whole collection, checking every object of the manifest is seen exactly once.", setup: (*cli).benchWalk},
		{name: "bench poll", section: "measuring", usage: "--url OBJECTS-URL [--limit 100] [--connections 16] [--duration 10s] [--ceiling] [--json]",
			summary: "Ask for pages at random added_after positions from many connections: requests/s and latency.", setup: (*cli).benchPoll},
		{name: "bench ingest", section: "measuring", usage: "--url OBJECTS-URL [--objects N | --file F] [--envelope 500] [--posters 4] [--json]",
			summary: "Post objects in envelopes from several posters at once, checking every status.", setup: (*cli).benchIngest},
		{name: "bench tail", section: "measuring", usage: "--url OBJECTS-URL [--pollers 4] [--interval 1s] [--rate 1000] [--duration 30s] [--json]",
			summary: "Follow a collection by X-TAXII-Date-Added-Last while objects are posted: the lag from 202 to first sight.", setup: (*cli).benchTail},
		{name: "validate", section: "validation", usage: "[--json] [--reject-custom] FILE...    (- reads standard input)", args: "FILE...",
			summary: "Check the objects of STIX bundles or TAXII envelopes, offline.", setup: (*cli).validateCmd},
	}
}

// usageError is a command line the program cannot run (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// main runs a command line and returns the process exit status: 0 on
// success, 1 when the command failed, 2 for a usage error.
func (c *cli) main(ctx context.Context, args []string) int {
	if len(args) == 0 {
		c.topUsage(c.stderr)
		return 2
	}
	args = slices.Clone(args)
	switch args[0] {
	case "-h", "-help", "--help":
		args[0] = "help"
	case "-version", "--version":
		args[0] = "version"
	}
	table := commandTable()
	cmd, rest, code := c.lookup(table, args)
	if cmd == nil {
		return code
	}
	fs := flag.NewFlagSet("liaison "+cmd.name, flag.ContinueOnError)
	runCmd := c.define(cmd, fs)
	pos, err := parseFlags(fs, rest)
	if err == nil {
		err = checkArgs(cmd.args, pos)
	}
	if errors.Is(err, flag.ErrHelp) {
		commandHelp(c.stdout, cmd, fs)
		return 0
	}
	if err == nil {
		err = runCmd(ctx, pos)
	}
	var ue *usageError
	var se *silentError
	var nd *noDatabaseError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(c.stderr, "liaison %s: %v\n\n", cmd.name, err)
		commandHelp(c.stderr, cmd, fs)
		return 2
	case errors.As(err, &se):
		return 1
	case errors.As(err, &nd):
		// Not the command's fault: the file it was given.
		fmt.Fprintf(c.stderr, "liaison: %v\n", err)
		return 1
	}
	fmt.Fprintf(c.stderr, "liaison %s: %v\n", cmd.name, err)
	return 1
}

// lookup finds the command args name, and returns it with the arguments
// that follow its name. When there is none, it says why and returns the
// exit status.
func (c *cli) lookup(table []command, args []string) (*command, []string, int) {
	for i := range table {
		if table[i].name == args[0] {
			return &table[i], args[1:], 0
		}
	}
	group := groupCommands(table, args[0])
	if len(group) == 0 {
		fmt.Fprintf(c.stderr, "liaison: unknown command %q%s\n\n", args[0], suggest(args[0], topNames(table), `"`, `"`))
		c.topUsage(c.stderr)
		return nil, nil, 2
	}
	var subs []string
	for _, cmd := range group {
		subs = append(subs, strings.TrimPrefix(cmd.name, args[0]+" "))
	}
	if len(args) == 1 {
		fmt.Fprintf(c.stderr, "liaison %s: expected a command: %s\n\n", args[0], orList(subs))
		groupUsage(c.stderr, group)
		return nil, nil, 2
	}
	switch args[1] {
	case "-h", "-help", "--help", "help":
		groupUsage(c.stdout, group)
		return nil, nil, 0
	}
	for _, cmd := range group {
		if cmd.name == args[0]+" "+args[1] {
			return cmd, args[2:], 0
		}
	}
	fmt.Fprintf(c.stderr, "liaison %s: unknown command %q%s\n\n", args[0], args[1], suggest(args[1], subs, `"`, `"`))
	groupUsage(c.stderr, group)
	return nil, nil, 2
}

// define declares a command's flags on fs, the database target's among
// them, and returns the function that runs it.
func (c *cli) define(cmd *command, fs *flag.FlagSet) runFunc {
	fs.SetOutput(io.Discard) // errors and help are printed here, not by the flag package
	if cmd.db != noDB {
		c.target = addTarget(fs, cmd.db, c.passwordCost, c.stderr)
	}
	return cmd.setup(c, fs)
}

// groupCommands returns the commands whose name starts with the word
// group.
func groupCommands(table []command, group string) []*command {
	var out []*command
	for i := range table {
		if strings.HasPrefix(table[i].name, group+" ") {
			out = append(out, &table[i])
		}
	}
	return out
}

// topNames returns the first word of every command, once each.
func topNames(table []command) []string {
	var out []string
	for _, cmd := range table {
		first, _, _ := strings.Cut(cmd.name, " ")
		if !slices.Contains(out, first) {
			out = append(out, first)
		}
	}
	return out
}

func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// parseFlags parses flags that may come before, between or after the
// positional arguments, and returns the positional arguments. An unknown
// flag is reported with the nearest known one.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
				var known []string
				fs.VisitAll(func(f *flag.Flag) { known = append(known, f.Name) })
				return nil, usagef("unknown flag %s%s", dashes(name), suggest(name, known, dashes(""), ""))
			}
			// The flag package's "invalid value "3x" for flag -expires: why".
			invalid := regexp.MustCompile(`^invalid (?:boolean )?value ".*" for (?:flag )?-(\S+): (.*)$`)
			if m := invalid.FindStringSubmatch(err.Error()); m != nil {
				return nil, usagef("%s: %s", dashes(m[1]), m[2])
			}
			return nil, usagef("%v", err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// dashes writes a flag name as the usage shows it: -o, --db.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// checkArgs checks the number of positional arguments against a command's
// args: NAME is one, [NAME] at most one, NAME... one or more, [NAME...]
// any number.
func checkArgs(spec string, pos []string) error {
	words := strings.Fields(spec)
	need, most := 0, len(words)
	for _, w := range words {
		if strings.HasSuffix(w, "...") || strings.HasSuffix(w, "...]") {
			most = -1
		}
		if !strings.HasPrefix(w, "[") {
			need++
		}
	}
	switch {
	case len(pos) < need:
		return usagef("expected %s", spec)
	case most >= 0 && len(pos) > most:
		return usagef("unexpected argument %q", pos[most])
	}
	return nil
}

// suggest returns " (did you mean X?)" for the candidate nearest to word,
// when one is near enough to be a typo of it, else "".
func suggest(word string, candidates []string, before, after string) string {
	best, bestDist := "", len(word)/3+2 // a typo changes a few letters, not most
	for _, c := range candidates {
		if d := editDistance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	if before == "--" && len(best) == 1 {
		before = "-"
	}
	return fmt.Sprintf(" (did you mean %s%s%s?)", before, best, after)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// usageLine is "liaison NAME USAGE", continuation lines indented under
// the first.
func usageLine(cmd *command) string {
	line := "liaison " + cmd.name
	if cmd.usage != "" {
		line += " " + strings.ReplaceAll(cmd.usage, "\n", "\n"+strings.Repeat(" ", len(line)+3))
	}
	return line
}

// topUsage prints every command's usage line, by section.
func (c *cli) topUsage(w io.Writer) {
	table := commandTable()
	fmt.Fprint(w, "liaison: a STIX/TAXII 2.1 threat-intelligence feed server\n")
	for _, s := range sectionTable() {
		fmt.Fprintf(w, "\n%s\n", s.heading)
		for i := range table {
			if table[i].section == s.name {
				fmt.Fprintf(w, "  %s\n", usageLine(&table[i]))
			}
		}
		fmt.Fprint(w, s.note)
	}
	fmt.Fprint(w, "\nRun 'liaison help COMMAND' or 'liaison COMMAND --help' for a command's flags.\n")
}

// groupUsage prints the usage lines and summaries of a group's commands.
func groupUsage(w io.Writer, group []*command) {
	fmt.Fprint(w, "Usage:\n")
	for _, cmd := range group {
		fmt.Fprintf(w, "  %s\n      %s\n", usageLine(cmd), cmd.summary)
	}
	first, _, _ := strings.Cut(group[0].name, " ")
	fmt.Fprintf(w, "\nRun 'liaison help %s COMMAND' for a command's flags.\n", first)
}

// commandHelp prints a command's usage, summary and flags, one line each.
func commandHelp(w io.Writer, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", usageLine(cmd), cmd.summary)
	n := 0
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		if n == 0 {
			fmt.Fprint(tw, "\nFlags:\n")
		}
		n++
		name, usage := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + strings.ToUpper(name)
		}
		switch f.DefValue {
		case "", "0", "false", "0s":
		default:
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(tw, "  %s%s\t%s\n", dashes(f.Name), name, usage)
	})
	tw.Flush()
}

// help prints the usage of every command, of a group, or of one command.
func (c *cli) help(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, args []string) error {
		if len(args) == 0 {
			c.topUsage(c.stdout)
			return nil
		}
		table := commandTable()
		name := strings.Join(args, " ")
		for i := range table {
			if table[i].name == name {
				cmdFS := flag.NewFlagSet("liaison "+name, flag.ContinueOnError)
				c.define(&table[i], cmdFS)
				commandHelp(c.stdout, &table[i], cmdFS)
				return nil
			}
		}
		if group := groupCommands(table, args[0]); len(group) > 0 && len(args) == 1 {
			groupUsage(c.stdout, group)
			return nil
		}
		return usagef("unknown command %q%s", name, suggest(name, topNames(table), `"`, `"`))
	}
}
