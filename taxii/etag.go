package taxii

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"

	"liaison/store"
)

// Pages carry a strong entity tag (RFC 9110 §8.8.3), and a GET or HEAD
// whose If-None-Match names it is answered 304 without querying the store:
// a poller asking again for a page that has not changed costs one small
// read (the collection's latest date_added) and a hash.
//
// The tag is not a hash of the page, which would need the query: it is a
// hash of everything the page is made from, read before the query. The
// stored objects change only by additions, which move the collection's
// latest date_added (it never decreases, CollectionLastAdded), and by
// deletions, which this server counts (Server.changes: its TAXII DELETEs,
// and ResourcesChanged, which the admin API calls after its changes). The
// rest is the request as the store receives it (store.Query) and as next
// tokens carry it (the filter), the collection, the principal (its name is
// in next tokens) and its rights, the endpoint, and whether the body is
// compressed. A random value drawn once per Server makes tags from before
// a restart mismatch: the database may have changed offline meanwhile.
//
// A change made to the store without the server knowing (a deletion by
// another user of the same Store in the process, without ResourcesChanged)
// would go unseen by clients holding a tag: the hook is the contract.

// etagSeed returns the server's random value for entity tags.
func (s *Server) etagSeed() []byte {
	s.etagOnce.Do(func() {
		s.etagRandom = make([]byte, 16)
		_, _ = rand.Read(s.etagRandom)
	})
	return s.etagRandom
}

// pageETag returns the entity tag of the page a query makes, read before
// the query runs. TestPageETagInputs fails when store.Query, Principal or
// store.Collection gain a field: decide whether pages depend on it, and
// add it here if they do.
func (s *Server) pageETag(ctx context.Context, endpoint string, coll store.Collection, p Principal, r Rights, f filter, q store.Query, gzip bool) (string, error) {
	last, err := s.Store.CollectionLastAdded(ctx, coll.ID)
	if err != nil {
		return "", err
	}
	var scratch [512]byte
	b := append(scratch[:0], s.etagSeed()...)
	b = binary.AppendUvarint(b, s.changes.Load())
	b = binary.AppendVarint(b, last.UnixMicro())
	b = appendField(b, endpoint)
	b = appendField(b, coll.ID)
	// The principal: its name is in next tokens; its rights here decide
	// what it may see.
	b = appendField(b, p.Name)
	b = appendBools(b, p.Anonymous, p.Admin, r.Read, r.Write, gzip)
	// The query as the store receives it.
	b = appendField(b, q.ObjectID)
	b = appendFields(b, q.IDs)
	b = appendFields(b, q.Types)
	b = appendBools(b, q.Versions.All, q.Versions.First, q.Versions.Last, q.NoBody)
	b = binary.AppendUvarint(b, uint64(len(q.Versions.At)))
	for _, t := range q.Versions.At {
		b = binary.AppendVarint(b, t.UnixNano())
	}
	b = appendFields(b, q.SpecVersions)
	b = binary.AppendVarint(b, q.AddedAfter.UnixNano())
	b = appendBools(b, q.AddedAfter.IsZero())
	b = binary.AppendUvarint(b, q.After)
	b = binary.AppendVarint(b, int64(q.Limit))
	b = binary.AppendVarint(b, int64(q.MaxScan))
	b = binary.AppendVarint(b, int64(q.MaxBytes))
	// What the principal may see, by markings: its clearance, which holds
	// what pages depend on of its organisation (Principal.Org) and of the
	// collection's sharing settings (default marking, anonymous clearance,
	// strict organisations). A collection's RequireMarking and a
	// principal's PostClearance concern posting, not pages.
	b = appendBools(b, q.Clearance != nil)
	if cl := q.Clearance; cl != nil {
		b = append(b, byte(cl.Level), byte(cl.Default))
		b = appendField(b, cl.Org)
		b = appendBools(b, cl.StrictOrg)
		b = appendFields(b, cl.Allow)
	}
	// The filter as next tokens carry it.
	b = appendField(b, f.AddedAfter)
	b = appendFields(b, f.IDs)
	b = appendFields(b, f.Types)
	b = appendFields(b, f.Versions)
	b = appendFields(b, f.SpecVersions)
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`, nil
}

// appendField appends s with its length, so that no two sequences of
// fields encode alike.
func appendField(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendFields(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendField(b, s)
	}
	return b
}

func appendBools(b []byte, bs ...bool) []byte {
	var bits byte
	for i, v := range bs {
		if v {
			bits |= 1 << i
		}
	}
	return append(b, byte(len(bs)), bits)
}

// matchesETag reports whether If-None-Match field values name etag, by
// the weak comparison GET uses (RFC 9110 §13.1.2: a W/ prefix is
// ignored). "*" matches when any says it does: a page that exists
// whatever is stored (the objects and manifest endpoints), not an
// object's, which may be absent.
func matchesETag(values []string, etag string, star bool) bool {
	for _, v := range values {
		for t := range strings.SplitSeq(v, ",") {
			t = strings.TrimSpace(t)
			if t == "*" && star || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
		}
	}
	return false
}
