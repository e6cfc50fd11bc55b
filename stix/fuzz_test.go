package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for every parser of client input in this package (style
// practice 18). Each checks a property stronger than "does not panic":
// round trips, agreement with an independent oracle, or the documented
// shape of results and errors. Crashers that `go test -fuzz` finds are kept
// under testdata/fuzz/FuzzXxx/ and run as regression tests.

// fuzzTimestampShape is the only shape ParseTimestamp may accept: RFC 3339
// in UTC with 1 to 9 fractional digits. RFC 3339 §5.6 allows a lowercase t
// and z, which the implementation accepts.
var fuzzTimestampShape = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|z|\+00:00)$`)

// FuzzParseTimestamp checks that an accepted timestamp has the STIX shape,
// is UTC, survives a format/parse round trip through time.RFC3339Nano, and
// agrees with time.Parse (except for leap seconds, which time.Parse refuses).
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{
		// valid
		"2016-05-12T08:17:27Z",
		"2016-05-12T08:17:27.000Z",
		"2016-05-12T08:17:27.123456Z",
		"2016-05-12T08:17:27.123456789Z",
		"2024-02-29T23:59:59.9z",
		"2024-01-31t12:00:00.000000+00:00",
		"0000-01-01T00:00:00Z",
		"9999-12-31T23:59:59.999999999Z",
		"2016-12-31T23:59:60Z", // leap second
		"2016-12-31T23:59:60.5Z",
		// A leap second on the last day of 9999 becomes year 10000, which
		// RFC3339Nano cannot format for time.Parse: fails until fixed.
		"9999-12-31T23:59:60Z",
		// invalid
		"",
		"2016-05-12",
		"2016-05-12T08:17:27",
		"2016-05-12T08:17:27.Z",
		"2016-05-12T08:17:27.1234567890Z",
		"2016-05-12T08:17:27+01:00",
		"2016-05-12T08:17:27-00:00",
		"2016-05-12 08:17:27Z",
		"2023-02-29T00:00:00Z",
		"2016-13-01T00:00:00Z",
		"2016-00-01T00:00:00Z",
		"2016-05-00T00:00:00Z",
		"2016-05-12T24:00:00Z",
		"2016-05-12T08:60:00Z",
		"2016-05-12T08:17:61Z",
		"2016-05-12T08:17:27ZZ",
		"+016-05-12T08:17:27Z",
		"2016-05-12T08:17:2\x00Z",
		"２０16-05-12T08:17:27Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTimestamp(s)
		if err != nil {
			if !errors.Is(err, ErrBadTimestamp) {
				t.Fatalf("ParseTimestamp(%q) error %v does not wrap ErrBadTimestamp", s, err)
			}
			if !got.IsZero() {
				t.Fatalf("ParseTimestamp(%q) failed but returned %v", s, got)
			}
			return
		}
		if !fuzzTimestampShape.MatchString(s) {
			t.Fatalf("ParseTimestamp(%q) accepted a string that is not YYYY-MM-DDTHH:MM:SS[.d{1,9}](Z|+00:00)", s)
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseTimestamp(%q) = %v, location %v, want UTC", s, got, got.Location())
		}
		text := got.Format(time.RFC3339Nano)
		back, err := time.Parse(time.RFC3339Nano, text)
		if err != nil {
			t.Fatalf("ParseTimestamp(%q) = %q, which time.Parse refuses: %v", s, text, err)
		}
		if !back.Equal(got) {
			t.Fatalf("ParseTimestamp(%q) = %v; RFC3339Nano round trip gives %v", s, got, back)
		}
		again, err := ParseTimestamp(text)
		if err != nil || !again.Equal(got) {
			t.Fatalf("ParseTimestamp(%q) = %q, which ParseTimestamp does not read back (%v, %v)", s, text, again, err)
		}

		// Differential check against the standard library for the forms it
		// reads: uppercase Z or +00:00. time.Parse wants an uppercase T.
		if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "+00:00") {
			if s[17:19] == "60" {
				return // leap second: time.Parse refuses it by design
			}
			std, err := time.Parse(time.RFC3339Nano, s[:10]+"T"+s[11:])
			if err != nil {
				t.Fatalf("ParseTimestamp(%q) accepts, time.Parse refuses: %v", s, err)
			}
			if !std.Equal(got) {
				t.Fatalf("ParseTimestamp(%q) = %v, time.Parse = %v", s, got, std)
			}
		}
	})
}

// FuzzDecodeEnvelope checks that DecodeEnvelope returns at least one object,
// each valid JSON, or an error wrapping ErrBadEnvelope.
func FuzzDecodeEnvelope(f *testing.F) {
	for _, s := range []string{
		// valid
		`{"objects":[{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}]}`,
		`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{},{}]}`,
		" \n{\"objects\" : [1, \"x\", null, [], {\"a\":{\"b\":[]}}]} \t",
		`{"objects":[{}],"more":false,"extra":{"nested":[1,2,3]}}`,
		`{"OBJECTS":[{}]}`,
		// invalid
		``,
		`   `,
		`[]`,
		`null`,
		`{"objects":[]}`,
		`{"objects":null}`,
		`{"objects":{}}`,
		`{"objects":"x"}`,
		`{}`,
		`{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`,
		`{"type":null,"objects":[{}]}`,
		`{"type":1,"objects":[{}]}`,
		`{"objects":[{}]} trailing`,
		`{"objects":[{}]`,
		`{"objects":[{}],}`,
		"{\"objects\":[\"\xff\"]}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := bytes.Clone(body)
		objects, err := DecodeEnvelope(body, 0)
		if !bytes.Equal(in, body) {
			t.Fatalf("DecodeEnvelope modified its input")
		}
		if err != nil {
			if !errors.Is(err, ErrBadEnvelope) {
				t.Fatalf("DecodeEnvelope(%q) error %v does not wrap ErrBadEnvelope", body, err)
			}
			if objects != nil {
				t.Fatalf("DecodeEnvelope(%q) failed but returned %d objects", body, len(objects))
			}
			return
		}
		if len(objects) == 0 {
			t.Fatalf("DecodeEnvelope(%q) succeeded with no objects", body)
		}
		if !json.Valid(body) {
			t.Fatalf("DecodeEnvelope(%q) accepted a body that is not valid JSON", body)
		}
		for i, o := range objects {
			if !json.Valid(o) {
				t.Fatalf("DecodeEnvelope(%q): objects[%d] = %q is not valid JSON", body, i, o)
			}
		}
		// The objects are those encoding/json finds, byte for byte.
		var top map[string]json.RawMessage
		var want []json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil || json.Unmarshal(top["objects"], &want) != nil || len(want) != len(objects) {
			t.Fatalf("DecodeEnvelope(%q) = %d objects, encoding/json finds %d", body, len(objects), len(want))
		}
		for i := range want {
			if !bytes.Equal(want[i], objects[i]) {
				t.Fatalf("DecodeEnvelope(%q): objects[%d] = %q, encoding/json finds %q", body, i, objects[i], want[i])
			}
		}
		// A limit below the count refuses the body; one at the count
		// returns the same objects.
		if _, err := DecodeEnvelope(body, len(objects)-1); len(objects) > 1 && !errors.Is(err, ErrTooManyObjects) {
			t.Fatalf("DecodeEnvelope(%q, %d) = %v, want ErrTooManyObjects", body, len(objects)-1, err)
		}
		again, err := DecodeEnvelope(body, len(objects))
		if err != nil || len(again) != len(objects) {
			t.Fatalf("DecodeEnvelope(%q, %d) = %d objects, %v", body, len(objects), len(again), err)
		}
	})
}

// FuzzPeek checks that Peek returns an indexed object whose properties agree
// with the JSON, or an *ObjectError that unwraps to ErrInvalidObject.
func FuzzPeek(f *testing.F) {
	const id = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	for _, s := range []string{
		// valid
		`{"type":"indicator","spec_version":"2.1","id":"` + id + `","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.123Z","pattern":"[ipv4-addr:value = '1.2.3.4']"}`,
		`{"type":"indicator","id":"` + id + `","created":"2016-04-06T20:03:48Z"}`,
		`{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"}`,
		` { "id" : "x-custom--FF26C055-6336-4BC5-A98D-13D6226742DD" , "type" : "x-custom" , "spec_version" : "2.0" } `,
		`{"type":"indicator","id":"` + id + `","created":"2016-12-31T23:59:60Z","modified":"2017-01-01T00:00:00Z"}`,
		// invalid
		``,
		`null`,
		`[]`,
		`"indicator"`,
		`{}`,
		`{"type":"indicator"}`,
		`{"id":"` + id + `"}`,
		`{"id":"not-an-id","type":"indicator"}`,
		`{"id":"` + id + `","type":"malware"}`,
		`{"id":"` + id + `","type":1}`,
		`{"id":"` + id + `","type":"indicator","created":"2016-04-06"}`,
		`{"id":"` + id + `","type":"indicator","created":"2016-04-06T20:03:48Z","modified":"2016-04-05T20:03:48Z"}`,
		`{"id":"` + id + `","type":"indicator","spec_version":"2.2"}`,
		`{"id":"` + id + `","type":"indicator","spec_version":2.1}`,
		`{"id":"` + id + `","type":"indicator"} trailing`,
	} {
		f.Add(0, []byte(s))
	}
	f.Fuzz(func(t *testing.T, index int, raw []byte) {
		o, err := Peek(index, raw)
		if err != nil {
			var oe *ObjectError
			if !errors.As(err, &oe) {
				t.Fatalf("Peek(%q) error %T %v is not an *ObjectError", raw, err, err)
			}
			if !errors.Is(err, ErrInvalidObject) {
				t.Fatalf("Peek(%q) error %v does not unwrap to ErrInvalidObject", raw, err)
			}
			if oe.Index != index || oe.Reason == "" || err.Error() == "" {
				t.Fatalf("Peek(%q) error %#v: want index %d and a reason", raw, oe, index)
			}
			// ObjectError.ID is the id as posted, when a non-empty string,
			// and the message names the position unless it is an
			// identifier.
			var posted map[string]any
			if json.Unmarshal(raw, &posted) == nil {
				if s, _ := posted["id"].(string); oe.ID != s {
					t.Fatalf("Peek(%q) error names the object by %q, not by the id it carried", raw, oe.ID)
				}
			}
			if !ValidID(oe.ID) && !strings.HasPrefix(err.Error(), oe.Position()+": ") {
				t.Fatalf("Peek(%q) error %q does not name the position of an object without an identifier", raw, err)
			}
			if oe.Version != "" {
				if _, err := ParseTimestamp(oe.Version); err != nil {
					t.Fatalf("Peek(%q) error carries version %q, which is not a timestamp", raw, oe.Version)
				}
			}
			if o.ID != "" || o.Raw != nil {
				t.Fatalf("Peek(%q) failed but returned %+v", raw, o)
			}
			return
		}

		typ, _, ok := SplitID(o.ID)
		if !ok || !ValidID(o.ID) {
			t.Fatalf("Peek(%q) accepted id %q", raw, o.ID)
		}
		if o.Type != typ {
			t.Fatalf("Peek(%q): type %q is not the prefix of id %q", raw, o.Type, o.ID)
		}
		if o.SpecVersion != SpecVersion20 && o.SpecVersion != SpecVersion21 {
			t.Fatalf("Peek(%q): spec version %q", raw, o.SpecVersion)
		}
		if !json.Valid(o.Raw) {
			t.Fatalf("Peek(%q): Raw %q is not valid JSON", raw, o.Raw)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, o.Raw); err != nil || !bytes.Equal(compact.Bytes(), o.Raw) {
			t.Fatalf("Peek(%q): Raw %q is not compact JSON", raw, o.Raw)
		}
		compact.Reset()
		if err := json.Compact(&compact, raw); err != nil || !bytes.Equal(compact.Bytes(), o.Raw) {
			t.Fatalf("Peek(%q): Raw %q is not the input compacted", raw, o.Raw)
		}

		// The indexed properties agree with an independent decoding.
		var props map[string]any
		if err := json.Unmarshal(raw, &props); err != nil {
			t.Fatalf("Peek(%q) accepted what json.Unmarshal refuses: %v", raw, err)
		}
		if props["id"] != o.ID || props["type"] != o.Type {
			t.Fatalf("Peek(%q) = id %q type %q, the JSON says %v %v", raw, o.ID, o.Type, props["id"], props["type"])
		}
		created, hasCreated := props["created"].(string)
		modified, hasModified := props["modified"].(string)
		switch {
		case hasModified:
			if o.VersionText != modified {
				t.Fatalf("Peek(%q): version %q, want modified %q", raw, o.VersionText, modified)
			}
		case hasCreated:
			if o.VersionText != created {
				t.Fatalf("Peek(%q): version %q, want created %q", raw, o.VersionText, created)
			}
		default:
			if o.VersionText != "" || !o.Version.IsZero() || o.Versioned() {
				t.Fatalf("Peek(%q): version %q %v for an object with neither created nor modified", raw, o.VersionText, o.Version)
			}
		}
		if o.Versioned() {
			v, err := ParseTimestamp(o.VersionText)
			if err != nil || !v.Equal(o.Version) {
				t.Fatalf("Peek(%q): version %q does not parse to %v (%v)", raw, o.VersionText, o.Version, err)
			}
		}
		if hasCreated && hasModified {
			c, _ := ParseTimestamp(created)
			if o.Version.Before(c) {
				t.Fatalf("Peek(%q) accepted modified %q earlier than created %q", raw, modified, created)
			}
		}
		if sv, ok := props["spec_version"]; ok {
			if sv != o.SpecVersion {
				t.Fatalf("Peek(%q): spec version %q, the JSON says %v", raw, o.SpecVersion, sv)
			}
		} else if want := map[bool]string{true: SpecVersion20, false: SpecVersion21}[hasCreated || hasModified]; o.SpecVersion != want {
			t.Fatalf("Peek(%q): implied spec version %q, want %q", raw, o.SpecVersion, want)
		}
	})
}

// fuzzTypeOracle and fuzzUUIDOracle restate STIX 2.1 §3.1 (type names) and
// RFC 4122 (UUID layout, version 1-8, variant 10xx) independently of id.go.
var (
	fuzzTypeOracle = regexp.MustCompile(`^[a-z][a-z0-9-]{2,249}$`)
	fuzzUUIDOracle = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)
)

