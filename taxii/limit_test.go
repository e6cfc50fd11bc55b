package taxii_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"liaison/store/bolt"
	"liaison/taxii"
)

// limitedServer serves a server allowing one request at a time, with a
// route /hold/ that keeps its slot until release is called.
func limitedServer(t *testing.T, queueTimeout time.Duration) (url string, entered <-chan struct{}, release func()) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	in, out := make(chan struct{}, 1), make(chan struct{})
	s := taxii.NewServer(db, testKey)
	s.MaxConcurrentRequests, s.QueueTimeout = 1, queueTimeout
	s.Extensions = append(s.Extensions, func(e *echo.Echo) {
		e.GET("/hold/", func(c echo.Context) error {
			in <- struct{}{}
			<-out
			return c.NoContent(http.StatusNoContent)
		})
	})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	var once sync.Once
	release = func() { once.Do(func() { close(out) }) }
	t.Cleanup(release) // before srv.Close, which waits for the held request
	return srv.URL, in, release
}

// getTAXII GETs u in a goroutine and sends the response (nil on error).
func getTAXII(u string) <-chan *http.Response {
	done := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Accept", taxii.MediaType)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- nil
			return
		}
		done <- res
	}()
	return done
}

// TestMaxConcurrentRequests: with every slot taken, a request waits up to
// QueueTimeout for one and then gets 503 with a TAXII error and
// Retry-After; the health endpoints are not counted.
func TestMaxConcurrentRequests(t *testing.T) {
	u, entered, _ := limitedServer(t, 100*time.Millisecond)
	getTAXII(u + "/hold/")
	<-entered

	start := time.Now()
	res := <-getTAXII(u + "/taxii2/")
	if res == nil {
		t.Fatal("GET /taxii2/ failed")
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var e taxii.ErrorResource
	if err := json.Unmarshal(body, &e); err != nil || res.StatusCode != http.StatusServiceUnavailable ||
		e.ErrorCode != "overloaded" || e.HTTPStatus != "503" || e.ErrorID == "" || res.Header.Get("Retry-After") != "1" ||
		res.Header.Get("Content-Type") != taxii.MediaType {
		t.Fatalf("with the only slot taken: %d %v %s %v", res.StatusCode, res.Header, body, err)
	}
	if waited := time.Since(start); waited < 100*time.Millisecond {
		t.Errorf("refused after %s, before the queue timeout", waited)
	}
	if res := <-getTAXII(u + "/healthz"); res == nil || res.StatusCode != http.StatusOK {
		t.Fatalf("/healthz with the only slot taken: %v", res)
	}
}

// TestMaxConcurrentRequests_Queue: a request that finds every slot taken
// is served once one frees within the queue timeout.
func TestMaxConcurrentRequests_Queue(t *testing.T) {
	u, entered, release := limitedServer(t, time.Minute)
	held := getTAXII(u + "/hold/")
	<-entered
	queued := getTAXII(u + "/taxii2/")
	select {
	case res := <-queued:
		t.Fatalf("answered while the only slot is taken: %v", res)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	for name, ch := range map[string]<-chan *http.Response{"held": held, "queued": queued} {
		res := <-ch
		if res == nil || res.StatusCode/100 != 2 {
			t.Fatalf("%s request: %v", name, res)
		}
		res.Body.Close()
	}
}
