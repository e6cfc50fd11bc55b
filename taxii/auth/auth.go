// Package auth authenticates TAXII requests against Liaison's accounts and
// decides what each principal may do on each collection.
//
// Accepted credentials (RFC 7235 Authorization header):
//   - Basic with a user name and password;
//   - Basic with an API key as the password and any user name, even empty
//     (SIEM connectors such as Sentinel, QRadar and Sumo Logic can only send
//     Basic);
//   - Bearer <key>, and Token <key> (taxii2-client's TokenAuth).
//
// A request without credentials is anonymous: it may read public-read
// collections and nothing else.
package auth

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"liaison/store"
	"liaison/taxii"
)

// Realm is the authentication realm of the challenges.
const Realm = "liaison"

// Accounts is a taxii.Access backed by the store's users and API keys. Set
// the fields, then use it; call Close to flush the keys' last-used times.
type Accounts struct {
	Store  store.Store
	Logger *slog.Logger
	Now    func() time.Time
	// CacheTTL is how long a verified password stays verified: Basic
	// clients send the password with every request, and argon2id costs tens
	// of milliseconds by design. The cache is keyed by a hash of name and
	// password and dropped when the user's password hash changes.
	CacheTTL time.Duration
	// KeyCacheTTL is how long a verified API key and its user's rights are
	// reused without reading the store; revoking a key, removing a user or
	// changing grants takes effect within it (Invalidate makes it
	// immediate).
	KeyCacheTTL time.Duration
	// Limiter slows down guessing: failed authentications per client
	// address and per user name.
	Limiter *Limiter
	// TrustedProxies are the addresses of reverse proxies in front of the
	// server. For a request from one of them, the client's address is the
	// last X-Forwarded-For entry that is not a trusted proxy; from anyone
	// else the header is ignored, since clients can write it.
	TrustedProxies []netip.Prefix
	// Metrics, when set, counts failures and refusals.
	Metrics interface {
		AuthFailure(reason string)
		RateLimited()
	}

	checks chan struct{} // slots for concurrent password checks
	// mu guards the maps; every request with credentials reads them, so
	// reads share it, and a use of a cached key is recorded in its entry.
	mu       sync.RWMutex
	verified map[[32]byte]cacheEntry
	keys     map[[32]byte]*keyEntry
	used     map[string]time.Time // API key id -> last use, not yet stored, of keys no longer cached
	// gen counts Invalidate calls: a key verified by a check that began
	// before one (and read the store before a revocation) is not cached.
	gen     uint64
	flights singleflight.Group // credential checks in progress
}

type keyEntry struct {
	principal taxii.Principal
	keyID     string
	expires   time.Time
	// lastUse is the latest use not yet taken by Flush, in unix
	// nanoseconds (0: none).
	lastUse atomic.Int64
}

type cacheEntry struct {
	user    string
	hash    string // the password hash verified against
	expires time.Time
}

// NewAccounts returns Accounts on st with default settings.
func NewAccounts(st store.Store) *Accounts {
	return &Accounts{
		Store:       st,
		Logger:      slog.New(slog.DiscardHandler),
		Now:         time.Now,
		CacheTTL:    time.Minute,
		KeyCacheTTL: 10 * time.Second,
		Limiter:     NewLimiter(10, time.Minute),
		checks:      make(chan struct{}, 2*runtime.GOMAXPROCS(0)),
		verified:    map[[32]byte]cacheEntry{},
		keys:        map[[32]byte]*keyEntry{},
		used:        map[string]time.Time{},
	}
}

var _ taxii.Access = (*Accounts)(nil)
var _ taxii.Challenger = (*Accounts)(nil)

// Challenges returns the WWW-Authenticate challenges of a 401.
func (a *Accounts) Challenges() []string {
	return []string{`Basic realm="` + Realm + `", charset="UTF-8"`, `Bearer realm="` + Realm + `"`}
}

