package stix

import (
	"reflect"
	"testing"
)

// TestMarkings: an object's TLP level is the most restrictive of its
// object and granular markings, TLP 1.0 and 2.0 alike; other marking
// definitions are listed; the creator is kept. Peek and MarkingsOf agree.
func TestMarkings(t *testing.T) {
	const (
		statement = "marking-definition--6d6e6f70-0000-4000-8000-00000000aaaa"
		group     = "marking-definition--6d6e6f70-0000-4000-8000-00000000bbbb"
		vendor    = "identity--6d6e6f70-0000-4000-8000-00000000cccc"
	)
	base := `{"type":"indicator","spec_version":"2.1","id":"indicator--6d6e6f70-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00.000Z"`
	for _, tc := range []struct {
		name, extra string
		want        Markings
	}{
		{"unmarked", ``, Markings{}},
		{"TLP:GREEN", `,"object_marking_refs":["` + TLPMarkingID(TLPGreen) + `"]`, Markings{TLP: TLPGreen}},
		{"TLP 1.0 WHITE is CLEAR", `,"object_marking_refs":["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]`, Markings{TLP: TLPClear}},
		{"TLP 1.0 RED", `,"object_marking_refs":["marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"]`, Markings{TLP: TLPRed}},
		{"the most restrictive wins", `,"object_marking_refs":["` + TLPMarkingID(TLPAmber) + `","` + TLPMarkingID(TLPClear) + `"]`, Markings{TLP: TLPAmber}},
		{"a granular part above the object", `,"object_marking_refs":["` + TLPMarkingID(TLPGreen) + `"],"granular_markings":[{"marking_ref":"` + TLPMarkingID(TLPRed) + `","selectors":["description"]}]`, Markings{TLP: TLPRed}},
		{"other markings, sorted and once", `,"object_marking_refs":["` + group + `","` + statement + `","` + group + `"]`, Markings{Others: []string{statement, group}}},
		{"AMBER+STRICT and its creator", `,"created_by_ref":"` + vendor + `","object_marking_refs":["` + TLPMarkingID(TLPAmberStrict) + `"]`, Markings{TLP: TLPAmberStrict, Strict: true, Creator: vendor}},
		{"AMBER+STRICT stays strict beside RED", `,"created_by_ref":"` + vendor + `","object_marking_refs":["` + TLPMarkingID(TLPAmberStrict) + `","` + TLPMarkingID(TLPRed) + `"]`, Markings{TLP: TLPRed, Strict: true, Creator: vendor}},
		{"AMBER+STRICT stays strict under a RED part", `,"created_by_ref":"` + vendor + `","object_marking_refs":["` + TLPMarkingID(TLPAmberStrict) + `"],"granular_markings":[{"marking_ref":"` + TLPMarkingID(TLPRed) + `","selectors":["description"]}]`, Markings{TLP: TLPRed, Strict: true, Creator: vendor}},
		{"a marking_ref in other case counts too", `,"object_marking_refs":["` + TLPMarkingID(TLPClear) + `"],"granular_markings":[{"selectors":["description"],"marking_ref":"` + TLPMarkingID(TLPRed) + `","Marking_Ref":"` + TLPMarkingID(TLPClear) + `"}]`, Markings{TLP: TLPRed}},
		{"a MARKING_REF of the wrong type hides nothing", `,"object_marking_refs":["` + TLPMarkingID(TLPClear) + `"],"granular_markings":[{"selectors":["description"],"marking_ref":"` + TLPMarkingID(TLPRed) + `","MARKING_REF":1}]`, Markings{TLP: TLPRed}},
		{"an escaped reference", `,"object_marking_refs":["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c\u0031"]`, Markings{TLP: TLPRed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := base + tc.extra + `}`
			o, err := Peek(0, []byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(o.Markings, tc.want) {
				t.Errorf("Peek: %+v, want %+v", o.Markings, tc.want)
			}
			if m := MarkingsOf([]byte(raw)); !reflect.DeepEqual(m, tc.want) {
				t.Errorf("MarkingsOf: %+v, want %+v", m, tc.want)
			}
		})
	}
	for name, want := range map[string]TLPLevel{"clear": TLPClear, "WHITE": TLPClear, "Green": TLPGreen, "amber": TLPAmber,
		"AMBER+STRICT": TLPAmberStrict, "TLP:RED": TLPRed} {
		if l, err := ParseTLPLevel(name); err != nil || l != want {
			t.Errorf("ParseTLPLevel(%q) = %v, %v; want %v", name, l, err, want)
		}
	}
	if _, err := ParseTLPLevel("purple"); err == nil {
		t.Error("purple is a TLP level")
	}
}

// TestMarkingsOf_Shortcut: MarkingsOf skips decoding objects whose text
// cannot name a marking property, and answers as decoding does for those
// that can, whatever the case, escapes or Unicode folds of the names.
func TestMarkingsOf_Shortcut(t *testing.T) {
	const vendor = "identity--6d6e6f70-0000-4000-8000-00000000cccc"
	base := `{"type":"indicator","spec_version":"2.1","id":"indicator--6d6e6f70-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00.000Z"`
	red := TLPMarkingID(TLPRed)
	for _, tc := range []struct {
		name, extra string
		want        Markings
	}{
		{"unmarked", ``, Markings{}},
		{"the words in a description only", `,"description":"no Marking, created by ref"`, Markings{}},
		{"a key in upper case", `,"OBJECT_MARKING_REFS":["` + red + `"]`, Markings{TLP: TLPRed}},
		{"a key with an escape", `,"object\u005fmarking_refs":["` + red + `"]`, Markings{TLP: TLPRed}},
		{"a key with the Kelvin sign", `,"object_marKing_refs":["` + red + `"]`, Markings{TLP: TLPRed}},
		{"a creator in mixed case", `,"Created_By_Ref":"` + vendor + `"`, Markings{Creator: vendor}},
		{"granular markings", `,"granular_markings":[{"marking_ref":"` + red + `","selectors":["pattern"]}]`, Markings{TLP: TLPRed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte(base + tc.extra + `}`)
			if m := MarkingsOf(raw); !reflect.DeepEqual(m, tc.want) {
				t.Errorf("MarkingsOf = %+v, want %+v", m, tc.want)
			}
			if m := markingsOfJSON(raw); !reflect.DeepEqual(m, tc.want) {
				t.Errorf("markingsOfJSON = %+v, want %+v (the case is wrong)", m, tc.want)
			}
		})
	}
}

// BenchmarkMarkingsOf reads the markings of an unmarked indicator, as a
// store does for each record stored before markings were kept.
func BenchmarkMarkingsOf(b *testing.B) {
	raw := []byte(`{"type":"indicator","spec_version":"2.1","id":"indicator--6d6e6f70-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Malicious IP 10.1.2.3 seen in campaign 7","description":"Address observed delivering a loader in campaign 7; block and hunt for earlier connections.","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '10.1.2.3']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00.000Z","labels":["c2","loader"],"confidence":50}`)
	b.Run("shortcut", func(b *testing.B) {
		for b.Loop() {
			MarkingsOf(raw)
		}
	})
	b.Run("decoded", func(b *testing.B) {
		for b.Loop() {
			markingsOfJSON(raw)
		}
	})
}

// FuzzMarkingsOf holds MarkingsOf's shortcut to what decoding the object
// reads: an object whose markings the shortcut misses would reach clients
// its TLP marking withholds it from.
func FuzzMarkingsOf(f *testing.F) {
	red := TLPMarkingID(TLPRed)
	for _, s := range []string{
		`{"type":"indicator","name":"unmarked"}`,
		`{"type":"indicator","object_marking_refs":["` + red + `"]}`,
		`{"type":"note","granular_markings":[{"marking_ref":"` + red + `","selectors":["content"]}]}`,
		`{"type":"x-custom","Created_By_Ref":"identity--6d6e6f70-0000-4000-8000-00000000cccc"}`,
		`{"type":"indicator","object\u005fmarking_refs":["` + red + `"]}`,
		`{"type":"indicator","object_marKing_refs":["` + red + `"]}`,
		`{"type":"indicator","description":"object_marking_refs"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := MarkingsOf(raw), markingsOfJSON(raw); !reflect.DeepEqual(got, want) {
			t.Fatalf("MarkingsOf(%q) = %+v, decoding reads %+v", raw, got, want)
		}
	})
}
