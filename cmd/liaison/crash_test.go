package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"liaison/store/bolt"
)

// The crash test's settings. LIAISON_CRASH_KILLS raises the number of
// kills for a longer run.
const (
	crashDefaultKills = 20
	crashWriters      = 4
	crashMaxPerPost   = 400 // objects per envelope: 1 to this many (a quarter with the race detector, which slows the server)
	crashMinUp        = 50 * time.Millisecond
	crashMaxUp        = 600 * time.Millisecond
)

// TestCrash builds the liaison binary, prepares a database with the CLI,
// and serves it while concurrent writers POST envelopes of new objects; it
// SIGKILLs the server at random moments and starts it again, many times.
// Afterwards every object acknowledged by a 202 whose status lists it as a
// success must be served back byte for byte, every request that got no
// answer must have been applied entirely or not at all, every acknowledged
// status must still be readable, and the file must pass the full
// consistency check, after every kill and at the end. (TAXII 2.1 §5.5: the status of an Add Objects request
// reports what the server holds.)
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds the binary and kills its server repeatedly; skipped with -short")
	}
	kills := crashDefaultKills
	if s := os.Getenv("LIAISON_CRASH_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("LIAISON_CRASH_KILLS=%q: want a positive number of kills", s)
		}
		kills = n
	}
	f := newLiaisonFixture(t)
	client := newTaxiiClient(f.APIKey)
	live := newLiveServer()
	stop := make(chan struct{})
	var seq atomic.Int64
	results := make([][]sentRequest, crashWriters)
	var wg sync.WaitGroup
	for w := range crashWriters {
		wg.Go(func() { results[w] = crashWriter(t, client, live, stop, &seq) })
	}
	stopWriters := func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}
	defer stopWriters()

	var restarts []time.Duration
	var errorLines []string
	start := func() *serverProc {
		t0 := time.Now()
		p, err := startServer(t, f.Bin, f.DB)
		if err != nil {
			stopWriters()
			t.Fatalf("start after %d kills: %v", len(restarts), err)
		}
		restarts = append(restarts, time.Since(t0))
		live.set(p.URL)
		return p
	}
	began := time.Now()
	var checking time.Duration
	for k := range kills {
		p := start()
		time.Sleep(crashMinUp + rand.N(crashMaxUp-crashMinUp))
		p.kill()
		live.down()
		errorLines = append(errorLines, p.logs.errorLines()...)
		// The file as the kill left it, before a server touches it again.
		t0 := time.Now()
		if err := bolt.CheckFile(f.DB); err != nil {
			t.Errorf("consistency check after kill %d: %v", k+1, err)
		}
		checking += time.Since(t0)
	}
	p := start()
	time.Sleep(crashMinUp) // the last server also takes writes
	stopWriters()
	elapsed := time.Since(began)

	var sent []sentRequest
	for _, r := range results {
		sent = append(sent, r...)
	}
	fig := verifyCrash(t, client, p.URL, sent)

	if err := p.stop(15 * time.Second); err != nil {
		t.Errorf("liaison serve after SIGTERM: %v\n%s", err, p.logs.tail())
	}
	errorLines = append(errorLines, p.logs.errorLines()...)
	for _, l := range errorLines {
		t.Errorf("the server logged an error: %s", l)
	}
	if err := bolt.CheckFile(f.DB); err != nil {
		t.Errorf("consistency check after %d kills: %v", kills, err)
	}

	slices.Sort(restarts)
	t.Logf("crash test: %d kills in %v; restart (exec to serving) median %v, max %v; full consistency check after every kill: %v in all",
		kills, elapsed.Round(time.Millisecond), restarts[len(restarts)/2].Round(time.Millisecond), restarts[len(restarts)-1].Round(time.Millisecond),
		checking.Round(time.Millisecond))
	t.Logf("requests: %d acknowledged, %d interrupted (%d applied entirely, %d not at all), %d refused, %d half-applied",
		fig.acked, fig.interrupted, fig.interruptedApplied, fig.interrupted-fig.interruptedApplied-fig.halfApplied, fig.refused, fig.halfApplied)
	t.Logf("objects: %d sent, %d acknowledged, %d stored and checked byte for byte, %d lost",
		fig.objectsSent, fig.objectsAcked, fig.objectsStored, fig.lost)
	if fig.acked == 0 {
		t.Error("no request was acknowledged: the test checked nothing")
	}
	if fig.interrupted == 0 {
		t.Error("no request was interrupted by a kill: the test did not exercise a crash during a write")
	}
}

