package store

import (
	"encoding/binary"
	"time"
)

// Bucket names. Every collection has its own bucket, named collPrefix+id,
// holding the object records and their indexes as nested buckets.
var (
	bucketMeta        = []byte("meta")
	bucketRoots       = []byte("roots")
	bucketCollections = []byte("collections")
	bucketStatus      = []byte("status")
	bucketStatusTime  = []byte("status_by_time")

	collPrefix = "coll:"

	// Nested buckets of a collection bucket.
	bucketObjects = []byte("objects") // dateAdded(8) -> record
	// bucketByID holds everything kept per object id, under keys that
	// start with the id, so that adding a version dirties one leaf page
	// of one B+tree rather than one page in each of several indexes
	// (object ids are random, so each would be a random page):
	//   id 0 'd' dateAdded(8) -> version(12) spec   its versions by date
	//   id 0 'v' version(12)  -> dateAdded(8)       its versions by version
	//   id 0 'h' sha256[:16]  -> dateAdded(8)       SCO content hashes
	//   id 0 'l'              -> dateAdded(8) spec  its current version:
	//     the latest version in its latest spec version, which is what a
	//     query with default filters returns
	bucketByID        = []byte("by_id")
	bucketByType      = []byte("by_type")      // type 0 dateAdded(8) -> empty
	bucketCurrent     = []byte("current")      // dateAdded(8) -> empty
	bucketCurrentType = []byte("current_type") // type 0 dateAdded(8) -> empty

	keySecret  = []byte("cursor_secret")
	keyCollSeq = []byte("collection_seq")
	keyLastAdd = []byte("last_date_added")
)

// A date_added is kept as unix microseconds (TAXII timestamps have
// microsecond precision) in 8 big-endian bytes, so bbolt's byte order is
// time order (bbolt README, "Range scans").
func dateKey(micros uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, micros)
	return b
}

func dateFromKey(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

func microsTime(m uint64) time.Time { return time.UnixMicro(int64(m)).UTC() }

// timeMicros returns the whole microseconds of t since the epoch, 0 for
// earlier instants (no date_added predates the epoch).
func timeMicros(t time.Time) uint64 {
	m := t.UnixMicro()
	if m < 0 {
		return 0
	}
	return uint64(m)
}

// versionKey encodes an instant in 12 sortable bytes: seconds offset by 2^63
// and nanoseconds. STIX timestamps may carry nanoseconds and lie outside the
// range of UnixNano, so both parts are kept.
func versionKey(t time.Time) [12]byte {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.Unix())^(1<<63))
	binary.BigEndian.PutUint32(b[8:], uint32(t.Nanosecond()))
	return b
}

// Keys of the by-id bucket.
func datePrefix(id string) []byte           { return idKey(id, 'd', nil) }
func dateIDKey(id string, dk []byte) []byte { return idKey(id, 'd', dk) }
func verKey(id string, vk []byte) []byte    { return idKey(id, 'v', vk) }
func scoHashKey(id string, h []byte) []byte { return idKey(id, 'h', h) }
func latestKey(id string) []byte            { return idKey(id, 'l', nil) }

func idKey(id string, tag byte, suffix []byte) []byte {
	k := make([]byte, 0, len(id)+2+len(suffix))
	k = append(k, id...)
	k = append(k, 0, tag)
	return append(k, suffix...)
}

func indexKey(prefix string, suffix []byte) []byte {
	k := make([]byte, 0, len(prefix)+1+len(suffix))
	k = append(k, prefix...)
	k = append(k, 0)
	return append(k, suffix...)
}
