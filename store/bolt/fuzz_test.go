package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// Fuzz targets for what the store reads back from its file: a damaged or
// tampered file must give errors, never panics. Crashers that `go test
// -fuzz` finds are kept under testdata/fuzz/FuzzXxx/ and run as regression
// tests.

// FuzzDecodeRecord decodes arbitrary bytes as a stored object version. It
// must never panic, fail only with errCorruptVersion, and whatever it
// decodes must encode back to a record that decodes to the same fields, no
// longer than the input (the encoding is canonical), with Raw the input's
// tail.
func FuzzDecodeRecord(f *testing.F) {
	good := storedVersion{ID: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", VersionText: "2016-05-12T08:17:27.000Z",
		SpecVersion: "2.1", Version: [12]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Raw: []byte(`{"type":"indicator"}`)}
	enc := good.encode()
	f.Add(enc)
	f.Add((&storedVersion{}).encode())
	f.Add((&storedVersion{ID: strings.Repeat("x", 300), Raw: []byte("{}")}).encode()) // a two-byte length
	f.Add(enc[:len(enc)-len(good.Raw)])                                               // no raw JSON
	f.Add(enc[:len(enc)-len(good.Raw)-1])                                             // a short version key
	f.Add(enc[:10])
	f.Add([]byte{})
	f.Add([]byte{storedVersionFormat})
	f.Add([]byte{0})
	f.Add([]byte{2, 0, 0, 0})
	f.Add([]byte{storedVersionFormat, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})    // length 2^64-1
	f.Add([]byte{storedVersionFormat, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0}) // overlong varint
	f.Add(binary.AppendUvarint([]byte{storedVersionFormat}, 1<<62))
	f.Add(append([]byte{storedVersionFormat, 0x80, 0x00, 0, 0}, make([]byte, 12)...)) // a non-minimal zero length
	f.Fuzz(func(t *testing.T, b []byte) {
		in := bytes.Clone(b)
		r, err := decodeStoredVersion(b)
		if !bytes.Equal(b, in) {
			t.Fatal("decodeStoredVersion changed its input")
		}
		if err != nil {
			if !errors.Is(err, errCorruptVersion) {
				t.Fatalf("decodeStoredVersion(%x) = %v, want errCorruptVersion", b, err)
			}
			return
		}
		if !bytes.HasSuffix(b, r.Raw) {
			t.Fatalf("decodeStoredVersion(%x): Raw %x is not the input's tail", b, r.Raw)
		}
		again := r.encode()
		limit := len(b)
		if b[0] == storedVersionFormat1 {
			// Records from before markings were kept gain them.
			limit += len(appendMarkings(nil, r.Markings))
		}
		if len(again) > limit {
			t.Fatalf("decodeStoredVersion(%x) re-encodes longer: %x", b, again)
		}
		r2, err := decodeStoredVersion(again)
		if err != nil {
			t.Fatalf("re-encoded record %x: %v", again, err)
		}
		if r2.ID != r.ID || r2.VersionText != r.VersionText || r2.SpecVersion != r.SpecVersion ||
			r2.Version != r.Version || !bytes.Equal(r2.Raw, r.Raw) || !markingsEqual(r2.Markings, r.Markings) {
			t.Fatalf("round trip of %x: %+v, then %+v", b, r, r2)
		}
	})
}
