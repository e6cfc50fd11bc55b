package taxii

import (
	"mime"
	"strconv"
	"strings"
)

// MediaType is the media type of every TAXII 2.1 request and response body
// (TAXII 2.1 §1.6.8). Responses always carry it exactly like this, errors
// included.
const MediaType = "application/taxii+json;version=2.1"

const (
	taxiiType   = "application/taxii+json"
	taxiiVer    = "2.1"
	acceptHint  = "send Accept: " + MediaType
	contentHint = "send Content-Type: " + MediaType
)

// Acceptable reports whether an Accept header value admits a TAXII 2.1
// response. It accepts application/taxii+json with version 2.1 or without a
// version (TAXII 2.1 §1.6.8.2: the latest version), and the wildcards
// */*, application/* and application/json, which generic HTTP clients send;
// q-values and spacing are tolerated, and a range with q=0 refuses. An
// absent header accepts anything (RFC 9110 §12.5.1). Anything else, such as
// TAXII 2.0's application/vnd.oasis.taxii+json;version=2.0 or text/html, is
// not acceptable.
func Acceptable(header string) bool {
	if strings.TrimSpace(header) == "" {
		return true
	}
	for _, r := range splitList(header) {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(r))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			// RFC 9110 §12.4.2: a qvalue is 0 to 1 with at most three
			// decimals; 0 means "not acceptable".
			if f, err := strconv.ParseFloat(q, 64); err != nil || !(f > 0 && f <= 1) || len(q) > 5 {
				continue
			}
		}
		switch mt {
		case taxiiType:
			if v, ok := params["version"]; !ok || v == taxiiVer {
				return true
			}
		case "*/*", "application/*", "application/json":
			return true
		}
	}
	return false
}

// ContentTypeOK reports whether a request's Content-Type is the TAXII 2.1
// media type, with version 2.1 or none.
func ContentTypeOK(header string) bool {
	mt, params, err := mime.ParseMediaType(header)
	if err != nil || mt != taxiiType {
		return false
	}
	v, ok := params["version"]
	return !ok || v == taxiiVer
}

// splitList splits a header value at the commas that separate its
// elements, not those inside quoted parameter values (RFC 9110 §5.6.1).
func splitList(s string) []string {
	var out []string
	start, quoted, escaped := 0, false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
