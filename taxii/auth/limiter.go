package auth

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Limiter counts failed authentications per client address and per user
// name in a sliding window, and blocks a key that reached the maximum until
// its oldest failure leaves the window.
//
// Only failures count. To keep parallel guesses from passing the limit
// together, an attempt is admitted only while the failures so far plus the
// attempts still being checked stay under the maximum; past that, a new
// attempt waits for those checks to settle instead of being refused, so
// correct logins that arrive at once are never turned away. Memory is
// bounded: past maxKeys tracked keys, the oldest half is forgotten.
type Limiter struct {
	Max    int           // failures allowed per window
	Window time.Duration // the window

	mu       sync.Mutex
	failures map[string][]time.Time
	pending  map[string]int // admitted attempts not yet settled
	settled  chan struct{}  // closed, and replaced, whenever one settles
}

const maxKeys = 100_000

// NewLimiter returns a Limiter allowing max failures per window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, failures: map[string][]time.Time{}, pending: map[string]int{}, settled: make(chan struct{})}
}

func keys(addr, user string) []string {
	k := []string{"addr:" + addr}
	if user != "" {
		k = append(k, "user:"+user)
	}
	return k
}

// Blocked returns how long the address or user name must wait before
// trying again (0: not blocked).
func (l *Limiter) Blocked(now time.Time, addr, user string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.blocked(now, addr, user)
}

func (l *Limiter) blocked(now time.Time, addr, user string) time.Duration {
	var wait time.Duration
	for _, k := range keys(addr, user) {
		fs := l.prune(k, now)
		if len(fs) >= l.Max {
			wait = max(wait, fs[len(fs)-l.Max].Add(l.Window).Sub(now))
		}
	}
	return wait
}

// Attempt is an admitted authentication attempt, to be settled once its
// credentials are checked.
type Attempt struct {
	l          *Limiter
	addr, user string
	done       bool
}

// Admit admits an attempt for the address and user name. When they are
// blocked it returns how long to wait instead; when only the attempts in
// flight stand in the way it waits for them to settle (or ctx to end).
func (l *Limiter) Admit(ctx context.Context, now time.Time, addr, user string) (*Attempt, time.Duration, error) {
	for {
		l.mu.Lock()
		if wait := l.blocked(now, addr, user); wait > 0 {
			l.mu.Unlock()
			return nil, wait, nil
		}
		room := true
		for _, k := range keys(addr, user) {
			room = room && len(l.failures[k])+l.pending[k] < l.Max
		}
		if room {
			for _, k := range keys(addr, user) {
				l.pending[k]++
			}
			l.mu.Unlock()
			return &Attempt{l: l, addr: addr, user: user}, 0, nil
		}
		settled := l.settled
		l.mu.Unlock()
		select {
		case <-settled:
		case <-ctx.Done():
			return nil, 0, fmt.Errorf("waiting for other authentication attempts: %w", ctx.Err())
		}
	}
}

// Settle ends the attempt, recording a failure when it failed. Settling
// twice does nothing.
func (a *Attempt) Settle(now time.Time, failed bool) {
	l := a.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if a.done {
		return
	}
	a.done = true
	for _, k := range keys(a.addr, a.user) {
		if l.pending[k]--; l.pending[k] <= 0 {
			delete(l.pending, k)
		}
	}
	if failed {
		l.fail(now, a.addr, a.user)
	}
	close(l.settled)
	l.settled = make(chan struct{})
}

func (l *Limiter) fail(now time.Time, addr, user string) {
	if len(l.failures) >= maxKeys {
		n := 0
		for k := range l.failures {
			delete(l.failures, k)
			if n++; n >= maxKeys/2 {
				break
			}
		}
	}
	for _, k := range keys(addr, user) {
		fs := l.prune(k, now)
		if len(fs) >= 2*l.Max {
			fs = fs[1:]
		}
		l.failures[k] = append(fs, now)
	}
}

// prune drops failures older than the window.
func (l *Limiter) prune(k string, now time.Time) []time.Time {
	fs := l.failures[k]
	i := 0
	for i < len(fs) && !fs[i].Add(l.Window).After(now) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.failures, k)
		return nil
	}
	l.failures[k] = fs
	return fs
}
