package bolt

import (
	"context"
	"fmt"
	"slices"

	"go.etcd.io/bbolt"

	"liaison/store"
)

// DeleteObject deletes versions of an object from a collection (TAXII 2.1
// §5.7) and returns how many it deleted; see the package documentation of
// store, "Deletes".
func (s *Store) DeleteObject(ctx context.Context, collection, id string, versions store.VersionSelect, specVersions []string, clearance *store.Clearance) (int, error) {
	var n int
	err := s.update(func(tx *bbolt.Tx) error {
		coll, err := collectionBucket(tx, collection)
		if err != nil {
			return err
		}
		// The versions the client may not see do not exist for it.
		all := slices.DeleteFunc(versionsOf(coll, id, nil), func(v versionInfo) bool {
			return clearance != nil && !clearance.Admits(v.markings)
		})
		if len(all) == 0 {
			return fmt.Errorf("object %q: %w", id, store.ErrObjectNotFound)
		}
		doomed := store.DeleteChoice(all, func(v *versionInfo) string { return v.spec }, versionLess,
			func(v *versionInfo) bool { return matchesAt(v.version, versions.At) }, versions, specVersions)
		if len(doomed) == 0 {
			return fmt.Errorf("object %q: no version matches: %w", id, store.ErrObjectNotFound)
		}
		for _, i := range doomed {
			if err := deleteVersion(coll, id, all[i]); err != nil {
				return fmt.Errorf("delete %s: %w", id, err)
			}
		}
		n = len(doomed)
		return refreshCurrent(coll, id)
	})
	return n, err
}

// latestSpec returns the latest spec version among versions.
func latestSpec(versions []versionInfo) string {
	latest := ""
	for _, v := range versions {
		if latest == "" || store.SpecVersionLess(latest, v.spec) {
			latest = v.spec
		}
	}
	return latest
}

// deleteVersion removes one version from the objects bucket and every index.
func deleteVersion(coll *bbolt.Bucket, id string, v versionInfo) error {
	addedKey := dateKey(v.added)
	objects, byID := coll.Bucket(bucketObjects), coll.Bucket(bucketByID)
	sv, err := decodeStoredVersion(objects.Get(addedKey))
	if err != nil {
		return err
	}
	contentKey := idContentKey(id, store.ContentHash(sv.Raw))
	if held := byID.Get(contentKey); held != nil && dateFromKey(held) == v.added {
		if err := byID.Delete(contentKey); err != nil {
			return err
		}
	}
	for _, del := range []struct {
		bucket []byte
		k      []byte
	}{
		{bucketByID, idDateKey(id, addedKey)},
		{bucketByType, indexKey(store.TypeOf(id), addedKey)},
		{bucketByID, idVersionKey(id, v.version)},
		{bucketObjects, addedKey},
	} {
		if err := coll.Bucket(del.bucket).Delete(del.k); err != nil {
			return err
		}
	}
	if shadow := coll.Bucket(bucketShadow); shadow != nil {
		return shadow.Delete(addedKey)
	}
	return nil
}

// refreshCurrent recomputes an object's current version from the versions
// it has left.
func refreshCurrent(coll *bbolt.Bucket, id string) error {
	var best *versionInfo
	vs := versionsOf(coll, id, nil)
	for i := range vs {
		if best == nil || currentLess(best, &vs[i]) {
			best = &vs[i]
		}
	}
	if err := setCurrent(coll, id, best, true); err != nil {
		return err
	}
	if best == nil || sameMarkings(vs, best.markings) {
		// Uniform again (or gone): no shadows, no mark.
		if err := coll.Bucket(bucketByID).Delete(idMixedKey(id)); err != nil {
			return err
		}
	}
	return refreshShadow(coll, id, vs)
}
