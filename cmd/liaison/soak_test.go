package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Soak benchmark settings.
const (
	soakWriters    = 2
	soakReaders    = 4
	soakMaxPerPost = 100
	// soakPostsPerSecond paces each writer: a steady feed, not a bulk
	// load, so that the database grows by some 500 objects a second.
	soakPostsPerSecond = 5
)

// TestSoak is a soak benchmark, run only when LIAISON_SOAK gives its
// duration:
//
//	LIAISON_SOAK=5m go test -run TestSoak -v -timeout 0 ./cmd/liaison/
//
// It serves the real binary to mixed readers (pages of objects and
// manifests followed by next, single objects, versions, statuses) and
// writers (envelopes of new indicators) for that long, and every few
// seconds (LIAISON_SOAK_EVERY, 5s by default) prints a row: the server's
// RSS, peak RSS, resident anonymous memory (heap and stacks) and resident
// file-backed memory (the memory-mapped database, which grows with the
// data), its open file descriptors, the database size, and the rate and
// latency percentiles of reads and writes in the interval. Over a long run
// anonymous memory and descriptors should level off while the data grows,
// and latencies should stay flat. Any failed request fails the test.
func TestSoak(t *testing.T) {
	s := os.Getenv("LIAISON_SOAK")
	if s == "" {
		t.Skip("soak benchmark: set LIAISON_SOAK to a duration (e.g. 5m) to run it")
	}
	duration, err := time.ParseDuration(s)
	if err != nil || duration <= 0 {
		t.Fatalf("LIAISON_SOAK=%q: want a duration such as 5m", s)
	}
	every := 5 * time.Second
	if s := os.Getenv("LIAISON_SOAK_EVERY"); s != "" {
		if every, err = time.ParseDuration(s); err != nil || every <= 0 {
			t.Fatalf("LIAISON_SOAK_EVERY=%q: want a duration such as 5s", s)
		}
	}
	if dl, ok := t.Deadline(); ok && time.Until(dl) < duration+time.Minute {
		t.Fatalf("the test timeout ends before a %v soak: pass -timeout 0 (or longer than %v)", duration, duration+time.Minute)
	}
	f := newLiaisonFixture(t)
	p, err := startServer(t, f.Bin, f.DB)
	if err != nil {
		t.Fatal(err)
	}
	client := newTaxiiClient(f.APIKey)
	st := &soakState{client: client, base: p.URL + "/" + fixtureRoot + "/", coll: p.URL + "/" + fixtureRoot + "/collections/" + fixtureAlias + "/"}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range soakWriters {
		wg.Go(func() { st.write(ctx, t) })
	}
	for range soakReaders {
		wg.Go(func() { st.read(ctx, t) })
	}

	t.Logf("soak: %v, %d writers (%d POSTs/s each, 1-%d objects per POST), %d readers, race detector %v, a row every %v",
		duration, soakWriters, soakPostsPerSecond, soakMaxPerPost, soakReaders, raceEnabled, every)
	t.Logf("%6s %7s %7s %7s %7s %4s %7s %8s | %6s %6s %6s %6s | %6s %6s %6s %6s %6s",
		"time", "RSS MiB", "peak", "anon", "file", "fds", "db MiB", "objects", "POST/s", "p50 ms", "p99", "max",
		"GET/s", "p50 ms", "p95", "p99", "max")
	began := time.Now()
	last := began
	tick := time.NewTicker(every)
	defer tick.Stop()
	var anon []int64
	for time.Since(began) < duration-every/2 {
		<-tick.C
		m, err := p.mem()
		if err != nil {
			t.Fatalf("read the server's /proc entries: %v", err)
		}
		fi, err := os.Stat(f.DB)
		if err != nil {
			t.Fatal(err)
		}
		w, r := st.writes.take(), st.reads.take()
		secs := time.Since(last).Seconds()
		last = time.Now()
		anon = append(anon, m.Anon)
		t.Logf("%6s %7.1f %7.1f %7.1f %7.1f %4d %7.1f %8d | %6.0f %6.1f %6.1f %6.1f | %6.0f %6.1f %6.1f %6.1f %6.1f",
			time.Since(began).Round(time.Second), mib(m.RSS), mib(m.Peak), mib(m.Anon), mib(m.File), m.FDs, mib(fi.Size()),
			st.objects.Load(), float64(len(w))/secs, pct(w, 50), pct(w, 99), pct(w, 100),
			float64(len(r))/secs, pct(r, 50), pct(r, 95), pct(r, 99), pct(r, 100))
	}
	cancel()
	wg.Wait()
	if err := p.stop(15 * time.Second); err != nil {
		t.Errorf("liaison serve after SIGTERM: %v\n%s", err, p.logs.tail())
	}
	for _, l := range p.logs.errorLines() {
		t.Errorf("the server logged an error: %s", l)
	}
	if n := len(anon); n >= 2 {
		half := anon[n/2:]
		t.Logf("anonymous memory: %.1f MiB at the first row, %.1f MiB at the last, %.1f-%.1f MiB over the second half",
			mib(anon[0]), mib(anon[n-1]), mib(slices.Min(half)), mib(slices.Max(half)))
	}
	t.Logf("requests: %d POSTs, %d GETs, %d failed", st.posts.Load(), st.gets.Load(), st.failed.Load())
}

