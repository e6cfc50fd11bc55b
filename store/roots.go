package store

import "fmt"

// Defaults of an API root's settings, used when a field is zero.
const (
	// DefaultMaxContentLength is the largest POST body accepted: 10 MiB.
	DefaultMaxContentLength = 10 << 20
	// DefaultPageLimit is the page size when a client sends no limit.
	DefaultPageLimit = 100
	// DefaultMaxPageLimit caps the limit a client may ask for.
	DefaultMaxPageLimit = 1000
	// DefaultMaxObjects caps the objects of one POST, which bounds the work
	// and the status resource of one request.
	DefaultMaxObjects = 20_000
)

// APIRoot is an API root: a path segment under the server root with its own
// collections and settings (TAXII 2.1 §4.2).
type APIRoot struct {
	Name             string `json:"name"` // the URL path segment
	Title            string `json:"title"`
	Description      string `json:"description,omitempty"`
	MaxContentLength int64  `json:"max_content_length"`
	MaxObjects       int    `json:"max_objects"` // objects per POST
	DefaultLimit     int    `json:"default_limit"`
	MaxLimit         int    `json:"max_limit"`
	// Default marks the API root discovery names as default; at most one is.
	Default bool `json:"default,omitempty"`
}

// APIRootUpdate changes the settings of an API root; nil fields stay.
type APIRootUpdate struct {
	Title            *string `json:"title,omitempty"`
	Description      *string `json:"description,omitempty"`
	MaxContentLength *int64  `json:"max_content_length,omitempty"`
	MaxObjects       *int    `json:"max_objects,omitempty"`
	DefaultLimit     *int    `json:"default_limit,omitempty"`
	MaxLimit         *int    `json:"max_limit,omitempty"`
	Default          *bool   `json:"default,omitempty"`
}

// reservedRoots are path segments that cannot name an API root because the
// server uses them itself.
var reservedRoots = map[string]bool{"taxii2": true, "admin": true, "status": true}

// validName reports whether s may name an API root or a collection alias:
// 1-64 characters of a-z, 0-9, '-', '_' and '.', not "." or "..".
func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return s != "." && s != ".."
}

// NewAPIRoot checks an API root about to be created and returns it with
// its zero (or negative) settings set to their defaults. Returns ErrInvalid
// for a bad or reserved name, an empty title or a default limit above the
// maximum. Backends call it first in CreateAPIRoot.
func NewAPIRoot(r APIRoot) (APIRoot, error) {
	if !validName(r.Name) || reservedRoots[r.Name] {
		return APIRoot{}, fmt.Errorf("API root name %q: %w: use 1-64 characters of a-z, 0-9, '-', '_' and '.' (taxii2, admin and status are reserved)", r.Name, ErrInvalid)
	}
	if r.Title == "" {
		return APIRoot{}, fmt.Errorf("API root %q: %w: title is required", r.Name, ErrInvalid)
	}
	if r.MaxContentLength <= 0 {
		r.MaxContentLength = DefaultMaxContentLength
	}
	if r.MaxLimit <= 0 {
		r.MaxLimit = DefaultMaxPageLimit
	}
	if r.MaxObjects <= 0 {
		r.MaxObjects = DefaultMaxObjects
	}
	if r.DefaultLimit <= 0 {
		r.DefaultLimit = min(DefaultPageLimit, r.MaxLimit)
	}
	if r.DefaultLimit > r.MaxLimit {
		return APIRoot{}, fmt.Errorf("API root %q: %w: default limit %d exceeds maximum %d", r.Name, ErrInvalid, r.DefaultLimit, r.MaxLimit)
	}
	return r, nil
}

// Apply returns r changed by u, or ErrInvalid when the result breaks a
// rule: an empty title, a size or limit that is not positive, a default
// limit above the maximum. When u makes r the default API root, the
// backend clears the mark of every other one in the same transaction.
func (u APIRootUpdate) Apply(r APIRoot) (APIRoot, error) {
	set(&r.Title, u.Title)
	set(&r.Description, u.Description)
	set(&r.MaxContentLength, u.MaxContentLength)
	set(&r.MaxObjects, u.MaxObjects)
	set(&r.DefaultLimit, u.DefaultLimit)
	set(&r.MaxLimit, u.MaxLimit)
	switch {
	case r.Title == "":
		return APIRoot{}, fmt.Errorf("API root %q: %w: title is required", r.Name, ErrInvalid)
	case r.MaxContentLength <= 0 || r.MaxObjects <= 0 || r.DefaultLimit <= 0 || r.MaxLimit <= 0:
		return APIRoot{}, fmt.Errorf("API root %q: %w: sizes and limits must be positive", r.Name, ErrInvalid)
	case r.DefaultLimit > r.MaxLimit:
		return APIRoot{}, fmt.Errorf("API root %q: %w: default limit %d exceeds maximum %d", r.Name, ErrInvalid, r.DefaultLimit, r.MaxLimit)
	}
	set(&r.Default, u.Default)
	return r, nil
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
