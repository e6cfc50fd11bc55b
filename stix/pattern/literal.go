package pattern

import (
	"encoding/base64"
	"errors"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"
)

// stamp is a validated timestamp: whole seconds since the epoch and the
// fraction digits without trailing zeros, so that any precision compares.
type stamp struct {
	sec  int64
	frac string
}

// compare returns -1, 0 or +1 as a is earlier than, equal to or later than b.
func (a stamp) compare(b stamp) int {
	switch {
	case a.sec != b.sec:
		if a.sec < b.sec {
			return -1
		}
		return 1
	case a.frac != b.frac:
		// Equal-length prefixes of digits compare like the numbers; a
		// longer fraction with the same prefix is later.
		return strings.Compare(a.frac, b.frac)
	}
	return 0
}

// parseStamp validates a timestamp constant: "a STIX timestamp (as
// specified in section 2.16)", YYYY-MM-DDTHH:MM:SS[.s+]Z in UTC, on a date
// that exists. A leap second is accepted at 23:59:60. It returns a message
// saying what is wrong, or "".
func parseStamp(s string) (stamp, string) {
	const want = "want YYYY-MM-DDTHH:MM:SS[.s+]Z"
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return stamp{}, want
	}
	var f [6]int
	for i, at := range [6]int{0, 5, 8, 11, 14, 17} {
		width := 2
		if i == 0 {
			width = 4
		}
		for j := at; j < at+width; j++ {
			if !isDigit(s[j]) {
				return stamp{}, want
			}
			f[i] = f[i]*10 + int(s[j]-'0')
		}
	}
	rest := s[19:]
	frac := ""
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		if n == 1 {
			return stamp{}, want
		}
		frac, rest = strings.TrimRight(rest[1:n], "0"), rest[n:]
	}
	if rest != "Z" {
		return stamp{}, want + " (UTC)"
	}
	year, month, day, hour, minute, sec := f[0], f[1], f[2], f[3], f[4], f[5]
	switch {
	case month < 1 || month > 12:
		return stamp{}, "month " + strconv.Itoa(month) + " does not exist"
	case day < 1 || day > daysIn(year, month):
		return stamp{}, "day " + strconv.Itoa(day) + " does not exist in " + time.Month(month).String() + " " + strconv.Itoa(year)
	case hour > 23 || minute > 59:
		return stamp{}, "time " + s[11:16] + " does not exist"
	case sec > 60 || sec == 60 && (hour != 23 || minute != 59):
		return stamp{}, "second " + strconv.Itoa(sec) + " does not exist (a leap second is 23:59:60)"
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	return stamp{sec: t.Unix(), frac: frac}, ""
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// checkHex validates the contents of h'...': "an even number of hexadecimal
// characters, which are the digits '0' through '9' and the letters 'a'
// through 'f'" (STIX 2.1 §9.2). Upper-case letters, which the formal
// grammar allows, only draw a warning.
func checkHex(s string) (msg string, warning bool) {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c) || 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			upper = true
		default:
			r := []rune(s[i:])[0]
			return strconv.QuoteRune(r) + " is not a hexadecimal digit", false
		}
	}
	if len(s)%2 != 0 {
		return "odd number of hexadecimal digits", false
	}
	if upper {
		return "STIX 2.1 §9.2 writes hex digits in lower case", true
	}
	return "", false
}

// checkBase64 validates the contents of b'...': padded base64 (RFC 4648).
// "Line feeds in the base64 encoded data MUST be supported and ignored"
// (STIX 2.1 §9.2); the decoder skips CR and LF.
func checkBase64(s string) string {
	if _, err := base64.StdEncoding.DecodeString(s); err != nil {
		var corrupt base64.CorruptInputError
		if errors.As(err, &corrupt) {
			return "invalid base64 at byte " + strconv.FormatInt(int64(corrupt), 10)
		}
		return "invalid base64: " + err.Error()
	}
	return ""
}

// checkRegex compiles a MATCHES regular expression with Go's RE2 in DOTALL
// mode, as STIX 2.1 §9.6.1 requires the DOTALL option. It returns what is
// wrong, or "".
func checkRegex(re string) (msg string, pcreOnly bool) {
	_, err := regexp.Compile("(?s)" + re)
	if err == nil {
		return "", false
	}
	detail := err.Error()
	var serr *syntax.Error
	if errors.As(err, &serr) {
		detail = string(serr.Code)
		if serr.Expr != "" {
			detail += ": " + strconv.Quote(serr.Expr)
		}
		// Lookaround, atomic groups, backreferences and possessive
		// quantifiers are valid PCRE that RE2 lacks: those the check can only
		// flag, not refuse.
		switch serr.Code {
		case syntax.ErrInvalidPerlOp, syntax.ErrInvalidEscape, syntax.ErrInvalidRepeatOp:
			pcreOnly = true
		}
	}
	return "the regular expression does not compile with Go's RE2 (" + detail +
		"); PCRE-only features such as backreferences, lookaround, atomic groups and possessive quantifiers cannot be checked", pcreOnly
}

// isAddrOrPrefix reports whether s is an IPv4 or IPv6 address or CIDR block,
// the operand of ISSUBSET and ISSUPERSET.
func isAddrOrPrefix(s string) bool {
	if strings.IndexByte(s, '/') >= 0 {
		_, err := netip.ParsePrefix(s)
		return err == nil
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}
