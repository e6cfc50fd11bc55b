// Command liaison is a STIX/TAXII 2.1 threat-intelligence feed server.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version, commit and buildDate are set with -ldflags "-X main.version=..."
// and so on (see .ci/release); otherwise the module build information is
// used (version.go).
var version, commit, buildDate = "", "", ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs a command line and returns the process exit status: 0 on
// success, 1 when the command failed, 2 for a usage error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return newCLI(stdin, stdout, stderr).main(ctx, args)
}

// newCLI returns the cli of a process with these standard streams.
func newCLI(stdin io.Reader, stdout, stderr io.Writer) *cli {
	return &cli{stdin: stdin, stdout: stdout, stderr: stderr, tty: terminalOf(stdin), stdoutTTY: isTerminal(stdout)}
}
