package store

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"
)

// VersionSelect is the match[version] filter (TAXII 2.1 §3.4.1). The zero
// value selects the latest version, the TAXII default.
type VersionSelect struct {
	All   bool
	First bool
	Last  bool
	At    []time.Time // explicit versions, matched as instants
}

// IsZero reports whether no selection was made (the default applies).
func (v VersionSelect) IsZero() bool {
	return !v.All && !v.First && !v.Last && len(v.At) == 0
}

// Query selects object versions of one collection, in date_added order.
//
// Filters apply in this order (TAXII 2.1 leaves it open, errata #114):
// match[spec_version] (default: the latest spec version held for each
// object), then added_after, match[id] and match[type], and last the version
// selection among what remains. So with added_after, "last" is the latest
// version added after that time.
type Query struct {
	// ObjectID restricts the query to one object; Query then returns
	// ErrObjectNotFound if the collection holds no version of it.
	ObjectID     string
	IDs          []string
	Types        []string
	Versions     VersionSelect
	SpecVersions []string
	AddedAfter   time.Time // zero: no filter
	// After is a paging position: only versions with a later date_added
	// (unix microseconds) are returned.
	After uint64
	// Limit is the page size; one more is read to decide More.
	Limit int
	// NoBody leaves Record.Raw nil (manifest and versions need no objects).
	NoBody bool
}

// Record is one object version in a query's result.
type Record struct {
	DateAdded   time.Time
	Position    uint64 // date_added in unix microseconds, for cursors
	ID          string
	VersionText string
	SpecVersion string
	Raw         []byte // the stored JSON, copied out of the transaction
}

// Page is one page of a query's result.
type Page struct {
	Records []Record
	// More reports whether more versions match after the last record.
	More bool
	// Scanned counts the index entries the query visited, a measure of its
	// cost that tests use to show it does not grow with the collection.
	Scanned int
}

// Query returns one page of the versions selected by q from a collection.
// Returns ErrCollectionNotFound, or ErrObjectNotFound when q.ObjectID names
// an object the collection does not hold.
func (db *DB) Query(ctx context.Context, collection string, q Query) (Page, error) {
	if q.Limit <= 0 {
		return Page{}, fmt.Errorf("query: limit must be positive")
	}
	var page Page
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		cb, err := collectionBucket(tx, collection)
		if err != nil {
			return err
		}
		page, err = runQuery(ctx, cb, q)
		return err
	})
	return page, err
}

func runQuery(ctx context.Context, cb *bbolt.Bucket, q Query) (Page, error) {
	var page Page
	objects := cb.Bucket(bucketObjects)
	byID := cb.Bucket(bucketByID)
	ids := q.IDs
	if q.ObjectID != "" {
		if !hasPrefix(byID, indexKey(q.ObjectID, nil)) {
			return page, fmt.Errorf("object %q: %w", q.ObjectID, ErrObjectNotFound)
		}
		ids = []string{q.ObjectID}
	}
	start := max(q.After, timeMicros(q.AddedAfter))
	it, err := newIterator(cb, ids, q.Types, start)
	if err != nil {
		return page, err
	}
	sel := selector{q: q, byID: byID, addedAfter: timeMicros(q.AddedAfter), hasAddedAfter: !q.AddedAfter.IsZero()}
	for dk, ok := it.next(); ok; dk, ok = it.next() {
		page.Scanned++
		if page.Scanned%1024 == 0 && ctx.Err() != nil {
			return page, ctx.Err()
		}
		v := objects.Get(dateKey(dk))
		if v == nil {
			return page, fmt.Errorf("index entry %d without object: %w", dk, errCorruptRecord)
		}
		r, err := decodeRecord(v)
		if err != nil {
			return page, err
		}
		include, err := sel.include(&r, dk)
		if err != nil {
			return page, err
		}
		if !include {
			continue
		}
		if len(page.Records) == q.Limit {
			page.More = true // one past the page: there is more
			break
		}
		rec := Record{DateAdded: microsTime(dk), Position: dk, ID: r.ID, VersionText: r.VersionText, SpecVersion: r.SpecVersion}
		if !q.NoBody {
			rec.Raw = append([]byte(nil), r.Raw...)
		}
		page.Records = append(page.Records, rec)
	}
	page.Scanned += sel.scanned
	return page, nil
}

// selector decides whether one version belongs to the result, applying
// the spec_version, added_after and version filters.
type selector struct {
	q             Query
	byID          *bbolt.Bucket
	addedAfter    uint64
	hasAddedAfter bool
	scanned       int
}

type versionInfo struct {
	dk      uint64
	version []byte // 12-byte version key
	spec    string
}

