package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"liaison/stix"
)

// AddRequest is one Add Objects request (TAXII 2.1 §5.5) after validation:
// the objects to store and the failures already found.
type AddRequest struct {
	APIRoot    string
	Collection string // collection id
	// Owner names the principal that made the request; the status resource
	// belongs to it.
	Owner string
	// Total is the number of objects in the request's envelope.
	Total int
	// Objects are the valid objects, in envelope order.
	Objects []stix.Object
	// Failures are the objects refused by validation.
	Failures []StatusDetail
}

// CheckOptions returns the validation options of collection c.
func CheckOptions(c Collection) stix.Options {
	return stix.Options{RejectCustom: c.RejectCustom}
}

// NewAddRequest turns the validation results of a request's objects into
// the AddRequest for collection c: valid objects of a spec version among
// the collection's media types are to be stored, every other object is a
// failure that names it and says why. The POST endpoint and imports both
// go through it.
func NewAddRequest(c Collection, owner string, results []stix.Result) AddRequest {
	add := AddRequest{APIRoot: c.APIRoot, Collection: c.ID, Owner: owner, Total: len(results)}
	for _, r := range results {
		if r.Err != nil {
			d := StatusDetail{Message: r.Err.Error()}
			var oe *stix.ObjectError
			if errors.As(r.Err, &oe) {
				d.ID, d.Version = oe.Subject(), oe.Version
			}
			add.Failures = append(add.Failures, d)
			continue
		}
		if mt := stix.MediaType(r.Object.SpecVersion); !slices.Contains(c.MediaTypes, mt) {
			add.Failures = append(add.Failures, StatusDetail{ID: r.Object.ID, Version: r.Object.VersionText,
				Message: fmt.Sprintf("%s: spec_version %s (%s) is not among the collection's media types %v",
					r.Object.ID, r.Object.SpecVersion, mt, c.MediaTypes)})
			continue
		}
		add.Objects = append(add.Objects, r.Object)
	}
	return add
}

// AddObjects stores the valid objects of a request and its status resource
// in one transaction, committed before it returns, and returns the status,
// which is then complete. Each object gets its own date_added, unique and
// strictly increasing within the collection (unix microseconds, bumped by
// one on a tie), so that paging by X-TAXII-Date-Added-Last never skips or
// repeats an object. An object whose (id, version) is already stored with
// the same content is a success that stores nothing (TAXII 2.1 §5.5, exact
// duplicates); with other content it is a failure. Returns
// ErrCollectionNotFound.
func (db *DB) AddObjects(ctx context.Context, req AddRequest) (Status, error) {
	id, err := newUUID()
	if err != nil {
		return Status{}, err
	}
	now, started := db.now(), time.Now()
	st := Status{
		ID:               id,
		Status:           StatusComplete,
		RequestTimestamp: stix.FormatTAXII(now),
		TotalCount:       req.Total,
		Failures:         append([]StatusDetail(nil), req.Failures...),
	}
	err = db.update(func(tx *bbolt.Tx) error {
		cb, err := collectionBucket(tx, req.Collection)
		if err != nil {
			return err
		}
		// date_added keys only ever grow: pack the objects bucket's pages
		// instead of bbolt's default half-full split.
		cb.Bucket(bucketObjects).FillPercent = 0.9
		w := collectionWriter{b: cb, last: getUint(cb, keyLastAdd), now: timeMicros(now)}
		for i := range req.Objects {
			if i%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			o := &req.Objects[i]
			version, stored, err := w.add(o)
			switch {
			case err != nil:
				return fmt.Errorf("store %s: %w", o.ID, err)
			case version == "":
				st.Failures = append(st.Failures, StatusDetail{ID: o.ID, Version: o.VersionText,
					Message: fmt.Sprintf("%s: a different object with this id and modified %s is already in the collection; publish a new version with a later modified", o.ID, o.VersionText)})
			case stored:
				d := StatusDetail{ID: o.ID, Version: version}
				if len(o.Warnings) > 0 {
					d.Message = "stored, with warnings: " + strings.Join(o.Warnings, "; ")
				}
				st.Successes = append(st.Successes, d)
			default:
				st.Successes = append(st.Successes, StatusDetail{ID: o.ID, Version: version, Message: "already in the collection; nothing changed"})
			}
		}
		if err := putUint(cb, keyLastAdd, w.last); err != nil {
			return err
		}
		st.SuccessCount, st.FailureCount = len(st.Successes), len(st.Failures)
		if err := putStatus(tx, storedStatus{APIRoot: req.APIRoot, Owner: req.Owner, Completed: now, Status: st}); err != nil {
			return err
		}
		_, err = purgeStatuses(tx, now.Add(-db.StatusRetention), 1000)
		return err
	})
	if err != nil {
		return Status{}, fmt.Errorf("add objects to collection %s: %w", req.Collection, err)
	}
	db.Logger.LogAttrs(ctx, slog.LevelDebug, "objects added", slog.String("collection", req.Collection),
		slog.Int("total", st.TotalCount), slog.Int("successes", st.SuccessCount), slog.Int("failures", st.FailureCount),
		slog.Duration("duration", time.Since(started)))
	return st, nil
}

