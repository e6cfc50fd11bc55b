package store

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"liaison/stix"
)

// Sharing by data markings (TLP 2.0 and 1.0): each object version carries
// its stix.Markings; each client reads a collection with a Clearance; a
// version the clearance does not admit does not exist for that client.
// See the package documentation, "Sharing by markings".

// DefaultGrantClearance is the clearance of a grant that names none: new
// grants default to GREEN, not to everything; RED is an explicit choice.
const DefaultGrantClearance = stix.TLPGreen

// DefaultAnonymousClearance is what anonymous clients of a public-read
// collection may see unless the collection says otherwise.
const DefaultAnonymousClearance = stix.TLPClear

// DefaultMarking is the TLP level of unmarked objects in a collection
// that sets none: CLEAR, as before markings were enforced.
const DefaultMarking = stix.TLPClear

// Clearance is what one client may see of one collection.
type Clearance struct {
	// Level is the highest TLP level the client may receive.
	Level stix.TLPLevel
	// Allow are the marking definitions other than TLP's (statements,
	// sharing groups, custom markings) the client may receive; an object
	// carrying any other is withheld.
	Allow []string
	// Org is the identity id of the client's organisation, and StrictOrg
	// whether the collection shares its TLP:AMBER+STRICT objects with that
	// organisation (its strict-org setting names it): AMBER+STRICT objects
	// are visible only to their creator's organisation and to those.
	Org       string
	StrictOrg bool
	// Default is the TLP level of unmarked objects in the collection (its
	// default marking): it applies when a version carries no TLP marking.
	Default stix.TLPLevel
}

// Admits reports whether a client with clearance c may see a version with
// markings m.
func (c *Clearance) Admits(m stix.Markings) bool {
	if !c.AdmitsPost(m) {
		return false
	}
	// TLP 2.0: AMBER+STRICT restricts sharing to the recipient's
	// organisation; Liaison reads the object's creator as that
	// organisation, and the collection may name others.
	return !c.strictRefuses(m)
}

// strictRefuses reports whether the organisation rule of TLP:AMBER+STRICT
// withholds m from c: m carries AMBER+STRICT (even beside RED), or is
// unmarked in a collection whose default marking is AMBER+STRICT, and c's
// organisation is neither m's creator nor one the collection names.
func (c *Clearance) strictRefuses(m stix.Markings) bool {
	strict := m.Strict || c.level(m) == stix.TLPAmberStrict
	return strict && !c.StrictOrg && (c.Org == "" || c.Org != m.Creator)
}

// AdmitsPost reports whether a client with clearance c may post a version
// with markings m: one at or below its clearance, by TLP level and other
// markings. The organisation rule of TLP:AMBER+STRICT is about who may
// read: a writer cleared for AMBER+STRICT may post another
// organisation's, which that organisation then reads.
func (c *Clearance) AdmitsPost(m stix.Markings) bool {
	if c.level(m) > c.Level {
		return false
	}
	for _, id := range m.Others {
		if !slices.Contains(c.Allow, id) {
			return false
		}
	}
	return true
}

// level is m's TLP level in c's collection: an unmarked version has the
// collection's default.
func (c *Clearance) level(m stix.Markings) stix.TLPLevel {
	if m.TLP == stix.TLPNone {
		return c.Default
	}
	return m.TLP
}

// AtLeastAsVisible reports whether every clearance that admits a version
// marked v also admits one marked w, whatever the collection's default:
// then a client that may see v may see w. Backends use it to find the
// versions that are the newest some clients may see although a newer one
// exists.
func AtLeastAsVisible(w, v stix.Markings) bool {
	for _, id := range w.Others {
		if !slices.Contains(v.Others, id) {
			return false
		}
	}
	if w.TLP == stix.TLPNone || v.TLP == stix.TLPNone {
		// The default may be anything, AMBER+STRICT included: only two
		// unmarked versions by the same creator compare.
		return w.TLP == v.TLP && w.Creator == v.Creator
	}
	if isStrict(w) && !(isStrict(v) && w.Creator == v.Creator) {
		return false
	}
	// A strict w is TLP:AMBER+STRICT or above, and so is v then; a w that
	// is not strict is below or above AMBER+STRICT, never at it.
	return w.TLP <= v.TLP
}

func isStrict(m stix.Markings) bool { return m.Strict || m.TLP == stix.TLPAmberStrict }

