package bolt

import (
	"encoding/binary"
	"errors"

	"liaison/stix"
)

// storedVersion is one object version as the objects bucket holds it: a
// format byte, then length-prefixed id, version text and spec version, the
// 12-byte version key, and the object's raw JSON to the end.
type storedVersion struct {
	ID          string
	VersionText string
	Version     [12]byte
	SpecVersion string
	Markings    stix.Markings
	Raw         []byte
}

// Formats of a stored version: 1 without markings (read from the object
// when needed), 2 with them after the version key.
const (
	storedVersionFormat1 = 1
	storedVersionFormat  = 2
)

var errCorruptVersion = errors.New("corrupt object record")

func (v *storedVersion) encode() []byte {
	b := make([]byte, 0, 1+3*binary.MaxVarintLen16+len(v.ID)+len(v.VersionText)+len(v.SpecVersion)+12+markingsSize(v.Markings)+len(v.Raw))
	b = append(b, storedVersionFormat)
	b = binary.AppendUvarint(b, uint64(len(v.ID)))
	b = append(b, v.ID...)
	b = binary.AppendUvarint(b, uint64(len(v.VersionText)))
	b = append(b, v.VersionText...)
	b = binary.AppendUvarint(b, uint64(len(v.SpecVersion)))
	b = append(b, v.SpecVersion...)
	b = append(b, v.Version[:]...)
	b = appendMarkings(b, v.Markings)
	return append(b, v.Raw...)
}

// decodeStoredVersion decodes b. The strings are copied; Raw aliases b, so
// the caller copies it before the transaction ends if it keeps it.
func decodeStoredVersion(b []byte) (storedVersion, error) {
	var v storedVersion
	if len(b) < 1 || (b[0] != storedVersionFormat && b[0] != storedVersionFormat1) {
		return v, errCorruptVersion
	}
	format := b[0]
	b = b[1:]
	id, b, ok1 := readBytes(b)
	versionText, b, ok2 := readBytes(b)
	spec, b, ok3 := readBytes(b)
	if !ok1 || !ok2 || !ok3 || len(b) < 12 {
		return v, errCorruptVersion
	}
	// A page decodes a record per object: the id and version text share
	// one allocation, and the usual spec versions none.
	var scratch [128]byte
	both := string(append(append(scratch[:0], id...), versionText...))
	v.ID, v.VersionText = both[:len(id)], both[len(id):]
	switch string(spec) {
	case "2.1":
		v.SpecVersion = "2.1"
	case "2.0":
		v.SpecVersion = "2.0"
	default:
		v.SpecVersion = string(spec)
	}
	copy(v.Version[:], b[:12])
	b = b[12:]
	if format == storedVersionFormat1 {
		v.Raw = b
		v.Markings = stix.MarkingsOf(b) // stored before markings were kept
		return v, nil
	}
	m, rest, ok := readMarkings(b)
	if !ok {
		return v, errCorruptVersion
	}
	v.Markings, v.Raw = m, rest
	return v, nil
}
