package store

import (
	"bytes"
	"cmp"
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
// object), then the version selection (match[version], default last) among
// all the versions that remain, and then added_after, match[id] and
// match[type]. So "last" is always the object's current version, and a
// client paging with added_after sees each object once, in its latest
// version, even when an older version was added after a newer one.
// (medallion applies added_after before choosing the version instead.)
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
	// MaxScan bounds the index entries one page may visit, and MaxBytes the
	// object bytes it may hold (0: DefaultMaxScan, DefaultMaxPageBytes). A
	// page that reaches either ends early with More set, so that a sparse
	// filter or huge objects cannot make one request arbitrarily costly.
	MaxScan  int
	MaxBytes int
}

// Defaults of Query.MaxScan and Query.MaxBytes.
const (
	DefaultMaxScan      = 100_000
	DefaultMaxPageBytes = 32 << 20
)

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
	// More reports whether more versions may match after this page: exact
	// when the page is full (one more was found), possibly false when the
	// page ended at MaxScan or MaxBytes.
	More bool
	// Resume is the position to continue from when More is set: the last
	// record's, or the last entry visited when the page ended at MaxScan.
	Resume uint64
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

// currentOnly reports whether q selects exactly each object's current
// version (the default filters), which the current indexes hold.
func (q *Query) currentOnly() bool {
	v := q.Versions
	return len(q.SpecVersions) == 0 && !v.All && !v.First && len(v.At) == 0
}

func runQuery(ctx context.Context, cb *bbolt.Bucket, q Query) (Page, error) {
	var page Page
	objects := cb.Bucket(bucketObjects)
	byID := cb.Bucket(bucketByID)
	ids := q.IDs
	if q.ObjectID != "" {
		if !hasPrefix(byID, datePrefix(q.ObjectID)) {
			return page, fmt.Errorf("object %q: %w", q.ObjectID, ErrObjectNotFound)
		}
		ids = []string{q.ObjectID}
	}
	start := max(q.After, timeMicros(q.AddedAfter))
	var it iterator
	var sel *selector
	if q.currentOnly() {
		// Every entry the current indexes yield is a result: the cost of a
		// page is the page, whatever the number of versions.
		it = newCurrentIterator(cb, ids, q.Types, start)
	} else {
		it = newIndexIterator(cb, ids, q.Types, start)
		sel = &selector{q: q, cb: cb, versions: map[string][]versionInfo{}}
	}
	maxScan, maxBytes := cmp.Or(q.MaxScan, DefaultMaxScan), cmp.Or(q.MaxBytes, DefaultMaxPageBytes)
	size := 0
	for dk, ok := it.next(); ok; dk, ok = it.next() {
		page.Scanned++
		if page.Scanned%1024 == 0 && ctx.Err() != nil {
			return page, ctx.Err()
		}
		if sel != nil && page.Scanned+sel.scanned > maxScan {
			page.More, page.Resume = true, dk-1 // resume at this entry
			break
		}
		v := objects.Get(dateKey(dk))
		if v == nil {
			return page, fmt.Errorf("index entry %d without object: %w", dk, errCorruptRecord)
		}
		r, err := decodeRecord(v)
		if err != nil {
			return page, err
		}
		if sel != nil && !sel.include(&r, dk) {
			continue
		}
		if len(page.Records) == q.Limit || (len(page.Records) > 0 && size+len(r.Raw) > maxBytes && !q.NoBody) {
			// One past the page: there is more.
			page.More, page.Resume = true, page.Records[len(page.Records)-1].Position
			break
		}
		size += len(r.Raw)
		rec := Record{DateAdded: microsTime(dk), Position: dk, ID: r.ID, VersionText: r.VersionText, SpecVersion: r.SpecVersion}
		if !q.NoBody {
			rec.Raw = append([]byte(nil), r.Raw...)
		}
		page.Records = append(page.Records, rec)
	}
	if sel != nil {
		page.Scanned += sel.scanned
	}
	return page, nil
}

// selector decides whether one version belongs to the result of a query
// with explicit spec_version or version filters (added_after, id and type
// are the iteration's business). An object's versions are read once per
// query.
type selector struct {
	q        Query
	cb       *bbolt.Bucket
	versions map[string][]versionInfo
	scanned  int
}

type versionInfo struct {
	dk      uint64
	version []byte // 12-byte version key
	spec    string
}