// collectionWriter adds object versions to one collection's buckets within
// a write transaction.
type collectionWriter struct {
	b    *bbolt.Bucket
	last uint64 // the collection's latest date_added
	now  uint64
}

// add stores o unless its version is present. It returns the TAXII version
// string of o ("" if a different object holds that version) and whether it
// was stored. Every step is an index lookup: the cost does not grow with
// the object's number of versions.
func (w *collectionWriter) add(o *stix.Object) (version string, stored bool, err error) {
	objects := w.b.Bucket(bucketObjects)
	var scoKey []byte
	if o.Versioned() {
		vk := versionKey(o.Version)
		if dk := w.b.Bucket(bucketByID).Get(verKey(o.ID, vk[:])); dk != nil {
			same, err := sameContent(objects.Get(dk), o.Raw)
			if err != nil || !same {
				return "", false, err
			}
			return o.VersionText, false, nil
		}
	} else {
		// SCOs carry no version: identical content is the same version,
		// whose version string is the date_added it first got (TAXII 2.1
		// §3.4.1 leaves the value to the server).
		scoKey = scoHashKey(o.ID, contentHash(o.Raw))
		if dk := w.b.Bucket(bucketByID).Get(scoKey); dk != nil {
			r, err := decodeRecord(objects.Get(dk))
			if err != nil {
				return "", false, err
			}
			return r.VersionText, false, nil
		}
	}

	dk := max(w.now, w.last+1)
	w.last = dk
	r := record{ID: o.ID, VersionText: o.VersionText, SpecVersion: o.SpecVersion, Raw: o.Raw}
	if o.Versioned() {
		r.Version = versionKey(o.Version)
	} else {
		t := microsTime(dk)
		r.VersionText, r.Version = stix.FormatTAXII(t), versionKey(t)
	}
	dkb := dateKey(dk)
	idVal := append(r.Version[:], r.SpecVersion...)
	puts := []struct {
		bucket []byte
		k, v   []byte
	}{
		{bucketObjects, dkb, r.encode()},
		{bucketByID, dateIDKey(o.ID, dkb), idVal},
		{bucketByType, indexKey(o.Type, dkb), []byte{}},
		{bucketByID, verKey(o.ID, r.Version[:]), dkb},
	}
	if scoKey != nil {
		puts = append(puts, struct {
			bucket []byte
			k, v   []byte
		}{bucketByID, scoKey, dkb})
	}
	for _, put := range puts {
		if err := w.b.Bucket(put.bucket).Put(put.k, put.v); err != nil {
			return "", false, err
		}
	}
	// The new version becomes the object's current one unless the current
	// one has a later spec version or a later version.
	newest := versionInfo{dk: dk, version: r.Version[:], spec: r.SpecVersion}
	if cur, ok := currentVersion(w.b, o.ID); ok && currentLess(&newest, &cur) {
		return r.VersionText, true, nil
	}
	if err := setCurrent(w.b, o.ID, &newest); err != nil {
		return "", false, err
	}
	return r.VersionText, true, nil
}