// Authenticate resolves the principal of a request from its Authorization
// header. Bad credentials are a 401 (never a fall back to anonymous), and
// too many recent failures from the client's address or for the user name
// a 429. Failures are logged with the user name and address, never the
// secret.
func (a *Accounts) Authenticate(r *http.Request) (taxii.Principal, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return taxii.Principal{Name: taxii.AnonymousName, Anonymous: true}, nil
	}
	ctx := r.Context()
	scheme, cred, _ := strings.Cut(header, " ")
	cred = strings.TrimSpace(cred)
	name, secret, isKey := "", "", false
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return a.fail(a.clientAddr(r), "", "malformed", "malformed Basic credentials")
		}
		var ok bool
		if name, secret, ok = strings.Cut(string(raw), ":"); !ok {
			return a.fail(a.clientAddr(r), "", "malformed", "malformed Basic credentials")
		}
		isKey = store.IsAPIKey(secret)
	case "bearer", "token":
		secret, isKey = cred, true
	default:
		// Never echo the header: a client may have put a bare key there.
		return a.fail(a.clientAddr(r), "", "scheme", "unsupported authorization scheme (use Basic, Bearer or Token)")
	}
	limitName := name
	if isKey {
		limitName = "" // keys are not guessable; only the address is limited
	}
	tooMany := func(addr string, wait time.Duration) (taxii.Principal, error) {
		if a.Metrics != nil {
			a.Metrics.RateLimited()
		}
		a.Logger.Warn("authentication refused: too many failures", slog.String("remote", addr), slog.String("user", name))
		return taxii.Principal{}, taxii.TooManyRequests(int(wait.Seconds()+0.999), "Too many failed authentications; wait before trying again.")
	}
	// Credentials verified moments ago need no check, so no attempt is
	// admitted for them: only whether the client is blocked is read, and
	// not even that (nor the client's address) while no failure counts.
	if p, ok, err := a.cached(ctx, isKey, name, secret); err != nil {
		return taxii.Principal{}, err
	} else if ok {
		if now := a.Now(); !a.Limiter.Idle(now) {
			addr := a.clientAddr(r)
			if wait := a.Limiter.Blocked(now, addr, limitName); wait > 0 {
				return tooMany(addr, wait)
			}
		}
		p.Basic = strings.EqualFold(scheme, "basic")
		return p, nil
	}
	addr := a.clientAddr(r)
	attempt, wait, err := a.Limiter.Admit(ctx, a.Now(), addr, limitName)
	if err != nil {
		return taxii.Principal{}, err
	}
	if wait > 0 {
		return tooMany(addr, wait)
	}
	p, err := a.verify(ctx, isKey, name, secret)
	bad := errors.Is(err, store.ErrBadAPIKey) || errors.Is(err, store.ErrBadPassword) || errors.Is(err, store.ErrUserNotFound)
	attempt.Settle(a.Now(), bad) // other errors are not the client's failure
	switch {
	case bad && isKey:
		// The key id is public (it names the key in listings): logging it
		// tells an admin which key a client still uses.
		if a.Metrics != nil {
			a.Metrics.AuthFailure("api_key")
		}
		a.Logger.Warn("authentication failed", slog.String("remote", addr), slog.String("user", name),
			slog.String("key_id", cmp.Or(store.APIKeyID(secret), "-")), slog.String("reason", "unknown, revoked or expired API key"))
		return taxii.Principal{}, taxii.Unauthorized(a.Challenges(), "Authentication failed: unknown, revoked or expired API key.")
	case bad:
		return a.fail(addr, name, "password", "wrong user name or password")
	case err != nil:
		return taxii.Principal{}, err
	}
	p.Basic = strings.EqualFold(scheme, "basic")
	return p, nil
}

// fail logs and counts a failed authentication; kind is the metric's
// reason label, from a fixed set.
func (a *Accounts) fail(addr, name, kind, reason string) (taxii.Principal, error) {
	if a.Metrics != nil {
		a.Metrics.AuthFailure(kind)
	}
	a.Logger.Warn("authentication failed", slog.String("remote", addr), slog.String("user", name), slog.String("reason", reason))
	return taxii.Principal{}, taxii.Unauthorized(a.Challenges(), "Authentication failed: "+reason+".")
}

// cached returns the principal of credentials verified recently: an API
// key within KeyCacheTTL, a password within CacheTTL and against the
// user's current password hash.
func (a *Accounts) cached(ctx context.Context, isKey bool, name, secret string) (taxii.Principal, bool, error) {
	if isKey {
		p, ok := a.cachedKey(secret)
		return p, ok, nil
	}
	u, ok, err := a.cachedPassword(ctx, name, secret)
	if !ok || err != nil {
		return taxii.Principal{}, false, err
	}
	return principalOf(u), true, nil
}

