package coopfeed

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func generate(t testing.TB, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Generate(&buf, o); err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	return buf.Bytes()
}

func TestDeterministic(t *testing.T) {
	for _, o := range []Options{{Objects: 50, Seed: 0}, {Objects: 1000, Seed: 42}, {Objects: 5000, Seed: 1}} {
		a := generate(t, o)
		b := generate(t, o)
		if !bytes.Equal(a, b) {
			t.Errorf("%+v: two runs differ", o)
		}
	}
	a := generate(t, Options{Objects: 1000, Seed: 1})
	b := generate(t, Options{Objects: 1000, Seed: 2})
	if bytes.Equal(a, b) {
		t.Error("different seeds gave identical output")
	}
}

func TestSampleIsGenerated(t *testing.T) {
	got := generate(t, Options{Objects: 300, Seed: 2017})
	if !bytes.Equal(Sample(), got) {
		t.Fatal("sample.json is stale: regenerate with go run ./cmd/coopgen -n 300 -seed 2017 -o stix/coopfeed/sample.json")
	}
	// Sample returns a copy.
	s := Sample()
	s[0] = 'X'
	if Sample()[0] != '{' {
		t.Error("Sample() returned shared storage")
	}
}

func TestSampleContents(t *testing.T) {
	st := validate(t, Sample())
	checkContents(t, st)
	for _, typ := range []string{"ipv4-addr", "domain-name", "url"} {
		if st.types[typ] == 0 {
			t.Errorf("sample has no %s SCO", typ)
		}
	}
	// The block quotas make the mix robust: other seeds give the same shape.
	for seed := range uint64(20) {
		checkContents(t, validate(t, generate(t, Options{Objects: 300, Seed: seed})))
	}
}

func checkContents(t *testing.T, st *stats) {
	t.Helper()
	want := map[string]int{
		"identity": 8, "campaign": 1, "report": 1, "malware": 2, "infrastructure": 10,
		"indicator": 100, "relationship": 1, "sighting": 10,
	}
	for typ, n := range want {
		if st.uniqueByType[typ] < n {
			t.Errorf("%d distinct %s objects, want >= %d", st.uniqueByType[typ], typ, n)
		}
	}
	if n := st.types["ipv4-addr"] + st.types["domain-name"] + st.types["url"]; n < 5 {
		t.Errorf("%d SCOs, want some", n)
	}
	if n := len(st.objects); n < 290 || n > 310 {
		t.Errorf("%d objects, want about 300", n)
	}
	if st.multiVersion < 5 {
		t.Errorf("%d multi-version objects, want several", st.multiVersion)
	}
	if st.revoked < 2 {
		t.Errorf("%d revoked objects, want >= 2", st.revoked)
	}
	for _, id := range []string{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed} {
		if st.markingUse[id] == 0 {
			t.Errorf("marking %s is never referenced", id)
		}
	}
	for _, rt := range []string{"indicates", "uses", "consists-of", "attributed-to"} {
		if st.relTypes[rt] == 0 {
			t.Errorf("no %s relationship", rt)
		}
	}
}

func TestValid(t *testing.T) {
	for _, o := range []Options{{Objects: 50, Seed: 7}, {Objects: 300, Seed: 2017}, {Objects: 3000, Seed: 99}} {
		validate(t, generate(t, o))
	}
}

func TestScale(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 5000 // the same proportions, on fewer indicators
	}
	st := validate(t, generate(t, Options{Objects: n, Seed: 5}))
	got := len(st.objects)
	if got < n*98/100 || got > n*102/100 {
		t.Errorf("Objects=%d produced %d objects", n, got)
	}
	ind := st.types["indicator"]
	if ind < got/3 {
		t.Errorf("only %d of %d objects are indicators", ind, got)
	}
	// About 5% of indicators get a second version and about 1% are revoked.
	distinct := st.uniqueByType["indicator"]
	versions := ind - distinct
	if versions < distinct*4/100 || versions > distinct*8/100 {
		t.Errorf("%d later indicator versions for %d indicators, want about 6%%", versions, distinct)
	}
	if st.revokedByType["indicator"] < distinct/200 || st.revokedByType["indicator"] > distinct*2/100 {
		t.Errorf("%d revoked indicators for %d indicators, want about 1%%", st.revokedByType["indicator"], distinct)
	}
}

