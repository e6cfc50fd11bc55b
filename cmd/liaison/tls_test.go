package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with the given
// common name, and returns the certificate and key file names.
func writeCert(t *testing.T, dir, cn string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile
}

// handshake connects with TLS versions min..max and returns the
// negotiated version and the server certificate's common name.
func handshake(addr string, min, max uint16) (uint16, string, error) {
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MinVersion: min, MaxVersion: max})
	if err != nil {
		return 0, "", err
	}
	defer conn.Close()
	st := conn.ConnectionState()
	return st.Version, st.PeerCertificates[0].Subject.CommonName, nil
}

// TestTLS: TLS 1.1 is refused, 1.2 and 1.3 accepted (1.3 preferred), and
// a renewed certificate is served after ReloadCertificate (SIGHUP).
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "first")
	m := MustRunMain(t, "--tls-cert", cert, "--tls-key", key)
	if !strings.HasPrefix(m.URL, "https://") {
		t.Fatalf("URL = %s", m.URL)
	}
	addr := strings.TrimPrefix(m.URL, "https://")
	if _, _, err := handshake(addr, tls.VersionTLS10, tls.VersionTLS11); err == nil {
		t.Error("a TLS 1.1 handshake succeeded")
	}
	if v, _, err := handshake(addr, tls.VersionTLS12, tls.VersionTLS12); err != nil || v != tls.VersionTLS12 {
		t.Errorf("TLS 1.2: version %x, %v", v, err)
	}
	if v, cn, err := handshake(addr, tls.VersionTLS12, tls.VersionTLS13); err != nil || v != tls.VersionTLS13 || cn != "first" {
		t.Errorf("TLS 1.2-1.3: version %x, cert %q, %v", v, cn, err)
	}

	// Over TLS, clients are told to keep to it.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	res, err := hc.Get(m.URL + "/taxii2/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("no Strict-Transport-Security over TLS: %v", res.Header)
	}

	writeCert(t, dir, "second")
	m.ReloadCertificate()
	if _, cn, err := handshake(addr, tls.VersionTLS12, tls.VersionTLS13); err != nil || cn != "second" {
		t.Errorf("after reload: cert %q, %v", cn, err)
	}
	os.WriteFile(cert, []byte("garbage"), 0o600)
	m.ReloadCertificate() // fails: the server keeps the second certificate
	if _, cn, err := handshake(addr, tls.VersionTLS12, tls.VersionTLS13); err != nil || cn != "second" {
		t.Errorf("after a failed reload: cert %q, %v", cn, err)
	}
}

// TestPlaintextExposure: plain HTTP on a non-loopback address needs
// --insecure-http; loopback does not.
func TestPlaintextExposure(t *testing.T) {
	cert, key := writeCert(t, t.TempDir(), "x")
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"--listen", "127.0.0.1:8080"}, true},
		{[]string{"--listen", "[::1]:8080"}, true},
		{[]string{"--listen", "localhost:8080"}, true},
		{[]string{"--listen", ":8080"}, false},
		{[]string{"--listen", "0.0.0.0:8080"}, false},
		{[]string{"--listen", "192.0.2.10:8080"}, false},
		{[]string{"--listen", "0.0.0.0:8080", "--insecure-http"}, true},
		{[]string{"--listen", "0.0.0.0:8080", "--tls-cert", cert, "--tls-key", key}, true},
		{[]string{"--tls-cert", cert}, false},
	} {
		m := NewMain()
		m.Stderr = new(strings.Builder)
		err := m.ParseFlags(context.Background(), tc.args)
		var ce *ConfigError
		if tc.ok != (err == nil) || (err != nil && !errors.As(err, &ce)) {
			t.Errorf("%q: %v", tc.args, err)
		}
		if !tc.ok && err != nil && tc.args[1] == "0.0.0.0:8080" && !strings.Contains(err.Error(), "--insecure-http") {
			t.Errorf("%q: the error does not name --insecure-http: %v", tc.args, err)
		}
	}
}

// TestTLSReloadOnSIGHUP: Wait reloads the certificate when the process gets
// SIGHUP.
func TestTLSReloadOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "before")
	m := MustRunMain(t, "--tls-cert", cert, "--tls-key", key)
	addr := strings.TrimPrefix(m.URL, "https://")
	// Hold SIGHUP here too, so that a signal sent before Wait listens is
	// not the default action, which ends the process.
	absorb := make(chan os.Signal, 64)
	signal.Notify(absorb, syscall.SIGHUP)
	defer signal.Stop(absorb)
	ctx, cancel := context.WithCancel(context.Background())
	waited := make(chan struct{})
	go func() { m.Wait(ctx); close(waited) }()
	defer func() { cancel(); <-waited }()

	writeCert(t, dir, "after")
	deadline := time.Now().Add(10 * time.Second)
	for {
		// Wait may not have installed its handler yet: signal until the
		// new certificate is served.
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		if _, cn, err := handshake(addr, tls.VersionTLS12, tls.VersionTLS13); err == nil && cn == "after" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the certificate was not reloaded on SIGHUP")
		}
	}
}
