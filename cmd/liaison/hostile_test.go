package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// hostileCase is one request a hostile or broken client sends, and what
// the server must answer.
type hostileCase struct {
	name string
	// Either a request built from these fields...
	method, path, body string
	header             map[string]string // "" values remove the default header
	// ...or raw bytes written to the socket, for HTTP framing.
	raw string

	status int
	// code is the error_code of the TAXII error resource the answer must
	// be; "" when the answer is not an error resource (a success, or a
	// plain-text refusal by Go's HTTP server before Liaison sees it).
	code string
	// plain is a substring of a plain-text answer from Go's HTTP server.
	plain string
	// failures is, for a 202, how many objects the status must report as
	// failed.
	failures int
}

// TestHostileInput sends a table of malformed, oversized and hostile
// requests over a real listener and checks each answer's status and shape;
// afterwards the server still answers and the stored data is intact.
func TestHostileInput(t *testing.T) {
	m := MustRunMain(t, "--demo")
	key := "Bearer " + m.Demo.APIKey
	base := m.URL
	feed := "/cooperation/collections/operation-feed/objects/"
	inbox := "/cooperation/collections/partner-inbox/objects/"
	before := exportAll(t, base+feed)

	ind := func(n int) string {
		return indicatorJSONForTest(fmt.Sprintf("indicator--6d6e6f70-0000-4000-8000-%012d", n))
	}
	envelope := func(objs ...string) string { return `{"objects":[` + strings.Join(objs, ",") + `]}` }
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	many := make([]string, 20_001)
	for i := range many {
		many[i] = "1"
	}
	host := strings.TrimPrefix(base, "http://")
	rawReq := func(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n\r\n" }

	cases := []hostileCase{
		// Bodies.
		{name: "empty body", method: "POST", path: inbox, body: "", status: 400, code: "bad-envelope"},
		{name: "truncated JSON", method: "POST", path: inbox, body: `{"objects":[`, status: 400, code: "bad-envelope"},
		{name: "a JSON array", method: "POST", path: inbox, body: `[]`, status: 400, code: "bad-envelope"},
		{name: "JSON null", method: "POST", path: inbox, body: `null`, status: 400, code: "bad-envelope"},
		{name: "a string", method: "POST", path: inbox, body: `"objects"`, status: 400, code: "bad-envelope"},
		{name: "objects is an object", method: "POST", path: inbox, body: `{"objects":{}}`, status: 400, code: "bad-envelope"},
		{name: "empty objects list", method: "POST", path: inbox, body: `{"objects":[]}`, status: 400, code: "bad-envelope"},
		{name: "no objects", method: "POST", path: inbox, body: `{"more":true}`, status: 400, code: "bad-envelope"},
		{name: "objects twice", method: "POST", path: inbox, body: `{"objects":[],"objects":[]}`, status: 400, code: "bad-envelope"},
		{name: "trailing garbage", method: "POST", path: inbox, body: envelope(ind(1)) + " x", status: 400, code: "bad-envelope"},
		{name: "two JSON values", method: "POST", path: inbox, body: envelope(ind(1)) + envelope(ind(1)), status: 400, code: "bad-envelope"},
		{name: "byte order mark", method: "POST", path: inbox, body: "\ufeff" + envelope(ind(1)), status: 400, code: "bad-envelope"},
		{name: "nesting 100,000 deep", method: "POST", path: inbox, body: `{"objects":` + deep + `}`, status: 400, code: "bad-envelope"},
		{name: "NUL bytes", method: "POST", path: inbox, body: "{\x00}", status: 400, code: "bad-envelope"},
		{name: "a number, not an object", method: "POST", path: inbox, body: envelope("1"), status: 202, failures: 1},
		{name: "an empty object", method: "POST", path: inbox, body: envelope("{}"), status: 202, failures: 1},
		{name: "a huge number", method: "POST", path: inbox, body: envelope(strings.Replace(ind(2), `"pattern_type"`, `"x_n":1e999999,"pattern_type"`, 1)), status: 202, failures: 1},
		{name: "an object with no type", method: "POST", path: inbox, body: envelope(`{"id":"indicator--6d6e6f70-0000-4000-8000-000000000003"}`), status: 202, failures: 1},
		{name: "a malformed id", method: "POST", path: inbox, body: envelope(strings.Replace(ind(4), "indicator--6d6e", "indicator--zz6e", 1)), status: 202, failures: 1},
		{name: "a bad pattern beside a good object", method: "POST", path: inbox, body: envelope(strings.Replace(ind(5), "198.51.100.1']", "198.51.100.1'", 1), ind(6)), status: 202, failures: 1},
		{name: "more objects than allowed", method: "POST", path: inbox, body: envelope(many...), status: 413, code: "too-many-objects"},
		{name: "body over max_content_length", method: "POST", path: inbox, body: envelope(`"` + strings.Repeat("a", 11<<20) + `"`), status: 413, code: "too-large"},
		{name: "declared length over the limit", raw: rawReq("POST "+inbox+" HTTP/1.1", "Host: "+host, "Authorization: "+key,
			"Content-Type: application/taxii+json;version=2.1", "Content-Length: 999999999") + "{", status: 413, code: "too-large"},

		// Media types.
		{name: "no Content-Type", method: "POST", path: inbox, body: envelope(ind(7)), header: map[string]string{"Content-Type": ""}, status: 415, code: "unsupported-media-type"},
		{name: "Content-Type text/plain", method: "POST", path: inbox, body: envelope(ind(7)), header: map[string]string{"Content-Type": "text/plain"}, status: 415, code: "unsupported-media-type"},
		{name: "Content-Type TAXII 2.0", method: "POST", path: inbox, body: envelope(ind(7)), header: map[string]string{"Content-Type": "application/vnd.oasis.taxii+json;version=2.0"}, status: 415, code: "unsupported-media-type"},
		{name: "Content-Type with a broken parameter", method: "POST", path: inbox, body: envelope(ind(7)), header: map[string]string{"Content-Type": "application/taxii+json;version="}, status: 415, code: "unsupported-media-type"},
		{name: "Content-Encoding gzip", method: "POST", path: inbox, body: envelope(ind(7)), header: map[string]string{"Content-Encoding": "gzip"}, status: 415, code: "unsupported-content-encoding"},
		{name: "Accept text/html", method: "GET", path: feed, header: map[string]string{"Accept": "text/html"}, status: 406, code: "not-acceptable"},
		{name: "Accept TAXII 2.0", method: "GET", path: feed, header: map[string]string{"Accept": "application/vnd.oasis.taxii+json;version=2.0"}, status: 406, code: "not-acceptable"},
		{name: "Accept with q=0", method: "GET", path: feed, header: map[string]string{"Accept": "application/taxii+json;version=2.1;q=0"}, status: 406, code: "not-acceptable"},

		// Query strings.
		{name: "unknown parameter", method: "GET", path: feed + "?colour=red", status: 400, code: "bad-parameter"},
		{name: "repeated limit", method: "GET", path: feed + "?limit=1&limit=2", status: 400, code: "bad-parameter"},
		{name: "negative limit", method: "GET", path: feed + "?limit=-1", status: 400, code: "bad-parameter"},
		{name: "limit zero", method: "GET", path: feed + "?limit=0", status: 400, code: "bad-parameter"},
		{name: "limit not a number", method: "GET", path: feed + "?limit=ten", status: 400, code: "bad-parameter"},
		{name: "limit beyond int64 is served as the maximum", method: "GET", path: feed + "?limit=99999999999999999999999", status: 200},
		{name: "added_after not a timestamp", method: "GET", path: feed + "?added_after=yesterday", status: 400, code: "bad-parameter"},
		{name: "added_after in year 99999", method: "GET", path: feed + "?added_after=99999-01-01T00:00:00Z", status: 400, code: "bad-parameter"},
		{name: "empty match[type]", method: "GET", path: feed + "?match[type]=", status: 400, code: "bad-parameter"},
		{name: "bad match[version]", method: "GET", path: feed + "?match[version]=newest", status: 400, code: "bad-parameter"},
		{name: "match[spec_version] no object has", method: "GET", path: feed + "?match[spec_version]=3.0", status: 200},
		{name: "a forged next token", method: "GET", path: feed + "?next=eyJ2IjoxfQ", status: 400, code: "bad-parameter"},
		{name: "next not base64", method: "GET", path: feed + "?next=%25%25%25", status: 400, code: "bad-parameter"},
		{name: "a query 9,000 bytes long", method: "GET", path: feed + "?" + strings.Repeat("a", 9000) + "=1", status: 400, code: "bad-parameter"},
		{name: "a bad escape in the query", method: "GET", path: feed + "?limit=%zz", status: 400, code: "bad-parameter"},

		// Paths.
		{name: "unknown API root", method: "GET", path: "/nowhere/", status: 404, code: "api-root-not-found"},
		{name: "unknown collection", method: "GET", path: "/cooperation/collections/nowhere/objects/", status: 404, code: "collection-not-found"},
		{name: "unknown endpoint", method: "GET", path: "/cooperation/collections/operation-feed/nothing/", status: 404, code: "not-found"},
		{name: "malformed object id", method: "GET", path: feed + "not-an-id/", status: 404, code: "object-not-found"},
		{name: "an encoded NUL in the path", method: "GET", path: "/cooperation%00/", status: 404, code: "api-root-not-found"},
		{name: "a path of 10,000 bytes", method: "GET", path: "/" + strings.Repeat("a", 10_000) + "/", status: 404, code: "api-root-not-found"},
		{name: "dot segments", raw: rawReq("GET /cooperation/../taxii2/ HTTP/1.1", "Host: "+host, "Accept: application/taxii+json;version=2.1"), status: 404, code: "not-found"},
		{name: "a bad escape in the path", raw: rawReq("GET /tax%zzii2/ HTTP/1.1", "Host: "+host), status: 400, plain: "Bad Request"},

		// Methods.
		{name: "PUT on objects", method: "PUT", path: feed, body: envelope(ind(8)), status: 405, code: "method-not-allowed"},
		{name: "PATCH on discovery", method: "PATCH", path: "/taxii2/", status: 405, code: "method-not-allowed"},
		{name: "DELETE a collection", method: "DELETE", path: "/cooperation/collections/operation-feed/", status: 405, code: "method-not-allowed"},
		{name: "POST on the manifest", method: "POST", path: "/cooperation/collections/operation-feed/manifest/", body: "{}", status: 405, code: "method-not-allowed"},
		{name: "TRACE", method: "TRACE", path: "/taxii2/", status: 405, code: "method-not-allowed"},
		{name: "a made-up method", method: "BREW", path: "/taxii2/", status: 405, code: "method-not-allowed"},

		// Credentials.
		{name: "an unknown scheme", method: "GET", path: inbox, header: map[string]string{"Authorization": "Negotiate abc"}, status: 401, code: "unauthorized"},
		{name: "Basic that is not base64", method: "GET", path: inbox, header: map[string]string{"Authorization": "Basic !!!"}, status: 401, code: "unauthorized"},
		{name: "Basic without a colon", method: "GET", path: inbox, header: map[string]string{"Authorization": "Basic ZGVtbw=="}, status: 401, code: "unauthorized"},
		{name: "an empty Bearer", method: "GET", path: inbox, header: map[string]string{"Authorization": "Bearer "}, status: 401, code: "unauthorized"},
		{name: "a Bearer of 4 KB", method: "GET", path: inbox, header: map[string]string{"Authorization": "Bearer " + strings.Repeat("k", 4<<10)}, status: 401, code: "unauthorized"},
		{name: "a Bearer of 100 KB, over --max-header-bytes", method: "GET", path: inbox, header: map[string]string{"Authorization": "Bearer " + strings.Repeat("k", 100<<10)}, status: 431, plain: "Request Header Fields Too Large"},
		{name: "a key of the right shape, unknown", method: "GET", path: inbox, header: map[string]string{"Authorization": "Bearer lsn_0123456789abcdef_" + strings.Repeat("A", 43)}, status: 401, code: "unauthorized"},
		{name: "no credentials for a private collection", method: "GET", path: inbox, header: map[string]string{"Authorization": ""}, status: 401, code: "unauthorized"},

		// HTTP framing, refused by Go's HTTP server in plain text.
		{name: "headers of 2 MiB", raw: rawReq("GET /taxii2/ HTTP/1.1", "Host: "+host, "X-Big: "+strings.Repeat("a", 2<<20)), status: 431, plain: "Request Header Fields Too Large"},
		{name: "no Host", raw: rawReq("GET /taxii2/ HTTP/1.1"), status: 400, plain: "missing required Host header"},
		{name: "a malformed Host", raw: rawReq("GET /taxii2/ HTTP/1.1", "Host: a b"), status: 400, plain: "malformed Host header"},
		{name: "two Content-Lengths", raw: rawReq("POST "+inbox+" HTTP/1.1", "Host: "+host, "Content-Length: 3", "Content-Length: 4") + "abcd", status: 400, plain: "Bad Request"},
		// RFC 9112 §6.3: Transfer-Encoding overrides Content-Length (Go reads
		// the chunked body and closes the connection after answering).
		{name: "Content-Length and chunked", raw: rawReq("POST "+inbox+" HTTP/1.1", "Host: "+host, "Authorization: "+key,
			"Content-Type: application/taxii+json;version=2.1", "Content-Length: 3", "Transfer-Encoding: chunked") + "0\r\n\r\n", status: 400, code: "bad-envelope"},
		{name: "a negative Content-Length", raw: rawReq("POST "+inbox+" HTTP/1.1", "Host: "+host, "Content-Length: -1"), status: 400, plain: "Bad Request"},
		{name: "an unknown Transfer-Encoding", raw: rawReq("POST "+inbox+" HTTP/1.1", "Host: "+host, "Transfer-Encoding: gzip"), status: 501, plain: "Unsupported transfer encoding"},
		{name: "HTTP/0.9", raw: "GET /taxii2/\r\n", status: 400, plain: "Bad Request"},
		{name: "an unknown HTTP version", raw: rawReq("GET /taxii2/ HTTP/3.7", "Host: "+host), status: 505, plain: "HTTP Version Not Supported"},
		{name: "an unknown Expect", raw: rawReq("GET /taxii2/ HTTP/1.1", "Host: "+host, "Expect: 200-ok"), status: 417},
		{name: "a broken chunk size", raw: rawReq("POST "+inbox+" HTTP/1.1", "Host: "+host, "Authorization: "+key,
			"Content-Type: application/taxii+json;version=2.1", "Accept: application/taxii+json;version=2.1", "Transfer-Encoding: chunked") + "zz\r\nabc\r\n0\r\n\r\n", status: 400, code: "bad-body"},
	}
	if len(cases) < 60 {
		t.Fatalf("the table has %d rows; keep at least 60", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, header, body := send(t, base, key, tc)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %.300s", status, tc.status, body)
			}
			switch {
			case tc.code != "":
				var e struct {
					Title, Description, ErrorCode string
					HTTPStatus                    string `json:"http_status"`
					ErrorID                       string `json:"error_id"`
				}
				e.ErrorCode = "?"
				if err := json.Unmarshal(body, &struct {
					Title       *string `json:"title"`
					Description *string `json:"description"`
					ErrorCode   *string `json:"error_code"`
					HTTPStatus  *string `json:"http_status"`
					ErrorID     *string `json:"error_id"`
				}{&e.Title, &e.Description, &e.ErrorCode, &e.HTTPStatus, &e.ErrorID}); err != nil {
					t.Fatalf("not a TAXII error resource: %v: %.300s", err, body)
				}
				if e.ErrorCode != tc.code || e.HTTPStatus != fmt.Sprint(tc.status) || e.Title == "" || e.Description == "" || e.ErrorID == "" {
					t.Errorf("error resource %+v; want error_code %s", e, tc.code)
				}
				if ct := header.Get("Content-Type"); ct != "application/taxii+json;version=2.1" {
					t.Errorf("Content-Type %q", ct)
				}
				if len(body) > 4096 {
					t.Errorf("an error resource of %d bytes: echoes too much of the input", len(body))
				}
			case tc.plain != "":
				if !strings.Contains(string(body), tc.plain) && !strings.Contains(header.Get("X-Status-Line"), tc.plain) {
					t.Errorf("plain answer %q lacks %q", body, tc.plain)
				}
			case tc.status == 202:
				var st struct {
					FailureCount int `json:"failure_count"`
				}
				if err := json.Unmarshal(body, &st); err != nil || st.FailureCount != tc.failures {
					t.Errorf("status %s, want %d failures", body, tc.failures)
				}
			}
		})
	}

	// Healthy afterwards, and what was stored is what the table let in.
	if res, err := http.Get(base + "/healthz"); err != nil || res.StatusCode != 200 {
		t.Fatalf("/healthz after the table: %v %v", res, err)
	}
	if after := exportAll(t, base+feed); !bytes.Equal(before, after) {
		t.Error("the public feed changed")
	}
	var page struct{ Objects []map[string]any }
	getJSONAs(t, base+inbox+"?limit=1000", key, &page)
	if len(page.Objects) != 1 || page.Objects[0]["id"] != "indicator--6d6e6f70-0000-4000-8000-000000000006" {
		t.Errorf("the inbox holds %d objects, want only the one valid object posted: %v", len(page.Objects), page.Objects)
	}
}

// send sends a table row and returns the status, headers and body.
func send(t *testing.T, base, key string, tc hostileCase) (int, http.Header, []byte) {
	t.Helper()
	if tc.raw != "" {
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		go io.Copy(conn, strings.NewReader(tc.raw)) // the server may answer before reading it all
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("reading the answer: %v", err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		res.Header.Set("X-Status-Line", res.Status)
		return res.StatusCode, res.Header, body
	}
	var body io.Reader
	if tc.body != "" || tc.method == "POST" {
		body = strings.NewReader(tc.body)
	}
	req, err := http.NewRequest(tc.method, base+tc.path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	req.Header.Set("Authorization", key)
	if tc.method == "POST" {
		req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	}
	for k, v := range tc.header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, res.Header, b
}

// exportAll pages through a collection's objects and returns them.
func exportAll(t *testing.T, objects string) []byte {
	t.Helper()
	var all []byte
	u := objects + "?limit=1000"
	for {
		var page struct {
			More    bool
			Next    string
			Objects []json.RawMessage
		}
		getJSON(t, u, &page)
		for _, o := range page.Objects {
			all = append(all, o...)
		}
		if !page.More {
			return all
		}
		u = objects + "?limit=1000&next=" + page.Next
	}
}