func TestTooFewObjects(t *testing.T) {
	if err := Generate(io.Discard, Options{Objects: 49}); !errors.Is(err, ErrTooFewObjects) {
		t.Fatalf("Objects=49: err = %v, want ErrTooFewObjects", err)
	}
}

// TestCheckerCatches makes sure the validator used above rejects broken
// bundles, so that a passing TestValid means something.
func TestCheckerCatches(t *testing.T) {
	sample := string(Sample())
	if _, problems := check([]byte(sample)); len(problems) != 0 {
		t.Fatalf("sample has problems: %v", problems)
	}
	ipRE := regexp.MustCompile(`ipv4-addr:value = '[0-9.]+'`)
	modRE := regexp.MustCompile(`"modified":"2017-04-18T09:00:00.000Z"`)
	cases := map[string]string{
		"dangling marking": strings.Replace(sample, TLPGreen, "marking-definition--00000000-0000-4000-8000-000000000000", 1),
		"public IP":        ipRE.ReplaceAllString(sample, "ipv4-addr:value = '8.8.8.8'"),
		"bad domain":       strings.Replace(sample, ".compromised.test/", ".compromised.com/", 1),
		"bad variant":      strings.Replace(sample, `"id":"identity--`, `"id":"identity--00000000-0000-4000-7000-000000000000","x":"`, 1),
		"modified<created": modRE.ReplaceAllString(sample, `"modified":"2017-01-01T00:00:00.000Z"`),
		"second precision": strings.Replace(sample, `"created":"2017-02-01T10:00:00.000Z"`, `"created":"2017-02-01T10:00:00Z"`, 1),
		"not JSON":         strings.Replace(sample, `"objects":[`, `"objects":[[`, 1),
	}
	for name, c := range cases {
		if c == sample {
			t.Errorf("%s: corruption did not apply", name)
			continue
		}
		if _, problems := check([]byte(c)); len(problems) == 0 {
			t.Errorf("%s: not detected", name)
		}
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	if err := Generate(&failWriter{n: 100000}, Options{Objects: 5000, Seed: 1}); err == nil || err.Error() != "disk full" {
		t.Fatalf("err = %v, want disk full", err)
	}
}

// ---- validation ------------------------------------------------------------

const (
	idPattern = `^[a-z][a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`
	tsPattern = `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`
	// Only single-value comparisons of the three SCO types are generated.
	stixPattern = `^\[(ipv4-addr|domain-name|url):value = '([^'\\]+)'\]$`
)

func isSCO(typ string) bool { return typ == "ipv4-addr" || typ == "domain-name" || typ == "url" }

func reservedIP(s string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	for _, p := range []string{"198.18.0.0/15", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"} {
		if netip.MustParsePrefix(p).Contains(a) {
			return true
		}
	}
	return false
}

func reservedDomain(s string) bool {
	return (strings.HasSuffix(s, ".example") || strings.HasSuffix(s, ".test")) && !strings.ContainsAny(s, " /:'")
}

func reservedValue(typ, v string) bool {
	switch typ {
	case "ipv4-addr":
		return reservedIP(v)
	case "domain-name":
		return reservedDomain(v)
	case "url":
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return false
		}
		return reservedIP(u.Hostname()) || reservedDomain(u.Hostname())
	}
	return false
}

type stats struct {
	objects       []map[string]any
	types         map[string]int
	uniqueByType  map[string]int
	revokedByType map[string]int
	relTypes      map[string]int
	markingUse    map[string]int
	multiVersion  int
	revoked       int
}

// validate checks the bundle framing and every object, reports problems with
// t.Errorf and returns counts.
func validate(t *testing.T, data []byte) *stats {
	t.Helper()
	st, problems := check(data)
	for i, p := range problems {
		if i == 20 {
			t.Errorf("... and %d more problems", len(problems)-i)
			break
		}
		t.Error(p)
	}
	if st == nil {
		t.FailNow()
	}
	return st
}

