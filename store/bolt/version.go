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
	var ok1, ok2, ok3 bool
	v.ID, b, ok1 = readString(b)
	v.VersionText, b, ok2 = readString(b)
	v.SpecVersion, b, ok3 = readString(b)
	if !ok1 || !ok2 || !ok3 || len(b) < 12 {
		return v, errCorruptVersion
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
