package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"

	"liaison/stix/coopfeed"
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

// TestValidatorRealWorld: what real feeds carry and the reference library
// (python-stix2) accepts is stored with a warning, while what breaks a MUST
// of the specification stays an error.
func TestValidatorRealWorld(t *testing.T) {
	const (
		file    = `{"type":"file","spec_version":"2.1","id":"file--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","name":"a.zip"}`
		traffic = `{"type":"network-traffic","spec_version":"2.1","id":"network-traffic--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","dst_ref":"ipv4-addr--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","protocols":["icmp"]}`
		url     = `{"type":"url","spec_version":"2.1","id":"url--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","value":"https://example.com/"}`
		email   = `{"type":"email-message","spec_version":"2.1","id":"email-message--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","is_multipart":false}`
		// A deprecated MITRE ATT&CK data component, as ATT&CK publishes it.
		component = `{"type":"x-mitre-data-component","spec_version":"2.1","id":"x-mitre-data-component--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2021-10-20T15:05:19.273Z","modified":"2022-04-25T14:00:00.188Z","name":"Old component","x_mitre_data_source_ref":"","x_mitre_deprecated":true}`
	)
	v := NewValidator()
	for _, tc := range []struct {
		name    string
		give    json.RawMessage
		wantErr string // substring; "" for a valid object
		wantWrn string // substring of a warning; "" for none
	}{
		{"upper-case hex", vWith(t, file, `{"magic_number_hex":"504B0304"}`), "",
			`magic_number_hex: "504B0304" has upper-case letters: hex is written with 0-9 and a-f (STIX 2.1 §2.8)`},
		{"upper-case hex in an extension", vWith(t, traffic, `{"extensions":{"icmp-ext":{"icmp_type_hex":"0A","icmp_code_hex":"00"}}}`), "",
			`extensions.icmp-ext.icmp_type_hex: "0A" has upper-case letters`},
		{"upper-case hex deep in an extension", vWith(t, file, `{"extensions":{"windows-pebinary-ext":{"pe_type":"exe","optional_header":{"magic_hex":"010B"}}}}`), "",
			`extensions.windows-pebinary-ext.optional_header.magic_hex: "010B" has upper-case letters`},
		{"many upper-case hex values stay warnings", vWith(t, file, `{"magic_number_hex":"4D5A","extensions":{"windows-pebinary-ext":{"pe_type":"exe",
			"machine_hex":"014C","characteristics_hex":"010F","pointer_to_symbol_table_hex":"00AB",
			"optional_header":{"magic_hex":"010B","win32_version_value_hex":"00AA","checksum_hex":"00BB","subsystem_hex":"000C",
			"dll_characteristics_hex":"00DD","loader_flags_hex":"00EE"}}}}`), "", `magic_number_hex: "4D5A" has upper-case letters`},
		{"odd-length hex", vWith(t, file, `{"magic_number_hex":"504B030"}`), "magic_number_hex", ""},
		{"not hex", vWith(t, file, `{"magic_number_hex":"PK"}`), "magic_number_hex", ""},
		{"custom reference that is not an identifier", json.RawMessage(component), "",
			`x_mitre_data_source_ref: "" is not a STIX identifier`},
		{"custom reference list", vWith(t, vIndicator, `{"x_acme_refs":["n/a"]}`), "", `x_acme_refs[0]: "n/a" is not a STIX identifier`},
		{"predefined reference that is not an identifier", vWith(t, vIndicator, `{"created_by_ref":""}`), "created_by_ref", ""},
		{"custom reference to a bundle", vWith(t, vIndicator, `{"x_acme_ref":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`), "must not reference a bundle", ""},
		{"relative url value", vWith(t, url, `{"value":"/download/a.exe"}`), "",
			`value: "/download/a.exe" is a relative reference, not a URL with a scheme (STIX 2.1 §6.15, RFC 3986 §1.1.3)`},
		{"url value without a scheme", vWith(t, url, `{"value":"www.example.com/a.exe"}`), "", `value: "www.example.com/a.exe" is a relative reference`},
		{"url value with a space", vWith(t, url, `{"value":"http://example.com/a b"}`), "value", ""},
		{"relative external reference url", vWith(t, vIndicator, `{"external_references":[{"source_name":"x","url":"/a"}]}`), "external_references[0].url", ""},
		{"AND across SCO types", vWith(t, vIndicator, `{"pattern":"[ipv4-addr:value = '198.51.100.1' AND domain-name:value = 'example.com']"}`), "AND joins comparisons", ""},
		{"header value that is not a list", vWith(t, email, `{"additional_header_fields":{"Reply-To":"a@example.com"}}`), "additional_header_fields.Reply-To", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := v.Check([]json.RawMessage{tc.give})[0]
			switch {
			case tc.wantErr == "" && r.Err != nil:
				t.Fatalf("unexpected error: %v", r.Err)
			case tc.wantErr != "" && (r.Err == nil || !strings.Contains(r.Err.Error(), tc.wantErr)):
				t.Fatalf("error = %v, want %q", r.Err, tc.wantErr)
			}
			if got := strings.Join(r.Warnings, "|"); !strings.Contains(got, tc.wantWrn) || tc.wantWrn == "" && got != "" {
				t.Errorf("warnings = %q, want %q", got, tc.wantWrn)
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

// TestValidatorManyProblemsCheaply: an object whose long list is wrong in
// every element is refused with a short report, and each wrong element
// costs the report little: 100,000 of them cost 1 GB before.
func TestValidatorManyProblemsCheaply(t *testing.T) {
	const n = 20_000
	raw := vWith(t, vIndicator, `{"object_marking_refs":["a"`+strings.Repeat(`,"a"`, n-1)+`]}`)
	v := NewValidator()
	v.Check([]json.RawMessage{json.RawMessage(vIndicator)}) // compile the schemas first
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := v.Check([]json.RawMessage{raw})[0]
	runtime.ReadMemStats(&after)
	perElement := float64(after.TotalAlloc-before.TotalAlloc) / n
	t.Logf("%.0f bytes allocated per wrong element", perElement)
	if perElement > 6000 {
		t.Errorf("%.0f bytes allocated per wrong element, want at most 6000", perElement)
	}
	if r.Err == nil || !strings.Contains(r.Err.Error(), `object_marking_refs[0]: "a" is not a STIX identifier`) ||
		!strings.Contains(r.Err.Error(), "or more problems not shown") {
		t.Errorf("error = %.300v", r.Err)
	}
}