func passwordCacheKey(name, password string) [32]byte {
	return sha256.Sum256([]byte(name + "\x00" + password))
}

func (a *Accounts) cachedPassword(ctx context.Context, name, password string) (store.User, bool, error) {
	key := passwordCacheKey(name, password)
	a.mu.RLock()
	e, ok := a.verified[key]
	a.mu.RUnlock()
	if !ok || !a.Now().Before(e.expires) || e.user != name {
		return store.User{}, false, nil
	}
	u, err := a.Store.User(ctx, name)
	if errors.Is(err, store.ErrUserNotFound) {
		return u, false, nil // removed since: the full check answers
	}
	if err != nil {
		return u, false, fmt.Errorf("read user %s: %w", name, err)
	}
	return u, u.PasswordHash == e.hash && u.PasswordHash != "", nil
}

// verify checks credentials against the store. Requests carrying the same
// credentials at the same time share one check (a connector's workers
// starting together, or a cache entry expiring under load): argon2id runs
// once and the others wait for its result.
func (a *Accounts) verify(ctx context.Context, isKey bool, name, secret string) (taxii.Principal, error) {
	var flight [32]byte
	if isKey {
		flight = sha256.Sum256([]byte("key\x00" + secret))
	} else {
		flight = sha256.Sum256([]byte("password\x00" + name + "\x00" + secret))
	}
	// The check goes on if the request that started it goes away: others
	// may be waiting for it.
	checkCtx := context.WithoutCancel(ctx)
	ch := a.flights.DoChan(string(flight[:]), func() (_ any, err error) {
		// The check runs in singleflight's goroutine, beyond the handler's
		// panic recovery: a panic there (a damaged stored hash, say) would
		// end the process. It fails the requests waiting on it instead.
		defer func() {
			if r := recover(); r != nil {
				a.Logger.Error("credential check panicked", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
				err = fmt.Errorf("credential check failed: %v", r)
			}
		}()
		if isKey {
			a.mu.RLock()
			gen := a.gen
			a.mu.RUnlock()
			u, key, err := a.Store.VerifyAPIKey(checkCtx, secret)
			if err != nil {
				return nil, err
			}
			p := principalOf(u)
			p.KeyID = key.ID
			a.cacheKey(secret, p, key, gen)
			return p, nil
		}
		// Another flight may have verified it while this request waited
		// for admission.
		if u, ok, err := a.cachedPassword(checkCtx, name, secret); err != nil || ok {
			return principalOf(u), err
		}
		u, err := a.verifyPassword(checkCtx, name, secret)
		if err != nil {
			return nil, err
		}
		return principalOf(u), nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return taxii.Principal{}, res.Err
		}
		return res.Val.(taxii.Principal), nil // Grants are shared read-only, as with cached keys
	case <-ctx.Done():
		return taxii.Principal{}, fmt.Errorf("verify credentials: %w", ctx.Err())
	}
}

// verifyPassword checks a password with argon2id and caches the result.
func (a *Accounts) verifyPassword(ctx context.Context, name, password string) (store.User, error) {
	// argon2id takes 19 MiB per check: bound how many run at once, so
	// that a flood of guesses cannot exhaust memory.
	select {
	case a.checks <- struct{}{}:
		defer func() { <-a.checks }()
	case <-ctx.Done():
		return store.User{}, ctx.Err()
	}
	u, err := a.Store.VerifyPassword(ctx, name, password)
	if err != nil {
		return u, err
	}
	a.mu.Lock()
	if len(a.verified) > 10_000 {
		clear(a.verified) // bounded: a flood of distinct credentials only costs re-verification
	}
	a.verified[passwordCacheKey(name, password)] = cacheEntry{user: name, hash: u.PasswordHash, expires: a.Now().Add(a.CacheTTL)}
	a.mu.Unlock()
	return u, nil
}

// cachedKey returns the principal of a key verified less than KeyCacheTTL
// ago, and records the key's use.
func (a *Accounts) cachedKey(token string) (taxii.Principal, bool) {
	h := sha256.Sum256([]byte(token))
	now := a.Now()
	a.mu.RLock()
	e, ok := a.keys[h]
	a.mu.RUnlock()
	if !ok || !now.Before(e.expires) {
		return taxii.Principal{}, false
	}
	e.lastUse.Store(now.UnixNano())
	return e.principal, true
}

// cacheKey caches a key verified by a check that began at generation gen,
// unless Invalidate has been called since: that check may have read the
// key before its revocation, and caching it would admit the key for a
// whole KeyCacheTTL after the revocation. Its use is recorded either way.
func (a *Accounts) cacheKey(token string, p taxii.Principal, key store.APIKey, gen uint64) {
	h := sha256.Sum256([]byte(token))
	now := a.Now()
	expires := now.Add(a.KeyCacheTTL)
	if !key.Expires.IsZero() && key.Expires.Before(expires) {
		expires = key.Expires
	}
	e := &keyEntry{principal: p, keyID: key.ID, expires: expires}
	e.lastUse.Store(now.UnixNano())
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gen != gen {
		if now.After(a.used[key.ID]) {
			a.used[key.ID] = now
		}
		return
	}
	if len(a.keys) > 10_000 {
		a.dropKeys()
	}
	if old, ok := a.keys[h]; ok {
		a.takeUse(old)
	}
	a.keys[h] = e
}

// takeUse moves the unrecorded use of a cached key to a.used; a.mu is
// held.
func (a *Accounts) takeUse(e *keyEntry) {
	if n := e.lastUse.Swap(0); n != 0 {
		if t := time.Unix(0, n); t.After(a.used[e.keyID]) {
			a.used[e.keyID] = t
		}
	}
}

// dropKeys forgets every cached key, keeping their uses for Flush; a.mu
// is held.
func (a *Accounts) dropKeys() {
	for _, e := range a.keys {
		a.takeUse(e)
	}
	clear(a.keys)
}

// Invalidate forgets every cached verification, so that a change of
// password, key, user or grant takes effect on the next request.
func (a *Accounts) Invalidate() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gen++
	clear(a.verified)
	a.dropKeys()
}

