package stix

import (
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// schemaFormatMessage says why v does not have the format name.
func schemaFormatMessage(name string, v any) string {
	s, _ := v.(string)
	q := strconv.Quote(schemaClip(s))
	switch name {
	case "stix-identifier":
		return q + " is not a STIX identifier: <object-type>--<RFC 4122 UUID> (STIX 2.1 §2.9)"
	case "stix-timestamp":
		return q + " is not a valid timestamp: YYYY-MM-DDTHH:MM:SS[.s+]Z, a real date in UTC (STIX 2.1 §2.16)"
	case "stix-timestamp-millis":
		if schemaTimestampFraction(s) >= 0 {
			return q + " must have at least millisecond precision, such as " + s[:19] + ".000Z (STIX 2.1 §3.2)"
		}
		return q + " is not a valid timestamp: YYYY-MM-DDTHH:MM:SS.sss[s+]Z, a real date in UTC (STIX 2.1 §2.16, §3.2)"
	case "stix-hex":
		return q + " is not hex: an even number of the characters 0-9 and a-f (STIX 2.1 §2.8)"
	case "stix-binary":
		return q + " is not base64 (RFC 4648) (STIX 2.1 §2.1)"
	case "stix-property-name":
		return q + " is not a valid property name: 3 to 250 characters a-z, 0-9 and _, starting with a letter (STIX 2.1 §3.1, §11.1)"
	case "stix-dictionary-key":
		return q + " is not a valid dictionary key: at most 250 ASCII characters a-z, A-Z, 0-9, - and _ (STIX 2.1 §2.3)"
	case "stix-hash-name":
		return q + " is not a valid hash algorithm name: 3 to 250 ASCII characters a-z, A-Z, 0-9, - and _ (STIX 2.1 §2.7)"
	case "stix-type-name":
		return q + " is not a valid type name: 3 to 250 characters a-z, 0-9 and -, starting with a letter, no -- (STIX 2.1 §3.1)"
	case "stix-ipv4":
		return q + " is not an IPv4 address or CIDR block (STIX 2.1 §6.8)"
	case "stix-ipv6":
		return q + " is not an IPv6 address or CIDR block (STIX 2.1 §6.9)"
	case "stix-url", "stix-url-lenient":
		return q + " is not a URL (RFC 3986) (STIX 2.1 §6.15)"
	case "stix-selector":
		return q + " is not a selector: property names, dictionary keys and [index] joined by . (STIX 2.1 §7.2.3.1)"
	case "stix-email-addr":
		return q + " is not an email address (the addr-spec of RFC 5322 §3.4, without a display name) (STIX 2.1 §6.5)"
	case "stix-domain-name":
		return q + " is not a domain name (RFC 1034, RFC 5890) (STIX 2.1 §6.4)"
	}
	return q + " is not a valid " + name
}

// schemaFormatWarning reports whether a value that fails format name breaks
// only a rule that real feeds break and the reference library (python-stix2)
// does not enforce, and then returns the warning to give instead of an
// error: upper-case hex, and a relative reference where the schema allows
// one with a warning (url's value).
func schemaFormatWarning(name string, v any) (string, bool) {
	s, _ := v.(string)
	q := strconv.Quote(schemaClip(s))
	switch name {
	case "stix-hex":
		if schemaHex(strings.ToLower(s)) {
			return q + " has upper-case letters: hex is written with 0-9 and a-f (STIX 2.1 §2.8)", true
		}
	case "stix-url-lenient":
		if schemaURLReference(s) {
			return q + " is a relative reference, not a URL with a scheme (STIX 2.1 §6.15, RFC 3986 §1.1.3)", true
		}
	}
	return "", false
}

// schemaFormats returns the formats of the project schemas. Each accepts
// values that are not strings: the type keyword reports those.
func schemaFormats() map[string]func(any) bool {
	return map[string]func(any) bool{
		"stix-identifier":       schemaString(ValidID),
		"stix-timestamp":        schemaString(func(s string) bool { return schemaTimestampFraction(s) >= 0 }),
		"stix-timestamp-millis": schemaString(func(s string) bool { return schemaTimestampFraction(s) >= 3 }),
		"stix-hex":              schemaString(schemaHex),
		"stix-binary":           schemaString(schemaBase64),
		"stix-property-name":    schemaString(schemaPropertyName),
		"stix-property-names":   schemaPropertyNames,
		"stix-dictionary-key":   schemaString(func(s string) bool { return schemaKey(s, 1) }),
		"stix-hash-name":        schemaString(func(s string) bool { return schemaKey(s, 3) }),
		"stix-type-name":        schemaString(ValidType),
		"stix-ipv4":             schemaString(func(s string) bool { return schemaIP(s, true) }),
		"stix-ipv6":             schemaString(func(s string) bool { return schemaIP(s, false) }),
		"stix-url":              schemaString(schemaURL),
		"stix-url-lenient":      schemaString(schemaURL),
		"stix-selector":         schemaString(schemaSelector),
		"stix-email-addr":       schemaString(schemaEmailAddr),
		"stix-domain-name":      schemaString(schemaDomainName),
	}
}

// schemaPropertyNames checks every property name of an object at once:
// cheaper than propertyNames, which walks a schema for each name.
func schemaPropertyNames(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return true
	}
	for k := range m {
		if !schemaPropertyName(k) {
			return false
		}
	}
	return true
}

