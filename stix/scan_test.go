package stix

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// vPatched is vIndicator with raw JSON members inserted after its id, so
// that tests can write bytes json.Marshal never would.
func vPatched(members string) json.RawMessage {
	const id = `"id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",`
	return json.RawMessage(strings.Replace(vIndicator, id, id+members+",", 1))
}

// TestValidatorRefusesTextThatIsNotUnicode: bytes that are not UTF-8 and
// escapes of half a surrogate pair, anywhere in an object, make it invalid
// (TAXII 2.1 §1.6.7: I-JSON); a decoder would silently replace them, and
// what the server stored would not be what it serves. The failure names
// the object by its id and says where the text is.
func TestValidatorRefusesTextThatIsNotUnicode(t *testing.T) {
	v := NewValidator()
	const id = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	for _, tc := range []struct {
		name    string
		give    json.RawMessage
		wantErr string // "" for a valid object
	}{
		{"a Latin-1 byte in a name", vPatched(`"name":"caf` + "\xe9" + `"`),
			id + `: name: the string holds bytes that are not UTF-8 (at byte 107 of the object)`},
		{"a truncated sequence deep down", vPatched(`"x_acme":{"list":[1,{"k":"` + "\xe2\x82" + `"}]}`),
			id + `: x_acme.list[1].k: the string holds bytes that are not UTF-8`},
		{"an encoded surrogate", vPatched(`"name":"` + "\xed\xa0\x80" + `"`), "name: the string holds bytes that are not UTF-8"},
		{"an overlong encoding", vPatched(`"name":"` + "\xc0\xaf" + `"`), "name: the string holds bytes that are not UTF-8"},
		{"a property name", vPatched(`"x_` + "\xff" + `":1`), id + `: a property name holds bytes that are not UTF-8`},
		{"a nested property name", vPatched(`"x_acme":{"` + "\xff" + `":1}`), id + `: x_acme: a property name holds bytes that are not UTF-8`},
		{"a lone high surrogate escape", vPatched(`"name":"a\ud800b"`), `name: the string holds \uD800, half of a UTF-16 surrogate pair without its other half`},
		{"a lone low surrogate escape", vPatched(`"x_list":["\uDC00"]`), `x_list[0]: the string holds \uDC00, half`},
		{"two high surrogates", vPatched(`"name":"\ud800\ud800\udc00"`), `name: the string holds \uD800`},
		{"an invalid id is named by position", json.RawMessage(strings.Replace(vIndicator, `indicator--8e2e`, "indicator--\xff", 1)),
			`objects[0]: id: the string holds bytes that are not UTF-8`},
		{"a surrogate pair is fine", vPatched(`"name":"\ud83d\ude00 and \u00e9"`), ""},
		{"UTF-8 text is fine", vPatched(`"name":"café 😀 \u2028"`), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := v.Check([]json.RawMessage{tc.give})[0]
			if tc.wantErr == "" {
				if r.Err != nil {
					t.Fatalf("unexpected error: %v", r.Err)
				}
				return
			}
			if r.Err == nil || !strings.Contains(r.Err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want %q", r.Err, tc.wantErr)
			}
		})
	}
}

// FuzzScanObject checks the scan against encoding/json: it accepts exactly
// the JSON objects, finds the indexed properties where a decoder does, and
// lets no text that is not Unicode through.
func FuzzScanObject(f *testing.F) {
	for _, s := range []string{
		vIndicator,
		string(vPatched(`"x_list":[1,-2.5e+3,true,false,null,{"a":[]},[[{}]]]`)),
		string(vPatched(`"name":"caf` + "\xe9" + `"`)),
		`{"id":"a\ud800","type":"\u0069ndicator"}`,
		`{"i\u0064":"x--1","id":"y"}`,
		`{"id" : 1 , "type" : [ "a" ] } `,
		`{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":"\x"}`, `{"a":tru}`, `{"a":1}x`, `[]`, `{`, `{"a"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		top, problem, err := scanObject(raw)
		var m map[string]any
		jsonErr := json.Unmarshal(raw, &m)
		isObject := jsonErr == nil && m != nil
		if err != nil {
			if isObject && json.Valid(raw) {
				t.Fatalf("scanObject(%q) = %v, but it is a JSON object", raw, err)
			}
			return
		}
		if !isObject || !json.Valid(raw) {
			t.Fatalf("scanObject(%q) accepted what encoding/json refuses: %v", raw, jsonErr)
		}
		if problem == nil {
			if !utf8.Valid(raw) {
				t.Fatalf("scanObject(%q) let bytes that are not UTF-8 through", raw)
			}
			for i, name := range topNames {
				v, ok := m[name]
				if ok != top[i].present {
					t.Fatalf("scanObject(%q): %s present %v, want %v", raw, name, top[i].present, ok)
				}
				if s, isString := v.(string); isString {
					if got, ok := top[i].text(raw); !ok || got != s {
						t.Fatalf("scanObject(%q): %s = %q, want %q", raw, name, got, s)
					}
				} else if _, ok := top[i].text(raw); ok {
					t.Fatalf("scanObject(%q): %s is a string, encoding/json says %v", raw, name, v)
				}
			}
		} else if problem.Message == "" {
			t.Fatalf("scanObject(%q): a problem without a message", raw)
		}
	})
}
