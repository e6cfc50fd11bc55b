package curation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"liaison/stix"
	"liaison/store"
)

// Client calls a running server's admin HTTP API. It implements API, so
// that the CLI works the same on a live server as on a database file.
type Client struct {
	// BaseURL is the server's base URL, e.g. https://taxii.example.org.
	BaseURL string
	// Token is an admin's API key.
	Token string
	HTTP  *http.Client
}

var _ API = (*Client)(nil)

// RemoteError is an error answered by the server. It unwraps to the store
// error its error_code names, so errors.Is works as it does offline.
type RemoteError struct {
	Status      int
	Code        string
	Title       string
	Description string
}

// Unwrap returns the store error of the server's error code, if any.
func (e *RemoteError) Unwrap() error { return store.ErrorOfCode(e.Code) }

// Error is the server's description. Errors of the store read as they do
// offline; others (authentication, access, the server's own) name the
// HTTP status.
func (e *RemoteError) Error() string {
	if e.Description != "" && e.Unwrap() != nil {
		return e.Description
	}
	if e.Description != "" {
		return fmt.Sprintf("%s (HTTP %d)", e.Description, e.Status)
	}
	return fmt.Sprintf("%s (HTTP %d)", e.Title, e.Status)
}

// call sends a request and decodes a JSON answer into out (when not nil).
func (c *Client) call(ctx context.Context, method, path string, query url.Values, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	res, err := c.send(ctx, method, path, query, body)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// send sends a request and returns the response of a 2xx answer.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, body io.Reader) (*http.Response, error) {
	u := strings.TrimRight(c.BaseURL, "/") + "/admin/" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode/100 != 2 {
		defer res.Body.Close()
		var e struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			Code        string `json:"error_code"`
		}
		json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&e)
		return nil, &RemoteError{Status: res.StatusCode, Code: e.Code, Title: e.Title, Description: e.Description}
	}
	return res, nil
}

func refQuery(ref string, more ...string) url.Values {
	q := url.Values{"ref": {ref}}
	for i := 0; i+1 < len(more); i += 2 {
		if more[i+1] != "" {
			q.Add(more[i], more[i+1])
		}
	}
	return q
}

// APIRoots lists the API roots.
func (c *Client) APIRoots(ctx context.Context) ([]store.APIRoot, error) {
	var out []store.APIRoot
	return out, c.call(ctx, http.MethodGet, "api-roots/", nil, nil, &out)
}

// AddAPIRoot creates an API root.
func (c *Client) AddAPIRoot(ctx context.Context, r store.APIRoot) (store.APIRoot, error) {
	var out store.APIRoot
	return out, c.call(ctx, http.MethodPost, "api-roots/", nil, r, &out)
}

// UpdateAPIRoot changes an API root.
func (c *Client) UpdateAPIRoot(ctx context.Context, name string, u store.APIRootUpdate) (store.APIRoot, error) {
	var out store.APIRoot
	return out, c.call(ctx, http.MethodPatch, "api-roots/"+url.PathEscape(name)+"/", nil, u, &out)
}

// RemoveAPIRoot deletes an API root.
func (c *Client) RemoveAPIRoot(ctx context.Context, name string, force bool) error {
	return c.call(ctx, http.MethodDelete, "api-roots/"+url.PathEscape(name)+"/", url.Values{"force": {strconv.FormatBool(force)}}, nil, nil)
}

// Collections lists collections.
func (c *Client) Collections(ctx context.Context, root string) ([]CollectionInfo, error) {
	var out []CollectionInfo
	var q url.Values
	if root != "" {
		q = url.Values{"api_root": {root}}
	}
	return out, c.call(ctx, http.MethodGet, "collections/", q, nil, &out)
}

// Collection returns one collection.
func (c *Client) Collection(ctx context.Context, ref string) (CollectionInfo, error) {
	var out CollectionInfo
	return out, c.call(ctx, http.MethodGet, "collection/", refQuery(ref), nil, &out)
}

// AddCollection creates a collection.
func (c *Client) AddCollection(ctx context.Context, col store.Collection) (store.Collection, error) {
	var out store.Collection
	return out, c.call(ctx, http.MethodPost, "collections/", nil, col, &out)
}

