// Package bench measures a TAXII 2.1 server over HTTP: ingest, walks by
// next or added_after, polls at random positions and tailing. Its client
// reads pages with a scan that finds more, next and the objects' ids
// without decoding the objects, so that the client does not bottleneck
// the measure.
package bench

import (
	"errors"
	"fmt"
	"strconv"
)

// page is what a walk needs of a page: whether there is more, the next
// token, and each object's id (slices of the body).
type page struct {
	More  bool
	Next  string
	IDs   [][]byte
	Dates [][]byte // the date_added of manifest entries
}

var errPage = errors.New("not a TAXII page")

// scanPage reads a TAXII envelope or manifest body in one pass.
func scanPage(b []byte) (page, error) {
	s := scanner{b: b}
	var p page
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "more":
			v, err := s.literal()
			p.More = v == "true"
			return err
		case "next":
			v, err := s.str()
			p.Next = string(v)
			return err
		case "objects":
			return s.array(func() error {
				return s.object(func(key []byte) error {
					switch string(key) {
					case "id":
						v, err := s.str()
						p.IDs = append(p.IDs, v)
						return err
					case "date_added":
						v, err := s.str()
						p.Dates = append(p.Dates, v)
						return err
					}
					return s.skip()
				})
			})
		}
		return s.skip()
	})
	if err != nil {
		return page{}, err
	}
	return p, nil
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) fail(what string) error {
	return fmt.Errorf("%w: %s at byte %d", errPage, what, s.i)
}

func (s *scanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *scanner) expect(c byte) error {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != c {
		return s.fail("expected " + strconv.QuoteRune(rune(c)))
	}
	s.i++
	return nil
}

// object reads {"key": value, ...}, calling member for each key with the
// scanner at the value.
func (s *scanner) object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.fail("unterminated object")
		}
		if s.b[s.i] == '}' {
			s.i++
			return nil
		}
		if s.b[s.i] != ',' {
			return s.fail("expected ',' or '}'")
		}
		s.i++
	}
}

// array reads [value, ...], calling elem with the scanner at each value.
func (s *scanner) array(elem func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.fail("unterminated list")
		}
		if s.b[s.i] == ']' {
			s.i++
			return nil
		}
		if s.b[s.i] != ',' {
			return s.fail("expected ',' or ']'")
		}
		s.i++
	}
}

// str reads a string and returns its raw content (ids and tokens carry no
// escapes; an escaped string is returned as written).
func (s *scanner) str() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			v := s.b[start:s.i]
			s.i++
			return v, nil
		}
		s.i++
	}
	return nil, s.fail("unterminated string")
}

// literal reads true, false, null or a number.
func (s *scanner) literal() (string, error) {
	s.ws()
	start := s.i
	for s.i < len(s.b) && s.b[s.i] != ',' && s.b[s.i] != '}' && s.b[s.i] != ']' && s.b[s.i] != ' ' && s.b[s.i] != '\n' {
		s.i++
	}
	if s.i == start {
		return "", s.fail("expected a value")
	}
	return string(s.b[start:s.i]), nil
}

// skip passes over one value of any kind.
func (s *scanner) skip() error {
	s.ws()
	if s.i >= len(s.b) {
		return s.fail("expected a value")
	}
	switch s.b[s.i] {
	case '"':
		_, err := s.str()
		return err
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if _, err := s.str(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return nil
				}
			}
			s.i++
		}
		return s.fail("unterminated value")
	}
	_, err := s.literal()
	return err
}
