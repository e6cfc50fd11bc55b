package store

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Fuzz targets for what the store reads back from its file: a damaged or
// tampered file must give errors, never panics. Crashers that `go test
// -fuzz` finds are kept under testdata/fuzz/FuzzXxx/ and run as regression
// tests.

// FuzzDecodeRecord decodes arbitrary bytes as a stored object record. It
// must never panic, fail only with errCorruptRecord, and whatever it
// decodes must encode back to a record that decodes to the same fields, no
// longer than the input (the encoding is canonical), with Raw the input's
// tail.
func FuzzDecodeRecord(f *testing.F) {
	good := record{ID: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", VersionText: "2016-05-12T08:17:27.000Z",
		SpecVersion: "2.1", Version: [12]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Raw: []byte(`{"type":"indicator"}`)}
	enc := good.encode()
	f.Add(enc)
	f.Add((&record{}).encode())
	f.Add((&record{ID: strings.Repeat("x", 300), Raw: []byte("{}")}).encode()) // a two-byte length
	f.Add(enc[:len(enc)-len(good.Raw)])                                        // no raw JSON
	f.Add(enc[:len(enc)-len(good.Raw)-1])                                      // a short version key
	f.Add(enc[:10])
	f.Add([]byte{})
	f.Add([]byte{recordFormat})
	f.Add([]byte{0})
	f.Add([]byte{2, 0, 0, 0})
	f.Add([]byte{recordFormat, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})    // length 2^64-1
	f.Add([]byte{recordFormat, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0}) // overlong varint
	f.Add(binary.AppendUvarint([]byte{recordFormat}, 1<<62))
	f.Add(append([]byte{recordFormat, 0x80, 0x00, 0, 0}, make([]byte, 12)...)) // a non-minimal zero length
	f.Fuzz(func(t *testing.T, b []byte) {
		in := bytes.Clone(b)
		r, err := decodeRecord(b)
		if !bytes.Equal(b, in) {
			t.Fatal("decodeRecord changed its input")
		}
		if err != nil {
			if !errors.Is(err, errCorruptRecord) {
				t.Fatalf("decodeRecord(%x) = %v, want errCorruptRecord", b, err)
			}
			return
		}
		if !bytes.HasSuffix(b, r.Raw) {
			t.Fatalf("decodeRecord(%x): Raw %x is not the input's tail", b, r.Raw)
		}
		again := r.encode()
		if len(again) > len(b) {
			t.Fatalf("decodeRecord(%x) re-encodes longer: %x", b, again)
		}
		r2, err := decodeRecord(again)
		if err != nil {
			t.Fatalf("re-encoded record %x: %v", again, err)
		}
		if r2.ID != r.ID || r2.VersionText != r.VersionText || r2.SpecVersion != r.SpecVersion ||
			r2.Version != r.Version || !bytes.Equal(r2.Raw, r.Raw) {
			t.Fatalf("round trip of %x: %+v, then %+v", b, r, r2)
		}
	})
}

// fuzzMaxArgonCost bounds the work of one FuzzCheckPassword input, in KiB
// of memory times passes: hashes with larger parameters are skipped, or
// the fuzzer would spend its time (and gigabytes) in argon2id. Liaison's
// own hashes cost 19 MiB x 2 passes.
const fuzzMaxArgonCost = 64 << 10

// FuzzCheckPassword verifies passwords against arbitrary stored hashes (a
// damaged or tampered user record). CheckPassword must never panic, must
// accept only the password the hash was made from, and must otherwise
// answer ErrBadPassword or a "password hash:" error. (A hash whose key is
// a few bytes long matches other passwords by chance: the fuzzer finds
// them for a one-byte key. Only keys of 8 bytes or more are held to it.)
func FuzzCheckPassword(f *testing.F) {
	const password = "fuzz-stored-hash-5Tq9w"
	good, err := HashPassword(password)
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	for _, h := range []string{
		good,
		dummyHash(),
		"",
		"$",
		"$$$$$",
		"$argon2id$",
		"$argon2id$v=19$m=19456,t=2,p=1$$",
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",
		"$argon2id$v=19$m=19456,t=2,p=1$$" + key,
		"$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=0,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=8,t=1,p=255$" + salt + "$" + key,
		"$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=-2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=256$" + salt + "$" + key,
		"$argon2id$v=19$m=99999999999999999999,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "=$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$",
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$" + key,
		"argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
	} {
		f.Add(h, password)
		f.Add(h, "wrong")
	}
	f.Fuzz(func(t *testing.T, hash, pw string) {
		keyLen := 0
		if p := strings.Split(hash, "$"); len(p) == 6 {
			var mem, iter uint32
			var threads uint8
			if _, err := fmt.Sscanf(p[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err == nil &&
				uint64(max(mem, 8*uint32(threads)))*uint64(iter) > fuzzMaxArgonCost {
				t.Skip("argon2id parameters too costly for fuzzing")
			}
			key, _ := base64.RawStdEncoding.DecodeString(p[5])
			keyLen = len(key)
		}
		err := CheckPassword(hash, pw)
		switch {
		case err == nil:
			if pw != password && keyLen >= 8 {
				t.Fatalf("CheckPassword(%q, %q) accepted a password the hash was not made from", hash, pw)
			}
		case errors.Is(err, ErrBadPassword), strings.HasPrefix(err.Error(), "password hash: "):
		default:
			t.Fatalf("CheckPassword(%q, %q) = %v", hash, pw, err)
		}
	})
}
