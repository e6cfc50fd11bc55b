package pattern

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// specExamples are the patterns of STIX 2.1 §9.8 (and the full patterns
// quoted in §9.1, §9.3 and §9.5.1), written as the specification prints
// them: not JSON-encoded, so \\ is one escaped backslash.
var specExamples = []string{
	// §9.8
	`[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']`,
	`[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']`,
	`[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf']`,
	"[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']\nAND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
	`([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) WITHIN 300 SECONDS`,
	`[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1009' AND user-account:account_login = 'Mary']`,
	`[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00']`,
	`[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']`,
	`[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]`,
	`[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']`,
	`[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']`,
	`[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS`,
	`[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']`,
	`[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']`,
	`[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']`,
	`[windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files' OR windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\Microsoft\\CurrentVersion\\Run\\CryptoLocker_0388']`,
	`[(file:name = 'pdf.exe' OR file:size = 371712) AND file:created = t'2014-01-13T07:03:17Z']`,
	`[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']`,
	`[x-usb-device:usbdrive.serial_number = '575833314133343231313937']`,
	`[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES'^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS`,
	`[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']`,
	`([file:name = 'foo.dll'] AND [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) OR [process:image_ref.name = 'fooproc' OR process:image_ref.name = 'procfoo']`,
	// §9.1 and §9.3
	`[ipv4-addr:value = '203.0.113.1' OR ipv4-addr:value = '203.0.113.2']`,
	`([ipv4-addr:value = '198.51.100.5' ] AND [ipv4-addr:value = '198.51.100.10']) WITHIN 300 SECONDS`,
	`[file:name = 'foo.dll'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`,
	`[file:size = 25536]`,
	`[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] REPEATS 5 TIMES`,
	`([ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] FOLLOWEDBY [domain-name:value = 'example.com']) WITHIN 600 SECONDS`,
	// §9.5.1
	`([file:hashes.'SHA-256' = '13987239847...'] AND [windows-registry-key:key = 'hkey']) WITHIN 120 SECONDS`,
}

// feedExamples are the shapes the cooperation feeds post.
var feedExamples = []string{
	`[ipv4-addr:value = '198.18.3.7']`,
	`[domain-name:value = 'c2.botnet.example']`,
	`[url:value = 'http://x.test/a.php']`,
}

func TestParse_SpecAndFeedExamples(t *testing.T) {
	for _, in := range append(specExamples, feedExamples...) {
		p, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		assertRoundTrip(t, in, p)
	}
}

