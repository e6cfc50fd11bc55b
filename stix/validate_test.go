package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"liaison/testdata/coopfeed"
)

const (
	vIndicator = `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}`
)

func vWith(t *testing.T, base, patch string) json.RawMessage {
	t.Helper()
	var a, b map[string]any
	if err := json.Unmarshal([]byte(base), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(patch), &b); err != nil {
		t.Fatal(err)
	}
	for k, v := range b {
		if v == nil {
			delete(a, k)
		} else {
			a[k] = v
		}
	}
	out, _ := json.Marshal(a)
	return out
}

// TestValidator: every layer (indexing, schema, rules, pattern) reports
// through Check with a message naming the object, the property and the
// reason; SHOULD-level findings are warnings on a valid object.
func TestValidator(t *testing.T) {
	v := NewValidator()
	for _, tc := range []struct {
		name    string
		give    json.RawMessage
		opts    Options
		wantErr string // substring; "" for a valid object
		wantWrn string // substring of a warning
	}{
		{"valid indicator", json.RawMessage(vIndicator), Options{}, "", ""},
		{"pattern syntax", vWith(t, vIndicator, `{"pattern":"[file:name = 'x' file:size = 5]"}`), Options{}, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: pattern: line 1 col 18: expected ']'", ""},
		{"pattern regex PCRE-only", vWith(t, vIndicator, `{"pattern":"[file:name MATCHES 'a(?=b)']"}`), Options{}, "", "MATCHES"},
		{"snort pattern stored as is", vWith(t, vIndicator, `{"pattern":"alert tcp any any","pattern_type":"snort"}`), Options{}, "", ""},
		{"missing pattern_type", vWith(t, vIndicator, `{"pattern_type":null}`), Options{}, "pattern_type", ""},
		{"created_by_ref target", vWith(t, vIndicator, `{"created_by_ref":"malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`), Options{}, "created_by_ref", ""},
		{"valid_until before valid_from", vWith(t, vIndicator, `{"valid_until":"2023-01-01T00:00:00Z"}`), Options{}, "valid_until", ""},
		{"UUIDv5 on an SDO is a warning", vWith(t, vIndicator, `{"id":"indicator--8e2e2d2b-17d4-5cbf-938f-98ee46b3cd3f"}`), Options{}, "", "version 4"},
		{"custom property accepted", vWith(t, vIndicator, `{"x_acme_score":5}`), Options{}, "", ""},
		{"custom property refused", vWith(t, vIndicator, `{"x_acme_score":5}`), Options{RejectCustom: true}, "x_acme_score", ""},
		{"STIX 2.0 object: indexing only", json.RawMessage(`{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-01-01T00:00:00.000Z","modified":"2016-01-01T00:00:00.000Z","labels":["x"],"pattern":"[x:y = 'z']","valid_from":"2016-01-01T00:00:00Z"}`), Options{}, "", ""},
		{"not an object", json.RawMessage(`42`), Options{}, "not a JSON object", ""},
		{"revoked marking definition", json.RawMessage(`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487","created":"2022-10-01T00:00:00.000Z","modified":"2024-06-01T00:00:00.000Z","revoked":true,"name":"TLP:CLEAR","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"clear"}}}`),
			Options{}, "revoked: must not be used: marking definitions are not versioned", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := v.CheckWith([]json.RawMessage{tc.give}, tc.opts)[0]
			switch {
			case tc.wantErr == "" && r.Err != nil:
				t.Fatalf("unexpected error: %v", r.Err)
			case tc.wantErr != "" && (r.Err == nil || !strings.Contains(r.Err.Error(), tc.wantErr)):
				t.Fatalf("error = %v, want %q", r.Err, tc.wantErr)
			}
			if got := strings.Join(r.Warnings, "|"); (tc.wantWrn == "") != (got == "") || !strings.Contains(got, tc.wantWrn) {
				t.Errorf("warnings = %q, want %q", got, tc.wantWrn)
			}
			if r.Err == nil && strings.Join(r.Object.Warnings, "|") != strings.Join(r.Warnings, "|") {
				t.Errorf("the object does not carry its warnings")
			}
		})
	}
}

// TestValidatorParallel: a large request checked in parallel gives the
// same results, in order, as one by one.
func TestValidatorParallel(t *testing.T) {
	var objs []json.RawMessage
	for i := range 500 {
		if i%7 == 0 {
			objs = append(objs, vWith(t, vIndicator, `{"pattern":"[broken"}`))
		} else {
			objs = append(objs, json.RawMessage(vIndicator))
		}
	}
	par := NewValidator()
	seq := NewValidator()
	seq.Workers = 1
	a, b := par.Check(objs), seq.Check(objs)
	for i := range a {
		if (a[i].Err == nil) != (b[i].Err == nil) || (a[i].Err != nil && a[i].Err.Error() != b[i].Err.Error()) {
			t.Fatalf("object %d: %v vs %v", i, a[i].Err, b[i].Err)
		}
	}
}

// BenchmarkValidator measures the whole ingest check in objects/s, for
// indicators and for the mixed demo corpus, serial and in parallel.
func BenchmarkValidator(b *testing.B) {
	ind := make([]json.RawMessage, 1000)
	for i := range ind {
		ind[i] = json.RawMessage(vIndicator)
	}
	var feed bytes.Buffer
	if err := coopfeed.Generate(&feed, coopfeed.Options{Objects: 5000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	mixed, err := DecodeEnvelope(feed.Bytes(), 0)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		objs    []json.RawMessage
		workers int
	}{
		{"indicators/serial", ind, 1},
		{"indicators/parallel", ind, 0},
		{"mixed/serial", mixed, 1},
		{"mixed/parallel", mixed, 0},
	} {
		b.Run(tc.name, func(b *testing.B) {
			v := NewValidator()
			if tc.workers > 0 {
				v.Workers = tc.workers
			}
			n := 0
			for b.Loop() {
				v.Check(tc.objs)
				n += len(tc.objs)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}

// FuzzValidator: the whole ingest check never panics, and an object is
// either valid or refused with an *ObjectError that names it.
func FuzzValidator(f *testing.F) {
	f.Add(vIndicator)
	f.Add(`{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","pattern":"[a:b = 1e999999]","pattern_type":"stix"}`)
	f.Add(`{"type":"x-custom","spec_version":"2.1","id":"x-custom--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","x_n":1e400}`)
	f.Add(`{"type":"ipv4-addr","id":"ipv4-addr--8e2e2d2b-17d4-5cbf-938f-98ee46b3cd3f","value":"198.51.100.1","resolves_to_refs":["x"]}`)
	f.Add(`[]`)
	v := NewValidator()
	f.Fuzz(func(t *testing.T, s string) {
		for _, o := range []Options{{}, {RejectCustom: true}} {
			r := v.CheckWith([]json.RawMessage{json.RawMessage(s)}, o)[0]
			if r.Err != nil {
				var oe *ObjectError
				if !errors.As(r.Err, &oe) || oe.Reason == "" {
					t.Fatalf("%q: error %T %v", s, r.Err, r.Err)
				}
			} else if !ValidID(r.Object.ID) {
				t.Fatalf("%q: valid without an id", s)
			}
		}
	})
}
