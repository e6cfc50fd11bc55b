package pattern

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics; that a failure is a
// *SyntaxError whose position lies inside the input (or just past its end);
// and that a success renders, through String, to text that parses to the
// same tree and renders the same again. Check must not panic either, and
// reports its problems in source order.
// Crashers that `go test -fuzz` finds are kept under
// testdata/fuzz/FuzzParse/ and run as regression tests.
func FuzzParse(f *testing.F) {
	for _, s := range specExamples {
		f.Add(s)
	}
	for _, s := range feedExamples {
		f.Add(s)
	}
	for _, s := range []string{
		``,
		`[a:b = 1] AND [c:d = 2] OR [e:f = 3] FOLLOWEDBY [g:h = 4]`,
		`([a:b = 1] WITHIN 5 SECONDS) REPEATS 2 TIMES START t'2016-01-01T00:00:00Z' STOP t'2017-01-01T00:00:00Z'`,
		`[a:b NOT IN (1, 2.5, 'x', true, h'ff', b'AA==', t'2016-01-01T00:00:00Z') OR NOT EXISTS a:c[*].'d-e'[-1]]`,
		`[a:b.'it\'s\\' LIKE '%x_' AND a:c MATCHES '(?i)^x$' AND a:d ISSUBSET '10.0.0.0/8' AND a:e ISSUPERSET '::1']`,
		"[a:b\u00a0=\t.5] /* c */ // d\n",
		`[a:b = 1 and c:d = 2]`,
		`[a:b === 'x']`,
		`[a:b = 'unterminated`,
		`[a:b = 007]`,
		`[a:b = -]`,
		`[a:'AND'.'true' = +1.0]`,
		`(((((([a:b = 1]))))))`,
		"[a:b = '\xff']",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			var serr *SyntaxError
			if !errors.As(err, &serr) {
				t.Fatalf("Parse(%q) error %T %v, want *SyntaxError", s, err, err)
			}
			lines := strings.Count(s, "\n") + 1
			if serr.Line < 1 || serr.Col < 1 || serr.Line > lines || serr.Col > utf8.RuneCountInString(s)+1 {
				t.Fatalf("Parse(%q): position %d:%d outside the input", s, serr.Line, serr.Col)
			}
			if serr.Msg == "" {
				t.Fatalf("Parse(%q): empty message", s)
			}
			return
		}
		assertRoundTrip(t, s, p)
		var prev Problem
		for _, pr := range p.Check() {
			if pr.Line < 1 || pr.Col < 1 || pr.Msg == "" {
				t.Fatalf("Check(%q): bad problem %+v", s, pr)
			}
			if pr.Line < prev.Line || pr.Line == prev.Line && pr.Col < prev.Col {
				t.Fatalf("Check(%q): %v after %v, want source order", s, pr, prev)
			}
			prev = pr
		}
	})
}
