package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Spec versions a server can hold (STIX 2.1 §3.2, spec_version).
const (
	SpecVersion20 = "2.0"
	SpecVersion21 = "2.1"
)

// MediaType returns the STIX media type of objects of the given spec version,
// as used in collection media_types and manifest records (STIX 2.1 Appendix D).
func MediaType(specVersion string) string {
	return "application/stix+json;version=" + specVersion
}

// ErrInvalidObject is returned (wrapped in an *ObjectError) when an object
// cannot be stored: it is not a JSON object or lacks the properties a TAXII
// server needs to index and version it.
var ErrInvalidObject = errors.New("invalid STIX object")

// ObjectError describes why one object of a request was refused. Its Error
// text names the object and the reason, for the status resource.
type ObjectError struct {
	Index int // position in the envelope's objects list
	// ID is the object's id as posted, when it is a non-empty JSON string,
	// even one that is not a STIX identifier: clients match failures to
	// what they sent by id.
	ID      string
	Version string // its modified or created, when present
	Reason  string
	// Class is the kind of check that refused it (ClassSchema, ...): the
	// first problem's.
	Class string
}

// Error names the object by its id, or by its position when it has no
// valid identifier: the reason then quotes what it had.
func (e *ObjectError) Error() string {
	if ValidID(e.ID) {
		return e.ID + ": " + e.Reason
	}
	return e.Position() + ": " + e.Reason
}

// Subject names the object for the id of a status entry: its id as posted,
// or its position when it has none.
func (e *ObjectError) Subject() string {
	if e.ID != "" {
		return e.ID
	}
	return e.Position()
}

// Position is the object's place in its envelope: "objects[3]".
func (e *ObjectError) Position() string {
	return fmt.Sprintf("objects[%d]", e.Index)
}

// Unwrap makes errors.Is(err, ErrInvalidObject) true.
func (e *ObjectError) Unwrap() error { return ErrInvalidObject }

// Object is a STIX object as a TAXII server handles it: the raw bytes,
// stored and served as received (compacted), and the few properties the
// server indexes. Nothing else is decoded.
type Object struct {
	Raw         json.RawMessage // compact JSON
	ID          string
	Type        string
	SpecVersion string // explicit, or implied per STIX 2.1 §3.2 when absent
	// VersionText is the TAXII version of the object: its modified, else its
	// created, as written (TAXII 2.1 §3.4.1). Empty for objects that have
	// neither (SCOs): the server assigns those a version.
	VersionText string
	Version     time.Time // the instant of VersionText
	// Warnings are the validator's findings that do not make the object
	// invalid (departures from SHOULDs); the status resource shows them.
	Warnings []string
	// Markings say who may see the object (TLP level, other markings,
	// creator).
	Markings Markings
}

// Versioned reports whether the object carries its own version (modified or
// created); SCOs do not.
func (o *Object) Versioned() bool { return o.VersionText != "" }

// Peek parses raw as one STIX object and extracts what the server indexes.
// index is the object's position in its envelope, used in error messages.
// The returned error is an *ObjectError. The object must keep within
// DefaultLimits. Nothing is decoded but the indexed properties.
func Peek(index int, raw []byte) (Object, error) {
	o, _, err := peek(index, raw, DefaultLimits())
	return o, err
}

