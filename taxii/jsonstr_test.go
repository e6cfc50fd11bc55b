package taxii

import (
	"encoding/json"
	"testing"
)

// FuzzAppendJSONString: the hand-written string encoder writes what
// json.Marshal writes, for any bytes.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "indicator--a1a1a1a1-0000-4000-8000-000000000001", "2024-01-01T00:00:00.000Z",
		"a\"b\\c", "\x00\x01\b\f\n\r\t\x1f", "<script>&amp;</script>", "\u2028\u2029", "caf\xc3\xa9", "\xff\xfe", "\xe2\x80", "日本語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
