package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"liaison/stix/coopfeed"
)

// schemaSharedDir is the directory of the vendored OASIS schemas and examples,
// outside the repository (../shared from the repository root).
const schemaSharedDir = "../../shared/stix2-json-schemas"

var schemaTestOnce = sync.OnceValues(newSchemaSet)

func schemaTestSet(tb testing.TB) *schemaSet {
	tb.Helper()
	s, err := schemaTestOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// schemaTestDecode decodes as the ingest path does: json.Decoder.UseNumber.
func schemaTestDecode(tb testing.TB, raw []byte) any {
	tb.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		tb.Fatalf("decode %.80s: %v", raw, err)
	}
	return v
}

func schemaTestType(v any) string {
	m, _ := v.(map[string]any)
	t, _ := m["type"].(string)
	return t
}

// schemaTestObjects returns the objects of a bundle, or the file itself when it
// is a single object.
func schemaTestObjects(tb testing.TB, raw []byte) []any {
	tb.Helper()
	v := schemaTestDecode(tb, raw)
	m, _ := v.(map[string]any)
	if objs, ok := m["objects"].([]any); ok {
		return objs
	}
	return []any{v}
}

func TestSchemaSetCompiles(t *testing.T) {
	s := schemaTestSet(t)
	want := 19 + 2 + 18 + 3
	for _, p := range []schemaPolicy{s.accept, s.refuse} {
		if len(p.byType) != want {
			t.Errorf("%d object types, want %d: %v", len(p.byType), want, slices.Sorted(maps.Keys(p.byType)))
		}
		if p.customSDO == nil || p.customSCO == nil {
			t.Error("custom core schemas missing")
		}
	}
	for typ := range schemaRichObjects {
		if s.accept.byType[typ] == nil {
			t.Errorf("no schema for %s", typ)
		}
	}
}