func (s *selector) include(r *record, dk uint64) bool {
	q := &s.q
	if len(q.SpecVersions) > 0 && !slices.Contains(q.SpecVersions, r.SpecVersion) {
		return false
	}
	vs := q.Versions
	if vs.IsZero() {
		vs.Last = true
	}
	spec := q.SpecVersions
	if len(spec) == 0 {
		// The latest spec version held is the current version's: the
		// current version is chosen by spec version first.
		s.scanned++
		latest := currentSpec(s.cb, r.ID)
		if r.SpecVersion != latest {
			return false
		}
		spec = []string{latest}
	}
	if vs.All || matchesAt(r.Version[:], vs.At) {
		return true
	}
	if !vs.First && !vs.Last {
		return false
	}
	versions, ok := s.versions[r.ID]
	if !ok {
		versions = versionsOf(s.cb.Bucket(bucketByID), r.ID, &s.scanned)
		s.versions[r.ID] = versions
	}
	// Candidates: this object's versions that pass spec_version, whenever
	// they were added. Order by (version, date_added).
	var first, last *versionInfo
	for i := range versions {
		v := &versions[i]
		if !slices.Contains(spec, v.spec) {
			continue
		}
		if first == nil || versionLess(v, first) {
			first = v
		}
		if last == nil || versionLess(last, v) {
			last = v
		}
	}
	return (vs.First && first != nil && first.dk == dk) || (vs.Last && last != nil && last.dk == dk)
}

// versionsOf returns every version of an object, in date_added order,
// adding the index entries it reads to *scanned when scanned is not nil.
func versionsOf(byID *bbolt.Bucket, id string, scanned *int) []versionInfo {
	var out []versionInfo
	prefix := datePrefix(id)
	c := byID.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if scanned != nil {
			*scanned++
		}
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

// iterator yields date_added keys in ascending order.
type iterator interface {
	next() (uint64, bool)
}

// mergeIterator merges cursors over one or more index prefixes (or the
// objects bucket itself, with an empty prefix), each ordered by date_added.
type mergeIterator struct {
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

// add starts a cursor over bucket's keys with the prefix, after start.
func (it *mergeIterator) add(bucket *bbolt.Bucket, prefix []byte, start uint64) {
	if start == ^uint64(0) {
		return
	}
	s := &source{c: bucket.Cursor(), prefix: prefix}
	seek := append(append([]byte(nil), prefix...), dateKey(start+1)...)
	if s.load(firstKey(s.c.Seek(seek))) {
		it.h = append(it.h, s)
	}
}

// uniq returns the values of list not seen before and passing keep.
func uniq(list []string, keep func(string) bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range list {
		if !seen[v] && keep(v) {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// newIndexIterator yields every version that can match, from the narrowest
// index: by id when ids are given (types then only filter which ids are
// worth reading, since an id's prefix is its type), by type for types
// alone, else the objects bucket.
func newIndexIterator(cb *bbolt.Bucket, ids, types []string, start uint64) iterator {
	it := &mergeIterator{}
	switch {
	case len(ids) > 0:
		for _, id := range uniq(ids, typeIn(types)) {
			it.add(cb.Bucket(bucketByID), datePrefix(id), start)
		}
	case len(types) > 0:
		for _, t := range uniq(types, func(string) bool { return true }) {
			it.add(cb.Bucket(bucketByType), indexKey(t, nil), start)
		}
	default:
		it.add(cb.Bucket(bucketObjects), nil, start)
	}
	heap.Init(&it.h)
	return it
}

// newCurrentIterator yields only current versions, from the current
// indexes: one lookup per requested id, the current-by-type index for
// types, else the current index.
func newCurrentIterator(cb *bbolt.Bucket, ids, types []string, start uint64) iterator {
	if len(ids) > 0 {
		var dks listIterator
		byID := cb.Bucket(bucketByID)
		for _, id := range uniq(ids, typeIn(types)) {
			if v := byID.Get(latestKey(id)); len(v) >= 8 {
				if dk := dateFromKey(v[:8]); dk > start {
					dks = append(dks, dk)
				}
			}
		}
		slices.Sort(dks)
		return &dks
	}
	it := &mergeIterator{}
	if len(types) > 0 {
		for _, t := range uniq(types, func(string) bool { return true }) {
			it.add(cb.Bucket(bucketCurrentType), indexKey(t, nil), start)
		}
	} else {
		it.add(cb.Bucket(bucketCurrent), nil, start)
	}
	heap.Init(&it.h)
	return it
}

func typeIn(types []string) func(string) bool {
	return func(id string) bool { return len(types) == 0 || slices.Contains(types, typeOf(id)) }
}

// listIterator yields a sorted list of keys.
type listIterator []uint64

func (l *listIterator) next() (uint64, bool) {
	if len(*l) == 0 {
		return 0, false
	}
	dk := (*l)[0]
	*l = (*l)[1:]
	return dk, true
}

func firstKey(k, _ []byte) []byte { return k }

func (it *mergeIterator) next() (uint64, bool) {
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