// currentLess orders versions for the choice of an object's current
// version: by spec version, then version, then date_added.
func currentLess(a, b *versionInfo) bool {
	if a.spec != b.spec {
		return specLess(a.spec, b.spec)
	}
	return versionLess(a, b)
}

// currentVersion returns the object's current version, if it has one.
func currentVersion(cb *bbolt.Bucket, id string) (versionInfo, bool) {
	cur := cb.Bucket(bucketByID).Get(latestKey(id))
	if len(cur) < 8 {
		return versionInfo{}, false
	}
	dk := cur[:8]
	v := cb.Bucket(bucketByID).Get(dateIDKey(id, dk))
	if len(v) < 12 {
		return versionInfo{}, false
	}
	return versionInfo{dk: dateFromKey(dk), version: append([]byte(nil), v[:12]...), spec: string(v[12:])}, true
}

// currentSpec returns the spec version of the object's current version,
// which is the latest spec version the collection holds for it.
func currentSpec(cb *bbolt.Bucket, id string) string {
	if cur := cb.Bucket(bucketByID).Get(latestKey(id)); len(cur) >= 8 {
		return string(cur[8:])
	}
	return ""
}

// setCurrent makes v the object's current version (nil: it has none left),
// moving its entries in the current indexes.
func setCurrent(cb *bbolt.Bucket, id string, v *versionInfo) error {
	byID, current, byType := cb.Bucket(bucketByID), cb.Bucket(bucketCurrent), cb.Bucket(bucketCurrentType)
	typ := typeOf(id)
	if old := byID.Get(latestKey(id)); len(old) >= 8 {
		oldKey := append([]byte(nil), old[:8]...)
		if err := current.Delete(oldKey); err != nil {
			return err
		}
		if err := byType.Delete(indexKey(typ, oldKey)); err != nil {
			return err
		}
	}
	if v == nil {
		return byID.Delete(latestKey(id))
	}
	dkb := dateKey(v.dk)
	if err := byID.Put(latestKey(id), append(dkb, v.spec...)); err != nil {
		return err
	}
	if err := current.Put(dkb, []byte{}); err != nil {
		return err
	}
	return byType.Put(indexKey(typ, dkb), []byte{})
}

// contentHash identifies an SCO's content whatever its key order and
// spacing: the hash of its canonical JSON (keys sorted, numbers as written).
func contentHash(raw []byte) []byte {
	canon := raw
	if v, err := decodeExact(raw); err == nil {
		if b, err := json.Marshal(v); err == nil {
			canon = b
		}
	}
	h := sha256.Sum256(canon)
	return h[:16]
}

// decodeExact decodes JSON keeping numbers as their text, so that large
// integers and decimals compare exactly.
func decodeExact(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// sameContent reports whether a stored record holds the same JSON as raw:
// byte-equal, or equal once decoded (key order and spacing aside).
func sameContent(stored, raw []byte) (bool, error) {
	r, err := decodeRecord(stored)
	if err != nil {
		return false, err
	}
	if bytes.Equal(r.Raw, raw) {
		return true, nil
	}
	a, errA := decodeExact(r.Raw)
	b, errB := decodeExact(raw)
	if errA != nil || errB != nil {
		return false, nil
	}
	return reflect.DeepEqual(a, b), nil
}

// CollectionLastAdded returns the latest date_added in a collection (zero
// when it has never held an object). Returns ErrCollectionNotFound.
func (db *DB) CollectionLastAdded(ctx context.Context, collection string) (time.Time, error) {
	var t time.Time
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		cb, err := collectionBucket(tx, collection)
		if err != nil {
			return err
		}
		if m := getUint(cb, keyLastAdd); m > 0 {
			t = microsTime(m)
		}
		return nil
	})
	return t, err
}
