package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"liaison/stix"
	"liaison/stix/coopfeed"
)

// TestExplain: liaison explain says whether a demo account sees an object
// and why, offline and online alike.
func TestExplain(t *testing.T) {
	m := MustRunMain(t, "--demo")
	raws, err := stix.DecodeEnvelope(coopfeed.Sample(), 0)
	if err != nil {
		t.Fatal(err)
	}
	first := map[stix.TLPLevel]stix.Object{}
	for i, raw := range raws {
		o, err := stix.Peek(i, raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := first[o.Markings.TLP]; !ok && (o.Markings.TLP != stix.TLPAmberStrict || o.Markings.Creator == demoVendor) {
			first[o.Markings.TLP] = o
		}
	}
	cases := []struct {
		who   string
		level stix.TLPLevel
		want  []string
	}{
		{"anonymous", stix.TLPClear, []string{"anonymous reads cooperation/operation-feed with clearance TLP:CLEAR, from the collection's clearance for anonymous clients", "visible: TLP:CLEAR is within the clearance", "is served version"}},
		{"bluewater", stix.TLPAmber, []string{"(organisation identity--20381f8f", "with clearance TLP:GREEN, from its grant", "hidden : TLP:AMBER is above the clearance, TLP:GREEN", "does not exist for bluewater: every request for it answers 404"}},
		{"interpol", stix.TLPAmberStrict, []string{"hidden : TLP:AMBER+STRICT is shared only with the organisation that created it (" + demoVendor + ")", "the principal's is identity--69d7f74f"}},
		{"demo", stix.TLPAmberStrict, []string{"with clearance TLP:RED", "visible: TLP:AMBER+STRICT is within the clearance", "So demo is served version"}},
		{"demo-admin", stix.TLPAmber, []string{"the default clearance: it is an admin without a grant", "hidden : TLP:AMBER is above the clearance, TLP:GREEN"}},
	}
	explain := func(target ...string) []string {
		var outs []string
		for _, tc := range cases {
			o, ok := first[tc.level]
			if !ok {
				t.Fatalf("the sample has no object at %v", tc.level)
			}
			code, out, errOut := cmdline(t, "", append([]string{"explain", "--user", tc.who, "--collection", "operation-feed", o.ID}, target...)...)
			if code != 0 {
				t.Fatalf("explain %s %s = %d %s", tc.who, o.ID, code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("explain --user %s %s (%v) lacks %q:\n%s", tc.who, o.ID, tc.level, w, out)
				}
			}
			outs = append(outs, out)
		}
		return outs
	}
	online := explain("--server", m.URL, "--api-key", m.Demo.AdminKey)
	if code, _, errOut := cmdline(t, "", "explain", "--user", "ghost", "--collection", "operation-feed", first[stix.TLPClear].ID, "--server", m.URL, "--api-key", m.Demo.AdminKey); code != 1 || !strings.Contains(errOut, "ghost") {
		t.Errorf("explain for an unknown user = %d %s", code, errOut)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if offline := explain("--db", m.Config.DBPath); !slices.Equal(online, offline) {
		t.Errorf("online and offline explanations differ:\n%q\n%q", online, offline)
	}
}

// TestDefaultMarkingLowered: lowering a collection's default marking
// shares the unmarked objects it already holds more widely; the command
// says so. Raising it, or lowering it on an empty collection, says
// nothing.
func TestDefaultMarkingLowered(t *testing.T) {
	db := filepath.Join(t.TempDir(), "l.db")
	run := func(stdin string, args ...string) string {
		t.Helper()
		code, _, errOut := cmdline(t, stdin, append(args, "--db", db)...)
		if code != 0 {
			t.Fatalf("%v = %d: %s", args, code, errOut)
		}
		return errOut
	}
	run("", "apiroot", "add", "r", "--title", "R")
	run("", "collection", "add", "--api-root", "r", "--title", "C", "--alias", "c", "--default-marking", "amber")
	if errOut := run("", "collection", "update", "c", "--default-marking", "green"); strings.Contains(errOut, "note:") {
		t.Errorf("lowering the default of an empty collection: %q", errOut)
	}
	run(`{"objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--6d6e6f70-0000-4000-8000-0000000000c1","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}]}`,
		"import", "--collection", "c", "-")
	if errOut := run("", "collection", "update", "c", "--default-marking", "red"); strings.Contains(errOut, "note:") {
		t.Errorf("raising the default: %q", errOut)
	}
	if errOut := run("", "collection", "update", "c", "--default-marking", "clear"); !strings.Contains(errOut, "note: the unmarked objects already in the collection are now TLP:CLEAR, not TLP:RED") {
		t.Errorf("lowering the default of a collection with objects: %q", errOut)
	}
}
