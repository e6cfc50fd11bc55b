package taxii

import (
	"errors"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"liaison/stix"
)

// Fuzz targets for the parsers of client input in this package (style
// practice 18): query parameters, next tokens, and the Accept and
// Content-Type headers. Crashers that `go test -fuzz` finds are kept under
// testdata/fuzz/FuzzXxx/ and run as regression tests.

// fuzzAllowedSets are the parameter sets of the endpoints, indexed by the
// fuzzer's selector byte.
var fuzzAllowedSets = []struct {
	name    string
	allowed []string
}{
	{"list", paramsList},
	{"object", paramsObject},
	{"versions", paramsVersions},
	{"delete", paramsDelete},
	{"none", paramsNone},
}

// fuzzEncodeParams re-encodes parsed parameters as a query string.
func fuzzEncodeParams(p params) string {
	v := url.Values{}
	if p.filter.AddedAfter != "" {
		v.Set(paramAddedAfter, p.filter.AddedAfter)
	}
	if p.limit != 0 {
		v.Set(paramLimit, strconv.Itoa(p.limit))
	}
	if p.next != "" {
		v.Set(paramNext, p.next)
	}
	for name, list := range map[string][]string{paramMatchID: p.filter.IDs, paramMatchType: p.filter.Types,
		paramMatchVersion: p.filter.Versions, paramMatchSpecVersion: p.filter.SpecVersions} {
		if list != nil {
			v.Set(name, strings.Join(list, ","))
		}
	}
	return v.Encode()
}

// fuzzSortedUnique reports whether list is sorted and free of duplicates.
func fuzzSortedUnique(list []string) bool {
	for i := 1; i < len(list); i++ {
		if list[i-1] >= list[i] {
			return false
		}
	}
	return true
}

