package taxii

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// cursor is the state a next token carries: where the previous page ended
// and the query it belongs to. It is signed, so the server keeps no paging
// state and a client cannot forge or alter a position or filter (TAXII 2.1
// Appendix B: next MUST NOT be trusted blindly).
type cursor struct {
	Version    int    `json:"v"`
	Collection string `json:"c"`
	Endpoint   string `json:"e"`           // objects, manifest, object or versions
	Object     string `json:"o,omitempty"` // the object of the object and versions endpoints
	Principal  string `json:"p"`
	// Filter is the query's filter; for a filter too long to carry,
	// FilterHash binds the cursor to it instead.
	Filter     *filter `json:"f,omitempty"`
	FilterHash string  `json:"fh,omitempty"`
	Position   uint64  `json:"pos"` // date_added of the last item served, unix microseconds
}

const (
	cursorVersion = 1
	macLen        = 16
)

var errBadCursor = errors.New("bad cursor")

// encodeCursor returns the token for c: base64url(JSON) "." base64url(MAC).
func encodeCursor(key []byte, c cursor) string {
	c.Version = cursorVersion
	payload, _ := json.Marshal(c)
	mac := hmac.New(sha256.New, key)
	mac.Write(payload)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:macLen])
}

// decodeCursor verifies and decodes a token. Any token not made with key,
// altered, truncated or of another format returns errBadCursor.
func decodeCursor(key []byte, token string) (cursor, error) {
	var c cursor
	p, m, ok := bytes.Cut([]byte(token), []byte("."))
	// Strict decoding, and no line breaks (which the decoder skips): one
	// cursor has exactly one token.
	if !ok || len(token) > 64<<10 || strings.ContainsAny(token, "\r\n") {
		return c, errBadCursor
	}
	b64 := base64.RawURLEncoding.Strict()
	payload, err1 := b64.DecodeString(string(p))
	sum, err2 := b64.DecodeString(string(m))
	if err1 != nil || err2 != nil || len(sum) != macLen {
		return c, errBadCursor
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(payload)
	if !hmac.Equal(mac.Sum(nil)[:macLen], sum) {
		return c, errBadCursor
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.Version != cursorVersion {
		return cursor{}, errBadCursor
	}
	return c, nil
}
