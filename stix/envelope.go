package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// The objects are returned undecoded. At most maxObjects are accepted (no
// limit when it is 0 or less); more returns ErrTooManyObjects as soon as the
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
	// The body is valid JSON: walk its top level, keeping the objects list
	// undecoded and stopping as soon as it holds too many.
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // {
		return nil, fmt.Errorf("%w: %v", ErrBadEnvelope, err)
	}
	var objects []json.RawMessage
	seenObjects := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadEnvelope, err)
		}
		switch key, _ := tok.(string); key {
		case "objects":
			if seenObjects {
				return nil, fmt.Errorf("%w: \"objects\" appears twice", ErrBadEnvelope)
			}
			seenObjects = true
			if objects, err = decodeObjects(dec, maxObjects); err != nil {
				return nil, err
			}
		case "type":
			var t any
			if err := dec.Decode(&t); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrBadEnvelope, err)
			}
			if t != "bundle" {
				return nil, fmt.Errorf("%w: the body is a single STIX object, not an envelope; wrap it as {\"objects\":[...]}", ErrBadEnvelope)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrBadEnvelope, err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // }
		return nil, fmt.Errorf("%w: %v", ErrBadEnvelope, err)
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

// decodeObjects reads the value of "objects": a list of JSON values.
func decodeObjects(dec *json.Decoder, maxObjects int) ([]json.RawMessage, error) {
	tok, err := dec.Token()
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%w: %v", ErrBadEnvelope, err)
	}
	if tok != json.Delim('[') {
		if d, ok := tok.(json.Delim); ok && d == '{' {
			return nil, fmt.Errorf("%w: \"objects\" must be a list of STIX objects", ErrBadEnvelope)
		}
		if tok == nil {
			return nil, fmt.Errorf("%w: the envelope has no \"objects\" list", ErrBadEnvelope)
		}
		return nil, fmt.Errorf("%w: \"objects\" must be a list of STIX objects", ErrBadEnvelope)
	}
	var objects []json.RawMessage
	for dec.More() {
		if maxObjects > 0 && len(objects) == maxObjects {
			return nil, fmt.Errorf("%w: the envelope holds more than %d objects; split it", ErrTooManyObjects, maxObjects)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadEnvelope, err)
		}
		objects = append(objects, raw)
	}
	if _, err := dec.Token(); err != nil { // ]
		return nil, fmt.Errorf("%w: %v", ErrBadEnvelope, err)
	}
	return objects, nil
}
