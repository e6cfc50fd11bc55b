package auth

import (
	"context"
	"testing"
	"time"
)

// TestLimiterIdle: while no failure counts, Blocked answers without the
// limiter's lock (every request with cached credentials asks it); a
// failure makes it take the lock and block as before, and once the window
// has passed it is idle again.
func TestLimiterIdle(t *testing.T) {
	l := NewLimiter(2, time.Minute)
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	blocked := func(addr, user string) time.Duration {
		t.Helper()
		done := make(chan time.Duration, 1)
		go func() { done <- l.Blocked(now, addr, user) }()
		select {
		case d := <-done:
			return d
		case <-time.After(5 * time.Second):
			t.Fatal("Blocked waits for the limiter's lock")
			return 0
		}
	}
	l.mu.Lock()
	if blocked("192.0.2.1", "u") != 0 {
		t.Fatal("a new limiter blocks")
	}
	l.mu.Unlock()

	for range 2 {
		a, wait, err := l.Admit(context.Background(), now, "192.0.2.1", "u")
		if err != nil || wait != 0 {
			t.Fatalf("Admit = %v, %v", wait, err)
		}
		a.Settle(now, true)
	}
	if d := l.Blocked(now, "192.0.2.1", "u"); d == 0 {
		t.Fatal("the pair is not blocked after Max failures")
	}
	if l.Blocked(now, "192.0.2.2", "v") != 0 {
		t.Fatal("another address and user are blocked")
	}

	now = now.Add(time.Minute)
	l.mu.Lock()
	defer l.mu.Unlock()
	if blocked("192.0.2.1", "u") != 0 {
		t.Fatal("still blocked once the window has passed")
	}
}