// FuzzParseParams checks that parseParams either fails with a 400 *Error
// naming a parameter of the query, or returns normalised values (sorted
// lists without duplicates, a positive limit, timestamps Go can read back)
// that parse again to the same result.
func FuzzParseParams(f *testing.F) {
	const id1 = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	const id2 = "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"
	for _, s := range []struct {
		q   string
		set uint8
	}{
		// valid
		{"", 0},
		{"", 4},
		{"added_after=2016-01-01T00:00:00.000Z&limit=10", 0},
		{"match[id]=" + id2 + "," + id1 + "," + id2 + "&match[type]=malware,indicator,indicator", 0},
		{"match%5Bversion%5D=last,first,2016-01-01T01:01:01.100Z&match[spec_version]=2.1,2.0", 1},
		{"match[version]=all", 3},
		{"match[version]=2016-12-31T23:59:60Z&added_after=2016-12-31t23:59:59.999999999%2B00:00", 1},
		{"next=abc.def&limit=99999999999999999999", 2},
		{"limit=+5", 2},
		// ParseTimestamp turns this leap second into year 10000, which
		// storeQuery cannot read back, so added_after is silently dropped:
		// fails until fixed (see stix FuzzParseTimestamp).
		{"added_after=9999-12-31T23:59:60Z", 0},
		{"match[version]=9999-12-31T23:59:60.5Z", 1},
		// invalid
		{"limit=0", 0},
		{"limit=-1", 0},
		{"limit=1.5", 0},
		{"limit=10&limit=20", 0},
		{"added_after=", 0},
		{"added_after=yesterday", 0},
		{"match[id]=indicator", 0},
		{"match[id]=" + id1 + ",", 0},
		{"match[type]=Indicator", 0},
		{"match[spec_version]=2", 0},
		{"match[version]=all,first", 1},
		{"match[version]=first,first", 1},
		{"match[version]=2016-01-01T00:00:00Z,2016-01-01T00:00:00.000Z", 1},
		{"match[id]=" + id1, 1},
		{"limit=1", 3},
		{"limit=1", 4},
		{"=", 4},
		{"a=b;c=d", 0},
		{"%zz=1", 0},
		{"match[type]=indicator,%C0%AF", 0},
		{"limit%E9=1", 2},
		{"match[type]=" + strings.Repeat("abc,", 1000) + "abc", 0},
	} {
		f.Add(s.q, s.set)
	}
	f.Fuzz(func(t *testing.T, rawQuery string, set uint8) {
		allowed := fuzzAllowedSets[int(set)%len(fuzzAllowedSets)].allowed
		values, qerr := url.ParseQuery(rawQuery)
		p, err := parseParams(rawQuery, allowed)
		if err != nil {
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("parseParams(%q) error %T %v is not an *Error", rawQuery, err, err)
			}
			if te.Status != http.StatusBadRequest {
				t.Fatalf("parseParams(%q) error status %d, want 400", rawQuery, te.Status)
			}
			param, ok := te.Details["parameter"].(string)
			if !ok {
				t.Fatalf("parseParams(%q) error %v has no details.parameter", rawQuery, err)
			}
			// A name that is not UTF-8 is named with U+FFFD for its bad
			// bytes, and a long one by its first 80 bytes and "...".
			named := slices.ContainsFunc(slices.Collect(maps.Keys(values)), func(n string) bool {
				n = strings.ToValidUTF8(n, "\uFFFD")
				if prefix, cut := strings.CutSuffix(param, "..."); cut && len(prefix) > 76 && len(prefix) <= 80 {
					return strings.HasPrefix(n, prefix)
				}
				return n == param
			})
			if !named && param != "query string" {
				t.Fatalf("parseParams(%q) error names parameter %q, which the query does not have", rawQuery, param)
			}
			return
		}
		if qerr != nil {
			t.Fatalf("parseParams(%q) accepted a query url.ParseQuery refuses: %v", rawQuery, qerr)
		}
		for name, vs := range values {
			if !slices.Contains(allowed, name) || len(vs) != 1 || vs[0] == "" || !utf8.ValidString(vs[0]) {
				t.Fatalf("parseParams(%q, %q) accepted parameter %q = %q", rawQuery, allowed, name, vs)
			}
		}
		if v, ok := values[paramLimit]; ok != (p.limit != 0) || p.limit < 0 {
			t.Fatalf("parseParams(%q): limit %d from %q", rawQuery, p.limit, v)
		}
		if v := values[paramNext]; (len(v) == 1 && v[0] != p.next) || (len(v) == 0 && p.next != "") {
			t.Fatalf("parseParams(%q): next %q from %q", rawQuery, p.next, v)
		}
		lists := []struct {
			name  string
			list  []string
			valid func(string) bool
		}{
			{paramMatchID, p.filter.IDs, stix.ValidID},
			{paramMatchType, p.filter.Types, stix.ValidType},
			{paramMatchSpecVersion, p.filter.SpecVersions, validSpecVersion},
			{paramMatchVersion, p.filter.Versions, func(s string) bool {
				if s == "first" || s == "last" || s == "all" {
					return true
				}
				ts, err := time.Parse(time.RFC3339Nano, s)
				return err == nil && ts.Format(time.RFC3339Nano) == s
			}},
		}
		for _, l := range lists {
			if _, given := values[l.name]; given != (len(l.list) > 0) {
				t.Fatalf("parseParams(%q): %s = %q", rawQuery, l.name, l.list)
			}
			if !fuzzSortedUnique(l.list) {
				t.Fatalf("parseParams(%q): %s = %q is not sorted and unique", rawQuery, l.name, l.list)
			}
			for _, it := range l.list {
				if !l.valid(it) {
					t.Fatalf("parseParams(%q): %s holds %q", rawQuery, l.name, it)
				}
			}
		}
		if len(p.filter.Versions) > 1 && slices.Contains(p.filter.Versions, "all") {
			t.Fatalf("parseParams(%q): match[version] = %q combines all", rawQuery, p.filter.Versions)
		}

		// The store query is what the filter means: every timestamp in it
		// must survive the conversion.
		q, err := p.filter.storeQuery()
		if err != nil {
			t.Fatalf("parseParams(%q): accepted, but storeQuery fails: %v", rawQuery, err)
		}
		if given := values[paramAddedAfter]; len(given) == 1 {
			ts, _ := stix.ParseTimestamp(given[0])
			if !ts.Equal(q.AddedAfter) {
				t.Fatalf("parseParams(%q): added_after %q becomes %q and store time %v, want %v",
					rawQuery, given[0], p.filter.AddedAfter, q.AddedAfter, ts)
			}
		} else if p.filter.AddedAfter != "" || !q.AddedAfter.IsZero() {
			t.Fatalf("parseParams(%q): added_after %q without the parameter", rawQuery, p.filter.AddedAfter)
		}
		var at []string
		for _, v := range p.filter.Versions {
			if v != "first" && v != "last" && v != "all" {
				at = append(at, v)
			}
		}
		if len(q.Versions.At) != len(at) {
			t.Fatalf("parseParams(%q): match[version] %q becomes store times %v", rawQuery, p.filter.Versions, q.Versions.At)
		}
		for i, ts := range q.Versions.At {
			if ts.Format(time.RFC3339Nano) != at[i] {
				t.Fatalf("parseParams(%q): match[version] %q becomes store time %v", rawQuery, at[i], ts)
			}
		}

		// Idempotence: the normalised parameters, re-encoded, parse to the
		// same result.
		again := fuzzEncodeParams(p)
		p2, err := parseParams(again, allowed)
		if err != nil {
			t.Fatalf("parseParams(%q) = %+v; re-encoded as %q it fails: %v", rawQuery, p, again, err)
		}
		if !p.filter.equal(&p2.filter) || p.limit != p2.limit || p.next != p2.next {
			t.Fatalf("parseParams(%q) = %+v; re-encoded as %q it gives %+v", rawQuery, p, again, p2)
		}
	})
}

