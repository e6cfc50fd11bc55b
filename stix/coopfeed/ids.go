package coopfeed

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"strconv"
)

// scoNamespace is the STIX 2.1 namespace for deterministic SCO ids
// (UUIDv5 over the canonical JSON of the id-contributing properties).
const scoNamespace = "00abedb4-aa42-466c-9c01-fed23315a9b7"

// newID returns "<typ>--<uuid4>" drawn from the seeded id stream.
func (g *generator) newID(typ string) string {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], g.ids.Uint64())
	binary.BigEndian.PutUint64(u[8:], g.ids.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return typ + "--" + formatUUID(u)
}

func formatUUID(u [16]byte) string {
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], u[10:16])
	return string(s[:])
}

// scoID returns the STIX 2.1 deterministic identifier of an SCO whose only
// id-contributing property is value (ipv4-addr, domain-name, url).
func scoID(typ, value string) string {
	ns, _ := hex.DecodeString(scoNamespace[0:8] + scoNamespace[9:13] + scoNamespace[14:18] + scoNamespace[19:23] + scoNamespace[24:36])
	h := sha1.New()
	h.Write(ns)
	h.Write([]byte(`{"value":` + strconv.Quote(value) + `}`))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return typ + "--" + formatUUID(u)
}
