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

// DecodeEnvelope returns the objects of a TAXII envelope ({"objects":[...]},
// TAXII 2.1 §3.7) or of a STIX bundle ({"type":"bundle","id":...,
// "objects":[...]}, STIX 2.1 §8), which TAXII 2.0-era clients still post.
// The objects are returned undecoded. The error wraps ErrBadEnvelope and says
// what is wrong in words a client author can act on.
func DecodeEnvelope(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, fmt.Errorf("%w: the request body is empty; send an envelope {\"objects\":[...]}", ErrBadEnvelope)
	}
	if body[0] != '{' {
		return nil, fmt.Errorf("%w: the request body is not a JSON object; send an envelope {\"objects\":[...]}", ErrBadEnvelope)
	}
	var env struct {
		Type    json.RawMessage `json:"type"`
		Objects json.RawMessage `json:"objects"`
	}
	if err := strictUnmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: the request body is not valid JSON: %v", ErrBadEnvelope, err)
	}
	if env.Type != nil {
		var t string
		if json.Unmarshal(env.Type, &t) != nil || t != "bundle" {
			return nil, fmt.Errorf("%w: the body is a single STIX object, not an envelope; wrap it as {\"objects\":[...]}", ErrBadEnvelope)
		}
	}
	if env.Objects == nil || bytes.Equal(env.Objects, []byte("null")) {
		return nil, fmt.Errorf("%w: the envelope has no \"objects\" list", ErrBadEnvelope)
	}
	var objects []json.RawMessage
	if err := json.Unmarshal(env.Objects, &objects); err != nil {
		return nil, fmt.Errorf("%w: \"objects\" must be a list of STIX objects", ErrBadEnvelope)
	}
	if len(objects) == 0 {
		// TAXII 2.1 §2: lists must not be empty.
		return nil, fmt.Errorf("%w: \"objects\" is an empty list; send at least one object", ErrBadEnvelope)
	}
	return objects, nil
}

// strictUnmarshal decodes a whole JSON document and refuses trailing data,
// which json.Unmarshal already does; it exists to keep the error short.
func strictUnmarshal(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("%s at byte %d", se.Error(), se.Offset)
		}
		return err
	}
	return nil
}