// UpdateCollection changes a collection.
func (c *Client) UpdateCollection(ctx context.Context, ref string, u store.CollectionUpdate) (store.Collection, error) {
	var out store.Collection
	return out, c.call(ctx, http.MethodPatch, "collection/", refQuery(ref), u, &out)
}

// RemoveCollection deletes a collection.
func (c *Client) RemoveCollection(ctx context.Context, ref string, force bool) error {
	return c.call(ctx, http.MethodDelete, "collection/", refQuery(ref, "force", strconv.FormatBool(force)), nil, nil)
}

// Users lists users.
func (c *Client) Users(ctx context.Context) ([]UserInfo, error) {
	var out []UserInfo
	return out, c.call(ctx, http.MethodGet, "users/", nil, nil, &out)
}

// AddUser creates a user.
func (c *Client) AddUser(ctx context.Context, name string, admin bool, password string) error {
	in := struct {
		Name     string `json:"name"`
		Admin    bool   `json:"admin"`
		Password string `json:"password,omitempty"`
	}{name, admin, password}
	return c.call(ctx, http.MethodPost, "users/", nil, in, nil)
}

// RemoveUser deletes a user.
func (c *Client) RemoveUser(ctx context.Context, name string) error {
	return c.call(ctx, http.MethodDelete, "users/"+url.PathEscape(name)+"/", nil, nil, nil)
}

// SetPassword changes a password.
func (c *Client) SetPassword(ctx context.Context, name, password string) error {
	return c.call(ctx, http.MethodPut, "users/"+url.PathEscape(name)+"/password/", nil, map[string]string{"password": password}, nil)
}

// SetAdmin gives or takes a user's admin role.
func (c *Client) SetAdmin(ctx context.Context, name string, admin bool) error {
	return c.call(ctx, http.MethodPut, "users/"+url.PathEscape(name)+"/admin/", nil, map[string]bool{"admin": admin}, nil)
}

// SetOrg sets a user's organisation (an identity id, or the name of an
// identity object the server holds).
func (c *Client) SetOrg(ctx context.Context, name, org string) (string, error) {
	var out struct {
		Org string `json:"org"`
	}
	return out.Org, c.call(ctx, http.MethodPut, "users/"+url.PathEscape(name)+"/org/", nil, map[string]string{"org": org}, &out)
}

// Explain says whether a principal sees an object, and why.
func (c *Client) Explain(ctx context.Context, user, ref, objectID string) (Explanation, error) {
	var out Explanation
	return out, c.call(ctx, http.MethodGet, "explain/", refQuery(ref, "user", user, "id", objectID), nil, &out)
}

// ChangeGrant adds and drops a user's rights on a collection.
func (c *Client) ChangeGrant(ctx context.Context, name string, ch GrantChange) (GrantResult, error) {
	var out GrantResult
	return out, c.call(ctx, http.MethodPatch, "users/"+url.PathEscape(name)+"/grant/", nil, ch, &out)
}

// CreateAPIKey creates a key.
func (c *Client) CreateAPIKey(ctx context.Context, name string, lifetime time.Duration) (store.APIKey, string, error) {
	var out struct {
		Key   store.APIKey `json:"key"`
		Token string       `json:"token"`
	}
	err := c.call(ctx, http.MethodPost, "users/"+url.PathEscape(name)+"/keys/", nil, map[string]any{"lifetime": lifetime}, &out)
	return out.Key, out.Token, err
}

// APIKeys lists a user's keys.
func (c *Client) APIKeys(ctx context.Context, name string) ([]store.APIKey, error) {
	var out []store.APIKey
	return out, c.call(ctx, http.MethodGet, "users/"+url.PathEscape(name)+"/keys/", nil, nil, &out)
}

// RevokeAPIKey revokes a key.
func (c *Client) RevokeAPIKey(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodDelete, "keys/"+url.PathEscape(id)+"/", nil, nil, nil)
}

// Import streams r to the server. With progress, the objects are counted
// as they are sent, and progress is called every thousand, as the batches
// of an offline import are, then with the server's final counts.
func (c *Client) Import(ctx context.Context, ref, _ string, r io.Reader, progress func(ImportProgress)) (ImportResult, error) {
	var out ImportResult
	if progress != nil {
		counted, stop := countObjects(r, progress)
		defer stop()
		r = counted
	}
	res, err := c.send(ctx, http.MethodPost, "collection/import/", refQuery(ref), r)
	if err != nil {
		return out, err
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return out, err
	}
	if progress != nil {
		progress(out.ImportProgress) // the server's counts, failures included
	}
	return out, nil
}

