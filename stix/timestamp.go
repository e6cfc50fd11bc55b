package stix

import (
	"errors"
	"fmt"
	"time"
)

// ErrBadTimestamp is returned when a string is not an RFC 3339 UTC timestamp.
var ErrBadTimestamp = errors.New("not an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.fraction]Z)")

// ParseTimestamp parses a STIX or TAXII timestamp: YYYY-MM-DDTHH:MM:SS, an
// optional fraction of 1 to 9 digits, and the Z suffix (STIX 2.1 §3.2, TAXII
// 2.1 §2). The date must exist (no February 30th). An offset of +00:00 is
// accepted as well, since clients send it for added_after; any other offset
// is refused because both specifications require UTC.
func ParseTimestamp(s string) (time.Time, error) {
	n := len(s)
	if n < 20 || n > 40 {
		return time.Time{}, fmt.Errorf("%q: %w", s, ErrBadTimestamp)
	}
	num := func(i, width int) (int, bool) {
		v := 0
		for j := i; j < i+width; j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 2)
	day, ok3 := num(8, 2)
	hour, ok4 := num(11, 2)
	minute, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || s[4] != '-' || s[7] != '-' ||
		(s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, fmt.Errorf("%q: %w", s, ErrBadTimestamp)
	}
	i := 19
	nanos := 0
	if s[i] == '.' {
		i++
		digits := 0
		for i < n && s[i] >= '0' && s[i] <= '9' {
			if digits < 9 {
				nanos = nanos*10 + int(s[i]-'0')
			}
			digits++
			i++
		}
		if digits == 0 || digits > 9 {
			return time.Time{}, fmt.Errorf("%q: %w: 1 to 9 fractional digits", s, ErrBadTimestamp)
		}
		for d := digits; d < 9; d++ {
			nanos *= 10
		}
	}
	switch rest := s[i:]; rest {
	case "Z", "z", "+00:00":
	default:
		return time.Time{}, fmt.Errorf("%q: %w", s, ErrBadTimestamp)
	}
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, fmt.Errorf("%q: %w", s, ErrBadTimestamp)
	}
	if day > daysIn(month, year) {
		return time.Time{}, fmt.Errorf("%q: %w: day %d does not exist in %04d-%02d", s, ErrBadTimestamp, day, year, month)
	}
	// A leap second (:60) is allowed by RFC 3339; time.Date normalises it to
	// the next minute, which is the closest instant Go can represent. That
	// must not leave the four-digit years timestamps can express.
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC)
	if t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("%q: %w: past year 9999", s, ErrBadTimestamp)
	}
	return t, nil
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// TAXIITimestampLayout is the layout of TAXII timestamps: UTC with exactly six
// fractional digits (TAXII 2.1 §2, "MUST have microsecond precision").
const TAXIITimestampLayout = "2006-01-02T15:04:05.000000Z"

// FormatTAXII formats t as a TAXII timestamp.
func FormatTAXII(t time.Time) string {
	return t.UTC().Format(TAXIITimestampLayout)
}

// AppendTAXII appends t formatted as a TAXII timestamp to dst.
func AppendTAXII(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, TAXIITimestampLayout)
}
