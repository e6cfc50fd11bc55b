package auth_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"liaison/store"
	"liaison/taxii/auth"
)

// pausedKeys is a real store whose VerifyAPIKey, once it has read the
// key, waits until the test lets it return: the test can then revoke the
// key and invalidate the cache while a check is under way.
type pausedKeys struct {
	store.Store
	read, proceed chan struct{}
}

func (p *pausedKeys) VerifyAPIKey(ctx context.Context, token string) (store.User, store.APIKey, error) {
	u, k, err := p.Store.VerifyAPIKey(ctx, token)
	p.read <- struct{}{}
	<-p.proceed
	return u, k, err
}

// TestRevokeDuringCheck: a key revoked (and the cache invalidated, as the
// admin API and PostgreSQL's NOTIFY do) while a check of it is under way
// is refused by the next request. The check read the key before the
// revocation; caching its result would admit the key for a whole
// KeyCacheTTL after it.
func TestRevokeDuringCheck(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	if _, err := db.CreateUser(ctx, "alice", false, ""); err != nil {
		t.Fatal(err)
	}
	k, token, err := db.CreateAPIKey(ctx, "alice", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	paused := &pausedKeys{Store: db, read: make(chan struct{}), proceed: make(chan struct{})}
	a := auth.NewAccounts(paused)
	a.KeyCacheTTL = time.Hour
	request := func() error {
		r := httptest.NewRequest("GET", "/taxii2/", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		_, err := a.Authenticate(r)
		return err
	}

	first := make(chan error, 1)
	go func() { first <- request() }()
	<-paused.read
	if err := db.RevokeAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	a.Invalidate()
	close(paused.proceed)
	if err := <-first; err != nil {
		t.Fatalf("the request whose check began before the revocation: %v", err)
	}

	go func() { <-paused.read }() // the next check reads the store again
	if err := request(); err == nil {
		t.Fatal("a key revoked during a check of it is still admitted afterwards")
	}
}
