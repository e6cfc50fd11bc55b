package stix

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(s string) ([]string, error) {
	r := NewEnvelopeReader(strings.NewReader(s))
	var out []string
	for {
		raw, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, string(raw))
	}
}

func TestEnvelopeReader(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		bad  bool
	}{
		{`{"objects":[{"a":1},{"b":2}]}`, []string{`{"a":1}`, `{"b":2}`}, false},
		{`{"type":"bundle","id":"bundle--x","objects":[{"a":1}]}`, []string{`{"a":1}`}, false},
		{`{"more":false,"objects":[]}`, nil, false},
		{`{"objects":[{"a":1},`, []string{`{"a":1}`}, true},
		{`{"type":"indicator","objects":[]}`, nil, true},
		{`[1,2]`, nil, true},
		{`{"objects":{}}`, nil, true},
		{`{"id":"x"}`, nil, true},
		{``, nil, true},
	} {
		got, err := readAll(tc.in)
		if tc.bad != (err != nil) || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: %q, %v", tc.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrBadEnvelope) {
			t.Errorf("%s: %v does not wrap ErrBadEnvelope", tc.in, err)
		}
	}
}

// FuzzEnvelopeReader: no panic, and on inputs DecodeEnvelope accepts the
// stream reader returns the same objects.
func FuzzEnvelopeReader(f *testing.F) {
	for _, s := range []string{`{"objects":[{"a":1}]}`, `{"type":"bundle","objects":[1,"x",{}]}`, `{"objects":[`, `{}`, `[]`, `{"objects":null}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := readAll(s)
		want, werr := DecodeEnvelope([]byte(s), 0)
		if werr == nil {
			if err != nil || len(got) != len(want) {
				t.Fatalf("%q: stream %d objects, %v; whole %d objects", s, len(got), err, len(want))
			}
			for i := range got {
				if got[i] != string(want[i]) {
					t.Fatalf("%q: object %d differs", s, i)
				}
			}
		}
	})
}
