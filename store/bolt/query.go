package bolt

import (
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"

	"liaison/store"
)

// Query returns one page of the versions selected by q from a collection;
// see store.Store and the package documentation of store for the rules
// (filter order, positions, page limits).
func (s *Store) Query(ctx context.Context, collection string, q store.Query) (store.Page, error) {
	if q.Limit <= 0 {
		return store.Page{}, fmt.Errorf("query: limit must be positive")
	}
	var page store.Page
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		coll, err := collectionBucket(tx, collection)
		if err != nil {
			return err
		}
		page, err = runQuery(ctx, coll, q)
		return err
	})
	return page, err
}

// currentOnly reports whether q selects exactly each object's current
// version (the default filters), which the current indexes hold.
func currentOnly(q *store.Query) bool {
	v := q.Versions
	return len(q.SpecVersions) == 0 && !v.All && !v.First && len(v.At) == 0
}

func runQuery(ctx context.Context, coll *bbolt.Bucket, q store.Query) (store.Page, error) {
	var page store.Page
	objects := coll.Bucket(bucketObjects)
	byID := coll.Bucket(bucketByID)
	ids := q.IDs
	if q.ObjectID != "" {
		if !hasPrefix(byID, idDatesPrefix(q.ObjectID)) {
			return page, fmt.Errorf("object %q: %w", q.ObjectID, store.ErrObjectNotFound)
		}
		ids = []string{q.ObjectID}
	}
	start := max(q.After, timeMicros(q.AddedAfter))
	var it iterator
	var sel *selector
	if currentOnly(&q) {
		// Every entry the current indexes yield is a result: the cost of a
		// page is the page, whatever the number of versions.
		it = newCurrentIterator(coll, ids, q.Types, start)
	} else {
		it = newIndexIterator(coll, ids, q.Types, start)
		sel = &selector{q: q, coll: coll, versions: map[string][]versionInfo{}}
	}
	maxScan, maxBytes := cmp.Or(q.MaxScan, store.DefaultMaxScan), cmp.Or(q.MaxBytes, store.DefaultMaxPageBytes)
	size := 0
	for added, ok := it.next(); ok; added, ok = it.next() {
		page.Scanned++
		if page.Scanned%1024 == 0 && ctx.Err() != nil {
			return page, ctx.Err()
		}
		if sel != nil && page.Scanned+sel.scanned > maxScan {
			page.More, page.Resume = true, added-1 // resume at this entry
			break
		}
		v := objects.Get(dateKey(added))
		if v == nil {
			return page, fmt.Errorf("index entry %d without object: %w", added, errCorruptVersion)
		}
		sv, err := decodeStoredVersion(v)
		if err != nil {
			return page, err
		}
		if sel != nil && !sel.include(&sv, added) {
			continue
		}
		if len(page.Records) == q.Limit || (len(page.Records) > 0 && size+len(sv.Raw) > maxBytes && !q.NoBody) {
			// One past the page: there is more.
			page.More, page.Resume = true, page.Records[len(page.Records)-1].Position
			break
		}
		size += len(sv.Raw)
		rec := store.Record{DateAdded: microsTime(added), Position: added, ID: sv.ID, VersionText: sv.VersionText, SpecVersion: sv.SpecVersion}
		if !q.NoBody {
			rec.Raw = append([]byte(nil), sv.Raw...)
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
	q        store.Query
	coll     *bbolt.Bucket
	versions map[string][]versionInfo
	scanned  int
}

func (s *selector) include(sv *storedVersion, added uint64) bool {
	q := &s.q
	if len(q.SpecVersions) > 0 && !slices.Contains(q.SpecVersions, sv.SpecVersion) {
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
		latest := currentSpec(s.coll, sv.ID)
		if sv.SpecVersion != latest {
			return false
		}
		spec = []string{latest}
	}
	if vs.All || matchesAt(sv.Version[:], vs.At) {
		return true
	}
	if !vs.First && !vs.Last {
		return false
	}
	versions, ok := s.versions[sv.ID]
	if !ok {
		versions = versionsOf(s.coll.Bucket(bucketByID), sv.ID, &s.scanned)
		s.versions[sv.ID] = versions
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
	return (vs.First && first != nil && first.added == added) || (vs.Last && last != nil && last.added == added)
}

// versionsOf returns every version of an object, in date_added order,
// adding the index entries it reads to *scanned when scanned is not nil.
func versionsOf(byID *bbolt.Bucket, id string, scanned *int) []versionInfo {
	var out []versionInfo
	prefix := idDatesPrefix(id)
	c := byID.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if scanned != nil {
			*scanned++
		}
		if len(k) != len(prefix)+8 || len(v) < 12 {
			continue
		}
		// Copied: a delete in the same transaction may reuse the page.
		out = append(out, versionInfo{added: dateFromKey(k[len(prefix):]), version: append([]byte(nil), v[:12]...), spec: string(v[12:])})
	}
	return out
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
	added  uint64
}

// load reads the cursor's current key k; it reports false past the prefix.
func (s *source) load(k []byte) bool {
	if k == nil || !bytes.HasPrefix(k, s.prefix) || len(k) != len(s.prefix)+8 {
		return false
	}
	s.added = dateFromKey(k[len(s.prefix):])
	return true
}

type sourceHeap []*source

func (h sourceHeap) Len() int           { return len(h) }
func (h sourceHeap) Less(i, j int) bool { return h[i].added < h[j].added }
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

func (it *mergeIterator) next() (uint64, bool) {
	if len(it.h) == 0 {
		return 0, false
	}
	s := it.h[0]
	added := s.added
	if s.load(firstKey(s.c.Next())) {
		heap.Fix(&it.h, 0)
	} else {
		heap.Pop(&it.h)
	}
	return added, true
}

func firstKey(k, _ []byte) []byte { return k }

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
func newIndexIterator(coll *bbolt.Bucket, ids, types []string, start uint64) iterator {
	it := &mergeIterator{}
	switch {
	case len(ids) > 0:
		for _, id := range uniq(ids, typeIn(types)) {
			it.add(coll.Bucket(bucketByID), idDatesPrefix(id), start)
		}
	case len(types) > 0:
		for _, t := range uniq(types, func(string) bool { return true }) {
			it.add(coll.Bucket(bucketByType), indexKey(t, nil), start)
		}
	default:
		it.add(coll.Bucket(bucketObjects), nil, start)
	}
	heap.Init(&it.h)
	return it
}

// newCurrentIterator yields only current versions, from the current
// indexes: one lookup per requested id, the current-by-type index for
// types, else the current index.
func newCurrentIterator(coll *bbolt.Bucket, ids, types []string, start uint64) iterator {
	if len(ids) > 0 {
		var found listIterator
		byID := coll.Bucket(bucketByID)
		for _, id := range uniq(ids, typeIn(types)) {
			if v := byID.Get(idCurrentKey(id)); len(v) >= 8 {
				if added := dateFromKey(v[:8]); added > start {
					found = append(found, added)
				}
			}
		}
		slices.Sort(found)
		return &found
	}
	it := &mergeIterator{}
	if len(types) > 0 {
		for _, t := range uniq(types, func(string) bool { return true }) {
			it.add(coll.Bucket(bucketCurrentType), indexKey(t, nil), start)
		}
	} else {
		it.add(coll.Bucket(bucketCurrent), nil, start)
	}
	heap.Init(&it.h)
	return it
}

func typeIn(types []string) func(string) bool {
	return func(id string) bool { return len(types) == 0 || slices.Contains(types, store.TypeOf(id)) }
}

// listIterator yields a sorted list of keys.
type listIterator []uint64

func (l *listIterator) next() (uint64, bool) {
	if len(*l) == 0 {
		return 0, false
	}
	added := (*l)[0]
	*l = (*l)[1:]
	return added, true
}
