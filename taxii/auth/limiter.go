package auth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limiter slows down password guessing without letting a stranger lock a
// legitimate client out. It counts failed authentications in a sliding
// window per client address and user name (the pair), per address, and per
// user name, and blocks:
//   - a pair with Max failures: one client guessing one user's password;
//   - an address with AddrMax failures (more, so that one user's typos do
//     not lock out the others behind the same NAT): one client trying many
//     names;
//   - for a user name with Max failures from anywhere (a guessing attack
//     spread over many addresses), every address that has failed for it;
//     an address with no failure for it still gets through, so the right
//     password from a legitimate client's address works during an attack.
//
// Only failures count. To keep parallel guesses from passing the limit
// together, an attempt is admitted only while the failures so far plus the
// attempts still being checked stay under the limits; past that, a new
// attempt waits for those checks to settle instead of being refused, so
// correct logins that arrive at once are never turned away. Memory is
// bounded: past maxKeys tracked keys, the oldest half is forgotten.
type Limiter struct {
	Max     int           // failures allowed per window for a pair, and for a user name
	AddrMax int           // failures allowed per window for an address
	Window  time.Duration // the window

	mu       sync.Mutex
	failures map[string][]time.Time
	pending  map[string]int // admitted attempts not yet settled
	settled  chan struct{}  // closed, and replaced, whenever one settles
	// tracked is len(failures), and latest the time of the latest failure
	// (unix nanoseconds), kept beside them: with no failure in the window,
	// the usual state, Blocked answers every request (each one with cached
	// credentials asks) without taking mu.
	tracked, latest atomic.Int64
}

const maxKeys = 100_000

// NewLimiter returns a Limiter allowing max failures per window for a
// pair and a user name, and five times as many for an address.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, AddrMax: 5 * max, Window: window,
		failures: map[string][]time.Time{}, pending: map[string]int{}, settled: make(chan struct{})}
}

// counter names what one attempt counts against: user is "" for API
// keys, which cannot be guessed, so only their address counts.
type counter struct{ pair, addr, user string }

func counterOf(addr, user string) counter {
	c := counter{addr: "addr:" + addr}
	if user != "" {
		c.pair, c.user = "pair:"+addr+"\x00"+user, "user:"+user
	}
	return c
}

func (c counter) keys() []string {
	if c.user == "" {
		return []string{c.addr}
	}
	return []string{c.pair, c.addr, c.user}
}

func (l *Limiter) limit(k string) int {
	if strings.HasPrefix(k, "addr:") {
		return l.AddrMax
	}
	return l.Max
}

// Blocked returns how long the address or user name must wait before
// trying again (0: not blocked).
func (l *Limiter) Blocked(now time.Time, addr, user string) time.Duration {
	if l.Idle(now) {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.blocked(now, counterOf(addr, user))
}

// Idle reports whether no failure counts at now (none was recorded, or
// the latest is older than the window): nobody is blocked, Blocked returns
// 0 for any address and user name.
func (l *Limiter) Idle(now time.Time) bool {
	return l.tracked.Load() == 0 || now.UnixNano()-l.latest.Load() >= int64(l.Window)
}

func (l *Limiter) blocked(now time.Time, c counter) time.Duration {
	for _, k := range c.keys() {
		l.prune(k, now)
	}
	wait := l.until(now, c.addr, l.AddrMax)
	if c.user != "" {
		wait = max(wait, l.until(now, c.pair, l.Max))
		if len(l.failures[c.pair]) > 0 {
			// Under attack from elsewhere: this address failed too, so it
			// waits until the attack or its own failures age out.
			wait = max(wait, min(l.until(now, c.user, l.Max), l.until(now, c.pair, 1)))
		}
	}
	return wait
}

// until returns how long until k has fewer than n failures.
func (l *Limiter) until(now time.Time, k string, n int) time.Duration {
	fs := l.failures[k]
	if len(fs) < n {
		return 0
	}
	return fs[len(fs)-n].Add(l.Window).Sub(now)
}

// room reports whether one more attempt fits under every limit, counting
// those in flight as failures.
func (l *Limiter) room(c counter) bool {
	used := func(k string) int { return len(l.failures[k]) + l.pending[k] }
	if used(c.addr) >= l.AddrMax {
		return false
	}
	if c.user == "" {
		return true
	}
	return used(c.pair) < l.Max && (used(c.user) < l.Max || used(c.pair) == 0)
}

// Attempt is an admitted authentication attempt, to be settled once its
// credentials are checked.
type Attempt struct {
	l    *Limiter
	c    counter
	done bool
}

// Admit admits an attempt for the address and user name. When they are
// blocked it returns how long to wait instead; when only the attempts in
// flight stand in the way it waits for them to settle (or ctx to end).
func (l *Limiter) Admit(ctx context.Context, now time.Time, addr, user string) (*Attempt, time.Duration, error) {
	c := counterOf(addr, user)
	for {
		l.mu.Lock()
		if wait := l.blocked(now, c); wait > 0 {
			l.mu.Unlock()
			return nil, wait, nil
		}
		if l.room(c) {
			for _, k := range c.keys() {
				l.pending[k]++
			}
			l.mu.Unlock()
			return &Attempt{l: l, c: c}, 0, nil
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
	for _, k := range a.c.keys() {
		if l.pending[k]--; l.pending[k] <= 0 {
			delete(l.pending, k)
		}
	}
	if failed {
		l.fail(now, a.c)
	}
	close(l.settled)
	l.settled = make(chan struct{})
}

func (l *Limiter) fail(now time.Time, c counter) {
	if len(l.failures) >= maxKeys {
		n := 0
		for k := range l.failures {
			delete(l.failures, k)
			if n++; n >= maxKeys/2 {
				break
			}
		}
	}
	for _, k := range c.keys() {
		fs := l.prune(k, now)
		if len(fs) >= 2*l.limit(k) {
			fs = fs[1:]
		}
		l.failures[k] = append(fs, now)
	}
	l.latest.Store(max(l.latest.Load(), now.UnixNano())) // before tracked: Idle reads tracked first
	l.tracked.Store(int64(len(l.failures)))
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
		l.tracked.Store(int64(len(l.failures)))
		return nil
	}
	l.failures[k] = fs
	return fs
}
