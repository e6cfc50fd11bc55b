package bolt

import (
	"bytes"
	"encoding/binary"
	"slices"

	"go.etcd.io/bbolt"

	"liaison/stix"
	"liaison/store"
)

// Markings are kept beside each version, in its record and in its by-id
// date entry, so that a query decides what a client may see from what it
// reads anyway: a TLP byte, the creator, and the other marking ids, each
// length-prefixed. The TLP byte's high bit says AMBER+STRICT is among
// the markings (Markings.Strict).
func appendMarkings(b []byte, m stix.Markings) []byte {
	tlp := byte(m.TLP)
	if m.Strict {
		tlp |= strictBit
	}
	b = append(b, tlp)
	b = binary.AppendUvarint(b, uint64(len(m.Creator)))
	b = append(b, m.Creator...)
	b = binary.AppendUvarint(b, uint64(len(m.Others)))
	for _, id := range m.Others {
		b = binary.AppendUvarint(b, uint64(len(id)))
		b = append(b, id...)
	}
	return b
}

const strictBit = 0x80

// markingsSize is at least the length appendMarkings writes for m, so that
// a record is encoded without growing its buffer.
func markingsSize(m stix.Markings) int {
	n := 1 + 2*binary.MaxVarintLen64 + len(m.Creator)
	for _, id := range m.Others {
		n += binary.MaxVarintLen64 + len(id)
	}
	return n
}

// readMarkings decodes what appendMarkings wrote at the start of b and
// returns the rest.
func readMarkings(b []byte) (stix.Markings, []byte, bool) {
	var m stix.Markings
	if len(b) < 1 {
		return m, nil, false
	}
	m.TLP, m.Strict, b = stix.TLPLevel(b[0]&^strictBit), b[0]&strictBit != 0, b[1:]
	var ok bool
	if m.Creator, b, ok = readString(b); !ok {
		return m, nil, false
	}
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)) {
		return m, nil, false
	}
	b = b[w:]
	for range n {
		var id string
		if id, b, ok = readString(b); !ok {
			return m, nil, false
		}
		m.Others = append(m.Others, id)
	}
	return m, b, true
}

// readString reads a length-prefixed string from the start of b and
// returns the rest.
func readString(b []byte) (string, []byte, bool) {
	s, rest, ok := readBytes(b)
	return string(s), rest, ok
}

// readBytes is readString without the copy: the bytes alias b.
func readBytes(b []byte) ([]byte, []byte, bool) {
	n, w := binary.Uvarint(b)
	if w <= 0 || uint64(len(b)-w) < n {
		return nil, nil, false
	}
	return b[w : w+int(n)], b[w+int(n):], true
}

// dateEntry is the value of an object's by-id date entry: its version key,
// its spec version and, since markings are kept, a 0 byte and its markings.
func dateEntry(version []byte, spec string, m stix.Markings) []byte {
	b := append(append([]byte(nil), version...), spec...)
	return appendMarkings(append(b, 0), m)
}

// parseDateEntry reads a by-id date entry; known is false for entries
// written before markings were kept, whose markings must be read from the
// record.
func parseDateEntry(v []byte) (version []byte, spec string, m stix.Markings, known, ok bool) {
	if len(v) < 12 {
		return nil, "", m, false, false
	}
	version, rest := v[:12], v[12:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		return version, string(rest), m, false, true
	}
	m, _, known = readMarkings(rest[i+1:])
	return version, string(rest[:i]), m, known, true
}

// markingsAt returns the markings of the version added at added, from its
// record.
func markingsAt(coll *bbolt.Bucket, added uint64) stix.Markings {
	sv, err := decodeStoredVersion(coll.Bucket(bucketObjects).Get(dateKey(added)))
	if err != nil {
		return stix.Markings{}
	}
	return sv.Markings
}

// The shadow index lists the versions that are the newest one some
// clients may see although the object has a newer version: one that not
// every client who may see the older may see (a re-marking to a more
// restrictive level, say). A restricted client's default query reads it
// beside the current index, so that such an object shows it the version
// it may see, at that version's date_added. Most objects have none.
var bucketShadow = []byte("shadow") // dateAdded(8) -> empty

// refreshShadow recomputes which of an object's versions are shadows.
func refreshShadow(coll *bbolt.Bucket, id string, versions []versionInfo) error {
	shadow, err := coll.CreateBucketIfNotExists(bucketShadow)
	if err != nil {
		return err
	}
	order := slices.Clone(versions)
	slices.SortFunc(order, func(a, b versionInfo) int {
		switch {
		case currentLess(&a, &b):
			return -1
		case currentLess(&b, &a):
			return 1
		}
		return 0
	})
	for i, v := range order {
		shadowed := false
		for _, w := range order[i+1:] {
			if !store.AtLeastAsVisible(w.markings, v.markings) {
				shadowed = true
				break
			}
		}
		k := dateKey(v.added)
		if shadowed {
			err = shadow.Put(k, []byte{})
		} else {
			err = shadow.Delete(k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sameMarkings reports whether every version of an object carries m: then
// none is a shadow, whatever the order.
func sameMarkings(versions []versionInfo, m stix.Markings) bool {
	for _, v := range versions {
		if !markingsEqual(v.markings, m) {
			return false
		}
	}
	return true
}

func markingsEqual(a, b stix.Markings) bool {
	return a.TLP == b.TLP && a.Strict == b.Strict && a.Creator == b.Creator && slices.Equal(a.Others, b.Others)
}
