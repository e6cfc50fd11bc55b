package bolt

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.etcd.io/bbolt"

	"liaison/stix"
	"liaison/store"
)

// AddObjects stores the valid objects of a request and its status resource
// in one transaction; see store.Store and the package documentation of
// store for the rules (date_added, duplicates and conflicts, SCO versions).
func (s *Store) AddObjects(ctx context.Context, req store.AddRequest) (store.Status, error) {
	id, err := store.NewID()
	if err != nil {
		return store.Status{}, err
	}
	started := time.Now()
	var st store.Status
	// Concurrent requests share a commit (and its fsync); each returns once
	// its objects are committed. The function may run again, after a
	// failure of another request's in the same transaction: it starts from
	// what the transaction holds and keeps nothing from a failed run.
	err = s.batch(func(tx *bbolt.Tx) error {
		now := s.now()
		st = store.NewStatus(id, now, req)
		coll, err := collectionBucket(tx, req.Collection)
		if err != nil {
			return err
		}
		// date_added keys only ever grow: pack the objects bucket's pages
		// instead of bbolt's default half-full split.
		coll.Bucket(bucketObjects).FillPercent = 0.9
		w := collectionWriter{coll: coll, last: getUint(coll, keyLastAdd), now: timeMicros(now)}
		for i := range req.Objects {
			if i%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			o := &req.Objects[i]
			version, outcome, err := w.add(o)
			if err != nil {
				return fmt.Errorf("store %s: %w", o.ID, err)
			}
			st.AddOutcome(o, version, outcome)
		}
		if err := putUint(coll, keyLastAdd, w.last); err != nil {
			return err
		}
		if err := putStatus(tx, storedStatus{APIRoot: req.APIRoot, Owner: req.Owner, Completed: now, Status: st}); err != nil {
			return err
		}
		_, err = purgeStatuses(tx, now.Add(-s.opts.StatusRetention), 1000)
		return err
	})
	if err != nil {
		return store.Status{}, fmt.Errorf("add objects to collection %s: %w", req.Collection, err)
	}
	s.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "objects added", slog.String("collection", req.Collection),
		slog.Int("total", st.TotalCount), slog.Int("successes", st.SuccessCount), slog.Int("failures", st.FailureCount),
		slog.Duration("duration", time.Since(started)))
	return st, nil
}

// collectionWriter adds object versions to one collection's buckets within
// a write transaction.
type collectionWriter struct {
	coll *bbolt.Bucket
	last uint64 // the collection's latest date_added
	now  uint64
}

// add stores o unless its version is present. It returns the TAXII version
// string of o and what became of it. Every step is an index lookup: the
// cost does not grow with the object's number of versions.
func (w *collectionWriter) add(o *stix.Object) (version string, outcome store.Outcome, err error) {
	objects, byID := w.coll.Bucket(bucketObjects), w.coll.Bucket(bucketByID)
	// Every by-id key of the object starts with its id and a 0 byte: one
	// seek tells a new object (most of an ingest), for which nothing more
	// is looked up, from one with versions.
	known := hasPrefix(byID, append([]byte(o.ID), 0))
	var contentKey []byte
	if !o.Versioned() {
		contentKey = idContentKey(o.ID, store.ContentHash(o.Raw))
	}
	switch {
	case !known: // nothing to compare with
	case o.Versioned():
		key := versionKey(o.Version)
		if added := byID.Get(idVersionKey(o.ID, key[:])); added != nil {
			held, err := decodeStoredVersion(objects.Get(added))
			if err != nil {
				return "", 0, err
			}
			if !store.SameContent(held.Raw, o.Raw) {
				return o.VersionText, store.Conflict, nil
			}
			return o.VersionText, store.Duplicate, nil
		}
	default:
		// SCOs carry no version: identical content is the same version,
		// whose version string is the date_added it first got (TAXII 2.1
		// §3.4.1 leaves the value to the server).
		if added := byID.Get(contentKey); added != nil {
			held, err := decodeStoredVersion(objects.Get(added))
			if err != nil {
				return "", 0, err
			}
			return held.VersionText, store.Duplicate, nil
		}
	}

	added := max(w.now, w.last+1)
	w.last = added
	version, err = w.put(o, added, contentKey, known)
	return version, store.Stored, err
}

