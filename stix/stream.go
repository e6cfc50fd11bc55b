package stix

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// EnvelopeReader reads the objects of a TAXII envelope or STIX bundle one by
// one from a stream, so that a file of any size is read in bounded memory.
// Top-level members other than "objects" are skipped; "type", when
// present, must be "bundle".
type EnvelopeReader struct {
	dec     *json.Decoder
	started bool
	done    bool
	index   int
}

// NewEnvelopeReader returns a reader of the objects in r.
func NewEnvelopeReader(r io.Reader) *EnvelopeReader {
	return &EnvelopeReader{dec: json.NewDecoder(r)}
}

// Next returns the next object, undecoded, or io.EOF after the last one.
// Other errors wrap ErrBadEnvelope and name the position.
func (e *EnvelopeReader) Next() (json.RawMessage, error) {
	if e.done {
		return nil, io.EOF
	}
	if !e.started {
		e.started = true
		if err := e.seekObjects(); err != nil {
			e.done = true
			return nil, err
		}
	}
	if !e.dec.More() {
		e.done = true
		if _, err := e.dec.Token(); err != nil { // ]
			return nil, e.bad(err)
		}
		return nil, io.EOF
	}
	var raw json.RawMessage
	if err := e.dec.Decode(&raw); err != nil {
		e.done = true
		return nil, fmt.Errorf("%w: objects[%d]: %v", ErrBadEnvelope, e.index, err)
	}
	e.index++
	return raw, nil
}

// seekObjects reads up to the opening bracket of "objects".
func (e *EnvelopeReader) seekObjects() error {
	tok, err := e.dec.Token()
	if err != nil {
		return e.bad(err)
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("%w: not a JSON object; expected a bundle or an envelope {\"objects\":[...]}", ErrBadEnvelope)
	}
	for e.dec.More() {
		tok, err := e.dec.Token()
		if err != nil {
			return e.bad(err)
		}
		switch tok {
		case "objects":
			tok, err := e.dec.Token()
			if err != nil {
				return e.bad(err)
			}
			if tok != json.Delim('[') {
				return fmt.Errorf("%w: \"objects\" must be a list of STIX objects", ErrBadEnvelope)
			}
			return nil
		case "type":
			var t any
			if err := e.dec.Decode(&t); err != nil {
				return e.bad(err)
			}
			if t != "bundle" {
				return fmt.Errorf("%w: a single STIX object, not a bundle or an envelope", ErrBadEnvelope)
			}
		default:
			var skip json.RawMessage
			if err := e.dec.Decode(&skip); err != nil {
				return e.bad(err)
			}
		}
	}
	return fmt.Errorf("%w: no \"objects\" list", ErrBadEnvelope)
}

func (e *EnvelopeReader) bad(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: the input ends too early", ErrBadEnvelope)
	}
	return fmt.Errorf("%w: %v", ErrBadEnvelope, err)
}