func principalOf(u store.User) taxii.Principal {
	return taxii.Principal{Name: u.Name, Admin: u.Admin, Grants: u.Grants, Org: u.Org}
}

// Rights returns a principal's rights on a collection: everything for an
// admin, its grant otherwise, plus reading for everyone on a public-read
// collection. Nothing else is anonymous: PublicWrite is not honoured.
//
// The clearance, what the principal may see and post by data markings,
// is its grant's; an admin is not exempt (without a grant it has the
// default clearance); a client reading a public-read collection without a
// grant to read it reads with the collection's anonymous clearance.
func (a *Accounts) Rights(_ context.Context, p taxii.Principal, c store.Collection) (taxii.Rights, error) {
	read, write, clearance, post, _ := store.Access(p.Admin, p.Grants, p.Org, c)
	return taxii.Rights{Read: read, Write: write, Clearance: &clearance, PostClearance: &post}, nil
}

// Flush stores the last-used times of API keys used since the last flush.
func (a *Accounts) Flush(ctx context.Context) error {
	a.mu.Lock()
	for _, e := range a.keys {
		a.takeUse(e)
	}
	used := a.used
	a.used = map[string]time.Time{}
	a.mu.Unlock()
	return a.Store.TouchAPIKeys(ctx, used)
}

// clientAddr is the address failures are counted against: the peer's, or
// behind a trusted proxy the one the proxy reports. IPv6 addresses count
// by /64, the block one client usually holds.
func (a *Accounts) clientAddr(r *http.Request) string {
	addr := peerAddr(r.RemoteAddr)
	if addr.IsValid() && a.trusted(addr) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, ok := parseHop(hops[i])
			if !ok {
				break
			}
			addr = hop.Unmap()
			if !a.trusted(addr) {
				break
			}
		}
	}
	if !addr.IsValid() {
		return r.RemoteAddr
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// parseHop reads one X-Forwarded-For entry: an address, or as some
// proxies write it, an address with a port ("198.51.100.1:5555",
// "[2001:db8::1]:443") or an IPv6 address in brackets.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if addr, err := netip.ParseAddr(s); err == nil {
		return addr, true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if addr, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && addr.Is6() {
			return addr, true
		}
	}
	return netip.Addr{}, false
}

func (a *Accounts) trusted(addr netip.Addr) bool {
	for _, p := range a.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, _ := netip.ParseAddr(host)
	return addr.Unmap()
}