// fuzzCursorKey is the fixed key of the cursor targets.
var fuzzCursorKey = []byte("liaison fuzz cursor key, 32 byte")

// fuzzJSONString is what a string becomes after a JSON round trip:
// encoding/json replaces each invalid UTF-8 byte with U+FFFD, as a
// conversion to runes does.
func fuzzJSONString(s string) string { return string([]rune(s)) }

// fuzzCursorSeeds returns tokens of cursors this server could issue.
func fuzzCursorSeeds() []cursor {
	return []cursor{
		{},
		{Collection: "91a7b528-80eb-42ed-a74d-c6fbd5a26116", Endpoint: endpointObjects, Principal: "alice", Position: 1700000000000000,
			Filter: &filter{AddedAfter: "2016-01-01T00:00:00Z", Types: []string{"indicator"}}},
		{Collection: "91a7b528-80eb-42ed-a74d-c6fbd5a26116", Endpoint: endpointVersions, Object: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
			Principal: "bob", Position: 1, FilterHash: "00112233445566778899aabbccddeeff"},
		{Collection: "c", Endpoint: endpointManifest, Principal: "<script>&\u2028\"", Position: 1<<64 - 1, Filter: &filter{}},
	}
}

// FuzzDecodeCursor checks that only tokens encodeCursor made with the key
// verify: a token that decodes is exactly the token of its cursor.
func FuzzDecodeCursor(f *testing.F) {
	for _, c := range fuzzCursorSeeds() {
		f.Add(encodeCursor(fuzzCursorKey, c))         // valid
		f.Add(encodeCursor([]byte("another key"), c)) // wrong key
	}
	for _, s := range []string{
		"", ".", "..", "abc", "abc.", ".abc",
		"eyJ2IjoxfQ.AAAAAAAAAAAAAAAAAAAAAA",   // {"v":1} with a zero MAC
		"eyJ2IjoxfQ==.AAAAAAAAAAAAAAAAAAAAAA", // padded
		"eyJ2IjoxfQ.AAAAAAAAAAAAAAAAAAAAAAAA", // MAC too long
		"e30.AAAAAAAAAAAAAAAAAAAAAA",          // {}
		"!!!.???",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := decodeCursor(fuzzCursorKey, token)
		if err != nil {
			if !errors.Is(err, errBadCursor) {
				t.Fatalf("decodeCursor(%q) error %v is not errBadCursor", token, err)
			}
			if !reflect.DeepEqual(c, cursor{}) {
				t.Fatalf("decodeCursor(%q) failed but returned %+v", token, c)
			}
			return
		}
		if c.Version != cursorVersion {
			t.Fatalf("decodeCursor(%q) accepted version %d", token, c.Version)
		}
		if issued := encodeCursor(fuzzCursorKey, c); issued != token {
			t.Fatalf("decodeCursor(%q) accepted a token the server did not issue; it issues %q for %+v", token, issued, c)
		}
		if _, err := decodeCursor([]byte("another key"), token); err == nil {
			t.Fatalf("decodeCursor(%q) verifies under two keys", token)
		}
	})
}

