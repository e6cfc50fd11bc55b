package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
)

// ceiling serves one page, as the server answered it, from memory: the
// fastest any server could answer the same bytes on this machine, through
// the same client. Measures divided by the ceiling's, taken in one run,
// hold on a shared machine where absolute figures do not.
type ceiling struct {
	srv    *http.Server
	ln     net.Listener
	URL    string
	body   []byte
	header http.Header
}

// newCeiling fetches the first page of limit objects from c and starts
// serving it on loopback.
func newCeiling(ctx context.Context, c *Client, limit int) (*ceiling, error) {
	// The page as the server sent it: compressed when it compressed it.
	body, h, err := c.fetch(ctx, c.ObjectsURL, url.Values{"limit": {strconv.Itoa(limit)}})
	if err != nil {
		return nil, fmt.Errorf("fetch the page the ceiling serves: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cl := &ceiling{ln: ln, URL: "http://" + ln.Addr().String() + "/objects/", body: body, header: http.Header{}}
	for _, k := range []string{"Content-Type", "Content-Encoding", "Vary", "X-Taxii-Date-Added-First", "X-Taxii-Date-Added-Last"} {
		if v := h.Get(k); v != "" {
			cl.header.Set(k, v)
		}
	}
	cl.srv = &http.Server{Handler: cl}
	go cl.srv.Serve(ln) // ends with Close
	return cl, nil
}

// ServeHTTP answers every request with the page.
func (cl *ceiling) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	for k, v := range cl.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(cl.body)))
	w.Write(cl.body)
}

func (cl *ceiling) Close() error { return cl.srv.Close() }

// client returns a client of the ceiling with c's settings.
func (cl *ceiling) client(c *Client) *Client {
	return &Client{HTTP: c.HTTP, ObjectsURL: cl.URL, Gzip: c.Gzip}
}

// WalkWithCeiling walks the collection, then walks the same number of pages
// of the server's first page served from memory, and compares.
func WalkWithCeiling(ctx context.Context, c *Client, o WalkOptions) (Result, error) {
	r, err := Walk(ctx, c, o)
	if err != nil {
		return r, err
	}
	cl, err := newCeiling(ctx, c, o.Limit)
	if err != nil {
		return r, err
	}
	defer cl.Close()
	top, err := walkFixed(ctx, cl.client(c), r.Scenario+" (ceiling)", r.Requests)
	if err != nil {
		return r, err
	}
	r.compare(top)
	return r, nil
}

// PollWithCeiling polls, then polls the server's first page served from
// memory the same way, and compares.
func PollWithCeiling(ctx context.Context, c *Client, o PollOptions) (Result, error) {
	cl, err := newCeiling(ctx, c, o.Limit)
	if err != nil {
		return Result{}, err
	}
	defer cl.Close()
	r, err := Poll(ctx, c, o)
	if err != nil {
		return r, err
	}
	top, err := poll(ctx, cl.client(c), o, func(*rand.Rand) url.Values { return nil })
	if err != nil {
		return r, err
	}
	top.Scenario += " (ceiling)"
	r.compare(top)
	return r, nil
}
