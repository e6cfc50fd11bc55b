package store

import (
	"encoding/binary"
	"errors"
)

// record is one stored object version. On disk: a format byte, then
// length-prefixed id, version text and spec version, the 12-byte version
// key, and the object's raw JSON to the end.
type record struct {
	ID          string
	VersionText string
	Version     [12]byte
	SpecVersion string
	Raw         []byte
}

const recordFormat = 1

var errCorruptRecord = errors.New("corrupt object record")

func (r *record) encode() []byte {
	b := make([]byte, 0, 1+3*binary.MaxVarintLen16+len(r.ID)+len(r.VersionText)+len(r.SpecVersion)+12+len(r.Raw))
	b = append(b, recordFormat)
	b = binary.AppendUvarint(b, uint64(len(r.ID)))
	b = append(b, r.ID...)
	b = binary.AppendUvarint(b, uint64(len(r.VersionText)))
	b = append(b, r.VersionText...)
	b = binary.AppendUvarint(b, uint64(len(r.SpecVersion)))
	b = append(b, r.SpecVersion...)
	b = append(b, r.Version[:]...)
	return append(b, r.Raw...)
}

// decodeRecord decodes b. The strings are copied; Raw aliases b, so the
// caller copies it before the transaction ends if it keeps it.
func decodeRecord(b []byte) (record, error) {
	var r record
	if len(b) < 1 || b[0] != recordFormat {
		return r, errCorruptRecord
	}
	b = b[1:]
	str := func() (string, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			return "", false
		}
		s := string(b[w : w+int(n)])
		b = b[w+int(n):]
		return s, true
	}
	var ok1, ok2, ok3 bool
	r.ID, ok1 = str()
	r.VersionText, ok2 = str()
	r.SpecVersion, ok3 = str()
	if !ok1 || !ok2 || !ok3 || len(b) < 12 {
		return r, errCorruptRecord
	}
	copy(r.Version[:], b[:12])
	r.Raw = b[12:]
	return r, nil
}
