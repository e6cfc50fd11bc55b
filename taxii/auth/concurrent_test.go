package auth_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"liaison/store"
	"liaison/taxii"
	"liaison/taxii/auth"
)

// countingStore is the real store, counting the password checks made on it.
type countingStore struct {
	store.Store
	checks atomic.Int64
}

func (s *countingStore) VerifyPassword(ctx context.Context, name, password string) (store.User, error) {
	s.checks.Add(1)
	return s.Store.VerifyPassword(ctx, name, password)
}

// burst sends n requests at once, each with the Authorization header
// header(i), from one client address, and counts the answers by status.
func burst(t *testing.T, acc *auth.Accounts, db store.Store, n int, header func(i int) string) map[int]int {
	t.Helper()
	srv := taxii.NewServer(db, []byte("k"))
	srv.Access = acc
	h := srv.Handler()
	start := make(chan struct{})
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("GET", "/taxii2/", nil)
			req.Header.Set("Accept", taxii.MediaType)
			req.Header.Set("Authorization", header(i))
			rec := httptest.NewRecorder()
			<-start
			h.ServeHTTP(rec, req)
			codes <- rec.Code
		}()
	}
	close(start)
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	return got
}

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// TestConcurrentCorrectLogins: clients sending the right credentials at the
// same moment with a cold cache (a connector's workers starting, a poller
// restarting) are all let in, with one password check per credential, even
// when there are more of them than failures allowed; the default limiter.
func TestConcurrentCorrectLogins(t *testing.T) {
	w := newWorld(t)
	cs := &countingStore{Store: w.db}
	acc := auth.NewAccounts(cs)
	got := burst(t, acc, w.db, 32, func(int) string { return basicAuth("reader", "pw-reader") })
	if got[200] != 32 {
		t.Errorf("32 correct logins at once: %v, want all 200", got)
	}
	if n := cs.checks.Load(); n != 1 {
		t.Errorf("%d password checks for one name and password, want 1", n)
	}

	// Twelve users behind one address logging in at once, more than the
	// failures the address is allowed: each checked once, none refused.
	acc.Limiter.AddrMax = 10
	ctx := context.Background()
	for i := range 12 {
		if _, err := w.db.CreateUser(ctx, fmt.Sprintf("user%d", i), false, fmt.Sprintf("pw-user%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	cs.checks.Store(0)
	got = burst(t, acc, w.db, 36, func(i int) string {
		return basicAuth(fmt.Sprintf("user%d", i%12), fmt.Sprintf("pw-user%d", i%12))
	})
	if got[200] != 36 {
		t.Errorf("12 users x 3 logins at once from one address: %v, want all 200", got)
	}
	if n := cs.checks.Load(); n != 12 {
		t.Errorf("%d password checks for 12 users, want 12", n)
	}

	// API keys with a cold cache, as Bearer and as the Basic password.
	got = burst(t, auth.NewAccounts(w.db), w.db, 32, func(i int) string {
		if i%2 == 0 {
			return w.creds["writer"]
		}
		return w.creds["writer (basic)"]
	})
	if got[200] != 32 {
		t.Errorf("32 requests with a correct API key at once: %v, want all 200", got)
	}
}

// TestConcurrentWrongPasswords: guesses sent at once cannot pass the limit
// together: with the default limits, at most 10 passwords of one user are
// checked from one address, at most 50 of any users, and the other guesses
// are refused with 429.
func TestConcurrentWrongPasswords(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n         int
		maxChecks int
		header    func(i int) string
	}{
		{"different guesses", 32, 10, func(i int) string { return basicAuth("reader", fmt.Sprintf("guess-%d", i)) }},
		{"the same guess", 32, 10, func(int) string { return basicAuth("reader", "guess") }},
		{"many user names", 80, 50, func(i int) string { return basicAuth(fmt.Sprintf("ghost%d", i), "guess") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			cs := &countingStore{Store: w.db}
			got := burst(t, auth.NewAccounts(cs), w.db, tc.n, tc.header)
			if n := cs.checks.Load(); n > int64(tc.maxChecks) {
				t.Errorf("%d passwords checked, want at most %d", n, tc.maxChecks)
			}
			if got[401] > tc.maxChecks || got[401]+got[429] != tc.n {
				t.Errorf("answers %v, want at most %d 401 and the rest 429", got, tc.maxChecks)
			}
		})
	}
}

// TestNoLockout: wrong guesses from one address do not lock the user out
// of other addresses, nor other users out of the same address; a guessing
// attack spread over many addresses blocks those that failed, not a client
// that never did.
func TestNoLockout(t *testing.T) {
	w := newWorld(t)
	acc := auth.NewAccounts(w.db)
	now := time.Now()
	acc.Now = func() time.Time { return now }
	srv := taxii.NewServer(w.db, []byte("k"))
	srv.Access = acc
	h := srv.Handler()
	from := func(addr, authorization string) int {
		req := httptest.NewRequest("GET", "/taxii2/", nil)
		req.RemoteAddr = addr + ":4000"
		req.Header.Set("Authorization", authorization)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	right, wrong := basicAuth("reader", "pw-reader"), basicAuth("reader", "guess")
	for i := range 10 {
		if c := from("203.0.113.66", wrong); c != 401 {
			t.Fatalf("guess %d: %d", i, c)
		}
	}
	for _, tc := range []struct {
		what, addr, authorization string
		want                      int
	}{
		{"the guesser, right password", "203.0.113.66", right, 429},
		{"the guesser, another user", "203.0.113.66", basicAuth("admin", "pw-admin"), 200},
		{"the user from elsewhere", "198.51.100.7", right, 200},
	} {
		if c := from(tc.addr, tc.authorization); c != tc.want {
			t.Errorf("%s: %d, want %d", tc.what, c, tc.want)
		}
	}

	// An attack from many addresses: the user has 10 failures in all.
	now = now.Add(2 * time.Minute)
	for i := range 10 {
		if c := from(fmt.Sprintf("203.0.113.%d", i), wrong); c != 401 {
			t.Fatalf("distributed guess %d: %d", i, c)
		}
	}
	for _, tc := range []struct {
		what, addr, authorization string
		want                      int
	}{
		{"an attacking address again, right password", "203.0.113.3", right, 429},
		{"the user from an address that never failed", "198.51.100.8", right, 200},
		{"a new address guessing", "203.0.113.200", wrong, 401},
		{"that address again", "203.0.113.200", right, 429},
	} {
		if c := from(tc.addr, tc.authorization); c != tc.want {
			t.Errorf("%s: %d, want %d", tc.what, c, tc.want)
		}
	}

	// Spraying many names from one address: 50 failures block it.
	now = now.Add(2 * time.Minute)
	for i := range 50 {
		from("203.0.113.99", basicAuth(fmt.Sprintf("ghost%d", i), "guess"))
	}
	if c := from("203.0.113.99", basicAuth("admin", "pw-admin")); c != 429 {
		t.Errorf("after 50 failures for 50 names from one address: %d, want 429", c)
	}
}

// panickyStore is the real store whose password check panics, as a
// damaged stored hash once made argon2 do.
type panickyStore struct{ store.Store }

func (panickyStore) VerifyPassword(context.Context, string, string) (store.User, error) {
	panic("argon2: number of rounds too small")
}

// TestCheckPanicIsContained: a panic in a credential check, which runs in
// a goroutine of its own, fails the requests waiting on it with a 500 and
// does not end the process.
func TestCheckPanicIsContained(t *testing.T) {
	w := newWorld(t)
	got := burst(t, auth.NewAccounts(panickyStore{w.db}), w.db, 4, func(int) string { return basicAuth("reader", "pw-reader") })
	if got[500] != 4 {
		t.Errorf("answers %v, want four 500s", got)
	}
}
