package stix

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decoderTree is what checkOne decoded objects with before decodeTree:
// encoding/json's Decoder with UseNumber.
func decoderTree(b []byte) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	err := dec.Decode(&v)
	return v, err
}

// FuzzDecodeTree: for any valid JSON, decodeTree builds the value the
// Decoder builds, or says it cannot (too deep) when the Decoder fails.
func FuzzDecodeTree(f *testing.F) {
	for _, s := range []string{
		vIndicator,
		`{}`, `[]`, `{"a":[]}`, `{"a":{}}`, `[[],{},""]`, `null`, `true`, `false`, `0`, `-1.5e+10`, `"x"`,
		` { "a" : [ 1 , 2.0 , -3e2 ] , "b" : { "c" : null } } `,
		`{"a":"\"\\\/\b\f\n\r\t"}`, `{"\u00e9t\u00E9":"\ud83d\ude00"}`, `{"a":"\ud800"}`, `{"a":"\udc00\ud800x"}`, `{"a":"\ud800\u0041"}`,
		"{\"a\":\"caf\xc3\xa9 \xff\xfe\"}", "{\"\xff\":1}", `{"a":1,"a":2}`, `{"a":"\u2028<>&"}`,
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		`{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		want, err := decoderTree(b)
		got, ok := decodeTree(b)
		if err != nil {
			if ok {
				t.Fatalf("decodeTree(%.100q) built a value where the Decoder fails: %v", b, err)
			}
			return
		}
		if !ok {
			t.Fatalf("decodeTree(%.100q) gave up on what the Decoder decodes", b)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeTree(%.200q)\n = %#v\nwant %#v", b, got, want)
		}
	})
}
