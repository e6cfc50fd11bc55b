package store_test

import (
	"errors"
	"fmt"
	"testing"

	"liaison/store"
)

// TestErrorCodes: each store error the admin API reports has one code,
// and the code leads back to the error, wrapped or not.
func TestErrorCodes(t *testing.T) {
	seen := map[string]error{}
	for _, err := range []error{store.ErrAPIRootNotFound, store.ErrCollectionNotFound, store.ErrObjectNotFound,
		store.ErrStatusNotFound, store.ErrUserNotFound, store.ErrAPIKeyNotFound, store.ErrExists, store.ErrNotEmpty, store.ErrInvalid} {
		code := store.ErrorCode(fmt.Errorf("context: %w", err))
		if code == "" {
			t.Errorf("%v has no code", err)
			continue
		}
		if other, dup := seen[code]; dup {
			t.Errorf("%v and %v share the code %q", err, other, code)
		}
		seen[code] = err
		if back := store.ErrorOfCode(code); back != err {
			t.Errorf("code %q leads to %v, want %v", code, back, err)
		}
	}
	if c := store.ErrorCode(errors.New("other")); c != "" {
		t.Errorf("an unknown error has the code %q", c)
	}
	if e := store.ErrorOfCode("no-such-code"); e != nil {
		t.Errorf("an unknown code leads to %v", e)
	}
}