// importBatch is the batch size of an offline import (New's default),
// the interval of its progress reports.
const importBatch = 1000

// countObjects returns a reader of r that counts the objects of the STIX
// bundle or TAXII envelope going through it, in another goroutine, and
// calls progress every importBatch objects; stop ends the counting, after
// which progress is not called. The server reports what it makes of the
// stream: a malformed one only stops the count.
func countObjects(r io.Reader, progress func(ImportProgress)) (io.Reader, func()) {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		in := stix.NewEnvelopeReader(pr)
		for n := 1; ; n++ {
			if _, err := in.Next(); err != nil {
				break
			}
			if n%importBatch == 0 {
				progress(ImportProgress{Objects: n, Elapsed: time.Since(start)})
			}
		}
		io.Copy(io.Discard, pr) // the sender must never wait for the count
	}()
	return io.TeeReader(r, pw), func() {
		pw.Close()
		<-done
	}
}

// Export streams the server's export to w and returns the object count.
func (c *Client) Export(ctx context.Context, ref string, o ExportOptions, w io.Writer) (int, error) {
	q := refQuery(ref, "all_versions", strconv.FormatBool(o.AllVersions), "envelope", strconv.FormatBool(o.Envelope))
	if !o.AddedAfter.IsZero() {
		q.Set("added_after", o.AddedAfter.UTC().Format(time.RFC3339Nano))
	}
	for _, t := range o.Types {
		q.Add("type", t)
	}
	res, err := c.send(ctx, http.MethodGet, "collection/export/", q, nil)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	cw := &lineCounter{w: w}
	if _, err := io.Copy(cw, res.Body); err != nil {
		return 0, err
	}
	// The export writes one object per line between the header and footer.
	return max(cw.lines-2, 0), nil
}

type lineCounter struct {
	w     io.Writer
	lines int
}

func (l *lineCounter) Write(p []byte) (int, error) {
	l.lines += bytes.Count(p, []byte{'\n'})
	return l.w.Write(p)
}

// DeleteObject deletes versions of an object.
func (c *Client) DeleteObject(ctx context.Context, ref, id, version string) (int, error) {
	var out struct {
		Deleted int `json:"deleted"`
	}
	err := c.call(ctx, http.MethodDelete, "collection/object/", refQuery(ref, "id", id, "version", version), nil, &out)
	return out.Deleted, err
}

// RevokeObject revokes an object.
func (c *Client) RevokeObject(ctx context.Context, ref, _, id string) (store.Status, error) {
	var out store.Status
	return out, c.call(ctx, http.MethodPost, "collection/revoke/", refQuery(ref, "id", id), nil, &out)
}

// Stats returns the server's statistics.
func (c *Client) Stats(ctx context.Context) (Stats, error) {
	var out Stats
	return out, c.call(ctx, http.MethodGet, "stats/", nil, nil, &out)
}

// Audit lists the server's audit entries.
func (c *Client) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	query := url.Values{}
	if !q.Since.IsZero() {
		query.Set("since", q.Since.UTC().Format(time.RFC3339Nano))
	}
	if q.User != "" {
		query.Set("user", q.User)
	}
	if q.Limit > 0 {
		query.Set("limit", strconv.Itoa(q.Limit))
	}
	var out []store.AuditEntry
	return out, c.call(ctx, http.MethodGet, "audit/", query, nil, &out)
}

// Consumers lists what consumers did with a collection (every one when
// ref is empty).
func (c *Client) Consumers(ctx context.Context, ref string) ([]ConsumerInfo, error) {
	var query url.Values
	if ref != "" {
		query = refQuery(ref)
	}
	var out []ConsumerInfo
	return out, c.call(ctx, http.MethodGet, "consumers/", query, nil, &out)
}

// Backup streams a snapshot of the server's database to w.
func (c *Client) Backup(ctx context.Context, w io.Writer) (int64, error) {
	res, err := c.send(ctx, http.MethodGet, "backup/", nil, nil)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	return io.Copy(w, res.Body)
}
