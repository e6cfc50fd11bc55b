package postgres

import (
	"fmt"
	"math"
	"time"

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

func microsTime(m int64) time.Time { return time.UnixMicro(m).UTC() }

// timeMicros returns the whole microseconds of t since the epoch, 0 for
// earlier instants (no date_added predates the epoch).
func timeMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return max(t.UnixMicro(), 0)
}
