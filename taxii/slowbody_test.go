package taxii_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"liaison/store"
	"liaison/store/bolt"
	"liaison/taxii"
)

// TestSlowBody: a body that stops arriving gets a 400 that says so without
// naming the server's or the client's socket addresses.
func TestSlowBody(t *testing.T) {
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"})
	col, _ := db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "C", PublicRead: true, PublicWrite: true})
	ts := httptest.NewUnstartedServer(taxii.NewServer(db, []byte("k")).Handler())
	ts.Config.ReadTimeout = 300 * time.Millisecond
	ts.Start()
	defer ts.Close()

	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /r/collections/%s/objects/ HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nAccept: %s\r\nContent-Length: 1000\r\n\r\n{\"objects\":[",
		col.ID, taxii.MediaType, taxii.MediaType)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	local, remote := conn.LocalAddr().String(), conn.RemoteAddr().String()
	if res.StatusCode != 400 || !strings.Contains(string(body), "did not arrive in time") ||
		strings.Contains(string(body), local) || strings.Contains(string(body), remote) || strings.Contains(string(body), "127.0.0.1") {
		t.Errorf("%d %s", res.StatusCode, body)
	}
}
