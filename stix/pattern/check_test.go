package pattern

import (
	"reflect"
	"strings"
	"testing"
)

// specErrata are the warnings Check rightly gives for examples of STIX 2.1
// §9 that use properties STIX 2.1 §6 does not define.
var specErrata = map[string][]string{
	// file:created is the STIX 2.0 name of file:ctime.
	`[(file:name = 'pdf.exe' OR file:size = 371712) AND file:created = t'2014-01-13T07:03:17Z']`: {
		`line 1 col 57: warning: unknown property "created" of file`},
}

func TestCheck_SpecAndFeedExamples(t *testing.T) {
	for _, in := range append(specExamples, feedExamples...) {
		p, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		var got []string
		for _, pr := range p.Check() {
			got = append(got, pr.String())
		}
		if want := specErrata[in]; !reflect.DeepEqual(got, want) {
			t.Errorf("Check(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCheck lists, for each kind of problem, patterns that have it and
// patterns that come close without having it. Problems are written as
// Problem.String renders them.
func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		// object types
		{"known type", `[mutex:name = 'x']`, nil},
		{"unknown type", `[foo:bar = 1]`, []string{
			`line 1 col 2: warning: unknown object type "foo": not a STIX 2.1 cyber-observable object (custom types start with "x-")`}},
		{"types are case-sensitive", `[File:name = 'x']`, []string{
			`line 1 col 2: warning: unknown object type "File": not a STIX 2.1 cyber-observable object (custom types start with "x-")`}},
		{"SDO is no observable", `[indicator:name = 'x']`, []string{
			`line 1 col 2: warning: unknown object type "indicator": not a STIX 2.1 cyber-observable object (custom types start with "x-")`}},
		{"custom type", `[x-usb-device:usbdrive.serial_number = '5758']`, nil},
		{"every SCO type", `[artifact:mime_type = 'a' OR autonomous-system:number = 1 OR directory:path = 'a' OR domain-name:value = 'a' OR email-addr:value = 'a' OR email-message:subject = 'a' OR file:name = 'a' OR ipv4-addr:value = 'a' OR ipv6-addr:value = 'a' OR mac-addr:value = 'a' OR mutex:name = 'a' OR network-traffic:src_port = 1 OR process:pid = 1 OR software:name = 'a' OR url:value = 'a' OR user-account:user_id = 'a' OR windows-registry-key:key = 'a' OR x509-certificate:issuer = 'a']`, nil},

		// properties
		{"unknown property", `[ipv4-addr:valeu = '1.2.3.4']`, []string{
			`line 1 col 12: warning: unknown property "valeu" of ipv4-addr`}},
		{"common property", `[file:type = 'file' AND file:id = 'x' AND file:spec_version = '2.1' AND file:defanged = true]`, nil},
		{"common nested property", `[file:granular_markings[0].selectors[*] = 'name' AND file:object_marking_refs[0] = 'x']`, nil},
		{"spec 9.1 user-account:value is not a property", `[user-account:value = 'Peter']`, []string{
			`line 1 col 15: warning: unknown property "value" of user-account`}},
		{"custom property", `[file:x_acme_score > 5]`, nil},
		{"custom property with sub-properties", `[file:x_acme.deep[0].er = 5]`, nil},
		{"custom property inside a nested type", `[file:extensions.'pdf-ext'.x_extra = 1]`, nil},
		{"dictionary key", `[file:hashes.'SHA-256' = 'x' OR process:environment_variables.PATH = 'x' OR email-message:additional_header_fields.'Reply-To'[0] = 'x']`, nil},
		{"nested type", `[windows-registry-key:values[*].data_type = 'REG_SZ' OR x509-certificate:x509_v3_extensions.key_usage = 'x']`, nil},
		{"unknown nested property", `[windows-registry-key:values[*].kind = 'x']`, []string{
			`line 1 col 33: warning: unknown property "kind" of windows-registry-value-type`}},
		{"scalar has no properties", `[file:name.first = 'x']`, []string{
			`line 1 col 12: warning: property "name" has no property "first"`}},
		{"index on a scalar", `[file:size[0] = 1]`, []string{
			`line 1 col 11: warning: property "size" is not a list`}},
		{"double index", `[network-traffic:protocols[0][1] = 'x']`, []string{
			`line 1 col 30: warning: property "protocols" is not a list`}},
		{"list needs an index", `[directory:contains_refs.name = 'x']`, []string{
			`line 1 col 26: warning: property "contains_refs" is a list: select elements with [n] or [*] before "name"`}},
		{"list compared whole", `[network-traffic:protocols = 'tcp']`, nil},
		{"negative index", `[network-traffic:protocols[-1] = 'tcp']`, []string{
			`line 1 col 27: warning: list index -1 never matches: indexes run from 0 to N-1`}},

		// extensions
		{"predefined extensions", `[file:extensions.'archive-ext'.comment = 'x' AND file:extensions.'ntfs-ext'.alternate_data_streams[0].name = 'x' AND file:extensions.'raster-image-ext'.exif_tags.Make = 'x' AND file:extensions.'windows-pebinary-ext'.optional_header.hashes.MD5 = 'x']`, nil},
		{"network-traffic extensions", `[network-traffic:extensions.'http-request-ext'.request_header.Host = 'x' AND network-traffic:extensions.'icmp-ext'.icmp_type_hex = h'08' AND network-traffic:extensions.'socket-ext'.is_listening = true AND network-traffic:extensions.'tcp-ext'.src_flags_hex = h'02']`, nil},
		{"process and user-account extensions", `[process:extensions.'windows-process-ext'.aslr_enabled = true AND process:extensions.'windows-service-ext'.service_dll_refs[*].name = 'x.dll' OR user-account:extensions.'unix-account-ext'.groups[*] = 'wheel']`, nil},
		{"unknown property in extension", `[file:extensions.'pdf-ext'.pages = 3]`, []string{
			`line 1 col 28: warning: unknown property "pages" of file pdf-ext`}},
		{"extension of another type", `[process:extensions.'ntfs-ext'.sid = 'x']`, []string{
			`line 1 col 21: warning: unknown extension "ntfs-ext" of process`}},
		{"extension-definition extension", `[file:extensions.'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e'.rank > 5]`, nil},
		{"custom x- extension", `[file:extensions.'x-acme-ext'.anything[3] = 1]`, nil},
		{"extension indexed", `[file:extensions.'pdf-ext'[0] = 1]`, []string{
			`line 1 col 27: warning: file pdf-ext is not a list`}},

		// references
		{"fixed reference", `[email-message:from_ref.value = 'a@example.com' AND email-message:to_refs[*].display_name = 'Bob']`, nil},
		{"property of the wrong target", `[email-message:from_ref.name = 'x']`, []string{
			`line 1 col 25: warning: unknown property "name" of email-addr`}},
		{"reference chain", `[process:parent_ref.image_ref.parent_directory_ref.path = 'C:\\']`, nil},
		{"reference to several types", `[network-traffic:src_ref.value = '10.0.0.1' AND network-traffic:src_ref.resolves_to_refs[*].value = 'x']`, nil},
		{"unknown property behind several types", `[network-traffic:dst_ref.valeu = 'x']`, []string{
			`line 1 col 26: warning: unknown property "valeu" of ipv4-addr or ipv6-addr or mac-addr or domain-name`}},
		{"reference whose target is open", `[file:contains_refs[*].anything.at.all = 'x']`, nil},
		{"reference list needs index", `[email-message:to_refs.value = 'x']`, []string{
			`line 1 col 24: warning: property "to_refs" is a list: select elements with [n] or [*] before "value"`}},
		{"reference compared to an id", `[file:parent_directory_ref = 'directory--0a58d0c1-59e6-5afd-8252-dcd3f13e5622']`, nil},

		// AND inside an observation expression
		{"AND of one type", `[file:name = 'x' AND file:size = 1]`, nil},
		{"AND of different types", `[file:name = 'x' AND ipv4-addr:value = '1.2.3.4']`, []string{
			`line 1 col 22: error: AND joins comparisons of file and of ipv4-addr, which no single object satisfies (STIX 2.1 §9.5)`}},
		{"OR of different types", `[file:name = 'x' OR ipv4-addr:value = '1.2.3.4']`, nil},
		{"AND with an OR sharing the type", `[(file:name = 'x' OR ipv4-addr:value = '1.2.3.4') AND file:size = 1]`, nil},
		{"spec 9.5 type-a type-b example", `[(x-type-a:j = 'W' AND x-type-a:k = 'X') OR (x-type-b:m = 'Y' AND x-type-b:n = 'Z')]`, nil},
		{"AND of disjoint ORs", `[(file:name = 'x' OR ipv4-addr:value = '1') AND (ipv6-addr:value = '2' OR mac-addr:value = 'm')]`, []string{
			`line 1 col 50: error: AND joins comparisons of file or ipv4-addr and of ipv6-addr or mac-addr, which no single object satisfies (STIX 2.1 §9.5)`}},
		{"AND across observations is fine", `[file:name = 'x'] AND [ipv4-addr:value = '1.2.3.4']`, nil},
		{"AND conflict reported once per operand", `[file:name = 'x' AND ipv4-addr:value = '1' AND file:size = 1]`, []string{
			`line 1 col 22: error: AND joins comparisons of file and of ipv4-addr, which no single object satisfies (STIX 2.1 §9.5)`}},

		// MATCHES
		{"valid regex", `[file:name MATCHES '^[a-z]+\\.(exe|dll)$']`, nil},
		{"regex syntax error", `[file:name MATCHES 'a(b']`, []string{
			`line 1 col 20: error: MATCHES: the regular expression does not compile with Go's RE2 (missing closing ): "(?s)a(b"); PCRE-only features such as backreferences, lookaround, atomic groups and possessive quantifiers cannot be checked`}},
		{"lookahead (valid PCRE: a warning)", `[file:name MATCHES 'a(?=b)']`, []string{
			`line 1 col 20: warning: MATCHES: the regular expression does not compile with Go's RE2 (invalid or unsupported Perl syntax: "(?="); PCRE-only features such as backreferences, lookaround, atomic groups and possessive quantifiers cannot be checked`}},
		{"backreference (valid PCRE: a warning)", `[file:name MATCHES '(a)\\1']`, []string{
			`line 1 col 20: warning: MATCHES: the regular expression does not compile with Go's RE2 (invalid escape sequence: "\\1"); PCRE-only features such as backreferences, lookaround, atomic groups and possessive quantifiers cannot be checked`}},
		{"not matches is checked too", `[file:name NOT MATCHES '[']`, []string{
			`line 1 col 24: error: MATCHES: the regular expression does not compile with Go's RE2 (missing closing ]: "["); PCRE-only features such as backreferences, lookaround, atomic groups and possessive quantifiers cannot be checked`}},

		// timestamps
		{"valid timestamps", `[file:ctime > t'2016-02-29T00:00:00Z' AND file:mtime < t'2016-12-31T23:59:60.123456789012Z']`, nil},
		{"day does not exist", `[file:ctime = t'2023-02-29T00:00:00Z']`, []string{
			`line 1 col 15: error: invalid timestamp t'2023-02-29T00:00:00Z': day 29 does not exist in February 2023`}},
		{"month does not exist", `[file:ctime = t'2023-13-01T00:00:00Z']`, []string{
			`line 1 col 15: error: invalid timestamp t'2023-13-01T00:00:00Z': month 13 does not exist`}},
		{"hour does not exist", `[file:ctime = t'2023-01-01T24:00:00Z']`, []string{
			`line 1 col 15: error: invalid timestamp t'2023-01-01T24:00:00Z': time 24:00 does not exist`}},
		{"leap second at the wrong time", `[file:ctime = t'2023-01-01T12:00:60Z']`, []string{
			`line 1 col 15: error: invalid timestamp t'2023-01-01T12:00:60Z': second 60 does not exist (a leap second is 23:59:60)`}},
		{"date only", `[file:ctime = t'2023-01-01']`, []string{
			`line 1 col 15: error: invalid timestamp t'2023-01-01': want YYYY-MM-DDTHH:MM:SS[.s+]Z`}},
		{"offset", `[file:ctime = t'2023-01-01T00:00:00+01:00']`, []string{
			`line 1 col 15: error: invalid timestamp t'2023-01-01T00:00:00+01:00': want YYYY-MM-DDTHH:MM:SS[.s+]Z (UTC)`}},
		{"empty fraction", `[file:ctime = t'2023-01-01T00:00:00.Z']`, []string{
			`line 1 col 15: error: invalid timestamp t'2023-01-01T00:00:00.Z': want YYYY-MM-DDTHH:MM:SS[.s+]Z`}},
		{"timestamp in a set", `[file:ctime IN (t'2023-01-01T00:00:00Z', t'2023-01-32T00:00:00Z')]`, []string{
			`line 1 col 42: error: invalid timestamp t'2023-01-32T00:00:00Z': day 32 does not exist in January 2023`}},

		// hex and binary
		{"odd hex", `[file:magic_number_hex = h'ffd']`, []string{
			`line 1 col 26: error: hex constant h'ffd': odd number of hexadecimal digits`}},
		{"not hex", `[file:magic_number_hex = h'ffzz']`, []string{
			`line 1 col 26: error: hex constant h'ffzz': 'z' is not a hexadecimal digit`}},
		{"upper-case hex", `[file:magic_number_hex = h'FFD8']`, []string{
			`line 1 col 26: warning: hex constant h'FFD8': STIX 2.1 §9.2 writes hex digits in lower case`}},
		{"valid base64", "[artifact:payload_bin = b'dGhpcyBpcyBh\nIHRlc3Q=' OR artifact:payload_bin = b'']", nil},
		{"invalid base64", `[artifact:payload_bin = b'ABI']`, []string{
			`line 1 col 25: error: binary constant b'ABI': invalid base64 at byte 0`}},
		{"base64 with bad character", `[artifact:payload_bin = b'AB!=']`, []string{
			`line 1 col 25: error: binary constant b'AB!=': invalid base64 at byte 2`}},

		// ISSUBSET, ISSUPERSET and IN
		{"subnets", `[ipv4-addr:value ISSUBSET '198.51.100.0/24' AND ipv4-addr:value ISSUPERSET '198.51.100.7' OR ipv6-addr:value ISSUBSET '2001:db8::/32']`, nil},
		{"not a subnet", `[ipv4-addr:value ISSUBSET '198.51.100.0/33']`, []string{
			`line 1 col 27: error: ISSUBSET needs an IPv4 or IPv6 address or CIDR block, not '198.51.100.0/33'`}},
		{"not an address", `[ipv4-addr:value ISSUPERSET 'example.com']`, []string{
			`line 1 col 29: error: ISSUPERSET needs an IPv4 or IPv6 address or CIDR block, not 'example.com'`}},
		{"numeric set", `[file:size IN (1, 2.5, -3)]`, nil},
		{"mixed set", `[file:size IN (1, '2')]`, []string{
			`line 1 col 19: error: IN set mixes integer and string constants; its values must have one type`}},
		{"empty set", `[file:size IN ()]`, []string{
			`line 1 col 12: warning: IN with an empty set never matches`}},

		// qualifiers
		{"good qualifiers", `[file:name = 'x'] REPEATS 1 TIMES WITHIN 0.5 SECONDS START t'2016-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00.001Z'`, nil},
		{"repeats zero", `[file:name = 'x'] REPEATS 0 TIMES`, []string{
			`line 1 col 27: error: REPEATS needs a positive integer, not 0`}},
		{"repeats negative", `[file:name = 'x'] REPEATS -2 TIMES`, []string{
			`line 1 col 27: error: REPEATS needs a positive integer, not -2`}},
		{"within zero", `[file:name = 'x'] WITHIN 0 SECONDS`, []string{
			`line 1 col 26: error: WITHIN needs a positive number of seconds, not 0`}},
		{"within zero float", `[file:name = 'x'] WITHIN 0.0 SECONDS`, []string{
			`line 1 col 26: error: WITHIN needs a positive number of seconds, not 0.0`}},
		{"within negative", `[file:name = 'x'] WITHIN -1.5 SECONDS`, []string{
			`line 1 col 26: error: WITHIN needs a positive number of seconds, not -1.5`}},
		{"start later than stop", `[file:name = 'x'] START t'2017-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00Z'`, []string{
			`line 1 col 19: error: START t'2017-01-01T00:00:00Z' is not earlier than STOP t'2016-01-01T00:00:00Z': no observation can match`}},
		{"start later than stop by a fraction", `[file:name = 'x'] START t'2016-01-01T00:00:00.5Z' STOP t'2016-01-01T00:00:00.25Z'`, []string{
			`line 1 col 19: error: START t'2016-01-01T00:00:00.5Z' is not earlier than STOP t'2016-01-01T00:00:00.25Z': no observation can match`}},
		{"start equals stop", `[file:name = 'x'] START t'2016-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00.000Z'`, []string{
			`line 1 col 19: error: START t'2016-01-01T00:00:00Z' is not earlier than STOP t'2016-01-01T00:00:00.000Z': no observation can match`}},
		{"invalid start", `[file:name = 'x'] START t'2016-02-30T00:00:00Z' STOP t'2017-01-01T00:00:00Z'`, []string{
			`line 1 col 25: error: invalid timestamp t'2016-02-30T00:00:00Z' after START: day 30 does not exist in February 2016`}},
		{"string bounds", `[file:name = 'x'] START '2016-01-01T00:00:00Z' STOP '2017-01-01T00:00:00Z'`, []string{
			`line 1 col 25: warning: START takes a timestamp constant t'...', not a string (STIX 2.1 §9.5.1)`,
			`line 1 col 53: warning: STOP takes a timestamp constant t'...', not a string (STIX 2.1 §9.5.1)`}},
		{"problems sorted by position", `[file:name = 'x'] START '2017-01-01T00:00:00Z' STOP '2016-01-01T00:00:00Z'`, []string{
			`line 1 col 19: error: START '2017-01-01T00:00:00Z' is not earlier than STOP '2016-01-01T00:00:00Z': no observation can match`,
			`line 1 col 25: warning: START takes a timestamp constant t'...', not a string (STIX 2.1 §9.5.1)`,
			`line 1 col 53: warning: STOP takes a timestamp constant t'...', not a string (STIX 2.1 §9.5.1)`}},
		{"two qualifiers of a kind", `[file:name = 'x'] WITHIN 5 SECONDS WITHIN 10 SECONDS`, []string{
			`line 1 col 36: error: more than one WITHIN qualifier on the same observation expression`}},
		{"same kind on a parenthesised group", `([file:name = 'x'] WITHIN 5 SECONDS) WITHIN 10 SECONDS`, nil},
		{"problems in source order", "[foo:x = 1] FOLLOWEDBY\n[file:size = 1] REPEATS 0 TIMES", []string{
			`line 1 col 2: warning: unknown object type "foo": not a STIX 2.1 cyber-observable object (custom types start with "x-")`,
			`line 2 col 25: error: REPEATS needs a positive integer, not 0`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			var got []string
			for _, pr := range p.Check() {
				got = append(got, pr.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Check(%q)\n got: %s\nwant: %s", tt.in, strings.Join(got, "\n      "), strings.Join(tt.want, "\n      "))
			}
		})
	}
}

func TestCheck_ProblemFields(t *testing.T) {
	p, err := Parse("[file:size = 1]\n  REPEATS 0 TIMES")
	if err != nil {
		t.Fatal(err)
	}
	got := p.Check()
	want := []Problem{{Line: 2, Col: 11, Msg: "REPEATS needs a positive integer, not 0"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Check() = %#v, want %#v", got, want)
	}
}

// TestCheck_LargePattern checks a pattern of 20,000 comparisons with a
// problem each: positions stay right, and converting them takes one pass
// over the text rather than one per problem.
func TestCheck_LargePattern(t *testing.T) {
	const n = 20000
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(" OR\n")
		}
		b.WriteString("foo:bar = 'x'")
	}
	b.WriteString("]")
	p, err := Parse(b.String())
	if err != nil {
		t.Fatal(err)
	}
	got := p.Check()
	if len(got) != n {
		t.Fatalf("Check() gave %d problems, want %d", len(got), n)
	}
	if last := got[n-1]; last.Line != n || last.Col != 1 {
		t.Errorf("last problem at %d:%d, want %d:1", last.Line, last.Col, n)
	}
}

// TestModel checks the object model table: 18 SCO types, each with the
// common properties, and every reference target a known type.
func TestModel(t *testing.T) {
	m := model()
	if len(m.types) != 18 {
		t.Errorf("model has %d SCO types, want 18", len(m.types))
	}
	for name, d := range m.types {
		for _, common := range []string{"type", "id", "spec_version", "defanged", "object_marking_refs", "granular_markings", "extensions"} {
			if d.props[common] == nil {
				t.Errorf("%s lacks common property %s", name, common)
			}
		}
		defs := []*objDef{d}
		for _, e := range d.exts {
			defs = append(defs, e)
		}
		for _, def := range defs {
			for pname, p := range def.props {
				for _, target := range p.refs {
					if m.types[target] == nil {
						t.Errorf("%s.%s refers to unknown type %s", def.name, pname, target)
					}
				}
				if p.kind == propRef && !strings.HasSuffix(pname, "_ref") && !strings.HasSuffix(pname, "_refs") {
					t.Errorf("%s.%s is a reference without the _ref(s) suffix", def.name, pname)
				}
				if p.list != strings.HasSuffix(pname, "_refs") && p.kind == propRef {
					t.Errorf("%s.%s: list %v does not match its name", def.name, pname, p.list)
				}
			}
		}
	}
	wantExts := map[string][]string{
		"file":            {"archive-ext", "ntfs-ext", "pdf-ext", "raster-image-ext", "windows-pebinary-ext"},
		"network-traffic": {"http-request-ext", "icmp-ext", "socket-ext", "tcp-ext"},
		"process":         {"windows-process-ext", "windows-service-ext"},
		"user-account":    {"unix-account-ext"},
	}
	for name, d := range m.types {
		if len(d.exts) != len(wantExts[name]) {
			t.Errorf("%s has %d extensions, want %d", name, len(d.exts), len(wantExts[name]))
		}
		for _, e := range wantExts[name] {
			if d.exts[e] == nil {
				t.Errorf("%s lacks extension %s", name, e)
			}
		}
	}
}
