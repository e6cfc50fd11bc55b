package stix

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestObjectErrorClass: each refusal says which kind of check refused the
// object, for counting refusals by kind.
func TestObjectErrorClass(t *testing.T) {
	ind := `{"type":"indicator","spec_version":"2.1","id":"indicator--6d6e6f70-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00.000Z"}`
	with := func(old, new string) string { return strings.Replace(ind, old, new, 1) }
	v := NewValidator()
	v.Limits.MaxDepth = 4
	for _, tc := range []struct{ name, raw, class string }{
		{"a number", `1`, ClassJSON},
		{"broken JSON", `{"type":`, ClassJSON},
		{"bytes that are not UTF-8", with(`"valid_from"`, "\"x_n\":\"\xff\",\"valid_from\""), ClassEncoding},
		{"a repeated name", with(`"valid_from"`, `"pattern_type":"stix","valid_from"`), ClassEncoding},
		{"too deep", with(`"valid_from"`, `"x_deep":[[[[1]]]],"valid_from"`), ClassLimit},
		{"a malformed id", with("indicator--6d6e", "indicator--zz6e"), ClassIndexing},
		{"modified before created", with(`"modified":"2024`, `"modified":"2023`), ClassIndexing},
		{"no pattern", with(`"pattern":"[ipv4-addr:value = '198.51.100.1']",`, ""), ClassSchema},
		{"valid_until before valid_from", with(`"valid_from"`, `"valid_until":"2023-01-01T00:00:00.000Z","valid_from"`), ClassRule},
		{"a broken pattern", with(`'198.51.100.1']`, `'198.51.100.1'`), ClassPattern},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := v.Check([]json.RawMessage{json.RawMessage(tc.raw)})[0]
			var oe *ObjectError
			if !errors.As(r.Err, &oe) || oe.Class != tc.class {
				t.Errorf("error %v (class %q), want class %q", r.Err, classOf(oe), tc.class)
			}
		})
	}
}

func classOf(oe *ObjectError) string {
	if oe == nil {
		return ""
	}
	return oe.Class
}
