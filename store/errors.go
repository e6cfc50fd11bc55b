package store

import "errors"

// The errors of the contract. Backends return them wrapped with context
// (fmt.Errorf("...: %w", err)), so that callers test them with errors.Is
// whatever the backend.
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
	// ErrUserNotFound is returned when no user has the given name.
	ErrUserNotFound = errors.New("user not found")
	// ErrAPIKeyNotFound is returned when no API key has the given id.
	ErrAPIKeyNotFound = errors.New("API key not found")
	// ErrBadAPIKey is returned when a token is not a valid, current API
	// key: unknown, wrong secret, revoked or expired.
	ErrBadAPIKey = errors.New("invalid API key")
	// ErrBadPassword is returned when a password does not match its hash.
	ErrBadPassword = errors.New("wrong password")
	// ErrExists is returned when creating an API root, collection or user
	// whose name, id or alias is already taken.
	ErrExists = errors.New("already exists")
	// ErrNotEmpty is returned when removing an API root that has
	// collections, or a collection that holds objects, without force.
	ErrNotEmpty = errors.New("not empty")
	// ErrInvalid is returned when curation input breaks a rule (bad name,
	// empty title, ...). It is wrapped with the detail.
	ErrInvalid = errors.New("invalid")
	// ErrNoSpace is returned when a write cannot be committed because the
	// storage is full (a full file system, a quota, a file size limit).
	// Nothing of the write is stored; reads go on working.
	ErrNoSpace = errors.New("no space left to store data")
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