func schemaString(f func(string) bool) func(any) bool {
	return func(v any) bool {
		s, ok := v.(string)
		return !ok || f(s)
	}
}

// schemaTimestampFraction returns the number of fractional second digits of
// a STIX timestamp, YYYY-MM-DDTHH:mm:ss[.s+]Z on a date that exists (STIX
// 2.1 §2.16), or -1 when s is not one.
func schemaTimestampFraction(s string) int {
	if len(s) < 20 || s[len(s)-1] != 'Z' {
		return -1
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return -1
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, sec := num(11, 2), num(14, 2), num(17, 2)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 60 {
		return -1
	}
	if day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return -1
	}
	frac := s[19 : len(s)-1]
	if frac == "" {
		return 0
	}
	if frac[0] != '.' || !schemaDigits(frac[1:]) {
		return -1
	}
	return len(frac) - 1
}

func schemaDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// schemaHex: an even number of 0-9 a-f (STIX 2.1 §2.8).
func schemaHex(s string) bool {
	if s == "" || len(s)%2 != 0 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// schemaBase64: padded base64 of RFC 4648 §4 (STIX 2.1 §2.1).
func schemaBase64(s string) bool {
	if len(s)%4 != 0 {
		return false
	}
	pad := 0
	for i, c := range []byte(s) {
		switch {
		case c == '=':
			pad++
			if pad > 2 || len(s)-i > 2 {
				return false
			}
		case pad > 0:
			return false
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}

// schemaPropertyName: a-z 0-9 _, 3 to 250 characters, starting with a
// letter (STIX 2.1 §3.1, §11.1.1); id is the one shorter common property.
func schemaPropertyName(s string) bool {
	if s == "id" {
		return true
	}
	if len(s) < 3 || len(s) > 250 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// schemaKey: a dictionary key or hash name, min to 250 ASCII characters
// a-z A-Z 0-9 - _ (STIX 2.1 §2.3, §2.7).
func schemaKey(s string, min int) bool {
	if len(s) < min || len(s) > 250 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// schemaIP: an address or CIDR block of the family, without a zone.
func schemaIP(s string, v4 bool) bool {
	var addr netip.Addr
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return false
		}
		addr = p.Addr()
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return false
		}
		addr = a
	}
	if addr.Zone() != "" {
		return false
	}
	if v4 {
		return addr.Is4()
	}
	return addr.Is6()
}

// schemaURL: an absolute URL (RFC 3986 §1.1.3): a scheme, no spaces or
// control characters.
func schemaURL(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}

// schemaURLReference: a relative reference (RFC 3986 §4.2): no scheme, no
// spaces or control characters.
func schemaURLReference(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	return s != "" && err == nil && u.Scheme == ""
}

// schemaSelector: components joined by ., each a property name, a
// dictionary key or a list index [n] (STIX 2.1 §7.2.3.1).
func schemaSelector(s string) bool {
	for _, comp := range strings.Split(s, ".") {
		if inner, ok := strings.CutPrefix(comp, "["); ok {
			if inner, ok = strings.CutSuffix(inner, "]"); !ok || !schemaDigits(inner) {
				return false
			}
			continue
		}
		if !schemaKey(comp, 1) {
			return false
		}
	}
	return true
}

// schemaEmailAddr: an addr-spec (RFC 5322 §3.4), without a display name or
// angle brackets (STIX 2.1 §6.5).
func schemaEmailAddr(s string) bool {
	if strings.ContainsAny(s, "<>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == ""
}

// schemaDomainName: dot-separated labels of 1 to 63 octets, at most 253 in
// all (RFC 1034 §3.1), made of letters, digits and hyphens (not at either
// end of a label), or UTF-8 (IDN U-labels, RFC 5890). Underscores are
// accepted as DNS itself does (RFC 2181 §11), for names such as _dmarc.
func schemaDomainName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' && c < 0x80 {
				return false
			}
		}
	}
	return true
}
