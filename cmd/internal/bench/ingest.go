package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// IngestOptions configure an ingest.
type IngestOptions struct {
	// Source yields a STIX bundle or TAXII envelope whose objects are
	// posted (a file, or the cooperation-feed generator).
	Source   io.Reader
	Envelope int // objects per POST
	Posters  int // POSTs at once
}

func (o IngestOptions) scenario() string {
	return fmt.Sprintf("ingest, envelopes of %d, %d posters", o.Envelope, o.Posters)
}

// Ingest posts the source's objects in envelopes from several posters at
// once and checks every status; a failed object counts as an error.
// Envelopes are assembled ahead by one goroutine, so that reading the
// source does not slow the posters.
func Ingest(ctx context.Context, c *Client, o IngestOptions) (Result, error) {
	r := Result{Scenario: o.scenario()}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	envelopes := make(chan envelope, 2*o.Posters)
	go func() {
		defer close(envelopes)
		if err := envelopesOf(ctx, o.Source, o.Envelope, envelopes); err != nil {
			cancel(err)
		}
	}()
	var mu sync.Mutex
	var latencies []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for range o.Posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for env := range envelopes {
				n := env.objects
				t0 := time.Now()
				body, err := c.post(ctx, env.body)
				d := time.Since(t0)
				var st struct {
					Success int `json:"success_count"`
					Failure int `json:"failure_count"`
				}
				if err == nil {
					err = json.Unmarshal(body, &st)
				}
				mu.Lock()
				r.Requests++
				latencies = append(latencies, d)
				switch {
				case err != nil:
					r.Errors += n
					if ctx.Err() == nil {
						cancel(err)
					}
				default:
					r.Objects += st.Success
					r.Errors += st.Failure
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r.Elapsed = time.Since(start)
	r.finish(latencies)
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return r, err
	}
	return r, nil
}

// envelope is a body to post and how many objects it holds.
type envelope struct {
	body    []byte
	objects int
}

// envelopesOf reads the objects of a bundle or envelope and sends them as
// envelopes of n objects.
func envelopesOf(ctx context.Context, src io.Reader, n int, out chan<- envelope) error {
	dec := json.NewDecoder(bufio.NewReaderSize(src, 1<<20))
	if err := seekObjects(dec); err != nil {
		return err
	}
	var buf bytes.Buffer
	k := 0
	flush := func() error {
		if k == 0 {
			return nil
		}
		buf.WriteString("]}")
		select {
		case out <- envelope{bytes.Clone(buf.Bytes()), k}:
		case <-ctx.Done():
			return ctx.Err()
		}
		buf.Reset()
		k = 0
		return nil
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("read the objects: %w", err)
		}
		if k == 0 {
			buf.WriteString(`{"objects":[`)
		} else {
			buf.WriteByte(',')
		}
		buf.Write(raw)
		if k++; k == n {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// seekObjects advances dec into the "objects" list of the top-level object.
func seekObjects(dec *json.Decoder) error {
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("the source is not a JSON object (a STIX bundle or TAXII envelope)")
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
	return errors.New("the source has no objects list")
}