// TestParse_Valid covers every production. tree is the fully parenthesised
// structure (see tree); canon is the String rendering, when it differs from
// the input.
func TestParse_Valid(t *testing.T) {
	tests := []struct {
		name, in, tree, canon string
	}{
		// observation operators and precedence: FOLLOWEDBY < OR < AND
		{"single", `[a:b = 1]`, `[a:b = 1]`, ""},
		{"and", `[a:b = 1] AND [c:d = 2]`, `(AND [a:b = 1] [c:d = 2])`, ""},
		{"or", `[a:b = 1] OR [c:d = 2]`, `(OR [a:b = 1] [c:d = 2])`, ""},
		{"followedby", `[a:b = 1] FOLLOWEDBY [c:d = 2]`, `(FOLLOWEDBY [a:b = 1] [c:d = 2])`, ""},
		{"and binds tighter than or", `[a:b = 1] OR [c:d = 2] AND [e:f = 3]`,
			`(OR [a:b = 1] (AND [c:d = 2] [e:f = 3]))`, ""},
		{"or binds tighter than followedby", `[a:b = 1] FOLLOWEDBY [c:d = 2] OR [e:f = 3]`,
			`(FOLLOWEDBY [a:b = 1] (OR [c:d = 2] [e:f = 3]))`, ""},
		{"all three", `[a:b = 1] AND [c:d = 2] FOLLOWEDBY [e:f = 3] OR [g:h = 4] AND [i:j = 5]`,
			`(FOLLOWEDBY (AND [a:b = 1] [c:d = 2]) (OR [e:f = 3] (AND [g:h = 4] [i:j = 5])))`, ""},
		{"chain is flat", `[a:b = 1] AND [c:d = 2] AND [e:f = 3]`,
			`(AND [a:b = 1] [c:d = 2] [e:f = 3])`, ""},
		{"parentheses override", `([a:b = 1] OR [c:d = 2]) AND [e:f = 3]`,
			`(AND (OR [a:b = 1] [c:d = 2]) [e:f = 3])`, ""},
		{"parenthesised same operator nests", `[a:b = 1] AND ([c:d = 2] AND [e:f = 3])`,
			`(AND [a:b = 1] (AND [c:d = 2] [e:f = 3]))`, ""},
		{"redundant parentheses dropped", `(([a:b = 1]))`, `[a:b = 1]`, `[a:b = 1]`},

		// qualifiers
		{"within int", `[a:b = 1] WITHIN 300 SECONDS`, `(Q [a:b = 1] WITHIN 300 SECONDS)`, ""},
		{"within float", `[a:b = 1] WITHIN 2.5 SECONDS`, `(Q [a:b = 1] WITHIN 2.5 SECONDS)`, ""},
		{"repeats", `[a:b = 1] REPEATS 5 TIMES`, `(Q [a:b = 1] REPEATS 5 TIMES)`, ""},
		{"start stop", `[a:b = 1] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.5Z'`,
			`(Q [a:b = 1] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.5Z')`, ""},
		{"start stop plain strings", `[a:b = 1] START '2016-06-01T00:00:00Z' STOP '2016-07-01T00:00:00Z'`,
			`(Q [a:b = 1] START '2016-06-01T00:00:00Z' STOP '2016-07-01T00:00:00Z')`, ""},
		{"chained qualifiers", `[a:b = 1] REPEATS 5 TIMES WITHIN 1800 SECONDS`,
			`(Q [a:b = 1] REPEATS 5 TIMES WITHIN 1800 SECONDS)`, ""},
		{"qualifier binds to the nearest observation", `[a:b = 1] FOLLOWEDBY [c:d = 2] REPEATS 5 TIMES`,
			`(FOLLOWEDBY [a:b = 1] (Q [c:d = 2] REPEATS 5 TIMES))`, ""},
		{"qualifier after parentheses", `([a:b = 1] FOLLOWEDBY [c:d = 2]) REPEATS 5 TIMES`,
			`(Q (FOLLOWEDBY [a:b = 1] [c:d = 2]) REPEATS 5 TIMES)`, ""},
		{"qualified group qualified again", `([a:b = 1] WITHIN 5 SECONDS) REPEATS 2 TIMES`,
			`(Q (Q [a:b = 1] WITHIN 5 SECONDS) REPEATS 2 TIMES)`, ""},
		{"spec 9.5 nesting", `([a:b = 1] AND [c:d = 2] REPEATS 5 TIMES) WITHIN 300 SECONDS`,
			`(Q (AND [a:b = 1] (Q [c:d = 2] REPEATS 5 TIMES)) WITHIN 300 SECONDS)`, ""},

		// comparison expressions
		{"comparison and", `[a:b = 1 AND a:c = 2]`, `[(AND a:b = 1 a:c = 2)]`, ""},
		{"comparison or", `[a:b = 1 OR a:c = 2]`, `[(OR a:b = 1 a:c = 2)]`, ""},
		{"comparison and binds tighter", `[a:b = 1 OR a:c = 2 AND a:d = 3]`,
			`[(OR a:b = 1 (AND a:c = 2 a:d = 3))]`, ""},
		{"comparison parentheses", `[(a:b = 1 OR a:c = 2) AND a:d = 3]`,
			`[(AND (OR a:b = 1 a:c = 2) a:d = 3)]`, ""},
		{"comparison nested same operator", `[a:b = 1 OR (a:c = 2 OR a:d = 3)]`,
			`[(OR a:b = 1 (OR a:c = 2 a:d = 3))]`, ""},

		// operators
		{"equal", `[a:b = 'x']`, `[a:b = 'x']`, ""},
		{"not equal", `[a:b != 'x']`, `[a:b != 'x']`, ""},
		{"less", `[a:b < 5]`, `[a:b < 5]`, ""},
		{"less equal", `[a:b <= 5]`, `[a:b <= 5]`, ""},
		{"greater", `[a:b > 5]`, `[a:b > 5]`, ""},
		{"greater equal", `[a:b >= 5]`, `[a:b >= 5]`, ""},
		{"in", `[process:name IN ('proccy', 'proximus', 'badproc')]`, `[process:name IN ('proccy', 'proximus', 'badproc')]`, ""},
		{"in one", `[a:b IN (1)]`, `[a:b IN (1)]`, ""},
		{"in empty", `[a:b IN ()]`, `[a:b IN ()]`, ""},
		{"like", `[directory:path LIKE 'C:\\Windows\\%\\foo']`, `[directory:path LIKE 'C:\\Windows\\%\\foo']`, ""},
		{"matches", `[directory:path MATCHES '^C:\\\\Windows\\w+$']`, `[directory:path MATCHES '^C:\\\\Windows\\w+$']`, ""},
		{"issubset", `[ipv4-addr:value ISSUBSET '198.51.100.0/24']`, `[ipv4-addr:value ISSUBSET '198.51.100.0/24']`, ""},
		{"issuperset", `[ipv4-addr:value ISSUPERSET '198.51.100.0/24']`, `[ipv4-addr:value ISSUPERSET '198.51.100.0/24']`, ""},
		{"exists", `[EXISTS windows-registry-key:values]`, `[EXISTS windows-registry-key:values]`, ""},
		{"not exists", `[NOT EXISTS windows-registry-key:values]`, `[NOT EXISTS windows-registry-key:values]`, ""},
		{"not equal keyword", `[a:b NOT = 'x']`, `[a:b NOT = 'x']`, ""},
		{"not in", `[a:b NOT IN (1, 2)]`, `[a:b NOT IN (1, 2)]`, ""},
		{"not like", `[a:b NOT LIKE 'x%']`, `[a:b NOT LIKE 'x%']`, ""},
		{"not matches", `[a:b NOT MATCHES 'x']`, `[a:b NOT MATCHES 'x']`, ""},
		{"not issubset", `[a:b NOT ISSUBSET '10.0.0.0/8']`, `[a:b NOT ISSUBSET '10.0.0.0/8']`, ""},
		{"not issuperset", `[a:b NOT ISSUPERSET '10.0.0.0/8']`, `[a:b NOT ISSUPERSET '10.0.0.0/8']`, ""},
		{"not greater", `[a:b NOT > 5]`, `[a:b NOT > 5]`, ""},

		// object paths
		{"quoted key", `[file:hashes.'SHA-256' = 'x']`, `[file:hashes.'SHA-256' = 'x']`, ""},
		{"quoted first key", `[a:'b-c' = 1]`, `[a:'b-c' = 1]`, ""},
		{"needless quotes dropped", `[a:'b'.'c' = 1]`, `[a:b.c = 1]`, `[a:b.c = 1]`},
		{"quoted key with dot", `[a:b.'c.d' = 1]`, `[a:b.'c.d' = 1]`, ""},
		{"quoted key with escapes", `[a:b.'it\'s\\' = 1]`, `[a:b.'it\'s\\' = 1]`, ""},
		{"keyword as key is quoted", `[a:b.AND = 1]`, `[a:b.'AND' = 1]`, `[a:b.'AND' = 1]`},
		{"list index", `[network-traffic:protocols[0] = 'tcp']`, `[network-traffic:protocols[0] = 'tcp']`, ""},
		{"negative index", `[a:b[-1] = 1]`, `[a:b[-1] = 1]`, ""},
		{"any index", `[directory:contains_refs[*].name = 'x']`, `[directory:contains_refs[*].name = 'x']`, ""},
		{"extension path", `[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]`,
			`[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]`, ""},
		{"index then index", `[a:b[1][*] = 1]`, `[a:b[1][*] = 1]`, ""},
		{"ref dereference", `[email-message:from_ref.value = 'a@b.example']`, `[email-message:from_ref.value = 'a@b.example']`, ""},
		{"upper-case type", `[File:Name = 1]`, `[File:Name = 1]`, ""},
		{"underscore identifiers", `[_a:_b_1 = 1]`, `[_a:_b_1 = 1]`, ""},

		// literals
		{"string escapes", `[a:b = 'it\'s a \\ path']`, `[a:b = 'it\'s a \\ path']`, ""},
		{"empty string", `[a:b = '']`, `[a:b = '']`, ""},
		{"string with newline", "[a:b = 'x\ny']", "[a:b = 'x\ny']", ""},
		{"unicode string", `[a:b = 'héllo 世界']`, `[a:b = 'héllo 世界']`, ""},
		{"zero", `[a:b = 0]`, `[a:b = 0]`, ""},
		{"negative int", `[a:b = -42]`, `[a:b = -42]`, ""},
		{"plus int", `[a:b = +42]`, `[a:b = 42]`, `[a:b = 42]`},
		{"min int64", `[a:b = -9223372036854775808]`, `[a:b = -9223372036854775808]`, ""},
		{"float", `[a:b = 7.25]`, `[a:b = 7.25]`, ""},
		{"negative float", `[a:b = -0.5]`, `[a:b = -0.5]`, ""},
		{"float without integer part", `[a:b = .5]`, `[a:b = 0.5]`, `[a:b = 0.5]`},
		{"signed float without integer part", `[a:b = -.5]`, `[a:b = -0.5]`, `[a:b = -0.5]`},
		{"plus float", `[a:b = +1.0]`, `[a:b = 1.0]`, `[a:b = 1.0]`},
		{"true", `[a:b = true]`, `[a:b = true]`, ""},
		{"false", `[a:b != false]`, `[a:b != false]`, ""},
		{"hex", `[a:b = h'ffd8']`, `[a:b = h'ffd8']`, ""},
		{"empty hex", `[a:b = h'']`, `[a:b = h'']`, ""},
		{"binary", `[a:b = b'ABI=']`, `[a:b = b'ABI=']`, ""},
		{"timestamp", `[a:b = t'2014-01-13T07:03:17Z']`, `[a:b = t'2014-01-13T07:03:17Z']`, ""},
		{"timestamp ordered", `[a:b > t'2014-01-13T07:03:17.123Z']`, `[a:b > t'2014-01-13T07:03:17.123Z']`, ""},
		{"in mixed literals", `[a:b IN (h'ff', b'AA==', t'2014-01-13T07:03:17Z', true, 'x', 1, 1.5)]`,
			`[a:b IN (h'ff', b'AA==', t'2014-01-13T07:03:17Z', true, 'x', 1, 1.5)]`, ""},

		// layout
		{"no spaces", `[a:b=1]AND[c:d!='x']WITHIN 5 SECONDS`, `(AND [a:b = 1] (Q [c:d != 'x'] WITHIN 5 SECONDS))`,
			`[a:b = 1] AND [c:d != 'x'] WITHIN 5 SECONDS`},
		{"newlines and tabs", "[a:b\n=\t1]\r\nAND\n[c:d = 2]", `(AND [a:b = 1] [c:d = 2])`, `[a:b = 1] AND [c:d = 2]`},
		{"unicode white space", "[a:b\u00a0=\u20031]\u3000", `[a:b = 1]`, `[a:b = 1]`},
		{"block comment", `[a:b = 1] /* note */ AND [c:d = 2]`, `(AND [a:b = 1] [c:d = 2])`, `[a:b = 1] AND [c:d = 2]`},
		{"line comment", "[a:b = 1] // note\nAND [c:d = 2] // end", `(AND [a:b = 1] [c:d = 2])`, `[a:b = 1] AND [c:d = 2]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := tree(p.Expr); got != tt.tree {
				t.Errorf("tree(%q)\n got: %s\nwant: %s", tt.in, got, tt.tree)
			}
			canon := tt.canon
			if canon == "" {
				canon = tt.in
			}
			if got := p.String(); got != canon {
				t.Errorf("String(%q)\n got: %s\nwant: %s", tt.in, got, canon)
			}
			assertRoundTrip(t, tt.in, p)
		})
	}
}

func TestParse_Invalid(t *testing.T) {
	tests := []struct {
		name, in  string
		line, col int
		msg       string
	}{
		{"missing bracket between comparisons", `[file:name = 'x' file:size = 5]`, 1, 18, `expected ']'`},
		{"unclosed bracket", `[file:name = 'x'`, 1, 17, `expected ']'`},
		{"unknown operator", `[a:b === 'x']`, 1, 6, `unknown operator "==="`},
		{"double equals", `[a:b == 'x']`, 1, 6, `unknown operator "==" (STIX 2.1 uses "=")`},
		{"angle not equal", `[a:b <> 'x']`, 1, 6, `unknown operator "<>" (STIX 2.1 uses "!=")`},
		{"unterminated string", `[file:name = 'abc`, 1, 14, `unterminated string`},
		{"escaped quote is no terminator", `[a:b = 'x\']`, 1, 8, `unterminated string`},
		{"backslash at end", `[a:b = 'x\`, 1, 8, `unterminated string`},
		{"invalid escape", `[a:b = 'x\n']`, 1, 10, `invalid escape \n in string: only \' and \\ are allowed`},
		{"unterminated hex", `[a:b = h'ff]`, 1, 8, `unterminated hex literal`},
		{"unterminated binary", `[a:b = b'AA]`, 1, 8, `unterminated binary literal`},
		{"unterminated timestamp", `[a:b = t'2020]`, 1, 8, `unterminated timestamp literal`},
		{"unterminated comment", `[a:b = 1] /* x`, 1, 11, `unterminated comment`},
		{"empty", ``, 1, 1, `expected '[' or '('`},
		{"only space", "  \n ", 2, 2, `expected '[' or '('`},
		{"bare comparison", `a:b = 1`, 1, 1, `expected '[' or '('`},
		{"empty observation", `[]`, 1, 2, `expected an object path`},
		{"missing operator", `[file:name]`, 1, 11, `expected a comparison operator`},
		{"missing constant", `[file:name =]`, 1, 13, `expected a constant after =`},
		{"identifier as constant", `[file:name = foo]`, 1, 14, `expected a constant after =`},
		{"missing colon", `[file name = 'x']`, 1, 7, `expected ':' after the object type`},
		{"missing property", `[file: = 'x']`, 1, 8, `expected a property name`},
		{"unquoted hyphen", `[file:hashes.SHA-256 = 'x']`, 1, 14, `property name "SHA-256" contains '-' and must be quoted: 'SHA-256'`},
		{"missing key after dot", `[file:hashes. = 'x']`, 1, 15, `expected a property name or key after '.'`},
		{"bad index", `[a:b[x] = 1]`, 1, 6, `expected a list index or '*'`},
		{"float index", `[a:b[1.5] = 1]`, 1, 6, `expected a list index or '*'`},
		{"unclosed index", `[a:b[1 = 1]`, 1, 8, `expected ']'`},
		{"bool ordered", `[a:b > true]`, 1, 8, `a boolean cannot be compared with >`},
		{"like needs string", `[a:b LIKE 5]`, 1, 11, `expected a string constant after LIKE`},
		{"matches needs string", `[a:b MATCHES h'ff']`, 1, 14, `expected a string constant after MATCHES`},
		{"issubset needs string", `[a:b ISSUBSET 10]`, 1, 15, `expected a string constant after ISSUBSET`},
		{"in needs parenthesis", `[a:b IN 'x']`, 1, 9, `expected '(' after IN`},
		{"in missing comma", `[a:b IN ('a' 'b')]`, 1, 14, `expected ',' or ')'`},
		{"in trailing comma", `[a:b IN ('a',)]`, 1, 14, `expected a constant`},
		{"in unclosed", `[a:b IN ('a'`, 1, 13, `expected ',' or ')'`},
		{"not before path", `[NOT a:b = 1]`, 1, 6, `expected EXISTS after NOT (NOT before another operator follows the object path)`},
		{"not without operator", `[a:b NOT]`, 1, 9, `expected a comparison operator`},
		{"exists after path", `[a:b EXISTS]`, 1, 6, `expected a comparison operator`},
		{"exists without path", `[EXISTS]`, 1, 8, `expected an object type`},
		{"dangling and", `[a:b = 1 AND]`, 1, 13, `expected an object path`},
		{"dangling observation and", `[a:b = 1] AND`, 1, 14, `expected '[' or '('`},
		{"keyword as type", `[IN:b = 1]`, 1, 2, `expected an object path`},
		{"number as type", `[1:b = 1]`, 1, 2, `expected an object path`},
		{"juxtaposed observations", `[a:b = 1] [c:d = 2]`, 1, 11, `expected AND, OR, FOLLOWEDBY or end of pattern`},
		{"unbalanced parenthesis", `[a:b = 1])`, 1, 10, `expected AND, OR, FOLLOWEDBY or end of pattern`},
		{"unclosed parenthesis", `([a:b = 1]`, 1, 11, `expected ')'`},
		{"unclosed comparison parenthesis", `[(a:b = 1]`, 1, 10, `expected ')'`},
		{"lower-case keyword", `[a:b = 1 and c:d = 1]`, 1, 10, `expected ']' (keywords are case-sensitive: "AND")`},
		{"lower-case observation keyword", `[a:b = 1] followedby [c:d = 1]`, 1, 11, `expected AND, OR, FOLLOWEDBY or end of pattern (keywords are case-sensitive: "FOLLOWEDBY")`},
		{"upper-case boolean", `[a:b = TRUE]`, 1, 8, `expected a constant after = (keywords are case-sensitive: "true")`},
		{"within without seconds", `[a:b = 1] WITHIN 5`, 1, 19, `expected SECONDS`},
		{"within minutes", `[a:b = 1] WITHIN 5 MINUTES`, 1, 20, `expected SECONDS`},
		{"within without number", `[a:b = 1] WITHIN x SECONDS`, 1, 18, `expected a number of seconds after WITHIN`},
		{"repeats float", `[a:b = 1] REPEATS 1.5 TIMES`, 1, 19, `expected an integer after REPEATS`},
		{"repeats without times", `[a:b = 1] REPEATS 2`, 1, 20, `expected TIMES`},
		{"start without stop", `[a:b = 1] START t'2016-06-01T00:00:00Z'`, 1, 40, `expected STOP`},
		{"start number", `[a:b = 1] START 5 STOP t'2016-06-01T00:00:00Z'`, 1, 17, `expected a timestamp literal t'...' after START`},
		{"stop number", `[a:b = 1] START t'2016-06-01T00:00:00Z' STOP 5`, 1, 46, `expected a timestamp literal t'...' after STOP`},
		{"qualifier inside brackets", `[a:b = 1 WITHIN 5 SECONDS]`, 1, 10, `expected ']'`},
		{"leading zero", `[a:b = 007]`, 1, 8, `invalid number "007": leading zero`},
		{"int overflow", `[a:b = 9223372036854775808]`, 1, 8, `integer out of range: 9223372036854775808`},
		{"float without fraction", `[a:b = 1.]`, 1, 8, `invalid number "1.": digits must follow '.'`},
		{"float overflow", `[a:b = 1` + strings.Repeat("0", 400) + `.0]`, 1, 8, `float out of range: 1` + strings.Repeat("0", 400) + `.0`},
		{"lone minus", `[a:b = -]`, 1, 8, `expected a number after "-"`},
		{"exponent", `[a:b = 1e5]`, 1, 9, `expected ']'`},
		{"unexpected character", `[a:b = #]`, 1, 8, `unexpected character '#'`},
		{"unexpected unicode character", `[a:b = 1] → [c:d = 2]`, 1, 11, `unexpected character '→'`},
		{"double quotes", `[a:b = "x"]`, 1, 8, `unexpected character '"'`},
		{"invalid utf-8", "[a:b = 'x\xff']", 1, 10, `invalid UTF-8`},
		{"columns count runes", `[a:b = 'é世' x]`, 1, 13, `expected ']'`},
		{"second line", "[a:b = 1]\nAND [c:d = 'x' e]", 2, 16, `expected ']'`},
		{"third line after crlf", "[a:b = 1]\r\nAND\r\n[c:d ~ 1]", 3, 6, `unexpected character '~'`},
		{"nesting too deep", strings.Repeat("(", 300) + `[a:b = 1]` + strings.Repeat(")", 300), 1, 257, `nesting too deep (more than 256 levels)`},
		{"comparison nesting too deep", `[` + strings.Repeat("(", 300) + `a:b = 1` + strings.Repeat(")", 300) + `]`, 1, 257, `nesting too deep (more than 256 levels)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tt.in, p)
			}
			var serr *SyntaxError
			if !errors.As(err, &serr) {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", tt.in, err)
			}
			if serr.Line != tt.line || serr.Col != tt.col || serr.Msg != tt.msg {
				t.Errorf("Parse(%q)\n got: line %d col %d: %s\nwant: line %d col %d: %s",
					tt.in, serr.Line, serr.Col, serr.Msg, tt.line, tt.col, tt.msg)
			}
		})
	}
}

func TestSyntaxError_Error(t *testing.T) {
	_, err := Parse(`[file:name = 'x' file:size = 5]`)
	if got, want := err.Error(), "line 1 col 18: expected ']'"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestPattern_Position(t *testing.T) {
	src := "[a:b = 1]\nAND /*é*/ [c:d = 2]"
	p, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	second := p.Expr.(*ObservationCompound).Operands[1].(*Observation)
	cmp := second.Expr.(*Comparison)
	if line, col := p.Position(second.Pos()); line != 2 || col != 11 {
		t.Errorf("Position('[') = %d:%d, want 2:11", line, col)
	}
	if line, col := p.Position(cmp.OpPos); line != 2 || col != 16 {
		t.Errorf("Position('=') = %d:%d, want 2:16", line, col)
	}
	if line, col := p.Position(cmp.Value.Pos); line != 2 || col != 18 {
		t.Errorf("Position('2') = %d:%d, want 2:18", line, col)
	}
}

func TestParse_AST(t *testing.T) {
	p, err := Parse(`[file:extensions.'windows-pebinary-ext'.sections[*].entropy NOT > 7.0 OR EXISTS file:x[2]] REPEATS 2 TIMES`)
	if err != nil {
		t.Fatal(err)
	}
	want := &Qualified{
		Expr: &Observation{Lbrack: 0, Expr: &ComparisonCompound{Op: BoolOr, Operands: []ComparisonExpr{
			&Comparison{Start: 1, OpPos: 64, Negated: true, Op: OpGreater,
				Path: ObjectPath{TypePos: 1, Type: "file", Steps: []PathStep{
					{Pos: 6, Kind: StepKey, Key: "extensions"},
					{Pos: 17, Kind: StepKey, Key: "windows-pebinary-ext"},
					{Pos: 40, Kind: StepKey, Key: "sections"},
					{Pos: 48, Kind: StepAnyIndex},
					{Pos: 52, Kind: StepKey, Key: "entropy"},
				}},
				Value: Literal{Pos: 66, Kind: LitFloat, Float: 7}},
			&Comparison{Start: 73, OpPos: 73, Op: OpExists,
				Path: ObjectPath{TypePos: 80, Type: "file", Steps: []PathStep{
					{Pos: 85, Kind: StepKey, Key: "x"},
					{Pos: 86, Kind: StepIndex, Index: 2},
				}}},
		}}},
		Qualifiers: []Qualifier{{Pos: 91, Kind: Repeats, Value: Literal{Pos: 99, Kind: LitInt, Int: 2}}},
	}
	if !reflect.DeepEqual(p.Expr, ObservationExpr(want)) {
		t.Errorf("AST mismatch\n got: %#v\nwant: %#v", p.Expr, want)
	}
}

// assertRoundTrip checks that String renders p into text that parses to
// the same tree, and that rendering is stable.
func assertRoundTrip(t testing.TB, in string, p *Pattern) {
	t.Helper()
	out := p.String()
	q, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse(String(%q)) = Parse(%q): %v", in, out, err)
	}
	if !equalTrees(p.Expr, q.Expr) {
		t.Fatalf("round trip changed the tree:\n  in: %q\n out: %q\n  %s\n  %s", in, out, tree(p.Expr), tree(q.Expr))
	}
	if again := q.String(); again != out {
		t.Fatalf("String is not stable: %q then %q", out, again)
	}
}

// equalTrees compares two trees, ignoring positions.
func equalTrees(a, b ObservationExpr) bool {
	return reflect.DeepEqual(stripObservation(a), stripObservation(b))
}

// stripObservation returns a copy of e with every position zeroed.
func stripObservation(e ObservationExpr) ObservationExpr {
	switch e := e.(type) {
	case *Observation:
		return &Observation{Expr: stripComparison(e.Expr)}
	case *ObservationCompound:
		c := &ObservationCompound{Op: e.Op}
		for _, o := range e.Operands {
			c.Operands = append(c.Operands, stripObservation(o))
		}
		return c
	case *Qualified:
		q := &Qualified{Expr: stripObservation(e.Expr)}
		for _, x := range e.Qualifiers {
			x.Pos, x.Value.Pos, x.Start.Pos, x.Stop.Pos = 0, 0, 0, 0
			q.Qualifiers = append(q.Qualifiers, x)
		}
		return q
	}
	return e
}

func stripComparison(e ComparisonExpr) ComparisonExpr {
	switch e := e.(type) {
	case *ComparisonCompound:
		c := &ComparisonCompound{Op: e.Op}
		for _, o := range e.Operands {
			c.Operands = append(c.Operands, stripComparison(o))
		}
		return c
	case *Comparison:
		c := *e
		c.Start, c.OpPos, c.Value.Pos, c.Path.TypePos = 0, 0, 0, 0
		c.Path.Steps = append([]PathStep(nil), e.Path.Steps...)
		for i := range c.Path.Steps {
			c.Path.Steps[i].Pos = 0
		}
		if e.Set != nil {
			c.Set = make([]Literal, len(e.Set))
			for i, l := range e.Set {
				l.Pos = 0
				c.Set[i] = l
			}
		}
		return &c
	}
	return e
}

// tree renders the structure of a tree with every group explicit:
// (OP operand...) for compounds, (Q expr qualifiers) for qualified
// expressions and [..] around observations.
func tree(n Node) string {
	var b strings.Builder
	var walk func(n Node)
	walk = func(n Node) {
		switch n := n.(type) {
		case *Observation:
			b.WriteByte('[')
			walk(n.Expr)
			b.WriteByte(']')
		case *ObservationCompound:
			b.WriteString("(" + n.Op.String())
			for _, o := range n.Operands {
				b.WriteByte(' ')
				walk(o)
			}
			b.WriteByte(')')
		case *Qualified:
			b.WriteString("(Q ")
			walk(n.Expr)
			for _, q := range n.Qualifiers {
				b.WriteString(" " + q.String())
			}
			b.WriteByte(')')
		case *ComparisonCompound:
			b.WriteString("(" + n.Op.String())
			for _, o := range n.Operands {
				b.WriteByte(' ')
				walk(o)
			}
			b.WriteByte(')')
		case *Comparison:
			b.WriteString(n.String())
		}
	}
	walk(n)
	return b.String()
}
