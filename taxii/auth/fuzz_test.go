package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"liaison/store"
	"liaison/store/bolt"
	"liaison/store/storetest"
	"liaison/taxii"
	"liaison/taxii/auth"
)

// Fuzz targets for the Authorization header (client input); the
// X-Forwarded-For handling is fuzzed in clientaddr_fuzz_test.go. Crashers
// that `go test -fuzz` finds are kept under testdata/fuzz/FuzzXxx/ and run
// as regression tests.

// FuzzAuthenticate sends arbitrary Authorization headers to Accounts on a
// real store holding one user with a password, an API key, an expired
// key and a revoked key. Authenticate must never panic; without a header
// it answers anonymous; otherwise it answers the user only when the header
// carries the user's password or live key, and every refusal is a 401 or
// 429 TAXII error with no principal.
func FuzzAuthenticate(f *testing.F) {
	const user, password = "alice", "fuzz-correct-horse-7Qk2xw"
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(f.TempDir(), "db"), bolt.Options{Options: store.Options{PasswordCost: storetest.CheapPasswordCost()}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	if _, err := db.CreateUser(ctx, user, false, password); err != nil {
		f.Fatal(err)
	}
	_, key, err := db.CreateAPIKey(ctx, user, time.Time{})
	if err != nil {
		f.Fatal(err)
	}
	_, expired, err := db.CreateAPIKey(ctx, user, time.Now().Add(-time.Minute))
	if err != nil {
		f.Fatal(err)
	}
	revoked, revokedKey, err := db.CreateAPIKey(ctx, user, time.Time{})
	if err != nil {
		f.Fatal(err)
	}
	if err := db.RevokeAPIKey(ctx, revoked.ID); err != nil {
		f.Fatal(err)
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, h := range []string{
		// valid
		"Basic " + b64(user+":"+password),
		"basic   " + b64(user+":"+password) + " ",
		"Basic " + b64(":"+key),
		"Basic " + b64("anyone:"+key),
		"Bearer " + key,
		"Token " + key,
		"BEARER \t" + key,
		// invalid
		"Basic " + b64(user+":"+password+"x"),
		"Basic " + b64(user+":"),
		"Basic " + b64(":"),
		"Basic " + b64(user),
		"Basic " + b64("ghost:"+password),
		"Basic " + b64(user+":"+expired),
		"Basic " + strings.TrimRight(b64(user+":"+password), "="),
		"Basic " + base64.URLEncoding.EncodeToString([]byte(user+":"+password)),
		"Basic",
		"Basic ",
		"Bearer " + expired,
		"Token " + revokedKey,
		"Bearer " + key[:len(key)-1],
		"Bearer " + key + "x",
		"Bearer " + strings.ToUpper(key),
		"Bearer lsn_0123456789abcdef_" + strings.Repeat("A", 43),
		"Bearer lsn__",
		"Bearer",
		"Bearer ",
		"Digest username=\"alice\"",
		"Negotiate YII=",
		key,
		" ",
		"\x00",
		"Basic \xff\xfe",
		"Bearer " + key + "\r\nX-Admin: 1",
		"Basic " + b64(user+":"+password+"\x00"),
		"Basic " + b64(strings.Repeat("a", 5000)+":"+password),
	} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, header string) {
		// Fresh accounts for every input: no cache and no failure count
		// carries over, so every input reaches the checks.
		acc := auth.NewAccounts(db)
		r := httptest.NewRequest(http.MethodGet, "/taxii2/", nil)
		r.RemoteAddr = "192.0.2.10:4321"
		if header != "" {
			r.Header["Authorization"] = []string{header}
		}
		p, err := acc.Authenticate(r)
		if header == "" {
			if err != nil || !p.Anonymous {
				t.Fatalf("no header: %+v, %v; want anonymous", p, err)
			}
			return
		}
		if err != nil {
			var te *taxii.Error
			if !errors.As(err, &te) || (te.Status != http.StatusUnauthorized && te.Status != http.StatusTooManyRequests) {
				t.Fatalf("Authenticate(%q) = %v, want a 401 or 429 TAXII error", header, err)
			}
			if p.Name != "" || p.Anonymous || p.Admin || len(p.Grants) != 0 {
				t.Fatalf("Authenticate(%q) refused with %v but returned principal %+v", header, err, p)
			}
			if strings.Contains(te.Description, password) || strings.Contains(te.Description, key) {
				t.Fatalf("Authenticate(%q): the error echoes a secret: %s", header, te.Description)
			}
			return
		}
		if p.Name != user || p.Anonymous || p.Admin {
			t.Fatalf("Authenticate(%q) = %+v, want %s or a refusal", header, p, user)
		}
		// An independent, looser oracle than the parser: the header, or
		// the base64 decoding of its last field, must hold a live secret.
		fields := strings.Fields(header)
		if len(fields) == 0 {
			t.Fatalf("Authenticate(%q) let %s in with a blank header", header, p.Name)
		}
		decoded, _ := base64.StdEncoding.DecodeString(fields[len(fields)-1])
		if !strings.Contains(header, key) && !strings.Contains(string(decoded), key) && string(decoded) != user+":"+password {
			t.Fatalf("Authenticate(%q) let %s in without a valid credential", header, p.Name)
		}
	})
}
