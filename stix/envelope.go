package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrBadEnvelope is returned when a request body is not a TAXII envelope or a
// STIX bundle.
var ErrBadEnvelope = errors.New("bad envelope")

// ErrTooManyObjects is returned when an envelope holds more objects than
// the caller allows.
var ErrTooManyObjects = errors.New("too many objects")

// DecodeEnvelope returns the objects of a TAXII envelope ({"objects":[...]},
// TAXII 2.1 §3.7) or of a STIX bundle ({"type":"bundle","id":...,
// "objects":[...]}, STIX 2.1 §8), which TAXII 2.0-era clients still post.
// The objects are returned undecoded, as slices of body, which must not
// change while they are used. At most maxObjects are accepted (no limit
// when it is 0 or less); more returns ErrTooManyObjects as soon as the
// limit is passed. Any other error wraps ErrBadEnvelope and says what is
// wrong in words a client author can act on.
func DecodeEnvelope(body []byte, maxObjects int) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, fmt.Errorf("%w: the request body is empty; send an envelope {\"objects\":[...]}", ErrBadEnvelope)
	}
	if body[0] != '{' {
		return nil, fmt.Errorf("%w: the request body is not a JSON object; send an envelope {\"objects\":[...]}", ErrBadEnvelope)
	}
	if !json.Valid(body) {
		var v any
		err := json.Unmarshal(body, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%w: the request body is not valid JSON: %v at byte %d", ErrBadEnvelope, se, se.Offset)
		}
		return nil, fmt.Errorf("%w: the request body is not valid JSON", ErrBadEnvelope)
	}
	// The body is valid JSON: walk its top level, keeping the objects as
	// slices of it (a decoder would copy each, and buffer the body again)
	// and stopping as soon as there are too many.
	var objects []json.RawMessage
	seenObjects := false
	for i := 1; ; {
		i = skipSpace(body, i)
		if body[i] == '}' {
			break
		}
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		end := skipValue(body, i)
		var key string
		if err := json.Unmarshal(body[i:end], &key); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadEnvelope, err)
		}
		i = skipSpace(body, skipSpace(body, end)+1) // past the colon
		end = skipValue(body, i)
		switch value := body[i:end]; key {
		case "objects":
			if seenObjects {
				return nil, fmt.Errorf("%w: \"objects\" appears twice", ErrBadEnvelope)
			}
			seenObjects = true
			var err error
			if objects, err = splitObjects(value, maxObjects); err != nil {
				return nil, err
			}
		case "type":
			var t any
			if err := json.Unmarshal(value, &t); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrBadEnvelope, err)
			}
			if t != "bundle" {
				return nil, fmt.Errorf("%w: the body is a single STIX object, not an envelope; wrap it as {\"objects\":[...]}", ErrBadEnvelope)
			}
		}
		i = end
	}
	if !seenObjects {
		return nil, fmt.Errorf("%w: the envelope has no \"objects\" list", ErrBadEnvelope)
	}
	if len(objects) == 0 {
		// TAXII 2.1 §2: lists must not be empty.
		return nil, fmt.Errorf("%w: \"objects\" is an empty list; send at least one object", ErrBadEnvelope)
	}
	return objects, nil
}

// splitObjects returns the elements of the value of "objects", valid
// JSON, as slices of it.
func splitObjects(value []byte, maxObjects int) ([]json.RawMessage, error) {
	switch value[0] {
	case '[':
	case 'n': // null
		return nil, fmt.Errorf("%w: the envelope has no \"objects\" list", ErrBadEnvelope)
	default:
		return nil, fmt.Errorf("%w: \"objects\" must be a list of STIX objects", ErrBadEnvelope)
	}
	var objects []json.RawMessage
	for i := skipSpace(value, 1); value[i] != ']'; {
		if value[i] == ',' {
			i = skipSpace(value, i+1)
		}
		if maxObjects > 0 && len(objects) == maxObjects {
			return nil, fmt.Errorf("%w: the envelope holds more than %d objects; split it", ErrTooManyObjects, maxObjects)
		}
		end := skipValue(value, i)
		objects = append(objects, value[i:end:end])
		i = skipSpace(value, end)
	}
	return objects, nil
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value at i, in bytes
// already known to be valid JSON: only strings and brackets matter.
func skipValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 { // the end of the enclosing value
				return i
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}
