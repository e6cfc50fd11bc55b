package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"liaison/store"
	"liaison/store/bolt"
)

// faultyAccess fails in the ways a buggy Access implementation could: it
// panics, or returns an unexpected error.
type faultyAccess struct{ panics bool }

func (a faultyAccess) Authenticate(*http.Request) (Principal, error) {
	if a.panics {
		panic("access control exploded: secret=hunter2")
	}
	return Principal{}, errors.New("directory unreachable at 10.0.0.1:389")
}

func (faultyAccess) Rights(context.Context, Principal, store.Collection) (Rights, error) {
	return Rights{}, nil
}

// TestServer_InternalErrors: a panic or an unexpected error in the request
// path is logged with an error_id and answered with a generic 500 TAXII
// error resource that reveals nothing of the cause.
func TestServer_InternalErrors(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		name    string
		access  faultyAccess
		logWant string
	}{
		{"panic", faultyAccess{panics: true}, "access control exploded"},
		{"error", faultyAccess{}, "directory unreachable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			s := NewServer(db, []byte("key"))
			s.Access = tc.access
			s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			req := httptest.NewRequest(http.MethodGet, "/taxii2/", nil)
			req.Header.Set("Accept", MediaType)
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)

			if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != MediaType {
				t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			var res ErrorResource
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
				t.Fatal(err)
			}
			if res.HTTPStatus != "500" || res.ErrorCode != "internal" || res.ErrorID == "" || res.Title == "" {
				t.Errorf("error resource = %+v", res)
			}
			body := rec.Body.String()
			for _, leak := range []string{"hunter2", "exploded", "10.0.0.1", "goroutine", ".go:"} {
				if strings.Contains(body, leak) {
					t.Errorf("response leaks %q: %s", leak, body)
				}
			}
			if !strings.Contains(logs.String(), tc.logWant) || !strings.Contains(logs.String(), res.ErrorID) {
				t.Errorf("log lacks the cause or the error_id %s:\n%s", res.ErrorID, logs.String())
			}
		})
	}
}
