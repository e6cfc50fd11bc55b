package stix

import (
	"encoding/json"
	"unicode/utf16"
	"unicode/utf8"
)

// tree.go decodes an object the scan accepted into the tree the schemas
// and rules are checked on: the value encoding/json's Decoder with
// UseNumber gives (map[string]any, []any, string, json.Number, bool, nil),
// built directly from the bytes, which the scan has already found to be
// valid JSON. The Decoder would check the syntax a second time, buffer the
// object again and find each type by reflection; this is a third of the
// CPU time a posted object costs before the schemas.

// maxTreeDepth is encoding/json's nesting limit: deeper input is left to
// the Decoder, so that its error is the one reported.
const maxTreeDepth = 10000

// decodeTree returns the value of b, which must be valid JSON, as
// encoding/json decodes it with UseNumber; ok is false for input nested
// deeper than encoding/json accepts.
func decodeTree(b []byte) (v any, ok bool) {
	d := treeDecoder{b: b}
	v = d.value(0)
	return v, !d.tooDeep
}

// decodeTreeObject is decodeTree for a JSON object; nil when decodeTree
// cannot build it.
func decodeTreeObject(b []byte) map[string]any {
	v, ok := decodeTree(b)
	if !ok {
		return nil
	}
	m, _ := v.(map[string]any)
	return m
}

type treeDecoder struct {
	b       []byte
	i       int
	tooDeep bool
}

func (d *treeDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value decodes the value at d.i (after spaces) and moves past it.
func (d *treeDecoder) value(depth int) any {
	d.space()
	if d.i >= len(d.b) || d.tooDeep {
		return nil
	}
	switch c := d.b[d.i]; c {
	case '{':
		if depth++; depth > maxTreeDepth {
			d.tooDeep = true
			return nil
		}
		d.i++
		m := map[string]any{}
		d.space()
		if d.i < len(d.b) && d.b[d.i] == '}' {
			d.i++
			return m
		}
		for d.i < len(d.b) && !d.tooDeep {
			d.space()
			k := d.str()
			d.space()
			d.i++ // the colon
			m[k] = d.value(depth)
			d.space()
			if d.i >= len(d.b) {
				break
			}
			c := d.b[d.i]
			d.i++
			if c == '}' {
				break
			}
		}
		return m
	case '[':
		if depth++; depth > maxTreeDepth {
			d.tooDeep = true
			return nil
		}
		d.i++
		l := []any{}
		d.space()
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			return l
		}
		for d.i < len(d.b) && !d.tooDeep {
			l = append(l, d.value(depth))
			d.space()
			if d.i >= len(d.b) {
				break
			}
			c := d.b[d.i]
			d.i++
			if c == ']' {
				break
			}
		}
		return l
	case '"':
		return d.str()
	case 't':
		d.i += len("true")
		return true
	case 'f':
		d.i += len("false")
		return false
	case 'n':
		d.i += len("null")
		return nil
	default:
		start := d.i
		for d.i < len(d.b) {
			switch d.b[d.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return json.Number(d.b[start:d.i])
			}
			d.i++
		}
		return json.Number(d.b[start:d.i])
	}
}

// str decodes the string at d.i and moves past it.
func (d *treeDecoder) str() string {
	start := d.i + 1
	i := start
	for i < len(d.b) && d.b[i] != '"' && d.b[i] != '\\' && d.b[i] < utf8.RuneSelf {
		i++
	}
	if i < len(d.b) && d.b[i] == '"' {
		d.i = i + 1
		return string(d.b[start:i])
	}
	// Escapes or text beyond ASCII: find the end, then decode.
	for i < len(d.b) && d.b[i] != '"' {
		if d.b[i] == '\\' {
			i++
		}
		i++
	}
	d.i = min(i+1, len(d.b))
	s := d.b[start:min(i, len(d.b))]
	if !hasByte(s, '\\') && utf8.Valid(s) {
		return string(s)
	}
	return unescape(s)
}

func hasByte(s []byte, c byte) bool {
	for _, b := range s {
		if b == c {
			return true
		}
	}
	return false
}

// unescape decodes the inside of a JSON string as encoding/json does:
// escapes resolved, a UTF-16 surrogate without its pair and bytes that are
// not UTF-8 replaced by U+FFFD.
func unescape(s []byte) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r := hex4rune(s, i+1)
				i += 4
				if utf16.IsSurrogate(r) {
					if i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
						if dec := utf16.DecodeRune(r, hex4rune(s, i+3)); dec != utf8.RuneError {
							out = utf8.AppendRune(out, dec)
							i += 7
							continue
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			}
			i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, s[i:i+size]...)
			}
			i += size
		}
	}
	return string(out)
}

// hex4rune reads the four hexadecimal digits at s[i:]; -1 when they are
// not there.
func hex4rune(s []byte, i int) rune {
	if i+4 > len(s) {
		return -1
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
