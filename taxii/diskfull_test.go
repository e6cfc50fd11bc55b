package taxii_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"liaison/store"
	"liaison/store/bolt"
	"liaison/taxii"
)

// TestDiskFull: when the database file cannot grow, a POST gets 507 with a
// TAXII error saying the server cannot store, nothing of it is stored,
// reads keep working, and the condition is logged once, not per request.
//
// A full disk is made with a file size limit (RLIMIT_FSIZE), which needs
// its own process: the test runs itself again as a child.
func TestDiskFull(t *testing.T) {
	dir := os.Getenv("LIAISON_DISKFULL_DIR")
	if dir == "" {
		if runtime.GOOS != "linux" {
			t.Skip("the full disk is simulated with Linux's RLIMIT_FSIZE")
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestDiskFull$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "LIAISON_DISKFULL_DIR="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestDiskFull") {
			t.Fatalf("the test's child process: %v\n%s", err, out)
		}
		return
	}

	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(dir, "liaison.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"}); err != nil {
		t.Fatal(err)
	}
	col, err := db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "C", PublicRead: true, PublicWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	srv := taxii.NewServer(db, []byte("k"))
	srv.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	h := srv.Handler()
	objects := "/r/collections/" + col.ID + "/objects/"
	post := func(from, n int) *httptest.ResponseRecorder {
		var b strings.Builder
		b.WriteString(`{"objects":[`)
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(indicatorJSON(fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", from+i), vT, vT, "disk"))
		}
		b.WriteString(`]}`)
		req := httptest.NewRequest("POST", objects, strings.NewReader(b.String()))
		req.Header.Set("Accept", taxii.MediaType)
		req.Header.Set("Content-Type", taxii.MediaType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	get := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", objects+"?limit=1000", nil)
		req.Header.Set("Accept", taxii.MediaType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if res := post(0, 10); res.Code != http.StatusAccepted {
		t.Fatalf("before the disk is full: %d %s", res.Code, res.Body)
	}
	before := get().Body.String()

	// The file may not grow any more: a write past its size fails (EFBIG,
	// with SIGXFSZ ignored), as on a full disk.
	fi, err := os.Stat(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	signal.Ignore(syscall.SIGXFSZ)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: uint64(fi.Size()), Max: uint64(fi.Size())}); err != nil {
		t.Skipf("cannot limit the file size: %v", err)
	}
	for i := range 3 {
		res := post(1000*(i+1), 2000)
		if res.Code != http.StatusInsufficientStorage {
			t.Fatalf("POST on a full disk: %d %s", res.Code, res.Body)
		}
		body := res.Body.String()
		if !strings.Contains(body, `"http_status":"507"`) || !strings.Contains(body, "storage is full") || strings.Contains(body, dir) {
			t.Errorf("507 body: %s", body)
		}
	}
	if after := get(); after.Code != 200 || after.Body.String() != before {
		t.Errorf("reads on a full disk: %d, same page as before: %v", after.Code, after.Body.String() == before)
	}
	if n := strings.Count(logs.String(), "disk is full"); n != 1 {
		t.Errorf("the full disk was logged %d times for 3 refused POSTs, want once:\n%s", n, logs.String())
	}
}
