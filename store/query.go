package store

import (
	"slices"
	"time"

	"liaison/stix"
)

// VersionSelect is the match[version] filter (TAXII 2.1 §3.4.1). The zero
// value selects the latest version, the TAXII default.
type VersionSelect struct {
	All   bool
	First bool
	Last  bool
	At    []time.Time // explicit versions, matched as instants
}

// IsZero reports whether no selection was made (the default applies).
func (v VersionSelect) IsZero() bool {
	return !v.All && !v.First && !v.Last && len(v.At) == 0
}

// Query selects object versions of one collection, in date_added order.
// The order its filters apply in is a rule of the contract (see the
// package documentation, "Filters").
type Query struct {
	// ObjectID restricts the query to one object; Query then returns
	// ErrObjectNotFound if the collection holds no version of it.
	ObjectID     string
	IDs          []string
	Types        []string
	Versions     VersionSelect
	SpecVersions []string
	AddedAfter   time.Time // zero: no filter
	// After is a paging position: only versions with a later date_added
	// (unix microseconds) are returned.
	After uint64
	// Limit is the page size; it must be positive.
	Limit int
	// NoBody leaves Record.Raw nil (manifest and versions need no objects).
	NoBody bool
	// Clearance, when set, is what the client may see: the versions it
	// does not admit do not exist for the query, before any other filter
	// (see the package documentation, "Sharing by markings").
	Clearance *Clearance
	// MaxScan bounds the index entries one page may visit, and MaxBytes the
	// object bytes it may hold (0: DefaultMaxScan, DefaultMaxPageBytes). A
	// page that reaches either ends early with More set, so that a sparse
	// filter or huge objects cannot make one request arbitrarily costly.
	MaxScan  int
	MaxBytes int
}

// Defaults of Query.MaxScan and Query.MaxBytes.
const (
	DefaultMaxScan      = 100_000
	DefaultMaxPageBytes = 32 << 20
)

// Record is one object version in a query's result.
type Record struct {
	DateAdded   time.Time
	Position    uint64 // date_added in unix microseconds, for cursors
	ID          string
	VersionText string
	SpecVersion string
	Markings    stix.Markings
	Raw         []byte // the stored JSON, the caller's to keep and change
}

// Page is one page of a query's result.
type Page struct {
	Records []Record
	// More reports whether more versions may match after this page: exact
	// when the page is full (one more was found), possibly true with
	// nothing left when the page ended at MaxScan or MaxBytes.
	More bool
	// Resume is the position to continue from when More is set: the last
	// record's, or just before the entry where the page stopped when it
	// ended at MaxScan.
	Resume uint64
	// Scanned counts the index entries (or rows) the query visited, a
	// measure of its cost: the conformance suite checks that it does not
	// grow with the collection.
	Scanned int
}

// DeleteChoice returns the indexes, into vs, of the versions of one object
// that a DELETE with versions and specVersions removes (TAXII 2.1 §5.7,
// with the match[version] and match[spec_version] filters of §3.6); vs are
// the versions the client may see. Without match[version] every version of
// the spec versions asked for goes. With it, versions are chosen as GET
// chooses them: among the spec versions asked for or, when none is asked
// for, among the latest spec version's. The backends pass what they know
// of a version through spec, less (the order by version, then
// date_added) and at (whether the version is one of versions.At).
func DeleteChoice[V any](vs []V, spec func(*V) string, less func(a, b *V) bool, at func(*V) bool, versions VersionSelect, specVersions []string) []int {
	specs := specVersions
	if len(specs) == 0 && !versions.IsZero() && !versions.All {
		latest := ""
		for i := range vs {
			if s := spec(&vs[i]); latest == "" || SpecVersionLess(latest, s) {
				latest = s
			}
		}
		specs = []string{latest}
	}
	var candidates []int
	for i := range vs {
		if len(specs) == 0 || slices.Contains(specs, spec(&vs[i])) {
			candidates = append(candidates, i)
		}
	}
	first, last := -1, -1
	for _, i := range candidates {
		if first < 0 || less(&vs[i], &vs[first]) {
			first = i
		}
		if last < 0 || less(&vs[last], &vs[i]) {
			last = i
		}
	}
	var chosen []int
	for _, i := range candidates {
		if versions.IsZero() || versions.All || at(&vs[i]) ||
			(versions.First && i == first) || (versions.Last && i == last) {
			chosen = append(chosen, i)
		}
	}
	return chosen
}
