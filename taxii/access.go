package taxii

import (
	"context"
	"net/http"

	"liaison/store"
)

// Principal is who a request acts for. Every request resolves one before
// any handler runs.
type Principal struct {
	Name      string
	Anonymous bool
	Admin     bool
	// Grants are the principal's grants by collection id, and Org its
	// organisation, for Access implementations that resolve them at
	// authentication.
	Grants map[string]store.Grant
	Org    string
	// Basic is set when the request authenticated with HTTP Basic, which
	// browsers remember and replay on cross-site requests.
	Basic bool
	// KeyID names the API key the request authenticated with, if any.
	KeyID string
}

// Rights are a principal's rights on one collection; they are the
// collection resource's can_read and can_write (TAXII 2.1 §5.2.1), which
// describe the requester.
type Rights struct {
	Read, Write bool
	// Clearance is what the principal may see of the collection (and
	// delete from it), by data markings; nil: everything (PublicAccess,
	// for tests and trusted single-user setups).
	Clearance *store.Clearance
	// PostClearance is what it may post; nil: as Clearance. They differ
	// for a write-only grant on a public-read collection, which reads as
	// anonymous clients do.
	PostClearance *store.Clearance
}

// Access authenticates requests and decides what a principal may do. The
// accounts work replaces PublicAccess with users, keys and grants.
type Access interface {
	// Authenticate resolves the principal of a request. An error is
	// answered as is (e.g. a 401 *Error).
	Authenticate(r *http.Request) (Principal, error)
	// Rights returns the principal's rights on a collection. A collection
	// with neither right is treated as absent.
	Rights(ctx context.Context, p Principal, c store.Collection) (Rights, error)
}

// Challenger is implemented by an Access that can authenticate clients.
// The server then answers an anonymous request for something it cannot
// see with 401 and these WWW-Authenticate challenges, instead of 404 or
// 403: authenticating might help, and the answer does not depend on whether
// the thing exists.
type Challenger interface {
	Challenges() []string
}

// PublicAccess admits every request as the anonymous principal, with the
// rights each collection grants the public.
type PublicAccess struct{}

// AnonymousName is the name of the anonymous principal.
const AnonymousName = "anonymous"

// Authenticate returns the anonymous principal.
func (PublicAccess) Authenticate(*http.Request) (Principal, error) {
	return Principal{Name: AnonymousName, Anonymous: true}, nil
}

// Rights returns the collection's public rights.
func (PublicAccess) Rights(_ context.Context, _ Principal, c store.Collection) (Rights, error) {
	return Rights{Read: c.PublicRead, Write: c.PublicWrite}, nil
}
