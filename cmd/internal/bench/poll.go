package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// PollOptions configure a poll.
type PollOptions struct {
	Limit       int
	Connections int
	Duration    time.Duration
}

func (o PollOptions) scenario() string {
	conns := "connections"
	if o.Connections == 1 {
		conns = "connection"
	}
	return fmt.Sprintf("poll limit=%d at random added_after, %d %s", o.Limit, o.Connections, conns)
}

// Poll sends requests for a page at random added_after positions from
// several connections at once, as many SIEM connectors polling do.
func Poll(ctx context.Context, c *Client, o PollOptions) (Result, error) {
	_, dates, err := manifest(ctx, c, 1000, 10_000)
	if err != nil {
		return Result{}, fmt.Errorf("sample positions from the manifest: %w", err)
	}
	if len(dates) == 0 {
		return Result{}, errors.New("the collection is empty: nothing to poll")
	}
	return poll(ctx, c, o, func(r *rand.Rand) url.Values {
		return url.Values{"limit": {strconv.Itoa(o.Limit)}, "added_after": {dates[r.IntN(len(dates))]}}
	})
}

// poll runs o's connections for o's duration, each asking query(r).
func poll(ctx context.Context, c *Client, o PollOptions, query func(r *rand.Rand) url.Values) (Result, error) {
	r := Result{Scenario: o.scenario()}
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var mu sync.Mutex
	var latencies []time.Duration
	var wg sync.WaitGroup
	wire := c.wire.Load()
	start := time.Now()
	for i := range o.Connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			var mine []time.Duration
			objects, errs := 0, 0
			for ctx.Err() == nil {
				t0 := time.Now()
				body, _, err := c.get(ctx, c.ObjectsURL, query(rng))
				if ctx.Err() != nil {
					break // cut by the end of the run, not the server's failure
				}
				if err != nil {
					errs++
					continue
				}
				mine = append(mine, time.Since(t0))
				if p, err := scanPage(body); err == nil {
					objects += len(p.IDs)
				} else {
					errs++
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			r.Requests += len(mine)
			r.Objects += objects
			r.Errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.Elapsed = time.Since(start)
	r.WireBytes = c.wire.Load() - wire
	r.finish(latencies)
	return r, nil
}
