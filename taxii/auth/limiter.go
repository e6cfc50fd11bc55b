package auth

import (
	"sync"
	"time"
)

// Limiter counts failed authentications per client address and per user
// name in a sliding window, and blocks a key that reached the maximum until
// its oldest failure leaves the window. Memory is bounded: past maxKeys
// tracked keys, the oldest half is forgotten.
type Limiter struct {
	Max    int           // failures allowed per window
	Window time.Duration // the window

	mu       sync.Mutex
	failures map[string][]time.Time
}

const maxKeys = 100_000

// NewLimiter returns a Limiter allowing max failures per window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, failures: map[string][]time.Time{}}
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

// Attempt records an authentication attempt as a failure, to be forgiven
// if it succeeds, unless the address or user name is blocked: then it
// records nothing and returns how long to wait.
func (l *Limiter) Attempt(now time.Time, addr, user string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if wait := l.blocked(now, addr, user); wait > 0 {
		return wait
	}
	l.fail(now, addr, user)
	return 0
}

// Forgive removes the latest failure recorded for the address and user
// name: the attempt succeeded.
func (l *Limiter) Forgive(addr, user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys(addr, user) {
		if fs := l.failures[k]; len(fs) > 0 {
			if len(fs) == 1 {
				delete(l.failures, k)
			} else {
				l.failures[k] = fs[:len(fs)-1]
			}
		}
	}
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
