package taxii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// cursor is the state a next token carries: where the previous page ended
// and the query it belongs to. It is sealed, so the server keeps no paging
// state and a client can neither read nor forge or alter a position or
// filter (TAXII 2.1 Appendix B: next MUST NOT be trusted blindly).
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

const cursorVersion = 2

var errBadCursor = errors.New("bad cursor")

// A token is sealed, not only signed: the position is a date_added,
// which may be a version hidden from the client by its markings (a page
// the scan limit cut short ends on whatever was scanned last), and the
// filter and principal are nobody else's business. AES-256-GCM with a
// synthetic nonce (HMAC of the payload): the same cursor makes the same
// token, so a token is accepted only if this server could have issued it.
const nonceLen = 12

// cursorKeys derives the sealing and nonce keys from the server's cursor
// secret.
func cursorKeys(secret []byte) (cipher.AEAD, []byte) {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("liaison cursor sealing key"))
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead, derive("liaison cursor nonce key")
}

func syntheticNonce(nonceKey, payload []byte) []byte {
	m := hmac.New(sha256.New, nonceKey)
	m.Write(payload)
	return m.Sum(nil)[:nonceLen]
}

// encodeCursor returns the token for c: base64url(nonce, sealed JSON).
func encodeCursor(key []byte, c cursor) string {
	c.Version = cursorVersion
	payload, _ := json.Marshal(c)
	aead, nonceKey := cursorKeys(key)
	nonce := syntheticNonce(nonceKey, payload)
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, payload, nil))
}

// decodeCursor opens and decodes a token. Any token not made with key,
// altered, truncated or of another format returns errBadCursor.
func decodeCursor(key []byte, token string) (cursor, error) {
	var c cursor
	// Strict decoding, and no line breaks (which the decoder skips): one
	// cursor has exactly one token.
	if len(token) > 64<<10 || strings.ContainsAny(token, "\r\n") {
		return c, errBadCursor
	}
	sealed, err := base64.RawURLEncoding.Strict().DecodeString(token)
	aead, nonceKey := cursorKeys(key)
	if err != nil || len(sealed) < nonceLen+aead.Overhead() {
		return c, errBadCursor
	}
	nonce := sealed[:nonceLen]
	payload, err := aead.Open(nil, nonce, sealed[nonceLen:], nil)
	if err != nil || !hmac.Equal(syntheticNonce(nonceKey, payload), nonce) {
		return c, errBadCursor
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.Version != cursorVersion {
		return cursor{}, errBadCursor
	}
	return c, nil
}
