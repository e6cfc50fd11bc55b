package auth

import (
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// fuzzProxySets are the trusted-proxy settings FuzzClientAddr chooses
// from with its selector byte.
var fuzzProxySets = [][]netip.Prefix{
	nil,
	{netip.MustParsePrefix("10.0.0.5/32")},
	{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:aaaa::/48")},
	{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}, // everyone: the header decides
}

// FuzzClientAddr checks the address failed authentications count against,
// from the peer's address and X-Forwarded-For (client input: any client
// can send the header, and a proxy passes on what the client sent to the
// left of what it appends). clientAddr must never panic, and:
//   - a peer that is not a trusted proxy is counted as itself, whatever
//     the header says;
//   - the result is the peer's address or one of the header's, as an IPv4
//     address or an IPv6 /64 block, or the RemoteAddr text verbatim when
//     the peer's address cannot be read;
//   - once the header holds an entry that is not a trusted proxy (the
//     client as the nearest proxy saw it), nothing a client writes to the
//     left of it changes the result: a client cannot choose the address
//     its failures count against.
func FuzzClientAddr(f *testing.F) {
	for _, s := range []struct {
		peer, xff, spoof string
		set              uint8
	}{
		{"203.0.113.7:4242", "", "", 0},
		{"203.0.113.7:4242", "198.51.100.1", "192.0.2.1", 0},
		{"10.0.0.5:4242", "198.51.100.1", "192.0.2.1", 1},
		{"10.0.0.5:4242", "198.51.100.1, 10.0.0.5", "192.0.2.1", 1},
		{"10.0.0.5:4242", "198.51.100.1,10.0.0.6", "192.0.2.1", 2},
		{"10.0.0.5:4242", " 2001:db8:1:2:3:4:5:6 ", "192.0.2.1", 1},
		{"[2001:db8:aaaa::1]:443", "2001:db8:bbbb::1\n10.1.2.3", "::1", 2},
		{"[::ffff:10.0.0.5]:80", "::ffff:198.51.100.1", "", 1},
		{"10.0.0.5:4242", "garbage, 198.51.100.1", "192.0.2.1", 1},
		{"10.0.0.5:4242", "198.51.100.1:5555", "192.0.2.1", 1},
		{"10.0.0.5:4242", "[2001:db8::1]", "", 1},
		{"10.0.0.5:4242", "fe80::1%eth0", "", 1},
		{"10.0.0.5:4242", "10.0.0.9,10.0.0.8", "192.0.2.1", 2},
		{"10.0.0.5:4242", ",,,", "", 1},
		{"198.51.100.1:1", "1.1.1.1, 2.2.2.2", "3.3.3.3", 3},
		{"@", "198.51.100.1", "", 3},
		{"", "", "", 0},
		{"[fe80::1%25eth0]:1", "", "", 0},
		{"10.0.0.5", "198.51.100.1", "", 1},
		{"unix:/run/liaison.sock", "198.51.100.1", "", 1},
	} {
		f.Add(s.peer, s.xff, s.spoof, s.set)
	}
	f.Fuzz(func(t *testing.T, peer, xff, spoof string, set uint8) {
		a := &Accounts{TrustedProxies: fuzzProxySets[int(set)%len(fuzzProxySets)]}
		request := func(values []string) *http.Request {
			r := &http.Request{RemoteAddr: peer, Header: http.Header{}}
			if len(values) > 0 {
				r.Header["X-Forwarded-For"] = values
			}
			return r
		}
		var values []string // a newline separates header lines
		if xff != "" {
			values = strings.Split(xff, "\n")
		}
		got := a.clientAddr(request(values))

		p := peerAddr(peer)
		if !p.IsValid() {
			if got != peer {
				t.Fatalf("peer %q: got %q, want the RemoteAddr verbatim", peer, got)
			}
			return
		}
		counted := func(addr netip.Addr) string {
			addr = addr.Unmap()
			if addr.Is6() {
				pre, _ := addr.Prefix(64)
				return pre.String()
			}
			return addr.String()
		}
		if !a.trusted(p) {
			if want := counted(p); got != want {
				t.Fatalf("untrusted peer %q with X-Forwarded-For %q: got %q, want %q", peer, xff, got, want)
			}
			return
		}
		candidates := []string{counted(p)}
		hops := strings.Split(strings.Join(values, ","), ",")
		guarded := false // an entry the client cannot write past
		for _, h := range hops {
			addr, ok := parseHop(h)
			if !ok {
				guarded = true
				continue
			}
			candidates = append(candidates, counted(addr))
			if !a.trusted(addr.Unmap()) {
				guarded = true
			}
		}
		if !slices.Contains(candidates, got) {
			t.Fatalf("peer %q, X-Forwarded-For %q: got %q, neither the peer nor an entry (%q)", peer, xff, got, candidates)
		}
		if !guarded || len(values) == 0 {
			return
		}
		// What a client sends arrives to the left: as earlier entries of
		// the first header line, or as an earlier header line.
		for _, spoofed := range [][]string{
			append([]string{spoof}, values...),
			append([]string{spoof + "," + values[0]}, values[1:]...),
		} {
			if again := a.clientAddr(request(spoofed)); again != got {
				t.Fatalf("peer %q, X-Forwarded-For %q: %q; with %q written to the left: %q", peer, xff, got, spoof, again)
			}
		}
	})
}