// ClearanceLevel parses a clearance or default marking setting ("" is
// def).
func ClearanceLevel(s string, def stix.TLPLevel) (stix.TLPLevel, error) {
	if s == "" {
		return def, nil
	}
	l, err := stix.ParseTLPLevel(s)
	if err != nil {
		return stix.TLPNone, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return l, nil
}

// checkMarkingIDs refuses, with ErrInvalid, what is not a marking
// definition id.
func checkMarkingIDs(what string, ids []string) error {
	for _, id := range ids {
		if typ, _, ok := stix.SplitID(id); !ok || typ != "marking-definition" {
			return fmt.Errorf("%s: %w: %q is not a marking-definition id", what, ErrInvalid, id)
		}
	}
	return nil
}

// checkOrgs refuses, with ErrInvalid, what is not an identity id.
func checkOrgs(what string, ids []string) error {
	for _, id := range ids {
		if typ, _, ok := stix.SplitID(id); !ok || typ != "identity" {
			return fmt.Errorf("%s: %w: %q is not an identity id (an organisation is named by its STIX identity)", what, ErrInvalid, id)
		}
	}
	return nil
}

// CheckOrg refuses, with ErrInvalid, an organisation that is not an
// identity id ("" is none).
func CheckOrg(org string) error {
	if org == "" {
		return nil
	}
	return checkOrgs("organisation", []string{org})
}

// GrantClearance is the clearance a grant gives on collection c to a user
// of organisation org.
func GrantClearance(g Grant, org string, c Collection) Clearance {
	level, _ := ClearanceLevel(g.Clearance, DefaultGrantClearance) // checked when set
	return Clearance{Level: level, Allow: g.AllowMarkings, Org: org, StrictOrg: org != "" && slices.Contains(c.StrictOrgs, org),
		Default: c.defaultMarking()}
}

// AnonymousClearance is the clearance of clients reading collection c
// because it is public-read.
func AnonymousClearance(c Collection) Clearance {
	level, _ := ClearanceLevel(c.AnonymousClearance, DefaultAnonymousClearance)
	return Clearance{Level: level, Default: c.defaultMarking()}
}

func (c Collection) defaultMarking() stix.TLPLevel {
	l, _ := ClearanceLevel(c.DefaultMarking, DefaultMarking)
	return l
}

// describeClearance is how messages name a clearance.
func describeClearance(c Clearance) string {
	s := "TLP:" + strings.ToUpper(c.Level.String())
	if len(c.Allow) > 0 {
		s += fmt.Sprintf(" and %d other markings", len(c.Allow))
	}
	return s
}

// Access says what a principal may do with collection c and what it may
// see and post: the rights and clearance of its grant; an admin may read
// and write but is not exempt from markings (without a grant it has the
// default clearance); a principal without a read grant reads a
// public-read collection with the collection's anonymous clearance (a
// write-only grant posts with its own). why says where the reading
// clearance comes from. Authentication and liaison explain both decide
// with it.
func Access(admin bool, grants map[string]Grant, org string, c Collection) (read, write bool, cl, post Clearance, why string) {
	g, granted := grants[c.ID]
	cl = GrantClearance(g, org, c) // the default clearance when !granted
	post = cl
	read, write, why = g.Read, g.Write, "its grant on the collection"
	switch {
	case admin:
		read, write = true, true
		if !granted {
			why = "the default clearance: it is an admin without a grant on the collection (admins are not exempt)"
		}
	case !read && c.PublicRead:
		read, cl, why = true, AnonymousClearance(c), "the collection's clearance for anonymous clients: it is public-read, and the principal has no grant to read it"
	}
	return read, write, cl, post, why
}

// Why says why a clearance admits, or not, a version with markings m.
func (c *Clearance) Why(m stix.Markings) string {
	level := c.level(m)
	name := "TLP:" + strings.ToUpper(level.String())
	if m.TLP == stix.TLPNone {
		name += " (unmarked: the collection's default marking)"
	}
	switch {
	case level > c.Level:
		return fmt.Sprintf("%s is above the clearance, TLP:%s", name, strings.ToUpper(c.Level.String()))
	case c.strictRefuses(m):
		if level != stix.TLPAmberStrict {
			name += " and TLP:AMBER+STRICT"
		}
		org := c.Org
		if org == "" {
			org = "none"
		}
		return fmt.Sprintf("%s is shared only with the organisation that created it (%s) and those the collection names; the principal's is %s",
			name, cmp.Or(m.Creator, "no created_by_ref"), org)
	}
	for _, id := range m.Others {
		if !slices.Contains(c.Allow, id) {
			return fmt.Sprintf("%s, but it is also marked %s, which the grant does not allow", name, id)
		}
	}
	return fmt.Sprintf("%s is within the clearance, TLP:%s", name, strings.ToUpper(c.Level.String()))
}