func fuzzValidType(s string) bool {
	return fuzzTypeOracle.MatchString(s) && !strings.Contains(s, "--")
}

// FuzzSplitID checks SplitID, ValidID, ValidType and ValidUUID against each
// other and against the regular-expression oracles above.
func FuzzSplitID(f *testing.F) {
	for _, s := range []string{
		// valid
		"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"x-custom-type--8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F",
		"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
		"abc--00000000-0000-1000-8000-000000000000",
		"ab---00000000-0000-8000-b000-000000000000",
		// invalid
		"",
		"indicator",
		"indicator--",
		"--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"ab--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"in--dicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f",
		"indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f",
		"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3g",
		"indicator--8e2e2d2b17d4-4cbf-938f-98ee46b3cd3f-",
		"1ndicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		typ, uuid, ok := SplitID(id)
		if ok != ValidID(id) {
			t.Fatalf("SplitID(%q) ok=%v, ValidID=%v", id, ok, ValidID(id))
		}
		if !ok {
			if typ != "" || uuid != "" {
				t.Fatalf("SplitID(%q) failed but returned %q, %q", id, typ, uuid)
			}
		} else {
			if !ValidType(typ) || !ValidUUID(uuid) {
				t.Fatalf("SplitID(%q) = %q, %q: a part is not valid", id, typ, uuid)
			}
			if typ+"--"+uuid != id {
				t.Fatalf("SplitID(%q) = %q, %q, which do not rebuild the id", id, typ, uuid)
			}
		}
		// Oracle: the id is valid iff it is a valid type, "--" and a UUID.
		want := len(id) >= 38 && id[len(id)-38:len(id)-36] == "--" &&
			fuzzValidType(id[:len(id)-38]) && fuzzUUIDOracle.MatchString(id[len(id)-36:])
		if ok != want {
			t.Fatalf("SplitID(%q) ok=%v, oracle says %v", id, ok, want)
		}
		// The input also serves as a type name and a UUID.
		if got, want := ValidType(id), fuzzValidType(id); got != want {
			t.Fatalf("ValidType(%q) = %v, oracle says %v", id, got, want)
		}
		if got, want := ValidUUID(id), fuzzUUIDOracle.MatchString(id); got != want {
			t.Fatalf("ValidUUID(%q) = %v, oracle says %v", id, got, want)
		}
	})
}
