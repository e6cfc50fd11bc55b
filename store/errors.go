package store

import "errors"

var (
	// ErrAPIRootNotFound is returned when no API root has the given name.
	ErrAPIRootNotFound = errors.New("API root not found")
	// ErrCollectionNotFound is returned when an API root has no collection
	// with the given id or alias.
	ErrCollectionNotFound = errors.New("collection not found")
	// ErrObjectNotFound is returned when a collection holds no version of
	// the given object id, or none that matches a delete's filters.
	ErrObjectNotFound = errors.New("object not found")
	// ErrStatusNotFound is returned when a status id is unknown, belongs to
	// another API root, or has been purged.
	ErrStatusNotFound = errors.New("status not found")
	// ErrExists is returned when creating an API root or collection whose
	// name, id or alias is already taken.
	ErrExists = errors.New("already exists")
	// ErrDatabaseLocked is returned by Open when another process holds the
	// database file (bbolt allows one process at a time).
	ErrDatabaseLocked = errors.New("database file is locked by another process")
	// ErrInvalid is returned when curation input breaks a rule (bad name,
	// empty title, ...). It is wrapped with the detail.
	ErrInvalid = errors.New("invalid")
)

// errorCodes names, once, the store errors the admin API reports to its
// client: the server answers each with its code as error_code, and the
// client maps the code back, so errors.Is works online as it does offline.
var errorCodes = [...]struct {
	err  error
	code string
}{
	{ErrAPIRootNotFound, "api-root-not-found"},
	{ErrCollectionNotFound, "collection-not-found"},
	{ErrObjectNotFound, "object-not-found"},
	{ErrStatusNotFound, "status-not-found"},
	{ErrUserNotFound, "user-not-found"},
	{ErrAPIKeyNotFound, "api-key-not-found"},
	{ErrExists, "exists"},
	{ErrNotEmpty, "not-empty"},
	{ErrInvalid, "invalid"},
}

// ErrorCode returns the code of the store error err is or wraps, or "".
func ErrorCode(err error) string {
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}

// ErrorOfCode returns the store error with the code, or nil.
func ErrorOfCode(code string) error {
	for _, c := range errorCodes {
		if c.code == code {
			return c.err
		}
	}
	return nil
}
