package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"
)

// TailOptions configure a tail.
type TailOptions struct {
	Source   io.Reader // objects to post, as for Ingest
	Envelope int       // objects per POST
	Rate     int       // objects per second posted
	Pollers  int
	Interval time.Duration // between a poller's requests
	Duration time.Duration
}

func (o TailOptions) scenario() string {
	return fmt.Sprintf("tail, %d pollers every %s, %d objects/s posted", o.Pollers, o.Interval, o.Rate)
}

// Tail posts at a steady rate while pollers follow the collection with
// added_after from X-TAXII-Date-Added-Last, as SIEM connectors do, and
// measures the lag from each POST's 202 to the first sight of its objects.
// The pollers start at the client's clock: run it on the server's machine.
func Tail(ctx context.Context, c *Client, o TailOptions) (Result, error) {
	r := Result{Scenario: o.scenario()}
	// Posting stops after the duration; the pollers go on until they have
	// seen what was posted, or a while after.
	pollCtx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var mu sync.Mutex
	posted := map[string]time.Time{} // id -> when its POST got 202
	seen := map[string]time.Time{}   // id -> when a poller first saw it
	startPos := time.Now().UTC().Add(-time.Second).Format("2006-01-02T15:04:05.000000Z")

	var wg sync.WaitGroup
	for range o.Pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pos := startPos
			for pollCtx.Err() == nil {
				body, h, err := c.get(pollCtx, c.ObjectsURL, url.Values{"limit": {"1000"}, "added_after": {pos}})
				now := time.Now()
				if err == nil {
					if p, perr := scanPage(body); perr == nil {
						mu.Lock()
						r.Requests++
						for _, id := range p.IDs {
							if _, ok := seen[string(id)]; !ok {
								seen[string(id)] = now
							}
						}
						mu.Unlock()
						if last := h.Get("X-TAXII-Date-Added-Last"); last != "" {
							pos = last
						}
						if p.More {
							continue // catching up: no pause
						}
					}
				} else if pollCtx.Err() == nil {
					mu.Lock()
					r.Errors++
					mu.Unlock()
				}
				select {
				case <-time.After(o.Interval):
				case <-pollCtx.Done():
				}
			}
		}()
	}

	envelopes := make(chan envelope, 4)
	go func() {
		defer close(envelopes)
		envelopesOf(ctx, o.Source, o.Envelope, envelopes)
	}()
	every := time.Duration(float64(time.Second) * float64(o.Envelope) / float64(max(1, o.Rate)))
	tick := time.NewTicker(every)
	defer tick.Stop()
	start := time.Now()
post:
	for env := range envelopes {
		select {
		case <-tick.C:
		case <-ctx.Done():
			break post
		}
		body, err := c.post(ctx, env.body)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return r, err
		}
		at := time.Now()
		// Only what the POST stored is new: a duplicate (an observable
		// already there, say) never shows up after the start position.
		var st struct {
			Successes []struct{ ID, Message string }
		}
		if err := json.Unmarshal(body, &st); err != nil {
			return r, fmt.Errorf("read the status: %w", err)
		}
		mu.Lock()
		for _, s := range st.Successes {
			if s.Message == "" {
				posted[s.ID] = at
			}
		}
		mu.Unlock()
	}
	// The pollers may still see what was posted last: they are given a
	// while to, before what they have not seen counts as never seen.
	deadline := time.Now().Add(max(5*time.Second, 5*o.Interval))
	for time.Now().Before(deadline) {
		mu.Lock()
		unseen := 0
		for id := range posted {
			if _, ok := seen[id]; !ok {
				unseen++
			}
		}
		mu.Unlock()
		if unseen == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopPolling()
	wg.Wait()
	r.Elapsed = time.Since(start)
	var lags []time.Duration
	for id, at := range posted {
		if t, ok := seen[id]; ok {
			lags = append(lags, max(0, t.Sub(at))) // seen before the 202 arrived: no lag
			r.Objects++
		} else {
			r.Errors++ // posted, never seen
		}
	}
	r.finish(lags)
	r.RequestsPerSecond = float64(r.Requests) / r.Elapsed.Seconds()
	return r, nil
}
