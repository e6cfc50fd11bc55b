// Command liaison is a STIX/TAXII 2.1 threat-intelligence feed server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set with -ldflags "-X main.version=..."; otherwise the module
// build information is used.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `liaison: a STIX/TAXII 2.1 threat-intelligence feed server

Usage:
  liaison serve [--db FILE] [--listen ADDR] [--public-url URL] [--demo]
                [--tls-cert FILE --tls-key FILE | --insecure-http]
  liaison version

` + accountsUsage + `
` + curateUsage + `
` + validateUsage + `
Run 'liaison serve -h' for the server's flags.
`

// run dispatches a command line and returns the process exit status: 0 on
// success, 1 when the command failed, 2 for a usage error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		m := NewMain()
		m.Stdout, m.Stderr = stdout, stderr
		if err := m.ParseFlags(ctx, args[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			fmt.Fprintln(stderr, "liaison serve:", err)
			return 2
		}
		if err := m.Run(ctx); err != nil {
			fmt.Fprintln(stderr, "liaison serve:", err)
			m.Close()
			return 1
		}
		m.Wait(ctx)
		if err := m.Close(); err != nil {
			fmt.Fprintln(stderr, "liaison serve:", err)
			return 1
		}
		return 0
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "liaison", buildVersion())
		return 0
	case "user", "grant", "revoke", "apikey", "apiroot", "collection", "import", "export", "object", "stats", "backup", "restore", "validate":
		c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
		commands := map[string]func(context.Context, []string) error{
			"user":       c.user,
			"grant":      func(ctx context.Context, a []string) error { return c.grant(ctx, a, false) },
			"revoke":     func(ctx context.Context, a []string) error { return c.grant(ctx, a, true) },
			"apikey":     c.apikey,
			"apiroot":    c.apiroot,
			"collection": c.collection,
			"import":     c.importCmd,
			"export":     c.exportCmd,
			"object":     c.object,
			"stats":      c.stats,
			"backup":     c.backup,
			"restore":    c.restore,
			"validate":   c.validateCmd,
		}
		err := commands[args[0]](ctx, args[1:])
		var ue *usageError
		var se *silentError
		switch {
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "liaison %s: %v\n\n%s%s%s", args[0], err, accountsUsage, curateUsage, validateUsage)
			return 2
		case errors.As(err, &se):
			return 1
		case err != nil:
			fmt.Fprintf(stderr, "liaison %s: %v\n", args[0], err)
			return 1
		}
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "liaison: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
