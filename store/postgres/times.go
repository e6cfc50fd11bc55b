package postgres

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"liaison/store"
)

// Instants the contract keeps exactly are unix nanoseconds (bigint); the
// zero time is NULL. int64 nanoseconds span the years 1678 to 2262.

// nanos returns t as unix nanoseconds, nil for the zero time, or ErrInvalid
// outside the range a bigint of nanoseconds holds.
func nanos(t time.Time) (*int64, error) {
	if t.IsZero() {
		return nil, nil
	}
	lo, hi := time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)
	if t.Before(lo) || t.After(hi) {
		return nil, fmt.Errorf("time %s: %w: it must lie between the years 1678 and 2262", t.UTC().Format(time.RFC3339), store.ErrInvalid)
	}
	n := t.UnixNano()
	return &n, nil
}

// mustNanos is nanos for times Options.Now made.
func mustNanos(t time.Time) int64 {
	n, err := nanos(t)
	if err != nil || n == nil {
		return 0
	}
	return *n
}

// fromNanos is the inverse of nanos, in UTC.
func fromNanos(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return time.Unix(0, *n).UTC()
}

// storable reports whether every s can be a text value: PostgreSQL's
// text holds UTF-8 without NUL, and refuses anything else with an error.
// A lookup by a value that is not storable names nothing, as in any
// backend, whatever bytes a client put in a URL.
func storable(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return false
		}
	}
	return true
}

// storableList returns list with the values that are not storable
// replaced by "", which no id or type is: they match nothing.
func storableList(list []string) []string {
	if storable(list...) {
		return list
	}
	out := make([]string, len(list))
	for i, v := range list {
		if storable(v) {
			out[i] = v
		}
	}
	return out
}

// text returns s as PostgreSQL's text can hold it: a NUL and each byte
// that is not UTF-8 become U+FFFD. For what is kept as a record (the
// audit trail), which must be kept whatever bytes a client sent.
func text(s string) string {
	if storable(s) {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")
}

func microsTime(m int64) time.Time { return time.UnixMicro(m).UTC() }

// timeMicros returns the whole microseconds of t since the epoch, 0 for
// earlier instants (no date_added predates the epoch).
func timeMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return max(t.UnixMicro(), 0)
}
