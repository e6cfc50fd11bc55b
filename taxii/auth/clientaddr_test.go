package auth

import (
	"net/http"
	"net/netip"
	"testing"
)

// TestClientAddrForms: behind a trusted proxy, X-Forwarded-For entries
// with a port or IPv6 brackets (as some proxies write them) name the
// client; unreadable ones leave the proxy's own address, as before.
func TestClientAddrForms(t *testing.T) {
	a := &Accounts{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	for _, tc := range []struct{ xff, want string }{
		{"198.51.100.1", "198.51.100.1"},
		{"198.51.100.1:5555", "198.51.100.1"},
		{"[2001:db8:1:2::1]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2::1]", "2001:db8:1:2::/64"},
		{" 198.51.100.1:5555 , 10.0.0.7:80", "198.51.100.1"},
		{"garbage", "10.0.0.5"},
		{"[198.51.100.1]", "10.0.0.5"}, // brackets are for IPv6 only
	} {
		r := &http.Request{RemoteAddr: "10.0.0.5:4242", Header: http.Header{"X-Forwarded-For": {tc.xff}}}
		if got := a.clientAddr(r); got != tc.want {
			t.Errorf("X-Forwarded-For %q: %s, want %s", tc.xff, got, tc.want)
		}
	}
}