// TestSchemaFilesIDs checks the conventions of the schema files: draft
// 2020-12, an $id under schemaBaseURL matching the file (except the two
// custom content policies, which are served at common/custom.json).
func TestSchemaFilesIDs(t *testing.T) {
	err := fs.WalkDir(schemaFiles, "schemas", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := schemaFiles.ReadFile(p)
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("%s: $schema %v", p, doc["$schema"])
		}
		name := strings.TrimPrefix(p, "schemas/")
		id, hasID := doc["$id"]
		switch {
		case strings.HasSuffix(name, "custom.json"):
			if hasID {
				t.Errorf("%s: a custom content policy must not declare $id", p)
			}
		case id != schemaBaseURL+name:
			t.Errorf("%s: $id %v, want %s", p, id, schemaBaseURL+name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSchemaFilesConsistent checks the copies the schema files make for
// speed: every object schema repeats the common properties of its core
// (common/sdo.json, common/sco.json) and the scalar types of common/ inline.
func TestSchemaFilesConsistent(t *testing.T) {
	load := func(name string) map[string]any {
		b, err := schemaFiles.ReadFile("schemas/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return doc
	}
	cores := map[string]map[string]any{"sdo": load("common/sdo.json"), "sco": load("common/sco.json")}
	err := fs.WalkDir(schemaFiles, "schemas", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := strings.TrimPrefix(p, "schemas/")
		doc := load(name)
		schemaWalkJSON(doc, func(m map[string]any) {
			if f, _ := m["format"].(string); f != "" && f != "stix-property-names" && m["type"] != "string" {
				t.Errorf("%s: format %s without type string: %v", name, f, m)
			}
			if m["type"] == "integer" {
				lo, _ := m["minimum"].(float64)
				hi, _ := m["maximum"].(float64)
				if lo < -9007199254740991 || hi > 9007199254740991 || m["minimum"] == nil || m["maximum"] == nil {
					t.Errorf("%s: integer outside the 54 bits of STIX 2.1 §2.10: %v", name, m)
				}
			}
		})
		dir, _, _ := strings.Cut(name, "/")
		core := map[string]string{"sdo": "sdo", "sro": "sdo", "sco": "sco", "meta": "sdo"}[dir]
		if core == "" {
			return nil
		}
		if doc["format"] != "stix-property-names" || doc["type"] != "object" {
			t.Errorf("%s: an object schema must be an object with format stix-property-names", name)
		}
		props, _ := doc["properties"].(map[string]any)
		coreProps := cores[core]["properties"].(map[string]any)
		for prop, def := range coreProps {
			own, ok := props[prop]
			switch {
			case !ok && dir == "meta":
				continue // meta objects use some of the common properties
			case dir == "meta" && schemaJSONContains(own, map[string]any{"not": map[string]any{}}):
				continue // and forbid some: marking definitions are not versioned (§7.2.1)
			case !ok:
				t.Errorf("%s: common property %s missing", name, prop)
			case !schemaJSONContains(own, def):
				t.Errorf("%s: %s differs from common/%s.json:\n  %v\n  %v", name, prop, core, own, def)
			}
		}
		if dir != "meta" {
			req, _ := doc["required"].([]any)
			for _, r := range cores[core]["required"].([]any) {
				if !slices.Contains(req, r) {
					t.Errorf("%s: common property %v not required", name, r)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func schemaWalkJSON(v any, f func(map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		f(v)
		for _, x := range v {
			schemaWalkJSON(x, f)
		}
	case []any:
		for _, x := range v {
			schemaWalkJSON(x, f)
		}
	}
}

// schemaJSONContains reports whether schema a has every keyword of b with
// the same value, $refs compared across directories.
func schemaJSONContains(a, b any) bool {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		as, _ := a.(string)
		bs, _ := b.(string)
		if as != "" && bs != "" {
			return strings.TrimPrefix(as, "../common/") == strings.TrimPrefix(bs, "../common/")
		}
		return reflect.DeepEqual(a, b)
	}
	for k, bv := range bm {
		av, ok := am[k]
		if !ok || !schemaJSONContains(av, bv) {
			return false
		}
	}
	return true
}

// TestSchemaExamples: every example object OASIS publishes is accepted.
func TestSchemaExamples(t *testing.T) {
	dir := filepath.Join(schemaSharedDir, "examples")
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent (../shared is not checked out next to the repository): skipping the OASIS examples", dir)
	}
	s := schemaTestSet(t)
	n := 0
	for _, pattern := range []string{"*.json", "threat-reports/*.json"} {
		files, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, obj := range schemaTestObjects(t, raw) {
				n++
				if ps := s.validate(schemaTestType(obj), obj, false); ps != nil {
					t.Errorf("%s: %v: %v", filepath.Base(f), obj.(map[string]any)["id"], ps)
				}
			}
		}
	}
	if n < 250 {
		t.Errorf("only %d example objects found", n)
	}
}

// TestSchemaCoopfeed: the project's demo feed is valid STIX, with and
// without custom content allowed (it has none).
func TestSchemaCoopfeed(t *testing.T) {
	s := schemaTestSet(t)
	var gen bytes.Buffer
	if err := coopfeed.Generate(&gen, coopfeed.Options{Objects: 5000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string][]byte{"sample": coopfeed.Sample(), "generated": gen.Bytes()} {
		objs := schemaTestObjects(t, raw)
		if len(objs) < 250 {
			t.Fatalf("%s: %d objects", name, len(objs))
		}
		for _, obj := range objs {
			for _, strict := range []bool{false, true} {
				if ps := s.validate(schemaTestType(obj), obj, strict); ps != nil {
					t.Fatalf("%s: %v (rejectCustom %v): %v", name, obj.(map[string]any)["id"], strict, ps)
				}
			}
		}
	}
}

// TestSchemaRichObjects: the rich instance of every type is valid, also
// when custom content is refused (they carry none).
func TestSchemaRichObjects(t *testing.T) {
	s := schemaTestSet(t)
	for _, typ := range slices.Sorted(maps.Keys(schemaRichObjects)) {
		obj := schemaTestObject(t, typ)
		for _, strict := range []bool{false, true} {
			if ps := s.validate(typ, obj, strict); ps != nil {
				t.Errorf("%s (rejectCustom %v): %v", typ, strict, ps)
			}
		}
	}
}

func TestSchemaProblems(t *testing.T) {
	s := schemaTestSet(t)
	tests := []struct {
		name   string
		typ    string
		patch  map[string]any // nil value: delete
		expect []string
	}{
		{"missing required", "indicator", map[string]any{"pattern_type": nil},
			[]string{"pattern_type: required property is missing"}},
		{"impossible date", "indicator", map[string]any{"created": "2023-02-30T00:00:00Z", "modified": "2023-03-01T00:00:00.000Z"},
			[]string{`created: "2023-02-30T00:00:00Z" is not a valid timestamp: YYYY-MM-DDTHH:MM:SS.sss[s+]Z, a real date in UTC (STIX 2.1 §2.16, §3.2)`}},
		{"created without milliseconds", "indicator", map[string]any{"created": "2016-01-01T00:00:00Z"},
			[]string{`created: "2016-01-01T00:00:00Z" must have at least millisecond precision, such as 2016-01-01T00:00:00.000Z (STIX 2.1 §3.2)`}},
		{"wrong JSON type", "indicator", map[string]any{"confidence": "high"},
			[]string{`confidence: must be an integer, not a string`}},
		{"out of range", "indicator", map[string]any{"confidence": json.Number("101")},
			[]string{`confidence: must be at most 100, not 101`}},
		{"empty list", "indicator", map[string]any{"labels": []any{}},
			[]string{`labels: must not be an empty list (STIX 2.1 §2.12)`}},
		{"reference of the wrong type", "indicator", map[string]any{"created_by_ref": "tool--5510f82d-4ebe-4632-9beb-cf4dfffb3fb5"},
			[]string{`created_by_ref: must reference an identity (got "tool--5510f82d-4ebe-4632-9beb-cf4dfffb3fb5")`}},
		{"bad identifier", "indicator", map[string]any{"id": "indicator--1234"},
			[]string{`id: "indicator--1234" is not a STIX identifier: <object-type>--<RFC 4122 UUID> (STIX 2.1 §2.9)`}},
		{"nested path", "indicator", map[string]any{"external_references": []any{map[string]any{"source_name": "x"}}},
			[]string{`external_references[0]: an external reference must have at least one of description, url or external_id besides source_name (STIX 2.1 §2.5.2)`}},
		{"closed vocabulary", "opinion", map[string]any{"opinion": "maybe"},
			[]string{`opinion: "maybe" is not one of "strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"`}},
		{"rule", "malware", map[string]any{"is_family": true, "name": nil},
			[]string{`name: a malware family must have a name (STIX 2.1 §4.11)`}},
		{"dependent property", "location", map[string]any{"longitude": nil},
			[]string{`longitude: required property is missing: it must be present when latitude is`,
				`longitude: required property is missing: it must be present when precision is`}},
		{"type constant", "indicator", map[string]any{"type": "malware"},
			[]string{`type: must be "indicator", not "malware"`}},
		{"bad property name", "indicator", map[string]any{"X-Thing": "v"},
			[]string{`X-Thing: "X-Thing" is not a valid property name: 3 to 250 characters a-z, 0-9 and _, starting with a letter (STIX 2.1 §3.1, §11.1)`}},
		{"reserved name", "indicator", map[string]any{"severity": "high"},
			[]string{`severity: is a reserved property name that must not be used (STIX 2.1 §3.8)`}},
		{"hash digest", "file", map[string]any{"hashes": map[string]any{"MD5": "abc"}},
			[]string{`hashes.MD5: must be an MD5 digest: 32 hexadecimal digits (got "abc")`}},
		{"one of two", "observed-data", map[string]any{"objects": map[string]any{"0": map[string]any{"type": "ipv4-addr", "value": "198.51.100.1"}}},
			[]string{`observed data must have exactly one of objects or object_refs (STIX 2.1 §4.14)`}},
		{"predefined extension", "file", map[string]any{"extensions": map[string]any{"ntfs-ext": map[string]any{}}},
			[]string{`extensions.ntfs-ext: must contain at least one property of the extension (STIX 2.1 §6.7.3)`}},
		{"TLP 1.0 altered", "tlp1-white", map[string]any{"definition": map[string]any{"tlp": "green"}},
			[]string{`definition: TLP:WHITE must be the predefined object: name TLP:WHITE, created 2017-01-20T00:00:00.000Z, definition_type tlp, definition {"tlp": "white"} and nothing else (STIX 2.1 §7.2.1.4)`}},
		{"marking definition with modified and revoked", "marking-definition", map[string]any{"modified": "2024-01-01T00:00:00.000Z", "revoked": true},
			[]string{`modified: must not be used: marking definitions are not versioned and have neither modified nor revoked (STIX 2.1 §7.2.1)`,
				`revoked: must not be used: marking definitions are not versioned and have neither modified nor revoked (STIX 2.1 §7.2.1)`}},
		{"either-or rule", "artifact", map[string]any{"url": "https://example.com/a.zip"},
			[]string{`an artifact must have exactly one of payload_bin or url (STIX 2.1 §6.1)`}},
		{"contains", "observed-data", map[string]any{"object_refs": []any{"relationship--5510f82d-4ebe-4632-9beb-cf4dfffb3fb5"}},
			[]string{`object_refs: must reference at least one cyber-observable object (STIX 2.1 §4.14)`}},
		{"rule with contains", "extension-definition", map[string]any{"extension_types": []any{"new-sdo"}},
			[]string{`extension_types: extension_properties may only be used when extension_types includes toplevel-property-extension (STIX 2.1 §7.3.1)`}},
		{"extension name", "file", map[string]any{"extensions": map[string]any{"foo": map[string]any{"abc": json.Number("1")}}},
			[]string{`extensions.foo: must be a predefined extension name, the id of an extension definition, or a custom extension name ending in -ext (STIX 2.1 §6, §11.3.1)`}},
		{"number beyond a double", "indicator", map[string]any{"confidence": json.Number("1e10000000")},
			[]string{`confidence: 1e10000000 is not a number STIX can carry: numbers are IEEE 754 doubles and integers 54-bit (STIX 2.1 §2.6, §2.10)`}},
		{"number beyond a double, nested", "indicator", map[string]any{"x_acme": map[string]any{"a/b~c%d": []any{json.Number("1e-999")}}},
			[]string{`x_acme.a/b~c%d[0]: 1e-999 is not a number STIX can carry: numbers are IEEE 754 doubles and integers 54-bit (STIX 2.1 §2.6, §2.10)`}},
		{"not an object", "indicator", nil, []string{`must be an object, not a string`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var obj any = "indicator"
			if tt.patch != nil {
				obj = schemaTestPatched(t, tt.typ, tt.patch)
			}
			typ := tt.typ
			if _, ok := schemaMoreObjects[typ]; ok {
				typ = schemaTestType(obj)
			}
			var got []string
			for _, p := range s.validate(typ, obj, false) {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tt.expect) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.expect, "\n  "))
			}
		})
	}
}

// TestSchemaProblemsRefused: the report when custom content is refused.
func TestSchemaProblemsRefused(t *testing.T) {
	s := schemaTestSet(t)
	tests := []struct {
		name   string
		typ    string
		patch  map[string]any
		expect []string
	}{
		{"custom property among other problems", "indicator", map[string]any{"x_acme_score": "1", "created": "2016-13-01T00:00:00.000Z"},
			[]string{`created: "2016-13-01T00:00:00.000Z" is not a valid timestamp: YYYY-MM-DDTHH:MM:SS.sss[s+]Z, a real date in UTC (STIX 2.1 §2.16, §3.2)`,
				`x_acme_score: is a custom property, which this collection does not accept`}},
		{"custom extension", "file", map[string]any{"extensions": map[string]any{"x-acme-ext": map[string]any{"foo_val": "1"}}},
			[]string{`extensions.x-acme-ext: is a custom extension, which this collection does not accept`}},
		{"custom property in a predefined extension", "file", map[string]any{"extensions": map[string]any{"ntfs-ext": map[string]any{"sid": "1", "x_flag": true}}},
			[]string{`extensions.ntfs-ext.x_flag: is a custom property, which this collection does not accept`}},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range s.validate(tt.typ, schemaTestPatched(t, tt.typ, tt.patch), true) {
			got = append(got, p.String())
		}
		if !slices.Equal(got, tt.expect) {
			t.Errorf("%s: got\n  %s\nwant\n  %s", tt.name, strings.Join(got, "\n  "), strings.Join(tt.expect, "\n  "))
		}
	}
	ps := s.validate("x-acme-widget", map[string]any{"type": "x-acme-widget"}, true)
	if len(ps) != 1 || ps[0].String() != `type: "x-acme-widget" is a custom object type, which this collection does not accept` {
		t.Errorf("custom type: %v", ps)
	}
}

// TestSchemaWarnings: what breaks a format only in ways real feeds do and
// python-stix2 accepts is a warning; the rest of the format is an error.
func TestSchemaWarnings(t *testing.T) {
	s := schemaTestSet(t)
	tests := []struct {
		name   string
		typ    string
		patch  map[string]any
		expect []Problem
	}{
		{"upper-case hex", "file", map[string]any{"magic_number_hex": "504B0304"},
			[]Problem{{"magic_number_hex", `"504B0304" has upper-case letters: hex is written with 0-9 and a-f (STIX 2.1 §2.8)`, true}}},
		{"upper-case hex beside an error", "file", map[string]any{"magic_number_hex": "FF", "size": "big"},
			[]Problem{{"size", "must be an integer, not a string", false}, {"magic_number_hex", `"FF" has upper-case letters: hex is written with 0-9 and a-f (STIX 2.1 §2.8)`, true}}},
		{"odd hex", "file", map[string]any{"magic_number_hex": "FFF"},
			[]Problem{{"magic_number_hex", `"FFF" is not hex: an even number of the characters 0-9 and a-f (STIX 2.1 §2.8)`, false}}},
		{"relative url value", "url", map[string]any{"value": "index.html?q=1"},
			[]Problem{{"value", `"index.html?q=1" is a relative reference, not a URL with a scheme (STIX 2.1 §6.15, RFC 3986 §1.1.3)`, true}}},
		{"url value with a space", "url", map[string]any{"value": "a b"},
			[]Problem{{"value", `"a b" is not a URL (RFC 3986) (STIX 2.1 §6.15)`, false}}},
		{"relative artifact url", "artifact-url", map[string]any{"url": "/a.zip"},
			[]Problem{{"url", `"/a.zip" is not a URL (RFC 3986) (STIX 2.1 §6.15)`, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := schemaTestPatched(t, tt.typ, tt.patch)
			if got := s.validate(schemaTestType(obj), obj, false); !slices.Equal(got, tt.expect) {
				t.Errorf("got\n  %q\nwant\n  %q", got, tt.expect)
			}
		})
	}
}

// TestSchemaProblemsBoundedWarnings: the note about problems left out is
// an error only when errors were left out.
func TestSchemaProblemsBoundedWarnings(t *testing.T) {
	for _, nErrors := range []int{0, 1, schemaMaxProblems + 1} {
		r := schemaReport{}
		for i := range nErrors {
			r.add(fmt.Sprintf("/e%02d", i), "", "an error")
		}
		for i := range schemaMaxProblems + 1 {
			r.problems = append(r.problems, schemaProblem{Problem: Problem{Property: fmt.Sprintf("w%02d", i), Message: "a warning", Warning: true}})
		}
		ps := r.result()
		note := ps[len(ps)-1]
		if len(ps) != schemaMaxProblems || note.Warning != (nErrors < schemaMaxProblems) || nErrors > 0 && ps[0].Warning {
			t.Errorf("%d errors: %d problems, first %+v, last %+v", nErrors, len(ps), ps[0], note)
		}
	}
}

// TestSchemaProblemsBounded: a hostile object gets a short report.
func TestSchemaProblemsBounded(t *testing.T) {
	s := schemaTestSet(t)
	obj := schemaTestObject(t, "indicator").(map[string]any)
	for _, k := range []string{"created", "modified", "valid_from", "valid_until", "pattern", "name", "description",
		"labels", "confidence", "lang", "external_references", "object_marking_refs", "granular_markings"} {
		obj[k] = json.Number("1")
	}
	ps := s.validate("indicator", obj, false)
	if len(ps) != schemaMaxProblems || !strings.HasSuffix(ps[len(ps)-1].Message, "more problems not shown") {
		t.Errorf("%d problems: %v", len(ps), ps)
	}
}

// schemaTestPatched returns the rich object of typ with the properties of patch set,
// or deleted where the value is nil.
func schemaTestPatched(tb testing.TB, typ string, patch map[string]any) any {
	obj := schemaTestObject(tb, typ).(map[string]any)
	for k, v := range patch {
		if v == nil {
			delete(obj, k)
		} else {
			obj[k] = v
		}
	}
	return obj
}

// TestSchemaCustomContent: custom content follows STIX 2.1 §11 and §7.3, and
// rejectCustom refuses it.
func TestSchemaCustomContent(t *testing.T) {
	s := schemaTestSet(t)
	const ext = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"
	tests := []struct {
		name                 string
		typ                  string
		obj                  string // JSON; "@indicator" stands for the rich indicator
		patch                map[string]any
		accepted, rejectMode bool // valid when custom content is accepted / refused
	}{
		{"plain indicator", "indicator", "@indicator", nil, true, true},
		{"custom property x_", "indicator", "@indicator", map[string]any{"x_acme_org_score": json.Number("10")}, true, false},
		{"custom property without x_ (a SHOULD)", "indicator", "@indicator", map[string]any{"acme_score": "high"}, true, false},
		{"custom property, structured value", "indicator", "@indicator", map[string]any{"x_acme_scoring": map[string]any{"impact": "high"}}, true, false},
		{"custom property name too short", "indicator", "@indicator", map[string]any{"x_": "v"}, false, false},
		{"custom property name with a hyphen", "indicator", "@indicator", map[string]any{"x-acme": "v"}, false, false},
		{"custom property name uppercase", "indicator", "@indicator", map[string]any{"x_Acme": "v"}, false, false},
		{"custom property name too long", "indicator", "@indicator", map[string]any{"x_" + strings.Repeat("a", 249): "v"}, false, false},
		{"custom property name of 250", "indicator", "@indicator", map[string]any{"x_" + strings.Repeat("a", 248): "v"}, true, false},
		{"property-extension of an extension definition", "indicator", "@indicator", map[string]any{"extensions": map[string]any{
			ext: map[string]any{"extension_type": "property-extension", "rank": json.Number("5")}}}, true, true},
		{"extension definition instance without extension_type", "indicator", "@indicator", map[string]any{"extensions": map[string]any{
			ext: map[string]any{"rank": json.Number("5")}}}, false, false},
		{"extension definition instance with a bad extension_type", "indicator", "@indicator", map[string]any{"extensions": map[string]any{
			ext: map[string]any{"extension_type": "sideways-extension"}}}, false, false},
		{"toplevel-property-extension", "indicator", "@indicator", map[string]any{"rank": json.Number("1"), "extensions": map[string]any{
			ext: map[string]any{"extension_type": "toplevel-property-extension"}}}, true, false},
		{"custom SCO extension (deprecated)", "file", "@file", map[string]any{"extensions": map[string]any{
			"x-example-com-foo-ext": map[string]any{"foo_val": "foo"}}}, true, false},
		{"custom SCO extension name without -ext", "file", "@file", map[string]any{"extensions": map[string]any{
			"x-example-com-foo": map[string]any{"foo_val": "foo"}}}, false, false},
		{"custom SCO extension with no properties", "file", "@file", map[string]any{"extensions": map[string]any{
			"x-example-com-foo-ext": map[string]any{}}}, false, false},
		{"custom property in a predefined extension", "file", "@file", map[string]any{"extensions": map[string]any{
			"ntfs-ext": map[string]any{"sid": "1", "x_acme_flag": true}}}, true, false},
		{"deprecated custom object (x-)", "x-example-com-customobject",
			`{"type":"x-example-com-customobject","spec_version":"2.1","id":"x-example-com-customobject--4527e5de-8572-446a-a57a-706f15467461","created":"2016-08-01T00:00:00.000Z","modified":"2016-08-01T00:00:00.000Z","some_custom_stuff":14,"other_custom_stuff":"hello"}`,
			nil, true, false},
		{"custom object missing common properties", "x-example-com-customobject",
			`{"type":"x-example-com-customobject","id":"x-example-com-customobject--4527e5de-8572-446a-a57a-706f15467461","created":"2016-08-01T00:00:00.000Z"}`,
			nil, false, false},
		{"custom object with a bad common property", "x-example-com-customobject",
			`{"type":"x-example-com-customobject","spec_version":"2.1","id":"x-example-com-customobject--4527e5de-8572-446a-a57a-706f15467461","created":"2016-08-01T00:00:00.000Z","modified":"2016-08-01T00:00:00.000Z","labels":[]}`,
			nil, false, false},
		{"new-sdo of an extension definition", "my-favorite-sdo",
			`{"type":"my-favorite-sdo","spec_version":"2.1","id":"my-favorite-sdo--ac97aae4-83f1-46ca-a351-7aeb76678189","created":"2014-02-20T09:16:08.989000Z","modified":"2014-02-20T09:16:08.989000Z","name":"This is the name of my favorite","some_property_name1":"value1","extensions":{"extension-definition--9c59fd79-4215-4ba2-920d-3e4f320e1e62":{"extension_type":"new-sdo"}}}`,
			nil, true, false},
		{"new-sco of an extension definition", "my-favorite-sco",
			`{"type":"my-favorite-sco","spec_version":"2.1","id":"my-favorite-sco--f9dbe89c-0030-4a9d-8b78-0dcd0a0de874","name":"This is the name of my favorite SCO","some_network_protocol_field":"value","extensions":{"extension-definition--c5333451-c08c-4c48-be5e-9ad4c947776a":{"extension_type":"new-sco"}}}`,
			nil, true, false},
		{"new-sdo without created", "my-favorite-sdo",
			`{"type":"my-favorite-sdo","spec_version":"2.1","id":"my-favorite-sdo--ac97aae4-83f1-46ca-a351-7aeb76678189","modified":"2014-02-20T09:16:08.989Z","extensions":{"extension-definition--9c59fd79-4215-4ba2-920d-3e4f320e1e62":{"extension_type":"new-sdo"}}}`,
			nil, false, false},
		{"custom object with a bad type name", "x--bad",
			`{"type":"x--bad","id":"x--bad--4527e5de-8572-446a-a57a-706f15467461"}`, nil, false, false},
		{"bundle inside objects", "bundle",
			`{"type":"bundle","id":"bundle--4527e5de-8572-446a-a57a-706f15467461","objects":[]}`, nil, false, false},
		{"TLP 2.0 marking (property-extension)", "marking-definition", "@marking-definition", nil, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var obj any
			if typ, ok := strings.CutPrefix(tt.obj, "@"); ok {
				obj = schemaTestPatched(t, typ, tt.patch)
			} else {
				obj = schemaTestDecode(t, []byte(tt.obj))
			}
			for _, c := range []struct {
				strict bool
				want   bool
			}{{false, tt.accepted}, {true, tt.rejectMode}} {
				ps := s.validate(tt.typ, obj, c.strict)
				if (ps == nil) != c.want {
					t.Errorf("rejectCustom %v: valid %v, want %v: %v", c.strict, ps == nil, c.want, ps)
				}
			}
		})
	}
}

func TestSchemaFormats(t *testing.T) {
	tests := []struct {
		format string
		value  string
		ok     bool
	}{
		{"stix-timestamp", "2016-01-20T12:31:12Z", true},
		{"stix-timestamp", "2016-01-20T12:31:12.123456789123Z", true},
		{"stix-timestamp", "2016-02-29T00:00:00Z", true},
		{"stix-timestamp", "2015-02-29T00:00:00Z", false},
		{"stix-timestamp", "2016-01-20T12:31:12.Z", false},
		{"stix-timestamp", "2016-01-20t12:31:12Z", false},
		{"stix-timestamp", "2016-01-20T12:31:12z", false},
		{"stix-timestamp", "2016-01-20T12:31:12+00:00", false},
		{"stix-timestamp", "2016-01-20T24:00:00Z", false},
		{"stix-timestamp", "2016-01-20 12:31:12Z", false},
		{"stix-timestamp-millis", "2016-01-20T12:31:12.123Z", true},
		{"stix-timestamp-millis", "2016-01-20T12:31:12.12Z", false},
		{"stix-hex", "00ff", true},
		{"stix-hex", "00FF", false},
		{"stix-hex", "0ff", false},
		{"stix-hex", "", false},
		{"stix-binary", "aGVsbG8gd29ybGQ=", true},
		{"stix-binary", "", true},
		{"stix-binary", "VBORw0KGgo=AAA", false},
		{"stix-binary", "abc", false},
		{"stix-binary", "ab c", false},
		{"stix-ipv4", "198.51.100.3", true},
		{"stix-ipv4", "10.2.4.5/24", true},
		{"stix-ipv4", "10.2.4.5/33", false},
		{"stix-ipv4", "010.2.4.5", false},
		{"stix-ipv4", "::1", false},
		{"stix-ipv6", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", true},
		{"stix-ipv6", "2001:0db8::/96", true},
		{"stix-ipv6", "::ffff:192.0.2.1", true},
		{"stix-ipv6", "fe80::1%eth0", false},
		{"stix-ipv6", "198.51.100.3", false},
		{"stix-url", "https://example.com/research/index.html", true},
		{"stix-url", "mailto:jdoe@example.com", true},
		{"stix-url", "example.com/index.html", false},
		{"stix-url", "http://example.com/a b", false},
		{"stix-url-lenient", "https://example.com/", true},
		{"stix-url-lenient", "/index.html", false}, // a warning, not an error: schemaFormatWarning
		{"stix-property-name", "id", true},
		{"stix-property-name", "x_foo", true},
		{"stix-property-name", "_foo", false},
		{"stix-dictionary-key", "Content-Type", true},
		{"stix-dictionary-key", "a.b", false},
		{"stix-hash-name", "SHA-256", true},
		{"stix-hash-name", "md", false},
		{"stix-selector", "external_references.[0].source_name", true},
		{"stix-selector", "labels.[x]", false},
		{"stix-selector", "", false},
		{"stix-identifier", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", true},
		{"stix-identifier", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3", false},
		{"stix-type-name", "x-acme", true},
		{"stix-email-addr", "jane.smith@example.com", true},
		{"stix-email-addr", "Jane Smith <jane.smith@example.com>", false},
		{"stix-email-addr", "jane.smith", false},
		{"stix-domain-name", "example.com", true},
		{"stix-domain-name", "_dmarc.example.com", true},
		{"stix-domain-name", "bücher.example", true},
		{"stix-domain-name", "xn--bcher-kva.example.", true},
		{"stix-domain-name", "-bad.example", false},
		{"stix-domain-name", "two words.example", false},
		{"stix-domain-name", "a..b", false},
		{"stix-type-name", "x--acme", false},
	}
	formats := schemaFormats()
	for _, tt := range tests {
		if got := formats[tt.format](tt.value); got != tt.ok {
			t.Errorf("%s %q: %v, want %v", tt.format, tt.value, got, tt.ok)
		}
	}
	for name, f := range formats {
		if !f(json.Number("1")) {
			t.Errorf("%s rejects a non-string; the type keyword reports those", name)
		}
	}
}

// FuzzSchemaValidate: validation never panics and is deterministic.
func FuzzSchemaValidate(f *testing.F) {
	for _, typ := range slices.Sorted(maps.Keys(schemaRichObjects)) {
		f.Add(typ, schemaRichObjects[typ], false)
	}
	f.Add("indicator", `{"type":"indicator","id":"indicator--1","created":"2023-02-30T00:00:00Z","labels":[],"x":{"y":[1,"2",null]}}`, true)
	f.Add("x-custom", `{"type":"x-custom","id":"x-custom--4527e5de-8572-446a-a57a-706f15467461","a~b/c":1}`, false)
	f.Add("file", `[1,2,3]`, false)
	f.Add("indicator", `{"type":"indicator","confidence":1e99999999,"x":[-1E-99999999]}`, false)
	f.Add("indita\x00or", `{"a2":2e9110,"9":[21E7190]}`, false) // once not deterministic
	s := schemaTestSet(f)
	f.Fuzz(func(t *testing.T, typ, raw string, strict bool) {
		d := json.NewDecoder(strings.NewReader(raw))
		d.UseNumber()
		var obj any
		if d.Decode(&obj) != nil {
			return
		}
		a := s.validate(typ, obj, strict)
		b := s.validate(typ, obj, strict)
		if !slices.Equal(a, b) {
			t.Fatalf("not deterministic:\n%v\n%v", a, b)
		}
		if len(a) > schemaMaxProblems {
			t.Fatalf("%d problems", len(a))
		}
		for _, p := range a {
			if p.Message == "" {
				t.Fatalf("empty message: %+v", p)
			}
		}
	})
}

// BenchmarkSchemaValidate reports the validation rate, with and without
// the JSON decoding of the ingest path, serial and in parallel.
func BenchmarkSchemaValidate(b *testing.B) {
	s := schemaTestSet(b)
	var gen bytes.Buffer
	if err := coopfeed.Generate(&gen, coopfeed.Options{Objects: 5000, Seed: 7}); err != nil {
		b.Fatal(err)
	}
	var top struct{ Objects []json.RawMessage }
	if err := json.Unmarshal(gen.Bytes(), &top); err != nil {
		b.Fatal(err)
	}
	mixed := top.Objects
	var indicators []json.RawMessage
	for _, raw := range mixed {
		if bytes.Contains(raw[:min(len(raw), 40)], []byte(`"indicator"`)) {
			indicators = append(indicators, raw)
		}
	}
	for _, corpus := range []struct {
		name string
		objs []json.RawMessage
	}{{"indicator", indicators}, {"mixed", mixed}} {
		decoded := make([]any, len(corpus.objs))
		types := make([]string, len(corpus.objs))
		for i, raw := range corpus.objs {
			decoded[i] = schemaTestDecode(b, raw)
			types[i] = schemaTestType(decoded[i])
		}
		b.Run(corpus.name+"/validate", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				j := i % len(decoded)
				if s.validate(types[j], decoded[j], false) != nil {
					b.Fatal("invalid")
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
		})
		b.Run(corpus.name+"/decode+validate", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				j := i % len(corpus.objs)
				d := json.NewDecoder(bytes.NewReader(corpus.objs[j]))
				d.UseNumber()
				var v any
				if d.Decode(&v) != nil || s.validate(types[j], v, false) != nil {
					b.Fatal("invalid")
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
		})
		b.Run(corpus.name+"/decode+validate/parallel", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					j := i % len(corpus.objs)
					i++
					d := json.NewDecoder(bytes.NewReader(corpus.objs[j]))
					d.UseNumber()
					var v any
					if d.Decode(&v) != nil || s.validate(types[j], v, false) != nil {
						b.Error("invalid")
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}

// schemaTestObject decodes afresh the rich instance of a type, or one of
// schemaMoreObjects by name.
func schemaTestObject(tb testing.TB, name string) any {
	tb.Helper()
	raw, ok := schemaRichObjects[name]
	if !ok {
		if raw, ok = schemaMoreObjects[name]; !ok {
			tb.Fatalf("no test object %s", name)
		}
	}
	return schemaTestDecode(tb, []byte(raw))
}
