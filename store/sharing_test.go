package store

import (
	"fmt"
	"testing"

	"liaison/stix"
)

const (
	orgA      = "identity--6d6e6f70-0000-4000-8000-00000000000a"
	orgB      = "identity--6d6e6f70-0000-4000-8000-00000000000b"
	statement = "marking-definition--6d6e6f70-0000-4000-8000-000000000001"
)

// allMarkings is every shape of markings that matters to the rules: each
// TLP level (none included), with and without AMBER+STRICT beside it, by
// either organisation or none, with and without another marking.
func allMarkings() []stix.Markings {
	var ms []stix.Markings
	for l := stix.TLPNone; l <= stix.TLPRed; l++ {
		for _, strict := range []bool{false, true} {
			if strict && l < stix.TLPAmberStrict || l == stix.TLPAmberStrict && !strict {
				continue // what stix.Peek can produce
			}
			for _, creator := range []string{"", orgA, orgB} {
				for _, others := range [][]string{nil, {statement}} {
					ms = append(ms, stix.Markings{TLP: l, Strict: strict, Creator: creator, Others: others})
				}
			}
		}
	}
	return ms
}

// allClearances is every clearance the rules tell apart.
func allClearances() []Clearance {
	var cs []Clearance
	for l := stix.TLPClear; l <= stix.TLPRed; l++ {
		for def := stix.TLPClear; def <= stix.TLPRed; def++ {
			for _, org := range []string{"", orgA, orgB} {
				for _, strictOrg := range []bool{false, true} {
					for _, allow := range [][]string{nil, {statement}} {
						cs = append(cs, Clearance{Level: l, Default: def, Org: org, StrictOrg: strictOrg && org != "", Allow: allow})
					}
				}
			}
		}
	}
	return cs
}

// TestAtLeastAsVisible checks the promise backends rely on to keep the
// versions some clients may see although a newer one exists: whenever
// AtLeastAsVisible(w, v), every clearance that admits v admits w. A
// false "true" would hide from some clients every version they may see.
func TestAtLeastAsVisible(t *testing.T) {
	ms, cs := allMarkings(), allClearances()
	for _, w := range ms {
		for _, v := range ms {
			if !AtLeastAsVisible(w, v) {
				continue
			}
			for _, c := range cs {
				if c.Admits(v) && !c.Admits(w) {
					t.Errorf("AtLeastAsVisible(%+v, %+v), but %+v admits only the second", w, v, c)
				}
			}
		}
	}
	// And it is not trivially false: a version compares with itself.
	for _, m := range ms {
		if !AtLeastAsVisible(m, m) {
			t.Errorf("AtLeastAsVisible(%+v, itself) is false", m)
		}
	}
}

// TestAdmitsStrict: the organisation rule of TLP:AMBER+STRICT holds when
// RED is there too, and for unmarked objects of a collection whose
// default is AMBER+STRICT.
func TestAdmitsStrict(t *testing.T) {
	redA := Clearance{Level: stix.TLPRed, Default: stix.TLPClear, Org: orgA}
	redB := Clearance{Level: stix.TLPRed, Default: stix.TLPClear, Org: orgB}
	named := Clearance{Level: stix.TLPRed, Default: stix.TLPClear, Org: orgB, StrictOrg: true}
	strictDefault := Clearance{Level: stix.TLPRed, Default: stix.TLPAmberStrict, Org: orgB}
	for _, tc := range []struct {
		c    Clearance
		m    stix.Markings
		want bool
	}{
		{redA, stix.Markings{TLP: stix.TLPRed, Strict: true, Creator: orgA}, true},
		{redB, stix.Markings{TLP: stix.TLPRed, Strict: true, Creator: orgA}, false},
		{named, stix.Markings{TLP: stix.TLPRed, Strict: true, Creator: orgA}, true},
		{redB, stix.Markings{TLP: stix.TLPRed, Creator: orgA}, true},
		{redB, stix.Markings{TLP: stix.TLPAmberStrict, Strict: true, Creator: orgA}, false},
		{strictDefault, stix.Markings{Creator: orgA}, false},
		{strictDefault, stix.Markings{Creator: orgB}, true},
	} {
		t.Run(fmt.Sprintf("%+v/%+v", tc.c, tc.m), func(t *testing.T) {
			if got := tc.c.Admits(tc.m); got != tc.want {
				t.Errorf("Admits = %v, want %v (%s)", got, tc.want, tc.c.Why(tc.m))
			}
		})
	}
}
