package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
)

const mediaType = "application/taxii+json;version=2.1"

// Client talks to one TAXII collection.
type Client struct {
	HTTP *http.Client
	// ObjectsURL is the collection's objects endpoint,
	// .../collections/ID/objects/.
	ObjectsURL string
	// Authorization is the header sent with every request ("": none).
	Authorization string
	// Gzip asks for gzip-compressed pages (Accept-Encoding: gzip) and
	// decompresses them, as most HTTP libraries do by default.
	Gzip bool

	wire atomic.Int64 // body bytes received, as sent
}

// NewClient returns a Client with a transport that keeps enough idle
// connections for the concurrency of any scenario.
func NewClient(objectsURL, authorization string) *Client {
	return &Client{
		HTTP:          &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}, Timeout: 5 * time.Minute},
		ObjectsURL:    objectsURL,
		Authorization: authorization,
	}
}

// manifestURL is the collection's manifest endpoint.
func (c *Client) manifestURL() string {
	return strings.TrimSuffix(strings.TrimSuffix(c.ObjectsURL, "/"), "objects") + "manifest/"
}

// get sends a GET and returns the body, decompressed, and headers of a
// 200.
func (c *Client) get(ctx context.Context, u string, q url.Values) ([]byte, http.Header, error) {
	body, h, err := c.fetch(ctx, u, q)
	if err != nil || !strings.EqualFold(h.Get("Content-Encoding"), "gzip") {
		return body, h, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: a gzip body that does not decompress: %w", u, err)
	}
	if body, err = io.ReadAll(zr); err != nil {
		return nil, nil, fmt.Errorf("GET %s: a gzip body that does not decompress: %w", u, err)
	}
	return body, h, nil
}

// fetch sends a GET and returns the body, as sent, and headers of a 200.
func (c *Client) fetch(ctx context.Context, u string, q url.Values) ([]byte, http.Header, error) {
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", mediaType)
	if c.Authorization != "" {
		req.Header.Set("Authorization", c.Authorization)
	}
	if c.Gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, nil, err
	}
	c.wire.Add(int64(len(body)))
	if res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: %s: %.200s", u, res.Status, body)
	}
	return body, res.Header, nil
}

// post sends an envelope and returns the status body of a 202.
func (c *Client) post(ctx context.Context, envelope []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.ObjectsURL, bytes.NewReader(envelope))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", mediaType)
	req.Header.Set("Content-Type", mediaType)
	if c.Authorization != "" {
		req.Header.Set("Authorization", c.Authorization)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusAccepted {
		return nil, fmt.Errorf("POST %s: %s: %.200s", c.ObjectsURL, res.Status, body)
	}
	return body, nil
}

// Result is the measure of one scenario.
type Result struct {
	Scenario string        `json:"scenario"`
	Objects  int           `json:"objects"`
	Requests int           `json:"requests"`
	Errors   int           `json:"errors"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	// ObjectsPerSecond and RequestsPerSecond are over Elapsed.
	ObjectsPerSecond  float64 `json:"objects_per_second"`
	RequestsPerSecond float64 `json:"requests_per_second"`
	// Latency percentiles of the requests (or, for tail, of the lag from
	// a 202 to the first sight of its objects).
	P50 time.Duration `json:"p50_ns"`
	P99 time.Duration `json:"p99_ns"`
	Max time.Duration `json:"max_ns"`
	// Duplicates and Missing are what a verified walk found wrong.
	Duplicates int `json:"duplicates,omitempty"`
	// WireBytes are the body bytes received for the scenario's requests,
	// compressed when the server compressed them.
	WireBytes  int64 `json:"wire_bytes"`
	Missing    int   `json:"missing,omitempty"`
	Unexpected int   `json:"unexpected,omitempty"`
	// Ceiling is the same scenario against the server's own page served
	// from memory; Ratio is this result's rate over the ceiling's.
	Ceiling *Result `json:"ceiling,omitempty"`
	Ratio   float64 `json:"ratio,omitempty"`
}

// finish computes the rates and percentiles.
func (r *Result) finish(latencies []time.Duration) {
	if s := r.Elapsed.Seconds(); s > 0 {
		r.ObjectsPerSecond = float64(r.Objects) / s
		r.RequestsPerSecond = float64(r.Requests) / s
	}
	if len(latencies) == 0 {
		return
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	at := func(q float64) time.Duration { return latencies[min(len(latencies)-1, int(q*float64(len(latencies))))] }
	r.P50, r.P99, r.Max = at(0.50), at(0.99), latencies[len(latencies)-1]
}

// compare sets the ceiling and the ratio of the rates that matter for the
// scenario: objects per second for walks, requests per second for polls.
func (r *Result) compare(ceiling Result) {
	r.Ceiling = &ceiling
	switch {
	case strings.HasPrefix(r.Scenario, "poll") && ceiling.RequestsPerSecond > 0:
		r.Ratio = r.RequestsPerSecond / ceiling.RequestsPerSecond
	case ceiling.ObjectsPerSecond > 0:
		r.Ratio = r.ObjectsPerSecond / ceiling.ObjectsPerSecond
	}
}