func (s *selector) include(r *record, dk uint64) (bool, error) {
	q := &s.q
	if len(q.Types) > 0 && !slices.Contains(q.Types, typeOf(r.ID)) {
		return false, nil
	}
	if len(q.SpecVersions) > 0 && !slices.Contains(q.SpecVersions, r.SpecVersion) {
		return false, nil
	}
	if q.Versions.All && len(q.SpecVersions) > 0 {
		return true, nil
	}
	if len(q.Versions.At) > 0 && !q.Versions.All && !q.Versions.First && !q.Versions.Last && len(q.SpecVersions) > 0 {
		return matchesAt(r.Version[:], q.Versions.At), nil
	}
	// The remaining cases need the object's other versions.
	versions := s.versionsOf(r.ID)
	spec := q.SpecVersions
	if len(spec) == 0 {
		latest := ""
		for _, v := range versions {
			if specLess(latest, v.spec) {
				latest = v.spec
			}
		}
		if r.SpecVersion != latest {
			return false, nil
		}
		spec = []string{latest}
	}
	vs := q.Versions
	if vs.IsZero() {
		vs.Last = true
	}
	if vs.All {
		return true, nil
	}
	if matchesAt(r.Version[:], vs.At) {
		return true, nil
	}
	if !vs.First && !vs.Last {
		return false, nil
	}
	// Candidates: this object's versions that pass spec_version and
	// added_after. Order by (version, date_added).
	var first, last *versionInfo
	for i := range versions {
		v := &versions[i]
		if !slices.Contains(spec, v.spec) || (s.hasAddedAfter && v.dk <= s.addedAfter) {
			continue
		}
		if first == nil || versionLess(v, first) {
			first = v
		}
		if last == nil || versionLess(last, v) {
			last = v
		}
	}
	return (vs.First && first != nil && first.dk == dk) || (vs.Last && last != nil && last.dk == dk), nil
}

func (s *selector) versionsOf(id string) []versionInfo {
	var out []versionInfo
	prefix := indexKey(id, nil)
	c := s.byID.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		s.scanned++
		if len(k) != len(prefix)+8 || len(v) < 12 {
			continue
		}
		// Copied: a delete in the same transaction may reuse the page.
		out = append(out, versionInfo{dk: dateFromKey(k[len(prefix):]), version: append([]byte(nil), v[:12]...), spec: string(v[12:])})
	}
	return out
}

func versionLess(a, b *versionInfo) bool {
	if c := bytes.Compare(a.version, b.version); c != 0 {
		return c < 0
	}
	return a.dk < b.dk
}

func matchesAt(version []byte, at []time.Time) bool {
	for _, t := range at {
		k := versionKey(t)
		if bytes.Equal(version, k[:]) {
			return true
		}
	}
	return false
}

// specLess orders spec versions "major.minor" numerically ("" is least).
func specLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func typeOf(id string) string {
	if i := bytes.Index([]byte(id), []byte("--")); i > 0 {
		return id[:i]
	}
	return id
}

func hasPrefix(b *bbolt.Bucket, prefix []byte) bool {
	k, _ := b.Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// iterator yields date_added keys in ascending order from one or more
// cursors: the objects bucket itself, or one index prefix per requested id
// or type, merged.
type iterator struct {
	h sourceHeap
}

type source struct {
	c      *bbolt.Cursor
	prefix []byte
	dk     uint64
}

// load reads the cursor's current key k; it reports false past the prefix.
func (s *source) load(k []byte) bool {
	if k == nil || !bytes.HasPrefix(k, s.prefix) || len(k) != len(s.prefix)+8 {
		return false
	}
	s.dk = dateFromKey(k[len(s.prefix):])
	return true
}

type sourceHeap []*source

func (h sourceHeap) Len() int           { return len(h) }
func (h sourceHeap) Less(i, j int) bool { return h[i].dk < h[j].dk }
func (h sourceHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *sourceHeap) Push(x any)        { *h = append(*h, x.(*source)) }
func (h *sourceHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// newIterator picks the narrowest index: the by-id index when ids are given
// (types then only filter which ids are worth reading, since an id's prefix
// is its type), the by-type index for types alone, else the objects bucket.
// Iteration starts after the date_added start.
func newIterator(cb *bbolt.Bucket, ids, types []string, start uint64) (*iterator, error) {
	it := &iterator{}
	add := func(bucket *bbolt.Bucket, prefix []byte) {
		if start == ^uint64(0) {
			return
		}
		s := &source{c: bucket.Cursor(), prefix: prefix}
		seek := append(append([]byte(nil), prefix...), dateKey(start+1)...)
		if s.load(firstKey(s.c.Seek(seek))) {
			it.h = append(it.h, s)
		}
	}
	switch {
	case len(ids) > 0:
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] || (len(types) > 0 && !slices.Contains(types, typeOf(id))) {
				continue
			}
			seen[id] = true
			add(cb.Bucket(bucketByID), indexKey(id, nil))
		}
	case len(types) > 0:
		seen := map[string]bool{}
		for _, t := range types {
			if !seen[t] {
				seen[t] = true
				add(cb.Bucket(bucketByType), indexKey(t, nil))
			}
		}
	default:
		add(cb.Bucket(bucketObjects), nil)
	}
	heap.Init(&it.h)
	return it, nil
}

func firstKey(k, _ []byte) []byte { return k }

// next returns the next date_added key, or false when all sources are done.
func (it *iterator) next() (uint64, bool) {
	if len(it.h) == 0 {
		return 0, false
	}
	s := it.h[0]
	dk := s.dk
	if s.load(firstKey(s.c.Next())) {
		heap.Fix(&it.h, 0)
	} else {
		heap.Pop(&it.h)
	}
	return dk, true
}
