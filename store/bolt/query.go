package bolt

import (
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
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
	cl := q.Clearance
	if q.ObjectID != "" {
		if !hasPrefix(byID, idDatesPrefix(q.ObjectID)) || (cl != nil && !slices.ContainsFunc(versionsOf(coll, q.ObjectID, &page.Scanned),
			func(v versionInfo) bool { return cl.Admits(v.markings) })) {
			return page, fmt.Errorf("object %q: %w", q.ObjectID, store.ErrObjectNotFound)
		}
		ids = []string{q.ObjectID}
	}
	start := max(q.After, timeMicros(q.AddedAfter))
	var it iterator
	var sel *selector
	var shadows *shadowFilter
	switch {
	case currentOnly(&q) && cl == nil:
		// Every entry the current indexes yield is a result: the cost of a
		// page is the page, whatever the number of versions.
		it = newCurrentIterator(coll, ids, q.Types, start)
	case currentOnly(&q):
		// A restricted client's current version of an object is the newest
		// it may see: the current version, or one the shadow index lists.
		cur := newCurrentIterator(coll, ids, q.Types, start)
		shadow := &mergeIterator{}
		if b := coll.Bucket(bucketShadow); b != nil {
			shadow.add(b, nil, start)
		}
		heap.Init(&shadow.h)
		union := &unionIterator{a: cur, b: shadow}
		it = union
		shadows = &shadowFilter{coll: coll, cl: cl, ids: ids, types: q.Types, union: union}
	default:
		it = newIndexIterator(coll, ids, q.Types, start)
		sel = &selector{q: q, coll: coll, versions: map[string][]versionInfo{}}
	}
	maxScan, maxBytes := cmp.Or(q.MaxScan, store.DefaultMaxScan), cmp.Or(q.MaxBytes, store.DefaultMaxPageBytes)
	size := 0
	records := recordReader{c: objects.Cursor()}
	var raw rawArena
	page.Records = make([]store.Record, 0, min(q.Limit, 1024))
	for added, ok := it.next(); ok; added, ok = it.next() {
		page.Scanned++
		if page.Scanned%1024 == 0 && ctx.Err() != nil {
			return page, ctx.Err()
		}
		if (sel != nil && page.Scanned+sel.scanned > maxScan) || (shadows != nil && page.Scanned+shadows.scanned > maxScan) {
			page.More, page.Resume = true, added-1 // resume at this entry
			break
		}
		v := records.get(added)
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
		if shadows != nil && !shadows.include(&sv, added) {
			continue
		}
		if len(page.Records) == q.Limit || (len(page.Records) > 0 && size+len(sv.Raw) > maxBytes && !q.NoBody) {
			// One past the page: there is more.
			page.More, page.Resume = true, page.Records[len(page.Records)-1].Position
			break
		}
		size += len(sv.Raw)
		rec := store.Record{DateAdded: microsTime(added), Position: added, ID: sv.ID, VersionText: sv.VersionText, SpecVersion: sv.SpecVersion, Markings: sv.Markings}
		if !q.NoBody {
			rec.Raw = raw.copy(sv.Raw)
		}
		page.Records = append(page.Records, rec)
	}
	if sel != nil {
		page.Scanned += sel.scanned
	}
	if shadows != nil {
		page.Scanned += shadows.scanned
	}
	return page, nil
}

// recordReader reads records from the objects bucket in ascending
// date_added order. An index yields the records of a page in that order,
// most often next to each other in the objects bucket (always, for a
// collection of single-version objects read in full): the cursor steps to
// the next key rather than searching the B+tree from its root for each.
type recordReader struct {
	c   *bbolt.Cursor
	at  uint64 // the cursor's key, when placed
	set bool
}

// recordSteps is how many keys the reader steps over before it searches.
const recordSteps = 4

// get returns the record added at added (nil if there is none); added
// must not be below the previous call's.
func (r *recordReader) get(added uint64) []byte {
	if r.set {
		for range recordSteps {
			k, v := r.c.Next()
			if len(k) != 8 {
				break
			}
			r.at = dateFromKey(k)
			if r.at == added {
				return v
			}
			if r.at > added {
				break
			}
		}
	}
	var key [8]byte
	binary.BigEndian.PutUint64(key[:], added)
	k, v := r.c.Seek(key[:])
	r.set = len(k) == 8
	if !r.set {
		return nil
	}
	r.at = dateFromKey(k)
	if r.at != added {
		return nil
	}
	return v
}