// peek is Peek within lim that also returns how many JSON values the
// object holds.
func peek(index int, raw []byte, lim Limits) (Object, int, error) {
	class := ClassIndexing
	fail := func(id, version, format string, args ...any) (Object, int, error) {
		return Object{}, 0, &ObjectError{Index: index, ID: id, Version: version, Reason: fmt.Sprintf(format, args...), Class: class}
	}
	// One pass over the bytes checks the object and finds the indexed
	// properties; a decoder would silently change what it refuses.
	scan, err := scanObject(raw, lim)
	top, problem := scan.top, scan.problem
	switch {
	case errors.Is(err, errScanNotObject):
		class = ClassJSON
		return fail("", "", "not a JSON object")
	case err != nil:
		class = ClassJSON
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return fail("", "", "not valid JSON: %v", err)
		}
		return fail("", "", "not valid JSON")
	}
	p := peeked{raw: raw, top: top}
	// created and modified are parsed once, here.
	createdStamp, modifiedStamp := p.timestamp(topCreated), p.timestamp(topModified)
	// The version a failure reports: modified, else created, as written.
	version := ""
	for _, st := range []stamp{createdStamp, modifiedStamp} {
		if st.present && st.err == nil && !st.bad {
			version = st.text
		}
	}
	id, idErr := p.str(topID)
	if problem != nil {
		class = scan.problemClass
		return fail(id, version, "%s", problem)
	}
	if idErr != nil {
		return fail("", version, "id: %v", idErr)
	}
	o := Object{}
	idType, _, ok := SplitID(id)
	if !ok {
		return fail(id, version, "id: %q is not a STIX identifier (<type>--<RFC 4122 UUID>)", truncate(id))
	}
	typ, err := p.str(topType)
	if err != nil {
		return fail(id, version, "type: %v", err)
	}
	o.ID = id
	if !validType(typ) {
		return fail(id, version, "type: %q is not a STIX type name", truncate(typ))
	}
	if typ != idType {
		return fail(id, version, "type: %q does not match the identifier's prefix %q", truncate(typ), idType)
	}
	o.Type = typ

	createdText, hasCreated, created := createdStamp.text, createdStamp.present, createdStamp.t
	if createdStamp.err != nil {
		return fail(id, version, "created: %v", createdStamp.err)
	}
	modifiedText, hasModified, modified := modifiedStamp.text, modifiedStamp.present, modifiedStamp.t
	if modifiedStamp.err != nil {
		return fail(id, version, "modified: %v", modifiedStamp.err)
	}
	if hasModified {
		if hasCreated && modified.Before(created) {
			return fail(id, modifiedText, "modified: %s is earlier than created %s", modifiedText, createdText)
		}
		o.VersionText, o.Version = modifiedText, modified
	} else if hasCreated {
		o.VersionText, o.Version = createdText, created
	}

	if top[topSpecVersion].present {
		sv, err := p.str(topSpecVersion)
		if err != nil {
			return fail(id, o.VersionText, "spec_version: %v", err)
		}
		if sv != SpecVersion20 && sv != SpecVersion21 {
			return fail(id, o.VersionText, "spec_version: %q is not a STIX version this server knows (2.0 or 2.1)", truncate(sv))
		}
		o.SpecVersion = sv
	} else if hasCreated || hasModified {
		// STIX 2.1 §3.2: "If the spec_version property is not present, the
		// object MUST be treated as STIX 2.0" -- except SCOs, which have no
		// created/modified and default to 2.1.
		o.SpecVersion = SpecVersion20
	} else {
		o.SpecVersion = SpecVersion21
	}

	span := func(i int) []byte {
		if !top[i].present || top[i].bad {
			return nil
		}
		return raw[top[i].start:top[i].end]
	}
	o.Markings = markingsOf(span(topObjectMarkingRefs), span(topGranularMarkings), span(topCreatedByRef))

	if scan.compact {
		// Compacting would copy it unchanged, through a state machine.
		o.Raw = append(make([]byte, 0, len(raw)), raw...)
		return o, scan.values, nil
	}
	var buf bytes.Buffer
	buf.Grow(len(raw))
	if err := json.Compact(&buf, raw); err != nil {
		return fail(id, o.VersionText, "not valid JSON: %v", err)
	}
	o.Raw = buf.Bytes()
	return o, scan.values, nil
}

// peeked is an object's bytes and where its indexed properties are.
type peeked struct {
	raw []byte
	top [numTop]scanProp
}

func (p *peeked) str(i int) (string, error) {
	if !p.top[i].present {
		return "", errors.New("required property is missing")
	}
	s, ok := p.top[i].text(p.raw)
	if !ok {
		return "", errors.New("must be a string")
	}
	return s, nil
}

// stamp is a timestamp property as peek reads it.
type stamp struct {
	text    string // as written, when it is a valid timestamp
	t       time.Time
	present bool
	bad     bool  // the scan found text that is not Unicode in it
	err     error // not a string, or not a timestamp
}

func (p *peeked) timestamp(i int) stamp {
	if !p.top[i].present {
		return stamp{}
	}
	st := stamp{present: true, bad: p.top[i].bad}
	s, err := p.str(i)
	if err != nil {
		st.err = err
		return st
	}
	if st.t, st.err = ParseTimestamp(s); st.err == nil {
		st.text = s
	}
	return st
}

// truncate keeps messages readable when a client sends huge values.
func truncate(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
