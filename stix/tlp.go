package stix

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// TLPLevel is a Traffic Light Protocol level, ordered from the least to
// the most restrictive as TLP 2.0 orders them (FIRST, TLP 2.0): CLEAR,
// GREEN, AMBER, AMBER+STRICT, RED. TLPNone is no TLP marking at all.
type TLPLevel uint8

// TLP levels.
const (
	TLPNone TLPLevel = iota
	TLPClear
	TLPGreen
	TLPAmber
	TLPAmberStrict
	TLPRed
)

var tlpNames = [...]string{"none", "clear", "green", "amber", "amber+strict", "red"}

// String returns the level's name as Liaison's settings write it:
// clear, green, amber, amber+strict, red.
func (l TLPLevel) String() string {
	if int(l) < len(tlpNames) {
		return tlpNames[l]
	}
	return fmt.Sprintf("TLPLevel(%d)", l)
}

// ParseTLPLevel reads a level's name (clear, green, amber, amber+strict,
// red; white, the TLP 1.0 name of clear, too), case-insensitively.
func ParseTLPLevel(s string) (TLPLevel, error) {
	switch strings.ToLower(strings.TrimPrefix(strings.ToUpper(s), "TLP:")) {
	case "clear", "white":
		return TLPClear, nil
	case "green":
		return TLPGreen, nil
	case "amber":
		return TLPAmber, nil
	case "amber+strict":
		return TLPAmberStrict, nil
	case "red":
		return TLPRed, nil
	}
	return TLPNone, fmt.Errorf("%q is not a TLP level: clear, green, amber, amber+strict or red", s)
}

// The fixed marking definitions of TLP 2.0 (OASIS, cti-stix-common-objects,
// extension-definition-specifications/tlp-2.0) and TLP 1.0 (STIX 2.1
// §7.2.1.4), by the level each stands for. TLP 1.0 WHITE is TLP 2.0 CLEAR,
// as FIRST's TLP 2.0 maps them.
func tlpMarkingLevel(id string) TLPLevel {
	switch id {
	case "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", // TLP:CLEAR
		"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": // TLP 1.0 WHITE
		return TLPClear
	case "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", // TLP:GREEN
		"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": // TLP 1.0 GREEN
		return TLPGreen
	case "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", // TLP:AMBER
		"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": // TLP 1.0 AMBER
		return TLPAmber
	case "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": // TLP:AMBER+STRICT
		return TLPAmberStrict
	case "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", // TLP:RED
		"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": // TLP 1.0 RED
		return TLPRed
	}
	return TLPNone
}

// TLPMarkingID returns the TLP 2.0 marking definition of a level ("" for
// TLPNone).
func TLPMarkingID(l TLPLevel) string {
	switch l {
	case TLPClear:
		return "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	case TLPGreen:
		return "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	case TLPAmber:
		return "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	case TLPAmberStrict:
		return "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	case TLPRed:
		return "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
	}
	return ""
}

// Markings is what an object's data markings say about who may see it:
// the most restrictive TLP level among its object markings and granular
// markings (one part above a client's clearance withholds the whole
// object), the other marking definitions it references (statements,
// sharing groups, custom markings), and its creator, which TLP:AMBER+STRICT
// restricts it to.
type Markings struct {
	TLP TLPLevel `json:"tlp,omitempty"`
	// Strict is whether TLP:AMBER+STRICT is among the markings, even when
	// a more restrictive level (RED) is too: its organisation rule applies
	// on top of the level.
	Strict  bool     `json:"strict,omitempty"`
	Others  []string `json:"others,omitempty"`  // sorted, without repeats
	Creator string   `json:"creator,omitempty"` // created_by_ref
}

// markingsOf reads the markings of an object from its object_marking_refs,
// granular_markings and created_by_ref, given as raw JSON (nil when
// absent). Values of the wrong shape are ignored here: validation reports
// them.
func markingsOf(objectRefs, granular, createdBy []byte) Markings {
	var m Markings
	add := func(id string) {
		if l := tlpMarkingLevel(id); l != TLPNone {
			m.TLP = max(m.TLP, l)
			m.Strict = m.Strict || l == TLPAmberStrict
		} else if strings.HasPrefix(id, "marking-definition--") && !slices.Contains(m.Others, id) {
			m.Others = append(m.Others, id)
		}
	}
	var refs []string
	if objectRefs != nil && json.Unmarshal(objectRefs, &refs) == nil {
		for _, id := range refs {
			add(id)
		}
	}
	// Keys are compared without regard to case, as encoding/json would, so
	// that a "Marking_Ref" beside a "marking_ref" cannot hide a marking a
	// case-sensitive reader honours: each one counts (fail closed).
	var parts []map[string]json.RawMessage
	if granular != nil && json.Unmarshal(granular, &parts) == nil {
		for _, p := range parts {
			for k, v := range p {
				var id string
				if strings.EqualFold(k, "marking_ref") && json.Unmarshal(v, &id) == nil {
					add(id)
				}
			}
		}
	}
	if createdBy != nil {
		_ = json.Unmarshal(createdBy, &m.Creator)
	}
	slices.Sort(m.Others)
	return m
}

// MarkingsOf reads the markings of a raw STIX object (for records stored
// before markings were kept beside them).
func MarkingsOf(raw []byte) Markings {
	// A store reads this for every such record it serves: most carry no
	// marking, and a scan for the property names costs far less than
	// decoding the object.
	if !mayNameMarkings(raw) {
		return Markings{}
	}
	return markingsOfJSON(raw)
}

// markingsOfJSON is MarkingsOf by decoding the object.
func markingsOfJSON(raw []byte) Markings {
	var o struct {
		ObjectRefs json.RawMessage `json:"object_marking_refs"`
		Granular   json.RawMessage `json:"granular_markings"`
		CreatedBy  json.RawMessage `json:"created_by_ref"`
	}
	if json.Unmarshal(raw, &o) != nil {
		return Markings{}
	}
	return markingsOf(o.ObjectRefs, o.Granular, o.CreatedBy)
}

// mayNameMarkings reports whether raw may hold one of the properties
// MarkingsOf reads: object_marking_refs, granular_markings and
// created_by_ref each have an underscore before "marking" or "by_ref".
// encoding/json matches names in any case, Unicode folds included (the
// Kelvin sign for k), and an escape could spell them: any escape or
// non-ASCII byte says maybe.
func mayNameMarkings(raw []byte) bool {
	for i, c := range raw {
		switch {
		case c == '\\' || c >= 0x80:
			return true
		case c == '_' && (hasPrefixFold(raw[i+1:], "marking") || hasPrefixFold(raw[i+1:], "by_ref")):
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether b starts with the lower-case ASCII word w
// in any case.
func hasPrefixFold(b []byte, w string) bool {
	if len(b) < len(w) {
		return false
	}
	for j := range len(w) {
		c := b[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[j] {
			return false
		}
	}
	return true
}
