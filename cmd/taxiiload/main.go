// Command taxiiload measures a TAXII 2.1 server over HTTP. It only sends
// requests to the URL it is given (use loopback), and every mode stops by
// itself.
//
//	taxiiload post -url http://127.0.0.1:8080/ROOT/collections/ID/objects/ -file feed.json [-batch 1000] [-token KEY]
//	taxiiload page -url http://127.0.0.1:8080/ROOT/collections/ID/objects/ [-limit 1000]
//	taxiiload rps  -url 'http://127.0.0.1:8080/ROOT/collections/ID/objects/?limit=100' [-c 8] [-d 10s]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"
)

const mediaType = "application/taxii+json;version=2.1"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: taxiiload post|page|rps -url URL [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	u := fs.String("url", "", "endpoint URL")
	file := fs.String("file", "", "post: STIX bundle or TAXII envelope to send")
	batch := fs.Int("batch", 1000, "post: objects per request")
	limit := fs.Int("limit", 1000, "page: page size")
	conc := fs.Int("c", 8, "rps: concurrent clients")
	dur := fs.Duration("d", 10*time.Second, "rps: duration")
	token := fs.String("token", os.Getenv("LIAISON_API_KEY"), "API key sent as a Bearer token (default $LIAISON_API_KEY)")
	fs.Parse(os.Args[2:])
	if *u == "" {
		fmt.Fprintln(os.Stderr, "-url is required")
		os.Exit(2)
	}
	client := &http.Client{Transport: &authTransport{token: *token, base: &http.Transport{MaxIdleConnsPerHost: 64}}, Timeout: 5 * time.Minute}
	var err error
	switch os.Args[1] {
	case "post":
		err = post(client, *u, *file, *batch)
	case "page":
		err = page(client, *u, *limit)
	case "rps":
		err = rps(client, *u, *conc, *dur)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "taxiiload:", err)
		os.Exit(1)
	}
}

// post streams the objects of a bundle file to the server in envelopes of
// batch objects.
func post(client *http.Client, u, file string, batch int) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	if err := seekObjects(dec); err != nil {
		return err
	}
	start := time.Now()
	var buf []json.RawMessage
	total, failures := 0, 0
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		body, _ := json.Marshal(map[string]any{"objects": buf})
		req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
		req.Header.Set("Accept", mediaType)
		req.Header.Set("Content-Type", mediaType)
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		var st struct {
			FailureCount int `json:"failure_count"`
		}
		data, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusAccepted {
			return fmt.Errorf("POST: %s: %s", res.Status, data)
		}
		json.Unmarshal(data, &st)
		total += len(buf)
		failures += st.FailureCount
		buf = buf[:0]
		return nil
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		buf = append(buf, raw)
		if len(buf) == batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Printf("posted %d objects (%d failures) in %v: %.0f objects/s\n", total, failures, el.Round(time.Millisecond), float64(total)/el.Seconds())
	return nil
}

// seekObjects advances dec into the "objects" array of the top-level object.
func seekObjects(dec *json.Decoder) error {
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if t == "objects" {
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return errors.New("objects is not a list")
			}
			return nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return errors.New("no objects list")
}

// page walks a paged endpoint by next, as taxii2-client does.
func page(client *http.Client, u string, limit int) error {
	base, err := url.Parse(u)
	if err != nil {
		return err
	}
	start := time.Now()
	objects, pages, next := 0, 0, ""
	var slowest time.Duration
	for {
		q := base.Query()
		q.Set("limit", fmt.Sprint(limit))
		if next != "" {
			q = url.Values{"limit": {fmt.Sprint(limit)}, "next": {next}}
		}
		pu := *base
		pu.RawQuery = q.Encode()
		t0 := time.Now()
		var env struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}
		if err := get(client, pu.String(), &env); err != nil {
			return err
		}
		slowest = max(slowest, time.Since(t0))
		pages++
		objects += len(env.Objects)
		if !env.More {
			break
		}
		next = env.Next
	}
	el := time.Since(start)
	fmt.Printf("paged %d objects in %d pages of %d in %v: %.0f objects/s, %.1f ms/page mean, %.1f ms slowest\n",
		objects, pages, limit, el.Round(time.Millisecond), float64(objects)/el.Seconds(),
		float64(el.Microseconds())/1000/float64(pages), float64(slowest.Microseconds())/1000)
	return nil
}

func get(client *http.Client, u string, v any) error {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", mediaType)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", u, res.Status, data)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(data, v)
}

// rps sends GET requests from conc clients for d and reports the rate.
func rps(client *http.Client, u string, conc int, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil {
				t0 := time.Now()
				if err := get(client, u, nil); err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, err)
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	el := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }
	fmt.Printf("%d requests in %v with %d clients: %.0f req/s, p50 %v, p99 %v\n",
		len(lat), el.Round(time.Millisecond), conc, float64(len(lat))/el.Seconds(), pct(0.5), pct(0.99))
	return nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// authTransport adds the Authorization header to every request.
type authTransport struct {
	token string
	base  http.RoundTripper
}

func (t *authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.token != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+t.token)
	}
	return t.base.RoundTrip(r)
}