// outcome is what a writer learnt of its request.
type outcome int

const (
	acknowledged outcome = iota // 202, every object a success
	interrupted                 // no complete response: connection refused, reset or cut
	refused                     // an answer other than 202 (503 when the server is busy)
)

// sentRequest is one POST: its objects and what came back.
type sentRequest struct {
	ids []string
	// want are the objects as the server must serve them: as sent, less
	// the insignificant whitespace, which it drops (stix.Peek compacts
	// each object). Escapes, non-ASCII text and member order are kept.
	want    [][]byte
	outcome outcome
	status  string // the status id of an acknowledged request
}

// crashWriter POSTs envelopes of new indicators to whichever server is
// running until stop is closed, and returns what it sent.
func crashWriter(t *testing.T, client *taxiiClient, live *liveServer, stop <-chan struct{}, seq *atomic.Int64) []sentRequest {
	var out []sentRequest
	for {
		base, ok := live.get(stop)
		if !ok {
			return out
		}
		var req sentRequest
		perPost := crashMaxPerPost
		if raceEnabled {
			perPost /= 4
		}
		var raws [][]byte
		for range 1 + rand.IntN(perPost) {
			id, raw := testIndicator(int(seq.Add(1)))
			req.ids, raws = append(req.ids, id), append(raws, raw)
			req.want = append(req.want, compactJSON(t, raw))
		}
		code, body, err := client.do(context.Background(), http.MethodPost,
			base+"/"+fixtureRoot+"/collections/"+fixtureAlias+"/objects/", envelope(raws))
		switch {
		case err != nil:
			req.outcome = interrupted
		case code == http.StatusAccepted:
			req.outcome = acknowledged
			var st struct {
				ID           string `json:"id"`
				Status       string `json:"status"`
				SuccessCount int    `json:"success_count"`
				Successes    []struct {
					ID string `json:"id"`
				} `json:"successes"`
			}
			if err := json.Unmarshal(body, &st); err != nil {
				t.Errorf("POST: 202 with an unreadable status: %v: %.300s", err, body)
				req.outcome = refused
				break
			}
			req.status = st.ID
			got := make([]string, 0, len(st.Successes))
			for _, s := range st.Successes {
				got = append(got, s.ID)
			}
			want := slices.Clone(req.ids)
			slices.Sort(got)
			slices.Sort(want)
			if st.Status != "complete" || st.SuccessCount != len(req.ids) || !slices.Equal(got, want) {
				t.Errorf("POST of %d new valid objects: status %q, %d successes, want complete with all: %.300s",
					len(req.ids), st.Status, st.SuccessCount, body)
				req.outcome = refused
			}
		case code == http.StatusServiceUnavailable:
			req.outcome = refused
		default:
			t.Errorf("POST of %d new valid objects: %d %.300s", len(req.ids), code, body)
			req.outcome = refused
		}
		out = append(out, req)
	}
}

// crashFigures are the results of the final check.
type crashFigures struct {
	acked, interrupted, interruptedApplied, refused, halfApplied int
	objectsSent, objectsAcked, objectsStored, lost               int
}

// verifyCrash reads every object the server holds and compares them with
// what was sent.
func verifyCrash(t *testing.T, client *taxiiClient, base string, sent []sentRequest) crashFigures {
	t.Helper()
	stored := readCollection(t, client, base)
	var fig crashFigures
	fig.objectsStored = len(stored)
	known := map[string]bool{}
	for _, req := range sent {
		fig.objectsSent += len(req.ids)
		n := 0
		for i, id := range req.ids {
			known[id] = true
			raw, ok := stored[id]
			if !ok {
				continue
			}
			n++
			if !bytes.Equal(raw, req.want[i]) {
				t.Errorf("%s is served as\n%s\nwant (as sent, compacted)\n%s", id, raw, req.want[i])
			}
		}
		switch req.outcome {
		case acknowledged:
			fig.acked++
			fig.objectsAcked += len(req.ids)
			if n != len(req.ids) {
				fig.lost += len(req.ids) - n
				t.Errorf("request with status %s was acknowledged with %d objects; %d are stored", req.status, len(req.ids), n)
			}
		case interrupted, refused:
			if req.outcome == interrupted {
				fig.interrupted++
			} else {
				fig.refused++
			}
			switch n {
			case 0:
			case len(req.ids):
				if req.outcome == interrupted {
					fig.interruptedApplied++
				} else {
					t.Errorf("a refused request's %d objects are stored", n)
				}
			default:
				fig.halfApplied++
				t.Errorf("an unacknowledged request of %d objects is half applied: %d are stored", len(req.ids), n)
			}
		}
	}
	for id := range stored {
		if !known[id] {
			t.Errorf("the server holds %s, which nobody sent", id)
		}
	}
	checkStatuses(t, client, base, sent)
	return fig
}