// rawArena copies the records' JSON out of the transaction into a few
// large buffers rather than one allocation per record. The buffers hold no
// pointers, so the collector does not scan them.
type rawArena struct{ buf []byte }

const rawArenaChunk = 64 << 10

func (a *rawArena) copy(b []byte) []byte {
	if len(a.buf)+len(b) > cap(a.buf) {
		a.buf = make([]byte, 0, max(rawArenaChunk, len(b)))
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	return a.buf[start:len(a.buf):len(a.buf)]
}

// shadowFilter decides, for a restricted client's default query, whether a
// version from the current or the shadow index is the newest version of
// its object the client may see.
type shadowFilter struct {
	coll    *bbolt.Bucket
	cl      *store.Clearance
	ids     []string
	types   []string
	union   *unionIterator // current index (a), shadow index (b)
	scanned int
}

func (f *shadowFilter) include(sv *storedVersion, added uint64) bool {
	if !f.cl.Admits(sv.Markings) {
		return false
	}
	if f.union.fromA {
		return true // the current version, from the current index
	}
	// A shadow, which the shadow index yields whatever the filters.
	if (len(f.ids) > 0 && !slices.Contains(f.ids, sv.ID)) || !typeIn(f.types)(sv.ID) {
		return false
	}
	this := versionInfo{added: added, version: sv.Version[:], spec: sv.SpecVersion}
	for _, v := range versionsOf(f.coll, sv.ID, &f.scanned) {
		if currentLess(&this, &v) && f.cl.Admits(v.markings) {
			return false // the client may see a newer one
		}
	}
	return true
}

// unionIterator merges two iterators by date_added.
type unionIterator struct {
	a, b         iterator
	aNext, bNext uint64
	aOK, bOK     bool
	started      bool
	fromA        bool // the last key came from a
}

func (u *unionIterator) next() (uint64, bool) {
	if !u.started {
		u.aNext, u.aOK = u.a.next()
		u.bNext, u.bOK = u.b.next()
		u.started = true
	}
	switch {
	case u.aOK && (!u.bOK || u.aNext <= u.bNext):
		added := u.aNext
		u.aNext, u.aOK = u.a.next()
		u.fromA = true
		return added, true
	case u.bOK:
		added := u.bNext
		u.bNext, u.bOK = u.b.next()
		u.fromA = false
		return added, true
	}
	return 0, false
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
	if q.Clearance != nil && !q.Clearance.Admits(sv.Markings) {
		return false
	}
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
		latest := ""
		if q.Clearance == nil {
			s.scanned++
			latest = currentSpec(s.coll, sv.ID)
		} else {
			// The latest spec version the client may see.
			latest = latestSpec(s.visibleVersions(sv.ID))
		}
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
	versions := s.visibleVersions(sv.ID)
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

// visibleVersions returns the versions of an object the query's client
// may see, read once per query.
func (s *selector) visibleVersions(id string) []versionInfo {
	versions, ok := s.versions[id]
	if !ok {
		versions = versionsOf(s.coll, id, &s.scanned)
		if cl := s.q.Clearance; cl != nil {
			versions = slices.DeleteFunc(versions, func(v versionInfo) bool { return !cl.Admits(v.markings) })
		}
		s.versions[id] = versions
	}
	return versions
}

// versionsOf returns every version of an object, in date_added order,
// adding the index entries it reads to *scanned when scanned is not nil.
func versionsOf(coll *bbolt.Bucket, id string, scanned *int) []versionInfo {
	var out []versionInfo
	prefix := idDatesPrefix(id)
	c := coll.Bucket(bucketByID).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if scanned != nil {
			*scanned++
		}
		version, spec, m, known, ok := parseDateEntry(v)
		if len(k) != len(prefix)+8 || !ok {
			continue
		}
		added := dateFromKey(k[len(prefix):])
		if !known {
			m = markingsAt(coll, added) // an entry written before markings were kept
		}
		// Copied: a delete in the same transaction may reuse the page.
		out = append(out, versionInfo{added: added, version: append([]byte(nil), version...), spec: spec, markings: m})
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
