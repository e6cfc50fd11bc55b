package curation

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode/utf8"

	"liaison/store"
)

// MinPasswordLength is the shortest password CheckPassword accepts, in
// characters: long enough that guessing at the rate limit's pace is
// hopeless, short enough for a passphrase of a few words.
const MinPasswordLength = 12

//go:embed common-passwords.txt
var commonPasswords string

// CheckPassword refuses passwords that are easy to guess: shorter than
// MinPasswordLength, the user's own name, one character repeated, or
// among the most common ones. An empty password is allowed: the user then
// has API keys only. The CLI, offline and online, goes through it.
func CheckPassword(name, password string) error {
	if password == "" {
		return nil
	}
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		return fmt.Errorf("%w: a password needs at least %d characters, this one has %d (a few words make one that is easy to remember)", store.ErrInvalid, MinPasswordLength, n)
	}
	if strings.EqualFold(password, name) {
		return fmt.Errorf("%w: the password must not be the user name", store.ErrInvalid)
	}
	if strings.Count(password, password[:1]) == len(password) || isCommonPassword(password) {
		return fmt.Errorf("%w: this password is among the most common ones, which are guessed first; choose another", store.ErrInvalid)
	}
	return nil
}

func isCommonPassword(password string) bool {
	for _, line := range strings.Split(commonPasswords, "\n") {
		if line != "" && line[0] != '#' && strings.EqualFold(line, password) {
			return true
		}
	}
	return false
}
