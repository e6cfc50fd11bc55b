package store

import (
	"context"
	"fmt"
	"slices"

	"go.etcd.io/bbolt"
)

// DeleteObject deletes versions of an object from a collection (TAXII 2.1
// §5.7) and returns how many it deleted. A zero versions deletes every
// version whose spec version is in specVersions (every version when empty),
// so that a bare DELETE removes the object. Otherwise versions selects among
// the versions of specVersions, or of the object's latest spec version when
// specVersions is empty, as queries do. Deleted versions vanish from every query at once. Returns
// ErrCollectionNotFound, or ErrObjectNotFound when the object is absent or
// nothing matches.
func (db *DB) DeleteObject(ctx context.Context, collection, id string, versions VersionSelect, specVersions []string) (int, error) {
	var n int
	err := db.update(func(tx *bbolt.Tx) error {
		cb, err := collectionBucket(tx, collection)
		if err != nil {
			return err
		}
		all := versionsOf(cb.Bucket(bucketByID), id, nil)
		if len(all) == 0 {
			return fmt.Errorf("object %q: %w", id, ErrObjectNotFound)
		}
		// With match[version] but no match[spec_version], versions are
		// chosen among the latest spec version's, as GET chooses them.
		spec := specVersions
		if len(spec) == 0 && !versions.IsZero() && !versions.All {
			spec = []string{currentSpec(cb, id)}
		}
		var candidates []versionInfo
		for _, v := range all {
			if len(spec) == 0 || slices.Contains(spec, v.spec) {
				candidates = append(candidates, v)
			}
		}
		var first, last *versionInfo
		for i := range candidates {
			v := &candidates[i]
			if first == nil || versionLess(v, first) {
				first = v
			}
			if last == nil || versionLess(last, v) {
				last = v
			}
		}
		var doomed []versionInfo
		for i := range candidates {
			v := &candidates[i]
			if versions.IsZero() || versions.All || matchesAt(v.version, versions.At) ||
				(versions.First && v == first) || (versions.Last && v == last) {
				doomed = append(doomed, *v)
			}
		}
		if len(doomed) == 0 {
			return fmt.Errorf("object %q: no version matches: %w", id, ErrObjectNotFound)
		}
		for _, v := range doomed {
			if err := deleteVersion(cb, id, v); err != nil {
				return fmt.Errorf("delete %s: %w", id, err)
			}
		}
		n = len(doomed)
		return refreshCurrent(cb, id)
	})
	return n, err
}

// deleteVersion removes one version from the objects bucket and every index.
func deleteVersion(cb *bbolt.Bucket, id string, v versionInfo) error {
	dkb := dateKey(v.dk)
	objects := cb.Bucket(bucketObjects)
	r, err := decodeRecord(objects.Get(dkb))
	if err != nil {
		return err
	}
	scoKey := scoHashKey(id, contentHash(r.Raw))
	if sk := cb.Bucket(bucketByID).Get(scoKey); sk != nil && dateFromKey(sk) == v.dk {
		if err := cb.Bucket(bucketByID).Delete(scoKey); err != nil {
			return err
		}
	}
	for _, del := range []struct {
		bucket []byte
		k      []byte
	}{
		{bucketByID, dateIDKey(id, dkb)},
		{bucketByType, indexKey(typeOf(id), dkb)},
		{bucketByID, verKey(id, v.version)},
		{bucketObjects, dkb},
	} {
		if err := cb.Bucket(del.bucket).Delete(del.k); err != nil {
			return err
		}
	}
	return nil
}

// refreshCurrent recomputes an object's current version from the versions
// it has left.
func refreshCurrent(cb *bbolt.Bucket, id string) error {
	var best *versionInfo
	vs := versionsOf(cb.Bucket(bucketByID), id, nil)
	for i := range vs {
		if best == nil || currentLess(best, &vs[i]) {
			best = &vs[i]
		}
	}
	return setCurrent(cb, id, best)
}