// readCollection pages through every version of every object of the
// collection and returns them by id. An id served twice is an error: every
// object was sent with one version.
func readCollection(t *testing.T, client *taxiiClient, base string) map[string]json.RawMessage {
	t.Helper()
	stored := map[string]json.RawMessage{}
	u := base + "/" + fixtureRoot + "/collections/" + fixtureAlias + "/objects/"
	q := url.Values{"limit": {"1000"}, "match[version]": {"all"}}
	for {
		code, body, err := client.do(context.Background(), http.MethodGet, u+"?"+q.Encode(), nil)
		if err != nil || code != http.StatusOK {
			t.Fatalf("GET objects: %d %v %.300s", code, err, body)
		}
		var pg page
		if err := json.Unmarshal(body, &pg); err != nil {
			t.Fatalf("GET objects: %v", err)
		}
		for _, raw := range pg.Objects {
			var o struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(raw, &o); err != nil {
				t.Fatalf("served object: %v: %.300s", err, raw)
			}
			if _, dup := stored[o.ID]; dup {
				t.Errorf("%s is served twice", o.ID)
			}
			stored[o.ID] = raw
		}
		if !pg.More {
			return stored
		}
		if pg.Next == "" {
			t.Fatal("a page has more but no next")
		}
		q = url.Values{"limit": {"1000"}, "next": {pg.Next}}
	}
}

// checkStatuses reads back the status of a sample of acknowledged
// requests: it was committed with their objects, so it survived the kills.
func checkStatuses(t *testing.T, client *taxiiClient, base string, sent []sentRequest) {
	t.Helper()
	var acked []sentRequest
	for _, r := range sent {
		if r.outcome == acknowledged {
			acked = append(acked, r)
		}
	}
	rand.Shuffle(len(acked), func(i, j int) { acked[i], acked[j] = acked[j], acked[i] })
	for _, r := range acked[:min(len(acked), 200)] {
		code, body, err := client.do(context.Background(), http.MethodGet, base+"/"+fixtureRoot+"/status/"+r.status+"/", nil)
		var st struct {
			SuccessCount int `json:"success_count"`
		}
		if err != nil || code != http.StatusOK || json.Unmarshal(body, &st) != nil || st.SuccessCount != len(r.ids) {
			t.Errorf("status %s of an acknowledged request of %d objects: %d %v %.300s", r.status, len(r.ids), code, err, body)
		}
	}
}

// compactJSON returns raw without insignificant whitespace.
func compactJSON(t *testing.T, raw []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Errorf("compact %s: %v", raw, err)
	}
	return b.Bytes()
}

// liveServer publishes the URL of the running server to the writers, who
// wait while it is down.
type liveServer struct {
	mu  sync.Mutex
	url string        // "" while no server runs
	up  chan struct{} // closed when a server runs
}

func newLiveServer() *liveServer { return &liveServer{up: make(chan struct{})} }

func (s *liveServer) set(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.url = u
	close(s.up)
}

func (s *liveServer) down() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.url, s.up = "", make(chan struct{})
}

// get returns the running server's URL, waiting for one; false once stop
// is closed.
func (s *liveServer) get(stop <-chan struct{}) (string, bool) {
	for {
		select {
		case <-stop:
			return "", false
		default:
		}
		s.mu.Lock()
		u, up := s.url, s.up
		s.mu.Unlock()
		if u != "" {
			return u, true
		}
		select {
		case <-up:
		case <-stop:
			return "", false
		}
	}
}
