package taxii

import (
	"context"
	"sync"
	"time"

	"liaison/store"
)

// DefaultResourceCacheTTL is how long NewServer's servers reuse an API root
// or collection read from the store.
const DefaultResourceCacheTTL = time.Second

// resourceCache keeps the API roots and collections requests name, as the
// store last returned them, for a short while: every request resolves both,
// and reading them costs a read transaction and a JSON decode each (and,
// for an alias, a look at every collection of the API root). Only what
// exists is kept, so names made up by clients cost nothing to hold.
//
// Changes made through the admin API drop everything at once
// (Server.ResourcesChanged); the time to live bounds how long a change
// made to the store some other way (another user of the same Store in the
// process) goes unseen.
type resourceCache struct {
	mu    sync.RWMutex
	gen   uint64 // bumped by each invalidation; a read begun before one is not kept
	roots map[string]cached[store.APIRoot]
	colls map[collKey]cached[store.Collection]
}

type collKey struct{ root, idOrAlias string }

type cached[V any] struct {
	v       V
	expires time.Time
}

// invalidate forgets everything.
func (rc *resourceCache) invalidate() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.gen++
	clear(rc.roots)
	clear(rc.colls)
}

// ResourcesChanged tells the server that API roots, collections or the
// objects of a collection changed other than through its TAXII handlers
// (the admin API, say): what it cached of them is dropped at once, and the
// entity tags of every page change.
func (s *Server) ResourcesChanged() {
	s.resources.invalidate()
	s.changes.Add(1)
}

// apiRootByName returns the API root named name, from the cache when the
// store returned it less than ResourceCacheTTL ago.
func (s *Server) apiRootByName(ctx context.Context, name string) (store.APIRoot, error) {
	read := func() (store.APIRoot, error) { return s.Store.APIRoot(ctx, name) }
	if s.ResourceCacheTTL <= 0 {
		return read()
	}
	return lookup(&s.resources, &s.resources.roots, name, s.ResourceCacheTTL, read)
}

// collectionByName returns the collection of the API root whose id or
// alias is idOrAlias, from the cache when the store returned it less than
// ResourceCacheTTL ago. The collection's MediaTypes are shared: read them
// only.
func (s *Server) collectionByName(ctx context.Context, root, idOrAlias string) (store.Collection, error) {
	read := func() (store.Collection, error) { return s.Store.Collection(ctx, root, idOrAlias) }
	if s.ResourceCacheTTL <= 0 {
		return read()
	}
	return lookup(&s.resources, &s.resources.colls, collKey{root, idOrAlias}, s.ResourceCacheTTL, read)
}

// lookup returns m's value for key when it was read less than ttl ago;
// otherwise it reads it and keeps it, unless the cache was invalidated
// while it read (the value may predate the change). Errors are not kept.
func lookup[K comparable, V any](rc *resourceCache, m *map[K]cached[V], key K, ttl time.Duration, read func() (V, error)) (V, error) {
	now := time.Now()
	rc.mu.RLock()
	e, ok := (*m)[key]
	gen := rc.gen
	rc.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.v, nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	rc.mu.Lock()
	if rc.gen == gen {
		if *m == nil {
			*m = map[K]cached[V]{}
		}
		(*m)[key] = cached[V]{v: v, expires: now.Add(ttl)}
	}
	rc.mu.Unlock()
	return v, nil
}
