package auth_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"liaison/store"
	"liaison/taxii"
	"liaison/taxii/auth"
)

// countingStore is the real store, counting the password checks made on it.
type countingStore struct {
	*store.DB
	checks atomic.Int64
}

func (s *countingStore) VerifyPassword(ctx context.Context, name, password string) (store.User, error) {
	s.checks.Add(1)
	return s.DB.VerifyPassword(ctx, name, password)
}

// burst sends n requests at once, each with the Authorization header
// header(i), from one client address, and counts the answers by status.
func burst(t *testing.T, acc *auth.Accounts, db *store.DB, n int, header func(i int) string) map[int]int {
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
	cs := &countingStore{DB: w.db}
	acc := auth.NewAccounts(cs)
	got := burst(t, acc, w.db, 32, func(int) string { return basicAuth("reader", "pw-reader") })
	if got[200] != 32 {
		t.Errorf("32 correct logins at once: %v, want all 200", got)
	}
	if n := cs.checks.Load(); n != 1 {
		t.Errorf("%d password checks for one name and password, want 1", n)
	}

	// Twelve users behind one address (more than the 10 failures allowed)
	// logging in at once: each checked once, none refused.
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
// together: with the default limit of 10 failures, at most 10 passwords
// are checked and the others are refused with 429.
func TestConcurrentWrongPasswords(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header func(i int) string
	}{
		{"different guesses", func(i int) string { return basicAuth("reader", fmt.Sprintf("guess-%d", i)) }},
		{"the same guess", func(int) string { return basicAuth("reader", "guess") }},
		{"unknown users", func(i int) string { return basicAuth(fmt.Sprintf("ghost%d", i), "guess") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			cs := &countingStore{DB: w.db}
			got := burst(t, auth.NewAccounts(cs), w.db, 32, tc.header)
			if n := cs.checks.Load(); n > 10 {
				t.Errorf("%d passwords checked, want at most 10", n)
			}
			if got[401] > 10 || got[401]+got[429] != 32 {
				t.Errorf("answers %v, want at most 10 401 and the rest 429", got)
			}
		})
	}
}
