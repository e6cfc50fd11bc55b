package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// terminal is the seam between the password prompt and the terminal: it
// reads a line without echoing it. A cli has one only when its standard
// input is a terminal.
type terminal interface {
	ReadPassword() (string, error)
}

// fdTerminal is a real terminal.
type fdTerminal struct{ fd int }

func (t fdTerminal) ReadPassword() (string, error) {
	b, err := term.ReadPassword(t.fd)
	return string(b), err
}

// terminalOf returns the terminal r is, or nil when it is not one (a pipe,
// a file, a test's reader).
func terminalOf(r io.Reader) terminal {
	f, ok := r.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return fdTerminal{int(f.Fd())}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// password returns the password for user: from standard input with
// --password-stdin, else asked twice on the terminal. ok is false when
// there is neither (standard input is not a terminal and no
// --password-stdin). With optional, an empty answer means no password.
func (c *cli) password(user string, stdin, optional bool) (pw string, ok bool, err error) {
	if stdin {
		pw, err := readPassword(c.stdin)
		return pw, err == nil, err
	}
	if c.tty == nil {
		return "", false, nil
	}
	hint := ""
	if optional {
		hint = " (empty: none, API keys only)"
	}
	pw, err = c.ask(fmt.Sprintf("Password for %s%s: ", user, hint))
	if err != nil || (pw == "" && optional) {
		return "", err == nil, err
	}
	if pw == "" {
		return "", false, errors.New("no password given")
	}
	again, err := c.ask("Again: ")
	if err != nil {
		return "", false, err
	}
	if again != pw {
		return "", false, errors.New("the passwords do not match; nothing changed")
	}
	return pw, true, nil
}

// ask prompts on standard error and reads an answer without echo.
func (c *cli) ask(prompt string) (string, error) {
	fmt.Fprint(c.stderr, prompt)
	s, err := c.tty.ReadPassword()
	fmt.Fprintln(c.stderr) // the terminal did not echo the newline
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return s, nil
}

// readPassword reads a password, the first line of in.
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