// put stores o as a new version with the date_added added: in the objects
// bucket, the indexes, and as the object's current version unless the
// current one has a later spec version or a later version. contentKey is
// an SCO's content hash key (nil for versioned objects); known false says
// the collection holds no entry of the object's id, so that nothing of it
// is looked up. It returns the version's TAXII version string.
func (w *collectionWriter) put(o *stix.Object, added uint64, contentKey []byte, known bool) (string, error) {
	sv := storedVersion{ID: o.ID, VersionText: o.VersionText, SpecVersion: o.SpecVersion, Markings: o.Markings, Raw: o.Raw}
	if o.Versioned() {
		sv.Version = versionKey(o.Version)
	} else {
		t := microsTime(added)
		sv.VersionText, sv.Version = stix.FormatTAXII(t), versionKey(t)
	}
	addedKey := dateKey(added)
	type put struct {
		bucket []byte
		k, v   []byte
	}
	puts := []put{
		{bucketObjects, addedKey, sv.encode()},
		{bucketByID, idDateKey(o.ID, addedKey), dateEntry(sv.Version[:], sv.SpecVersion, sv.Markings)},
		{bucketByType, indexKey(o.Type, addedKey), []byte{}},
		{bucketByID, idVersionKey(o.ID, sv.Version[:]), addedKey},
	}
	if contentKey != nil {
		puts = append(puts, put{bucketByID, contentKey, addedKey})
	}
	// Versions of another marking may make some of the object's versions
	// shadows; most objects keep one marking, and cost no more.
	var cur versionInfo
	var hasCurrent bool
	if known {
		cur, hasCurrent = currentVersion(w.coll, o.ID)
	}
	var others []versionInfo
	if hasCurrent && !markingsEqual(cur.markings, sv.Markings) {
		others = versionsOf(w.coll, o.ID, nil)
	} else if hasCurrent && bytes.Equal(w.coll.Bucket(bucketByID).Get(idMixedKey(o.ID)), []byte{1}) {
		others = versionsOf(w.coll, o.ID, nil)
	}
	for _, p := range puts {
		if err := w.coll.Bucket(p.bucket).Put(p.k, p.v); err != nil {
			return "", err
		}
	}
	newest := versionInfo{added: added, version: sv.Version[:], spec: sv.SpecVersion, markings: sv.Markings}
	if others != nil {
		if err := w.coll.Bucket(bucketByID).Put(idMixedKey(o.ID), []byte{1}); err != nil {
			return "", err
		}
		if err := refreshShadow(w.coll, o.ID, append(others, newest)); err != nil {
			return "", err
		}
	}
	// The new version becomes the object's current one unless the current
	// one has a later spec version or a later version.
	if hasCurrent && currentLess(&newest, &cur) {
		return sv.VersionText, nil
	}
	if err := setCurrent(w.coll, o.ID, &newest, known); err != nil {
		return "", err
	}
	return sv.VersionText, nil
}

// versionInfo is what the by-id bucket holds of one version of an object.
type versionInfo struct {
	added    uint64 // date_added
	version  []byte // 12-byte version key
	spec     string
	markings stix.Markings
}

// versionLess orders an object's versions by version, then date_added.
func versionLess(a, b *versionInfo) bool {
	if c := bytes.Compare(a.version, b.version); c != 0 {
		return c < 0
	}
	return a.added < b.added
}

// currentLess orders versions for the choice of an object's current
// version: by spec version, then version, then date_added.
func currentLess(a, b *versionInfo) bool {
	if a.spec != b.spec {
		return store.SpecVersionLess(a.spec, b.spec)
	}
	return versionLess(a, b)
}

// currentVersion returns the object's current version, if it has one.
func currentVersion(coll *bbolt.Bucket, id string) (versionInfo, bool) {
	byID := coll.Bucket(bucketByID)
	cur := byID.Get(idCurrentKey(id))
	if len(cur) < 8 {
		return versionInfo{}, false
	}
	added := dateFromKey(cur[:8])
	version, spec, m, known, ok := parseDateEntry(byID.Get(idDateKey(id, cur[:8])))
	if !ok {
		return versionInfo{}, false
	}
	if !known {
		m = markingsAt(coll, added)
	}
	return versionInfo{added: added, version: append([]byte(nil), version...), spec: spec, markings: m}, true
}

// currentSpec returns the spec version of the object's current version,
// which is the latest spec version the collection holds for it.
func currentSpec(coll *bbolt.Bucket, id string) string {
	if cur := coll.Bucket(bucketByID).Get(idCurrentKey(id)); len(cur) >= 8 {
		return string(cur[8:])
	}
	return ""
}

// setCurrent makes v the object's current version (nil: it has none left),
// moving its entries in the current indexes; known false says the
// collection held no entry of the object before (there is none to move).
func setCurrent(coll *bbolt.Bucket, id string, v *versionInfo, known bool) error {
	byID, current, byType := coll.Bucket(bucketByID), coll.Bucket(bucketCurrent), coll.Bucket(bucketCurrentType)
	typ := store.TypeOf(id)
	if known {
		if old := byID.Get(idCurrentKey(id)); len(old) >= 8 {
			oldKey := append([]byte(nil), old[:8]...)
			if err := current.Delete(oldKey); err != nil {
				return err
			}
			if err := byType.Delete(indexKey(typ, oldKey)); err != nil {
				return err
			}
		}
	}
	if v == nil {
		return byID.Delete(idCurrentKey(id))
	}
	addedKey := dateKey(v.added)
	if err := byID.Put(idCurrentKey(id), append(addedKey, v.spec...)); err != nil {
		return err
	}
	if err := current.Put(addedKey, []byte{}); err != nil {
		return err
	}
	return byType.Put(indexKey(typ, addedKey), []byte{})
}

// CollectionLastAdded returns the latest date_added a collection gave
// (zero when it has never held an object).
func (s *Store) CollectionLastAdded(ctx context.Context, collection string) (time.Time, error) {
	var t time.Time
	err := s.bolt.View(func(tx *bbolt.Tx) error {
		coll, err := collectionBucket(tx, collection)
		if err != nil {
			return err
		}
		if m := getUint(coll, keyLastAdd); m > 0 {
			t = microsTime(m)
		}
		return nil
	})
	return t, err
}
