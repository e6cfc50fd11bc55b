package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"

	"liaison/stix"
)

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

// Collection is a collection of STIX objects in an API root (TAXII 2.1 §5.2).
type Collection struct {
	ID          string   `json:"id"`
	APIRoot     string   `json:"api_root"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	MediaTypes  []string `json:"media_types"`
	// PublicRead lets anyone, anonymous clients included, read the
	// collection. PublicWrite lets anyone write; only taxii.PublicAccess
	// (tests, trusted single-user setups) honours it, never the accounts.
	PublicRead  bool `json:"public_read"`
	PublicWrite bool `json:"public_write"`
	// RejectCustom makes validation refuse custom object types and
	// properties in this collection.
	RejectCustom bool      `json:"reject_custom,omitempty"`
	Created      time.Time `json:"created"`
	Seq          uint64    `json:"seq"` // creation order, for a stable listing
}

// reservedRoots are path segments that cannot name an API root because the
// server uses them itself.
var reservedRoots = map[string]bool{"taxii2": true, "admin": true, "status": true}

func validRootName(s string) bool {
	if len(s) == 0 || len(s) > 64 || reservedRoots[s] {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return s != "." && s != ".."
}

// CreateAPIRoot creates an API root. Zero settings take their defaults. If
// r.Default is set, any other default API root loses that mark. Returns
// ErrExists if the name is taken and ErrInvalid for a bad name or title.
func (db *DB) CreateAPIRoot(ctx context.Context, r APIRoot) (APIRoot, error) {
	if !validRootName(r.Name) {
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
	err := db.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketRoots)
		if b.Get([]byte(r.Name)) != nil {
			return fmt.Errorf("API root %q: %w", r.Name, ErrExists)
		}
		if r.Default {
			if err := clearDefaultRoot(b); err != nil {
				return err
			}
		}
		return putJSON(b, []byte(r.Name), r)
	})
	return r, err
}

func clearDefaultRoot(b *bbolt.Bucket) error {
	var changed []APIRoot
	err := b.ForEach(func(k, v []byte) error {
		var r APIRoot
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode API root %s: %w", k, err)
		}
		if r.Default {
			r.Default = false
			changed = append(changed, r)
		}
		return nil
	})
	for _, r := range changed {
		if err == nil {
			err = putJSON(b, []byte(r.Name), r)
		}
	}
	return err
}

// APIRoots returns every API root, sorted by name.
func (db *DB) APIRoots(ctx context.Context) ([]APIRoot, error) {
	var roots []APIRoot
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketRoots).ForEach(func(k, v []byte) error {
			var r APIRoot
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode API root %s: %w", k, err)
			}
			roots = append(roots, r)
			return nil
		})
	})
	return roots, err
}

// APIRoot returns the API root with the given name, or ErrAPIRootNotFound.
func (db *DB) APIRoot(ctx context.Context, name string) (APIRoot, error) {
	var r APIRoot
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketRoots).Get([]byte(name))
		if v == nil {
			return fmt.Errorf("API root %q: %w", name, ErrAPIRootNotFound)
		}
		return json.Unmarshal(v, &r)
	})
	return r, err
}

// CreateCollection creates a collection in an existing API root and returns
// it with its new id (a UUIDv4, TAXII 2.1 §2 "identifier"). Empty MediaTypes
// default to STIX 2.1. Returns ErrAPIRootNotFound, ErrExists for an alias
// already used in the API root, or ErrInvalid.
func (db *DB) CreateCollection(ctx context.Context, c Collection) (Collection, error) {
	if c.Title == "" {
		return Collection{}, fmt.Errorf("collection: %w: title is required", ErrInvalid)
	}
	if c.Alias != "" {
		if err := checkAlias(c.Alias); err != nil {
			return Collection{}, err
		}
	}
	if len(c.MediaTypes) == 0 {
		c.MediaTypes = []string{stix.MediaType(stix.SpecVersion21)}
	}
	if err := checkMediaTypes(c.MediaTypes); err != nil {
		return Collection{}, err
	}
	id, err := newUUID()
	if err != nil {
		return Collection{}, err
	}
	c.ID = id
	c.Created = db.now()
	err = db.update(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketRoots).Get([]byte(c.APIRoot)) == nil {
			return fmt.Errorf("API root %q: %w", c.APIRoot, ErrAPIRootNotFound)
		}
		cb := tx.Bucket(bucketCollections)
		if c.Alias != "" {
			if _, err := findCollection(tx, c.APIRoot, c.Alias); err == nil {
				return fmt.Errorf("collection alias %q in API root %q: %w", c.Alias, c.APIRoot, ErrExists)
			}
		}
		meta := tx.Bucket(bucketMeta)
		c.Seq = getUint(meta, keyCollSeq) + 1
		if err := putUint(meta, keyCollSeq, c.Seq); err != nil {
			return err
		}
		if err := putJSON(cb, []byte(c.ID), c); err != nil {
			return err
		}
		return createCollectionBuckets(tx, c.ID)
	})
	return c, err
}

func checkAlias(alias string) error {
	if stix.ValidUUID(alias) || !validRootName(alias) {
		return fmt.Errorf("collection alias %q: %w: use 1-64 characters of a-z, 0-9, '-', '_' and '.', not shaped like an id", alias, ErrInvalid)
	}
	return nil
}

func checkMediaTypes(mts []string) error {
	if len(mts) == 0 {
		return fmt.Errorf("collection media types: %w: give at least one", ErrInvalid)
	}
	for _, mt := range mts {
		if mt != stix.MediaType(stix.SpecVersion21) && mt != stix.MediaType(stix.SpecVersion20) {
			return fmt.Errorf("collection media type %q: %w: use %s or %s", mt, ErrInvalid, stix.MediaType(stix.SpecVersion21), stix.MediaType(stix.SpecVersion20))
		}
	}
	return nil
}

func createCollectionBuckets(tx *bbolt.Tx, id string) error {
	b, err := tx.CreateBucket([]byte(collPrefix + id))
	if err != nil {
		return fmt.Errorf("create collection bucket: %w", err)
	}
	for _, name := range [][]byte{bucketObjects, bucketByID, bucketByType, bucketCurrent, bucketCurrentType} {
		if _, err := b.CreateBucket(name); err != nil {
			return fmt.Errorf("create collection bucket %s: %w", name, err)
		}
	}
	return nil
}

// Collections returns the collections of an API root in creation order (a
// stable order, TAXII 2.1 §3.3). Returns ErrAPIRootNotFound.
func (db *DB) Collections(ctx context.Context, root string) ([]Collection, error) {
	var out []Collection
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketRoots).Get([]byte(root)) == nil {
			return fmt.Errorf("API root %q: %w", root, ErrAPIRootNotFound)
		}
		return tx.Bucket(bucketCollections).ForEach(func(k, v []byte) error {
			var c Collection
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode collection %s: %w", k, err)
			}
			if c.APIRoot == root {
				out = append(out, c)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, err
}

// Collection returns the collection of the API root whose id or alias is
// idOrAlias. Returns ErrAPIRootNotFound or ErrCollectionNotFound.
func (db *DB) Collection(ctx context.Context, root, idOrAlias string) (Collection, error) {
	var c Collection
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketRoots).Get([]byte(root)) == nil {
			return fmt.Errorf("API root %q: %w", root, ErrAPIRootNotFound)
		}
		var err error
		c, err = findCollection(tx, root, idOrAlias)
		return err
	})
	return c, err
}

func findCollection(tx *bbolt.Tx, root, idOrAlias string) (Collection, error) {
	var c Collection
	if idOrAlias == "" {
		return c, fmt.Errorf("collection %q: %w", idOrAlias, ErrCollectionNotFound)
	}
	cb := tx.Bucket(bucketCollections)
	if v := cb.Get([]byte(idOrAlias)); v != nil {
		if err := json.Unmarshal(v, &c); err != nil {
			return c, fmt.Errorf("decode collection %s: %w", idOrAlias, err)
		}
		if c.APIRoot == root {
			return c, nil
		}
		return Collection{}, fmt.Errorf("collection %q: %w", idOrAlias, ErrCollectionNotFound)
	}
	// Aliases are few per API root; a scan of the collection list is cheap.
	found := false
	err := cb.ForEach(func(k, v []byte) error {
		if found {
			return nil
		}
		var x Collection
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("decode collection %s: %w", k, err)
		}
		if x.APIRoot == root && x.Alias == idOrAlias {
			c, found = x, true
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	if !found {
		return c, fmt.Errorf("collection %q: %w", idOrAlias, ErrCollectionNotFound)
	}
	return c, nil
}

// collectionBucket returns the bucket of collection id, or
// ErrCollectionNotFound.
func collectionBucket(tx *bbolt.Tx, id string) (*bbolt.Bucket, error) {
	b := tx.Bucket([]byte(collPrefix + id))
	if b == nil {
		return nil, fmt.Errorf("collection %q: %w", id, ErrCollectionNotFound)
	}
	return b, nil
}

func putJSON(b *bbolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

func getUint(b *bbolt.Bucket, k []byte) uint64 {
	v := b.Get(k)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func putUint(b *bbolt.Bucket, k []byte, n uint64) error {
	return b.Put(k, dateKey(n))
}

// newUUID returns a random RFC 4122 version 4 UUID.
func newUUID() (string, error) {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return "", fmt.Errorf("generate id: %w", err)
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]), nil
}
