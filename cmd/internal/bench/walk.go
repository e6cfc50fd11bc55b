package bench

import (
	"context"
	"fmt"
	"hash/maphash"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// WalkOptions configure a walk.
type WalkOptions struct {
	Limit int
	// ByAddedAfter follows X-TAXII-Date-Added-Last with added_after,
	// instead of next.
	ByAddedAfter bool
	// Verify walks the manifest first and checks that the walk sees each
	// of its objects exactly once.
	Verify bool
}

func (o WalkOptions) scenario() string {
	by := "next"
	if o.ByAddedAfter {
		by = "added_after"
	}
	return fmt.Sprintf("walk limit=%d by %s", o.Limit, by)
}

// Walk pages through the whole collection, as a client catching up does.
// While it is timed, the walk does to each page what its ceiling does
// (read it, find its ids) and notes a 64-bit hash of each id; comparing
// them with the manifest waits until the timing has ended, so that the
// client's bookkeeping of a million ids, which the ceiling's repeated page
// does not need, does not weigh on the measure.
func Walk(ctx context.Context, c *Client, o WalkOptions) (Result, error) {
	r := Result{Scenario: o.scenario()}
	var want map[string]int
	if o.Verify {
		var err error
		if want, _, err = manifest(ctx, c, o.Limit, 0); err != nil {
			return r, fmt.Errorf("walk the manifest: %w", err)
		}
	}
	seed := maphash.MakeSeed()
	seen := make([]uint64, 0, len(want))
	var latencies []time.Duration
	q := url.Values{"limit": {strconv.Itoa(o.Limit)}}
	wire := c.wire.Load()
	start := time.Now()
	for {
		t0 := time.Now()
		body, h, err := c.get(ctx, c.ObjectsURL, q)
		if err != nil {
			return r, err
		}
		latencies = append(latencies, time.Since(t0))
		p, err := scanPage(body)
		if err != nil {
			return r, err
		}
		r.Requests++
		r.Objects += len(p.IDs)
		for _, id := range p.IDs {
			seen = append(seen, maphash.Bytes(seed, id))
		}
		last := h.Get("X-TAXII-Date-Added-Last")
		if !p.More || len(p.IDs) == 0 {
			break
		}
		if o.ByAddedAfter {
			q = url.Values{"limit": {strconv.Itoa(o.Limit)}, "added_after": {last}}
		} else {
			q = url.Values{"limit": {strconv.Itoa(o.Limit)}, "next": {p.Next}}
		}
	}
	r.Elapsed = time.Since(start)
	r.WireBytes = c.wire.Load() - wire
	r.finish(latencies)
	// Each id seen more than once is a duplicate; with the manifest, each
	// id seen and not listed is unexpected, each listed and not seen
	// missing. (Two ids of a million share a 64-bit hash with a
	// probability of some 3e-8.)
	slices.Sort(seen)
	listed := make(map[uint64]bool, len(want))
	for id := range want {
		listed[maphash.String(seed, id)] = true
	}
	for i, h := range seen {
		if i > 0 && seen[i-1] == h {
			r.Duplicates++
			continue
		}
		if want != nil && !listed[h] {
			r.Unexpected++
		}
		delete(listed, h)
	}
	r.Missing = len(listed)
	return r, nil
}

// manifest walks the manifest and returns how many entries each id has,
// and up to sample of the entries' date_added, evenly spread.
func manifest(ctx context.Context, c *Client, limit, sample int) (map[string]int, []string, error) {
	ids := map[string]int{}
	var dates []string
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	for {
		body, _, err := c.get(ctx, c.manifestURL(), q)
		if err != nil {
			return nil, nil, err
		}
		p, err := scanPage(body)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range p.IDs {
			ids[string(id)]++
		}
		for _, d := range p.Dates {
			dates = append(dates, string(d))
		}
		if sample > 0 && len(dates) > 2*sample {
			dates = thin(dates)
		}
		if !p.More || len(p.IDs) == 0 {
			return ids, dates, nil
		}
		q = url.Values{"limit": {strconv.Itoa(limit)}, "next": {p.Next}}
	}
}

// thin keeps every other element.
func thin(s []string) []string {
	out := s[:0]
	for i := 0; i < len(s); i += 2 {
		out = append(out, s[i])
	}
	return out
}

// walkFixed sends pages requests one after the other, reading each page
// as Walk does: the ceiling of a walk of that many pages.
func walkFixed(ctx context.Context, c *Client, scenario string, pages int) (Result, error) {
	r := Result{Scenario: scenario}
	var latencies []time.Duration
	wire := c.wire.Load()
	start := time.Now()
	for range pages {
		t0 := time.Now()
		body, _, err := c.get(ctx, c.ObjectsURL, nil)
		if err != nil {
			return r, err
		}
		latencies = append(latencies, time.Since(t0))
		p, err := scanPage(body)
		if err != nil {
			return r, err
		}
		r.Requests++
		r.Objects += len(p.IDs)
	}
	r.Elapsed = time.Since(start)
	r.WireBytes = c.wire.Load() - wire
	r.finish(latencies)
	return r, nil
}