// soakState is what the soak's workers share.
type soakState struct {
	client     *taxiiClient
	base, coll string // the API root's and the collection's URLs

	writes, reads latencies
	objects       atomic.Int64 // acknowledged
	posts, gets   atomic.Int64
	failed        atomic.Int64

	mu       sync.Mutex
	ids      []string // acknowledged objects, for readers to ask for
	statuses []string
}

// write POSTs envelopes of new indicators until ctx ends.
func (s *soakState) write(ctx context.Context, t *testing.T) {
	pace := time.NewTicker(time.Second / soakPostsPerSecond)
	defer pace.Stop()
	for n := 0; ; {
		select {
		case <-ctx.Done():
			return
		case <-pace.C:
		}
		var ids []string
		var raws [][]byte
		for range 1 + rand.IntN(soakMaxPerPost) {
			n++
			id, raw := testIndicator(n)
			ids, raws = append(ids, id), append(raws, raw)
		}
		start := time.Now()
		code, body, err := s.client.do(ctx, http.MethodPost, s.coll+"objects/", envelope(raws))
		if ctx.Err() != nil {
			return
		}
		s.writes.add(time.Since(start))
		s.posts.Add(1)
		var st struct {
			ID           string `json:"id"`
			SuccessCount int    `json:"success_count"`
		}
		if err != nil || code != http.StatusAccepted || json.Unmarshal(body, &st) != nil || st.SuccessCount != len(ids) {
			s.failed.Add(1)
			t.Errorf("POST of %d objects: %d %v %.300s", len(ids), code, err, body)
			continue
		}
		s.objects.Add(int64(len(ids)))
		s.mu.Lock()
		s.ids = append(s.ids, ids...)
		s.statuses = append(s.statuses, st.ID)
		s.mu.Unlock()
	}
}

// read sends a mix of the requests TAXII clients make until ctx ends.
func (s *soakState) read(ctx context.Context, t *testing.T) {
	for ctx.Err() == nil {
		s.mu.Lock()
		var id, status string
		if len(s.ids) > 0 {
			id = s.ids[rand.IntN(len(s.ids))]
			status = s.statuses[rand.IntN(len(s.statuses))]
		}
		s.mu.Unlock()
		var u string
		switch k := rand.IntN(10); {
		case id == "" || k < 3:
			// A poll: a page of the newest objects, then its next page.
			q := url.Values{"limit": {"100"}, "match[type]": {"indicator"}}
			s.get(ctx, t, s.coll+"objects/?"+q.Encode(), true)
			continue
		case k < 5:
			s.get(ctx, t, s.coll+"manifest/?limit=100", true)
			continue
		case k < 8:
			u = s.coll + "objects/" + id + "/"
		case k < 9:
			u = s.coll + "objects/" + id + "/versions/"
		default:
			u = s.base + "status/" + status + "/"
		}
		s.get(ctx, t, u, false)
	}
}

// get GETs u and, with follow, the page its next names.
func (s *soakState) get(ctx context.Context, t *testing.T, u string, follow bool) {
	start := time.Now()
	code, body, err := s.client.do(ctx, http.MethodGet, u, nil)
	if ctx.Err() != nil {
		return
	}
	s.reads.add(time.Since(start))
	s.gets.Add(1)
	if err != nil || code != http.StatusOK {
		s.failed.Add(1)
		t.Errorf("GET %s: %d %v %.300s", u, code, err, body)
		return
	}
	var pg page
	if !follow || json.Unmarshal(body, &pg) != nil || !pg.More {
		return
	}
	next, _ := url.Parse(u)
	next.RawQuery = url.Values{"limit": {"100"}, "next": {pg.Next}}.Encode()
	s.get(ctx, t, next.String(), false)
}

// latencies collects request durations between two takes.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// take returns the durations collected since the last take, sorted.
func (l *latencies) take() []time.Duration {
	l.mu.Lock()
	d := l.d
	l.d = nil
	l.mu.Unlock()
	slices.Sort(d)
	return d
}

// pct returns the p-th percentile of sorted durations, in milliseconds.
func pct(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, len(sorted)*p/100)
	return float64(sorted[i]) / float64(time.Millisecond)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
