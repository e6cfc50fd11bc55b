package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"liaison/stix"
)

// AddRequest is one Add Objects request (TAXII 2.1 §5.5) after validation:
// the objects to store and the failures already found.
type AddRequest struct {
	APIRoot    string
	Collection string // collection id
	// Owner names the principal that made the request; the status resource
	// belongs to it.
	Owner string
	// Total is the number of objects in the request's envelope.
	Total int
	// Objects are the valid objects, in envelope order.
	Objects []stix.Object
	// Failures are the objects refused by validation.
	Failures []StatusDetail
}

// CheckOptions returns the validation options of collection c.
func CheckOptions(c Collection) stix.Options {
	return stix.Options{RejectCustom: c.RejectCustom}
}

// NewAddRequest turns the validation results of a request's objects into
// the AddRequest for collection c: valid objects of a spec version among
// the collection's media types, marked as the collection requires and, when
// writer is not nil, within the writer's clearance, are to be stored; every
// other object is a failure that names it and says why. The POST endpoint
// and imports both go through it.
func NewAddRequest(c Collection, owner string, writer *Clearance, results []stix.Result) AddRequest {
	add := AddRequest{APIRoot: c.APIRoot, Collection: c.ID, Owner: owner, Total: len(results)}
	for _, r := range results {
		if r.Err != nil {
			d := StatusDetail{Message: r.Err.Error()}
			var oe *stix.ObjectError
			if errors.As(r.Err, &oe) {
				d.ID, d.Version = oe.Subject(), oe.Version
			}
			add.Failures = append(add.Failures, d)
			continue
		}
		if mt := stix.MediaType(r.Object.SpecVersion); !slices.Contains(c.MediaTypes, mt) {
			add.Failures = append(add.Failures, StatusDetail{ID: r.Object.ID, Version: r.Object.VersionText,
				Message: fmt.Sprintf("%s: spec_version %s (%s) is not among the collection's media types %v",
					r.Object.ID, r.Object.SpecVersion, mt, c.MediaTypes)})
			continue
		}
		if m := r.Object.Markings; c.RequireMarking && m.TLP == stix.TLPNone {
			add.Failures = append(add.Failures, StatusDetail{ID: r.Object.ID, Version: r.Object.VersionText,
				Message: fmt.Sprintf("%s: the object has no TLP marking, and this collection requires one: reference a TLP marking definition in object_marking_refs", r.Object.ID)})
			continue
		}
		if writer != nil && !writer.AdmitsPost(r.Object.Markings) {
			add.Failures = append(add.Failures, StatusDetail{ID: r.Object.ID, Version: r.Object.VersionText,
				Message: fmt.Sprintf("%s: the object's markings (%s) are above your clearance on this collection (%s): you may post only what you may read",
					r.Object.ID, describeMarkings(r.Object.Markings, writer.Default), describeClearance(*writer))})
			continue
		}
		add.Objects = append(add.Objects, r.Object)
	}
	return add
}

// describeMarkings is how messages name an object's markings.
func describeMarkings(m stix.Markings, def stix.TLPLevel) string {
	s := "TLP:" + strings.ToUpper(m.TLP.String())
	if m.TLP == stix.TLPNone {
		s = "unmarked, so TLP:" + strings.ToUpper(def.String())
	}
	if len(m.Others) > 0 {
		s += fmt.Sprintf(", %d other markings", len(m.Others))
	}
	return s
}

// NewStatus returns the status resource of an Add Objects request received
// at now: complete, with the request's validation failures first. The
// backend adds the outcome of each object with AddOutcome.
func NewStatus(id string, now time.Time, req AddRequest) Status {
	return Status{
		ID:               id,
		Status:           StatusComplete,
		RequestTimestamp: stix.FormatTAXII(now),
		TotalCount:       req.Total,
		Failures:         append([]StatusDetail(nil), req.Failures...),
		FailureCount:     len(req.Failures),
	}
}

// Outcome is what became of one object of an AddRequest.
type Outcome int

// Outcomes.
const (
	// Stored: a new version was stored.
	Stored Outcome = iota
	// Duplicate: the collection holds this version with the same content
	// already; nothing changed, and it is a success (TAXII 2.1 §5.5).
	Duplicate
	// Conflict: the collection holds this version (same id and modified)
	// with other content; the object is refused.
	Conflict
)

// AddOutcome puts what became of o in the status: version is its TAXII
// version string (for an SCO, the one the collection gave it).
func (s *Status) AddOutcome(o *stix.Object, version string, out Outcome) {
	switch out {
	case Conflict:
		s.Failures = append(s.Failures, StatusDetail{ID: o.ID, Version: o.VersionText,
			Message: fmt.Sprintf("%s: a different object with this id and modified %s is already in the collection; publish a new version with a later modified", o.ID, o.VersionText)})
	case Stored:
		d := StatusDetail{ID: o.ID, Version: version}
		if len(o.Warnings) > 0 {
			d.Message = "stored, with warnings: " + strings.Join(o.Warnings, "; ")
		}
		s.Successes = append(s.Successes, d)
	case Duplicate:
		s.Successes = append(s.Successes, StatusDetail{ID: o.ID, Version: version, Message: "already in the collection; nothing changed"})
	}
	s.SuccessCount, s.FailureCount = len(s.Successes), len(s.Failures)
}

// SameContent reports whether two objects' JSON is the same content:
// byte-equal, or equal once decoded, key order and spacing aside, numbers
// compared as written (so large integers and decimals compare exactly).
func SameContent(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	va, errA := decodeExact(a)
	vb, errB := decodeExact(b)
	if errA != nil || errB != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// ContentHash identifies an SCO's content whatever its key order and
// spacing: 16 bytes of the SHA-256 of its canonical JSON (keys sorted,
// numbers as written). Two SCOs with the same id and hash are one version.
func ContentHash(raw []byte) []byte {
	canon := raw
	if v, err := decodeExact(raw); err == nil {
		if b, err := json.Marshal(v); err == nil {
			canon = b
		}
	}
	h := sha256.Sum256(canon)
	return h[:16]
}

// decodeExact decodes JSON keeping numbers as their text, so that large
// integers and decimals compare exactly.
func decodeExact(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// SpecVersionLess orders spec versions "major.minor" numerically ("" is
// least).
func SpecVersionLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// TypeOf returns the type part of a STIX id ("indicator" for
// "indicator--..."), or the id itself when it has none.
func TypeOf(id string) string {
	if i := strings.Index(id, "--"); i > 0 {
		return id[:i]
	}
	return id
}
