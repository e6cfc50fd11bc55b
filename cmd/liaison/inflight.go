package main

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// inflight tracks the requests being served, so that a shutdown that has
// to cut them can say which.
type inflight struct {
	mu   sync.Mutex
	reqs map[*http.Request]time.Time
}

func newInflight() *inflight { return &inflight{reqs: map[*http.Request]time.Time{}} }

// wrap returns h, tracked.
func (f *inflight) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs[r] = time.Now()
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			delete(f.reqs, r)
			f.mu.Unlock()
		}()
		h.ServeHTTP(w, r)
	})
}

// describe names the requests in flight, oldest first, at most max of
// them: "POST /r/collections/ID/objects/ from 192.0.2.1:4000 for 12s".
func (f *inflight) describe(max int) (int, string) {
	f.mu.Lock()
	type entry struct {
		r     *http.Request
		start time.Time
	}
	var all []entry
	for r, start := range f.reqs {
		all = append(all, entry{r, start})
	}
	f.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].start.Before(all[j].start) })
	var parts []string
	for i, e := range all {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(all)-max))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s from %s for %s", e.r.Method, e.r.URL.Path, e.r.RemoteAddr, time.Since(e.start).Round(time.Millisecond)))
	}
	return len(all), strings.Join(parts, "; ")
}