// check validates a generated bundle and returns counts and the problems
// found (st is nil when the bundle cannot be parsed at all).
func check(data []byte) (st *stats, problems []string) {
	idRE := regexp.MustCompile(idPattern)
	tsRE := regexp.MustCompile(tsPattern)
	patRE := regexp.MustCompile(stixPattern)
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	parseTS := func(id, field string, v any) time.Time {
		s, _ := v.(string)
		if !tsRE.MatchString(s) {
			errorf("%s: %s %q is not YYYY-MM-DDTHH:MM:SS.sssZ", id, field, s)
			return time.Time{}
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			errorf("%s: %s %q: %v", id, field, s, err)
		}
		return tm
	}

	// Framing: header line, one object per line, closing line.
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	lines := 0
	for sc.Scan() {
		line := sc.Bytes()
		lines++
		if lines == 1 {
			if !bytes.HasPrefix(line, []byte(`{"type":"bundle","id":"bundle--`)) || !bytes.HasSuffix(line, []byte(`"objects":[`)) {
				errorf("bad header line %q", line)
				return nil, problems
			}
			continue
		}
		if string(line) == "]}" {
			continue
		}
		line = bytes.TrimSuffix(line, []byte(","))
		if len(line) == 0 || line[0] != '{' || !json.Valid(line) {
			errorf("line %d is not a single JSON object: %.200q", lines, line)
			return nil, problems
		}
	}

	var b struct {
		Type    string            `json:"type"`
		ID      string            `json:"id"`
		Objects []json.RawMessage `json:"objects"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&b); err != nil {
		errorf("not a JSON bundle: %v", err)
		return nil, problems
	}
	if dec.More() {
		errorf("trailing data after bundle")
		return nil, problems
	}
	if b.Type != "bundle" || !idRE.MatchString(b.ID) || !strings.HasPrefix(b.ID, "bundle--") {
		errorf("bad bundle header type=%q id=%q", b.Type, b.ID)
		return nil, problems
	}
	if lines != len(b.Objects)+2 {
		errorf("%d lines for %d objects, want one object per line", lines, len(b.Objects))
	}

	st = &stats{
		types: map[string]int{}, uniqueByType: map[string]int{}, revokedByType: map[string]int{},
		relTypes: map[string]int{}, markingUse: map[string]int{},
	}
	ids := map[string]string{} // id -> type
	lastModified := map[string]time.Time{}
	lastRevoked := map[string]bool{}
	versions := map[string]int{}
	for i, raw := range b.Objects {
		var o map[string]any
		if err := json.Unmarshal(raw, &o); err != nil {
			errorf("object %d: %v", i, err)
			return nil, problems
		}
		st.objects = append(st.objects, o)
		typ, _ := o["type"].(string)
		id, _ := o["id"].(string)
		st.types[typ]++
		if !idRE.MatchString(id) || !strings.HasPrefix(id, typ+"--") {
			errorf("object %d: bad id %q for type %q", i, id, typ)
			continue
		}
		if !isSCO(typ) && id[len(typ)+2+14] != '4' {
			errorf("%s: not a version 4 UUID", id)
		}
		if o["spec_version"] != "2.1" {
			errorf("%s: spec_version %v", id, o["spec_version"])
		}
		if prev, ok := ids[id]; ok && prev != typ {
			errorf("%s: id reused across types", id)
		}
		if _, seen := ids[id]; !seen {
			st.uniqueByType[typ]++
		}
		ids[id] = typ
		versions[id]++

		switch {
		case isSCO(typ):
			v, _ := o["value"].(string)
			if !reservedValue(typ, v) {
				errorf("%s: value %q is not reserved", id, v)
			}
			if versions[id] > 1 {
				errorf("%s: SCO emitted twice", id)
			}
		case typ == "marking-definition":
			parseTS(id, "created", o["created"])
			ext, _ := o["extensions"].(map[string]any)
			tlp, _ := ext[TLPExtensionID].(map[string]any)
			if tlp["extension_type"] != "property-extension" || tlp["tlp_2_0"] == nil || o["name"] == nil {
				errorf("%s: not a TLP 2.0 marking definition", id)
			}
		default:
			created := parseTS(id, "created", o["created"])
			modified := parseTS(id, "modified", o["modified"])
			if modified.Before(created) {
				errorf("%s: modified %v before created %v", id, modified, created)
			}
			if prev, ok := lastModified[id]; ok && !modified.After(prev) {
				errorf("%s: version with modified %v emitted after one with %v", id, modified, prev)
			}
			if lastRevoked[id] {
				errorf("%s: version emitted after a revoked one", id)
			}
			lastModified[id] = modified
			if o["revoked"] == true {
				lastRevoked[id] = true
				st.revoked++
				st.revokedByType[typ]++
			}
			if _, ok := o["created_by_ref"].(string); !ok {
				errorf("%s: no created_by_ref", id)
			}
		}

		switch typ {
		case "indicator":
			p, _ := o["pattern"].(string)
			m := patRE.FindStringSubmatch(p)
			if m == nil {
				errorf("%s: unexpected pattern %q", id, p)
			} else if !reservedValue(m[1], m[2]) {
				errorf("%s: pattern %q uses a non-reserved value", id, p)
			}
			if o["pattern_type"] != "stix" {
				errorf("%s: pattern_type %v", id, o["pattern_type"])
			}
			parseTS(id, "valid_from", o["valid_from"])
			if it, _ := o["indicator_types"].([]any); len(it) == 0 {
				errorf("%s: no indicator_types", id)
			}
		case "report":
			parseTS(id, "published", o["published"])
			if r, _ := o["object_refs"].([]any); len(r) == 0 {
				errorf("%s: empty object_refs", id)
			}
		case "malware":
			if o["is_family"] != true || o["name"] == nil {
				errorf("%s: malware needs is_family true and name", id)
			}
		case "relationship":
			rt, _ := o["relationship_type"].(string)
			st.relTypes[rt]++
		case "sighting":
			first := parseTS(id, "first_seen", o["first_seen"])
			last := parseTS(id, "last_seen", o["last_seen"])
			if last.Before(first) {
				errorf("%s: last_seen before first_seen", id)
			}
		}
	}
	for _, n := range versions {
		if n > 1 {
			st.multiVersion++
		}
	}

	// References: every *_ref / *_refs value names an object in the bundle.
	// (The TLP extension-definition id only appears as an "extensions" key.)
	var walk func(id string, v any)
	checkRef := func(id, key string, v any) {
		s, ok := v.(string)
		if !ok {
			errorf("%s: %s holds %v, not an id", id, key, v)
			return
		}
		typ, ok := ids[s]
		if !ok {
			errorf("%s: %s %q is not in the bundle", id, key, s)
			return
		}
		switch key {
		case "created_by_ref", "where_sighted_refs":
			if typ != "identity" {
				errorf("%s: %s %q is not an identity", id, key, s)
			}
		case "object_marking_refs":
			if typ != "marking-definition" {
				errorf("%s: %s %q is not a marking definition", id, key, s)
			}
			st.markingUse[s]++
		case "sighting_of_ref":
			if typ != "indicator" {
				errorf("%s: sighting_of_ref %q is not an indicator", id, s)
			}
		}
	}
	walk = func(id string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				switch {
				case strings.HasSuffix(k, "_ref"):
					checkRef(id, k, x)
				case strings.HasSuffix(k, "_refs"):
					list, ok := x.([]any)
					if !ok || len(list) == 0 {
						errorf("%s: %s is not a non-empty list", id, k)
					}
					for _, r := range list {
						checkRef(id, k, r)
					}
				default:
					walk(id, x)
				}
			}
		case []any:
			for _, x := range v {
				walk(id, x)
			}
		}
	}
	for _, o := range st.objects {
		id, _ := o["id"].(string)
		walk(id, o)
	}
	return st, problems
}