// FuzzCursorRoundTrip builds cursors from fuzzed fields and checks that
// their tokens decode to the same cursor, only under the key that made
// them, and that every single-byte change or truncation is refused.
func FuzzCursorRoundTrip(f *testing.F) {
	for i, c := range fuzzCursorSeeds() {
		var aa, ids string
		if c.Filter != nil {
			aa, ids = c.Filter.AddedAfter, strings.Join(c.Filter.Types, ",")
		}
		f.Add(c.Collection, c.Endpoint, c.Object, c.Principal, c.FilterHash, aa, ids, c.Filter != nil, c.Position, byte(1<<i))
	}
	f.Add("", "", "", "", "", "", "", false, uint64(0), byte(0xff))
	f.Add("\xff\xfe", "objects\x00", "\u00e9", strings.Repeat("p", 3000), "", "", ",,", true, uint64(42), byte(0x20))
	f.Add("c", "object", "o", "p", "", "2016-12-31T23:59:60Z", "a,b,a", true, uint64(7), byte(0x80))
	f.Add("c", "objects", "", "p", "fh", "", "", false, uint64(1<<53+1), byte(0x04))
	f.Fuzz(func(t *testing.T, coll, ep, obj, principal, filterHash, addedAfter, ids string, withFilter bool, pos uint64, mask byte) {
		c := cursor{Collection: coll, Endpoint: ep, Object: obj, Principal: principal, FilterHash: filterHash, Position: pos}
		want := cursor{Version: cursorVersion, Collection: fuzzJSONString(coll), Endpoint: fuzzJSONString(ep),
			Object: fuzzJSONString(obj), Principal: fuzzJSONString(principal), FilterHash: fuzzJSONString(filterHash), Position: pos}
		if withFilter {
			c.Filter = &filter{AddedAfter: addedAfter}
			want.Filter = &filter{AddedAfter: fuzzJSONString(addedAfter)}
			if ids != "" {
				c.Filter.IDs = strings.Split(ids, ",")
				for _, id := range c.Filter.IDs {
					want.Filter.IDs = append(want.Filter.IDs, fuzzJSONString(id))
				}
			}
		}
		token := encodeCursor(fuzzCursorKey, c)
		got, err := decodeCursor(fuzzCursorKey, token)
		if len(token) > 64<<10 {
			if err == nil {
				t.Fatalf("decodeCursor accepted a %d-byte token", len(token))
			}
			return
		}
		if err != nil {
			t.Fatalf("decodeCursor(encodeCursor(%+v)) = %v", c, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cursor round trip: got %+v, want %+v", got, want)
		}
		if _, err := decodeCursor([]byte("another key"), token); err == nil {
			t.Fatalf("token %q verifies under another key", token)
		}
		if mask == 0 {
			mask = 1
		}
		b := []byte(token)
		for i := range b {
			b[i] ^= mask
			if c2, err := decodeCursor(fuzzCursorKey, string(b)); err == nil {
				t.Fatalf("token %q with byte %d changed from %q to %q still verifies, as %+v", token, i, token[i], b[i], c2)
			}
			b[i] ^= mask
		}
		for n := range len(token) {
			if _, err := decodeCursor(fuzzCursorKey, token[:n]); err == nil {
				t.Fatalf("token %q truncated to %d bytes still verifies", token, n)
			}
		}
	})
}

// fuzzSpaced inserts spaces around every ';' and ',', which a media type
// parser must ignore outside quoted strings.
func fuzzSpaced(h string) string {
	return strings.NewReplacer(";", " ; ", ",", " , ").Replace(h)
}

// fuzzUpperASCII upper-cases ASCII letters only: media types and parameter
// names are case-insensitive (RFC 9110 §8.3.1), and the values that matter
// here (version 2.1, q) have no case.
func fuzzUpperASCII(h string) string {
	b := []byte(h)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// FuzzAcceptable checks Acceptable on Accept headers: a list accepts when
// one of its ranges does, in any order, whatever the spacing and the case.
func FuzzAcceptable(f *testing.F) {
	for _, s := range [][2]string{
		// acceptable
		{"", "text/html"},
		{"application/taxii+json;version=2.1", ""},
		{"application/taxii+json", "text/html"},
		{"APPLICATION/TAXII+JSON ; Version=\"2.1\"", "*/*;q=0"},
		{"text/html;q=0.9", "application/*;q=0.1"},
		{"application/json", "application/taxii+json;version=2.0"},
		{"*/*", ""},
		{"application/taxii+json;version*=utf-8''2.1", ""},
		// not acceptable
		{"application/vnd.oasis.taxii+json;version=2.0", "text/html"},
		{"application/taxii+json;version=2.1;q=0", "application/json;q=0.000"},
		{"application/taxii+json;version=2.1;q=abc", "*/*;q=-1"},
		{"application/taxii+json;version=2.1;version=2.1", "text/*"},
		{"application/taxii+json;version=\"2.1", "application/taxii+json;;version=2.1"},
		{",", ";"},
		{"application/stix+json;version=2.1", "application/xml"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !Acceptable("") || !Acceptable(" \t") || !Acceptable(MediaType) {
			t.Fatal("Acceptable refuses an absent header or the TAXII media type")
		}
		accA, accB := Acceptable(a), Acceptable(b)
		if strings.TrimSpace(a) == "" && !accA {
			t.Fatalf("Acceptable(%q) = false for a blank header", a)
		}
		// Quotes may legitimately hide commas (RFC 9110 §5.6.1), so the
		// list properties hold for quote-free elements only.
		if strings.ContainsRune(a+b, '"') {
			return
		}
		if !Acceptable(a + "," + MediaType) {
			t.Fatalf("Acceptable(%q) = false with the TAXII media type listed", a+","+MediaType)
		}
		if strings.TrimSpace(a) != "" && strings.TrimSpace(b) != "" {
			ab, ba := Acceptable(a+","+b), Acceptable(b+", "+a)
			if ab != (accA || accB) || ba != ab {
				t.Fatalf("Acceptable(%q) = %v, Acceptable(%q) = %v, but a,b = %v and b,a = %v", a, accA, b, accB, ab, ba)
			}
		}
		if got := Acceptable(fuzzSpaced(a)); got != accA {
			t.Fatalf("Acceptable(%q) = %v, but with spaces %q it is %v", a, accA, fuzzSpaced(a), got)
		}
		if got := Acceptable(fuzzUpperASCII(a)); got != accA {
			t.Fatalf("Acceptable(%q) = %v, but upper-cased it is %v", a, accA, got)
		}
	})
}

// FuzzContentTypeOK checks ContentTypeOK: it ignores spacing around ';' and
// case, and an accepted Content-Type (without q or a list) is also an
// acceptable Accept header.
func FuzzContentTypeOK(f *testing.F) {
	for _, s := range []string{
		// accepted
		"application/taxii+json;version=2.1",
		"application/taxii+json",
		"Application/TAXII+JSON; VERSION=\"2.1\"",
		"application/taxii+json ; version=2.1 ; charset=utf-8",
		"application/taxii+json;version=2.1;",
		"application/taxii+json;version*=''2%2E1",
		// refused
		"",
		"application/json",
		"application/taxii+json;version=2.0",
		"application/vnd.oasis.taxii+json;version=2.0",
		"application/stix+json;version=2.1",
		"application/taxii+json;version=2.1;version=2.1",
		"application/taxii+json;version",
		"application/taxii+json;;version=2.1",
		"application/taxii+json;x=\"unterminated",
		"application/taxii+json, text/html",
		"*/*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if !ContentTypeOK(MediaType) {
			t.Fatal("ContentTypeOK refuses the TAXII media type")
		}
		ok := ContentTypeOK(h)
		if got := ContentTypeOK(fuzzSpaced(h)); got != ok {
			t.Fatalf("ContentTypeOK(%q) = %v, but with spaces %q it is %v", h, ok, fuzzSpaced(h), got)
		}
		if got := ContentTypeOK(fuzzUpperASCII(h)); got != ok {
			t.Fatalf("ContentTypeOK(%q) = %v, but upper-cased it is %v", h, ok, got)
		}
		if !ok {
			return
		}
		mt, params, err := mime.ParseMediaType(h)
		if err != nil || mt != "application/taxii+json" {
			t.Fatalf("ContentTypeOK(%q) accepted media type %q (%v)", h, mt, err)
		}
		if v, has := params["version"]; has && v != "2.1" {
			t.Fatalf("ContentTypeOK(%q) accepted version %q", h, v)
		}
		// Acceptable splits on every comma, even inside a quoted string (see
		// the report), and honours q; outside those, it must agree.
		if _, hasQ := params["q"]; !hasQ && !strings.Contains(h, ",") && !Acceptable(h) {
			t.Fatalf("ContentTypeOK(%q) = true, but Acceptable refuses it as an Accept header", h)
		}
	})
}
