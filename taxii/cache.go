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
	roots map[string]cachedRoot
	colls map[collKey]cachedColl
}

type collKey struct{ root, idOrAlias string }

type cachedRoot struct {
	root    store.APIRoot
	expires time.Time
}

type cachedColl struct {
	coll    store.Collection
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
	if s.ResourceCacheTTL <= 0 {
		return s.Store.APIRoot(ctx, name)
	}
	rc := &s.resources
	now := time.Now()
	rc.mu.RLock()
	e, ok := rc.roots[name]
	gen := rc.gen
	rc.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.root, nil
	}
	r, err := s.Store.APIRoot(ctx, name)
	if err != nil {
		return r, err
	}
	rc.mu.Lock()
	if rc.gen == gen {
		if rc.roots == nil {
			rc.roots = map[string]cachedRoot{}
		}
		rc.roots[name] = cachedRoot{root: r, expires: now.Add(s.ResourceCacheTTL)}
	}
	rc.mu.Unlock()
	return r, nil
}

// collectionByName returns the collection of the API root whose id or
// alias is idOrAlias, from the cache when the store returned it less than
// ResourceCacheTTL ago. The collection's MediaTypes are shared: read them
// only.
func (s *Server) collectionByName(ctx context.Context, root, idOrAlias string) (store.Collection, error) {
	if s.ResourceCacheTTL <= 0 {
		return s.Store.Collection(ctx, root, idOrAlias)
	}
	rc := &s.resources
	key := collKey{root, idOrAlias}
	now := time.Now()
	rc.mu.RLock()
	e, ok := rc.colls[key]
	gen := rc.gen
	rc.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.coll, nil
	}
	c, err := s.Store.Collection(ctx, root, idOrAlias)
	if err != nil {
		return c, err
	}
	rc.mu.Lock()
	if rc.gen == gen {
		if rc.colls == nil {
			rc.colls = map[collKey]cachedColl{}
		}
		rc.colls[key] = cachedColl{coll: c, expires: now.Add(s.ResourceCacheTTL)}
	}
	rc.mu.Unlock()
	return c, nil
}
