package bolt

import (
	"encoding/binary"
	"encoding/json"
	"time"

	"go.etcd.io/bbolt"
)

// Bucket names. Every collection has its own bucket, named
// collectionBucketPrefix+id, holding the object versions and their indexes
// as nested buckets.
var (
	bucketMeta        = []byte("meta")
	bucketRoots       = []byte("roots")       // name -> store.APIRoot JSON
	bucketCollections = []byte("collections") // id -> store.Collection JSON
	bucketStatus      = []byte("status")      // id -> storedStatus JSON
	bucketStatusTime  = []byte("status_by_time")
	bucketUsers       = []byte("users")    // name -> store.User JSON
	bucketAPIKeys     = []byte("api_keys") // id -> store.APIKey JSON
	bucketAudit       = []byte("audit")    // time(8) seq(8) -> store.AuditEntry JSON
	bucketActivity    = []byte("activity") // collection 0 principal -> store.Activity JSON

	collectionBucketPrefix = "coll:"

	// Nested buckets of a collection bucket.
	bucketObjects = []byte("objects") // dateAdded(8) -> storedVersion
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
	//   id 0 'm'              -> 1                  its versions differ in
	//     markings (see bucketShadow)
	// The 'd' value is version(12) spec, then, since markings are kept, a
	// 0 byte and the version's markings (dateEntry).
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
func idDatesPrefix(id string) []byte                { return idKey(id, 'd', nil) }
func idDateKey(id string, dateAdded []byte) []byte  { return idKey(id, 'd', dateAdded) }
func idVersionKey(id string, version []byte) []byte { return idKey(id, 'v', version) }
func idContentKey(id string, hash []byte) []byte    { return idKey(id, 'h', hash) }
func idCurrentKey(id string) []byte                 { return idKey(id, 'l', nil) }

// idMixedKey marks an object whose versions do not all carry the same
// markings (1): adding a version then recomputes its shadows.
func idMixedKey(id string) []byte { return idKey(id, 'm', nil) }

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

func putJSON(b *bbolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

func getUint(b *bbolt.Bucket, k []byte) uint64 {
	v := b.Get(k)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func putUint(b *bbolt.Bucket, k []byte, n uint64) error {
	return b.Put(k, dateKey(n))
}
