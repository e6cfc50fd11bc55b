package stix

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// scan.go walks the bytes of one posted object once, before anything is
// decoded, and refuses what a decoder would silently change or what would
// cost the server more than the object is worth. It keeps no copy of the
// object: its state is one frame per level of nesting.

// Limits bound the work one object can make the server do, whatever its
// size: the scan refuses an object beyond them before it is decoded, with a
// per-object failure naming the limit. A zero field sets no limit.
type Limits struct {
	// MaxDepth is how deeply lists and objects may nest, the object
	// itself being level 1. Decoders, the schema validator and the rules
	// all recurse.
	MaxDepth int
	// MaxElements is how many elements one list, or members one JSON
	// object, may have.
	MaxElements int
	// MaxStringBytes is how long one string or property name may be,
	// decoded, in bytes.
	MaxStringBytes int
	// MaxValues is how many JSON values (strings, numbers, booleans,
	// nulls, lists and objects, at every depth) one object may hold. It
	// bounds the decoded tree the schemas are checked on, which costs some
	// 200 bytes of allocations a value, however few bytes the value is
	// written in.
	MaxValues int
}

// The default limits, far beyond what STIX objects need: the deepest
// nesting the specification defines is some 5 levels (an extension's list
// of objects holding a dictionary); its longest lists are references (a
// report's object_refs, thousands in large feeds); its longest strings are
// base64 artifacts, for which it offers url instead. MaxValues leaves room
// for a full list besides the rest of the object, and keeps the decoded
// tree of the largest acceptable object near 20 MB (200 MB if every value
// of it is wrong: schema errors are costly) while MITRE ATT&CK's largest
// object, the x-mitre-collection index of tens of thousands of values,
// fits.
const (
	DefaultMaxDepth       = 64
	DefaultMaxElements    = 100_000
	DefaultMaxStringBytes = 1 << 20
	DefaultMaxValues      = 150_000
)

// DefaultLimits returns the default limits.
func DefaultLimits() Limits {
	return Limits{MaxDepth: DefaultMaxDepth, MaxElements: DefaultMaxElements, MaxStringBytes: DefaultMaxStringBytes, MaxValues: DefaultMaxValues}
}

// errScanSyntax is returned by scanObject for bytes that are not JSON;
// errScanNotObject for JSON that is not an object.
var (
	errScanSyntax    = errors.New("not valid JSON")
	errScanNotObject = errors.New("not a JSON object")
)

// The top-level properties the server indexes, as the scan finds them.
const (
	topID = iota
	topType
	topCreated
	topModified
	topSpecVersion
	topObjectMarkingRefs
	topGranularMarkings
	topCreatedByRef
	numTop
)

var topNames = [numTop]string{"id", "type", "created", "modified", "spec_version", "object_marking_refs", "granular_markings", "created_by_ref"}

// scanProp is where one indexed top-level property's value lies in the
// object.
type scanProp struct {
	present    bool
	first      byte // the value's first byte: '"' for a string
	start, end int  // the value's bytes, quotes included
	escaped    bool // the string has escapes, so it must be decoded
	bad        bool // a problem was found inside it
}

// text returns the value of a string property, decoded as encoding/json
// would (bytes that are not UTF-8 become U+FFFD), and whether it is one.
func (p scanProp) text(b []byte) (string, bool) {
	if !p.present || p.first != '"' {
		return "", false
	}
	raw := b[p.start+1 : p.end-1]
	if !p.escaped && utf8.Valid(raw) {
		return string(raw), true
	}
	var s string
	if err := json.Unmarshal(b[p.start:p.end], &s); err != nil {
		return "", false
	}
	return s, true
}

// scanFrame is one open list or object.
type scanFrame struct {
	object bool
	n      int // members or elements begun so far
	// The member being read, for paths in messages.
	keyStart, keyEnd int
	keyEscaped       bool
}

// scanner is the state of one scan.
type scanner struct {
	b   []byte
	i   int
	lim Limits
	// kinds says, for each open list (false) or object (true), which it
	// is: one byte a level, however deep the input. stack has the
	// details of the first levels, up to the depth limit.
	kinds        []bool
	stack        []scanFrame
	values       int      // values begun so far
	problem      *Problem // the first problem found; the scan goes on to find the top-level properties
	problemClass string
	top          [numTop]scanProp
	current      int // the top-level property whose value is being read, or -1
	// lastEscaped says whether the string just scanned has escapes.
	lastEscaped bool
	// spaced says whether white space was found outside strings: whether
	// compacting would change the object.
	spaced bool
	// names holds the member names seen in each open object, by depth;
	// they are kept across objects to be reused.
	names []scanNames
}

// scanNames is the set of member names of one object: a list while it is
// short, a map beyond.
type scanNames struct {
	list [][]byte
	set  map[string]struct{}
}

// scanNamesListMax is how many names are compared one by one before a map
// is worth its allocations.
const scanNamesListMax = 16

// scanResult is what a scan finds.
type scanResult struct {
	top          [numTop]scanProp // the indexed top-level properties
	problem      *Problem         // the first problem that makes the object unacceptable
	problemClass string           // its class
	values       int              // the JSON values in the object, itself included
	compact      bool             // no white space outside strings: compact JSON already
}

// scanObject scans raw, which must hold one JSON object, or returns an
// error when raw is not a JSON object at all.
func scanObject(raw []byte, lim Limits) (scanResult, error) {
	s := scanner{b: raw, lim: lim, current: -1}
	s.skipWhitespace()
	if s.i >= len(raw) || raw[s.i] != '{' {
		return scanResult{}, errScanNotObject
	}
	if err := s.run(); err != nil {
		return scanResult{}, err
	}
	return scanResult{top: s.top, problem: s.problem, problemClass: s.problemClass, values: s.values, compact: !s.spaced}, nil
}

// run walks the value at s.i and everything after it, which may only be
// spaces.
func (s *scanner) run() error {
	b := s.b
	for {
		s.skipWhitespace()
		if s.i >= len(b) {
			return errScanSyntax
		}
		s.valueStart()
		switch c := b[s.i]; c {
		case '{', '[':
			s.open(c == '{')
			s.i++
			s.skipWhitespace()
			if s.i < len(b) && (c == '{' && b[s.i] == '}' || c == '[' && b[s.i] == ']') {
				s.i++
				s.close()
				break
			}
			if err := s.next(); err != nil {
				return err
			}
			continue
		case '"':
			if err := s.str(false, s.lim.MaxStringBytes); err != nil {
				return err
			}
			s.valueEnd()
		case 't':
			if err := s.literal("true"); err != nil {
				return err
			}
			s.valueEnd()
		case 'f':
			if err := s.literal("false"); err != nil {
				return err
			}
			s.valueEnd()
		case 'n':
			if err := s.literal("null"); err != nil {
				return err
			}
			s.valueEnd()
		default:
			if err := s.number(); err != nil {
				return err
			}
			s.valueEnd()
		}
		// A value ended: close the lists and objects it ends, then move to
		// the next member or element.
		for {
			if len(s.kinds) == 0 {
				s.skipWhitespace()
				if s.i != len(b) {
					return errScanSyntax
				}
				return nil
			}
			s.skipWhitespace()
			if s.i >= len(b) {
				return errScanSyntax
			}
			object := s.kinds[len(s.kinds)-1]
			c := b[s.i]
			if c == ',' {
				s.i++
				if err := s.next(); err != nil {
					return err
				}
				break
			}
			if object && c == '}' || !object && c == ']' {
				s.i++
				s.close()
				continue
			}
			return errScanSyntax
		}
	}
}

// next begins the next member (its name and colon) or element of the
// innermost list or object.
func (s *scanner) next() error {
	object := s.kinds[len(s.kinds)-1]
	framed := len(s.kinds) == len(s.stack)
	if framed {
		f := &s.stack[len(s.stack)-1]
		f.n++
		if max := s.lim.MaxElements; max > 0 && f.n > max && s.problem == nil {
			what := "list of more than %d elements exceeds the limit of %d elements per list"
			if object {
				what = "JSON object of more than %d members exceeds the limit of %d members per object"
			}
			s.fail(ClassLimit, s.path(len(s.stack)-1), "a "+fmt.Sprintf(what, max, max))
		}
	}
	if !object {
		return nil
	}
	s.skipWhitespace()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return errScanSyntax
	}
	start := s.i
	if err := s.str(true, s.lim.MaxStringBytes); err != nil {
		return err
	}
	if framed {
		f := &s.stack[len(s.stack)-1]
		f.keyStart, f.keyEnd = start, s.i
		f.keyEscaped = s.lastEscaped
		if s.problem == nil {
			s.addName()
		}
	}
	s.skipWhitespace()
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		return errScanSyntax
	}
	s.i++
	return nil
}

// resetNames empties the name set of the object just opened.
func (s *scanner) resetNames() {
	d := len(s.stack) - 1
	for len(s.names) <= d {
		s.names = append(s.names, scanNames{})
	}
	n := &s.names[d]
	n.list = n.list[:0]
	if n.set != nil {
		clear(n.set)
	}
}

// addName adds the name just read to its object's set. A name that is
// already there makes the object unacceptable: I-JSON forbids it (RFC 7493
// §2.3, which TAXII 2.1 §1.6.7 asks for), and clients disagree on which
// value counts, while the server would index one and serve both.
func (s *scanner) addName() {
	f := &s.stack[len(s.stack)-1]
	name := s.b[f.keyStart+1 : f.keyEnd-1]
	if f.keyEscaped {
		k, _ := scanProp{present: true, first: '"', start: f.keyStart, end: f.keyEnd, escaped: true}.text(s.b)
		name = []byte(k)
	}
	n := &s.names[len(s.stack)-1]
	seen := false
	switch {
	case n.set != nil && len(n.set) > 0:
		_, seen = n.set[string(name)]
		if !seen {
			n.set[string(name)] = struct{}{}
		}
	default:
		for _, m := range n.list {
			if string(m) == string(name) {
				seen = true
				break
			}
		}
		if seen {
			break
		}
		n.list = append(n.list, name)
		if len(n.list) > scanNamesListMax {
			if n.set == nil {
				n.set = make(map[string]struct{}, 2*scanNamesListMax)
			}
			for _, m := range n.list {
				n.set[string(m)] = struct{}{}
			}
			n.list = n.list[:0]
		}
	}
	if seen {
		s.fail(ClassEncoding, s.path(len(s.stack)), fmt.Sprintf("the name %q appears more than once in the same JSON object; names must be unique (RFC 7493 §2.3), or clients disagree on its value",
			truncate(strings.ToValidUTF8(string(name), "\uFFFD"))))
	}
}

// open begins a list or an object. Levels beyond the depth limit are
// only counted: the limit is a problem, and nothing else is checked after
// one.
func (s *scanner) open(object bool) {
	s.kinds = append(s.kinds, object)
	if len(s.kinds)-1 != len(s.stack) {
		return
	}
	if max := s.lim.MaxDepth; max > 0 && len(s.stack) == max {
		s.fail(ClassLimit, s.path(len(s.stack)), fmt.Sprintf("nesting exceeds the limit of %d levels of lists and objects", max))
		return
	}
	s.stack = append(s.stack, scanFrame{object: object})
	if object {
		s.resetNames()
	}
}

// close ends the innermost list or object.
func (s *scanner) close() {
	if len(s.kinds) == len(s.stack) {
		s.stack = s.stack[:len(s.stack)-1]
	}
	s.kinds = s.kinds[:len(s.kinds)-1]
	s.valueEnd()
}

// valueStart counts the value that begins, and notes where a top-level
// property's value begins.
func (s *scanner) valueStart() {
	s.values++
	if max := s.lim.MaxValues; max > 0 && s.values == max+1 {
		s.fail(ClassLimit, "", fmt.Sprintf("the object holds more than %d JSON values (strings, numbers, lists, objects...), the limit for one object", max))
	}
	if len(s.kinds) != 1 || len(s.stack) != 1 {
		return
	}
	s.current = -1
	f := &s.stack[0]
	key := s.b[f.keyStart+1 : f.keyEnd-1]
	if f.keyEscaped {
		k, _ := scanProp{present: true, first: '"', start: f.keyStart, end: f.keyEnd, escaped: true}.text(s.b)
		key = []byte(k)
	}
	for i, name := range topNames {
		if string(key) == name {
			s.current = i
			// A repeated name is a problem of its own; as for
			// encoding/json, the last value is the one the object is
			// named by.
			s.top[i] = scanProp{present: true, first: s.b[s.i], start: s.i}
			return
		}
	}
}

// valueEnd notes where a top-level property's value ends.
func (s *scanner) valueEnd() {
	if s.current < 0 || len(s.kinds) != 1 {
		return
	}
	p := &s.top[s.current]
	p.end = s.i
	p.escaped = p.first == '"' && s.lastEscaped
	s.current = -1
}

func (s *scanner) skipWhitespace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
			s.spaced = true
		default:
			return
		}
	}
}

func (s *scanner) literal(word string) error {
	if !strings.HasPrefix(string(s.b[s.i:min(len(s.b), s.i+len(word))]), word) {
		return errScanSyntax
	}
	s.i += len(word)
	return nil
}

// number scans a number as RFC 8259 §6 writes it.
func (s *scanner) number() error {
	b, i := s.b, s.i
	digits := func() bool {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return errScanSyntax
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return errScanSyntax
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return errScanSyntax
		}
	}
	s.i = i
	return nil
}

// str scans the string at s.i, a property name when key is true. Text that
// is not Unicode is a problem: bytes that are not UTF-8 (RFC 8259 §8.1) and
// escapes of unpaired UTF-16 surrogates (§8.2). TAXII 2.1 §1.6.7 asks for
// I-JSON (RFC 7493 §2.1), and a decoder would silently replace both.
func (s *scanner) str(key bool, max int) error {
	b := s.b
	i := s.i + 1
	s.lastEscaped = false
	// n counts the bytes of the decoded string, as escapes stand for 1 to
	// 4 of them; the limit is checked at the end, which costs nothing
	// more than the scan.
	n := 0
	for {
		if i >= len(b) {
			return errScanSyntax
		}
		c := b[i]
		switch {
		case c == '"':
			s.i = i + 1
			if max > 0 && n > max && s.problem == nil {
				if key {
					s.fail(ClassLimit, s.path(len(s.stack)-1), fmt.Sprintf("a property name exceeds the limit of %d bytes per string", max))
				} else {
					s.fail(ClassLimit, s.path(len(s.stack)), fmt.Sprintf("the string exceeds the limit of %d bytes per string", max))
				}
			}
			return nil
		case c < 0x20:
			return errScanSyntax
		case c < utf8.RuneSelf && c != '\\':
			i++
			n++
		case c == '\\':
			s.lastEscaped = true
			if i+1 >= len(b) {
				return errScanSyntax
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
				n++
				continue
			case 'u':
			default:
				return errScanSyntax
			}
			r, ok := hex4(b, i+2)
			if !ok {
				return errScanSyntax
			}
			switch {
			case r >= 0xD800 && r < 0xDC00:
				if r2, ok := hex4(b, i+8); ok && i+7 < len(b) && b[i+6] == '\\' && b[i+7] == 'u' && r2 >= 0xDC00 && r2 < 0xE000 {
					i += 12
					n += 4
					continue
				}
				s.notUnicode(key, fmt.Sprintf(`\u%04X, half of a UTF-16 surrogate pair without its other half`, r))
			case r >= 0xDC00 && r < 0xE000:
				s.notUnicode(key, fmt.Sprintf(`\u%04X, half of a UTF-16 surrogate pair without its other half`, r))
			}
			i += 6
			n += utf8.RuneLen(r) // 3 for a lone surrogate, as U+FFFD
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				s.notUnicode(key, fmt.Sprintf("bytes that are not UTF-8 (at byte %d of the object)", i))
			}
			i += size
			n += size
		}
	}
}

// notUnicode reports text that is not Unicode in the string being scanned.
func (s *scanner) notUnicode(key bool, what string) {
	if s.current >= 0 && !key {
		s.top[s.current].bad = true
	}
	if s.problem != nil {
		return
	}
	if key {
		s.fail(ClassEncoding, s.path(len(s.stack)-1), "a property name holds "+what+"; send text as UTF-8 (RFC 8259 §8)")
		return
	}
	s.fail(ClassEncoding, s.path(len(s.stack)), "the string holds "+what+"; send text as UTF-8 (RFC 8259 §8)")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[i:i+4]), 16, 32)
	return rune(n), err == nil
}

// fail records a problem of a class (ClassLimit, ClassEncoding); only the
// first is kept.
func (s *scanner) fail(class, property, message string) {
	if s.problem == nil {
		s.problem, s.problemClass = &Problem{Property: property, Message: message}, class
	}
}

// path is the JSON path of the value being read in the first n open lists
// and objects, as the rules write it: "granular_markings[0].selectors".
func (s *scanner) path(n int) string {
	var p strings.Builder
	for i, f := range s.stack[:n] {
		switch {
		case !f.object:
			p.WriteByte('[')
			p.WriteString(strconv.Itoa(f.n - 1))
			p.WriteByte(']')
		default:
			if i > 0 {
				p.WriteByte('.')
			}
			k := string(s.b[f.keyStart+1 : f.keyEnd-1])
			if f.keyEscaped {
				k, _ = scanProp{present: true, first: '"', start: f.keyStart, end: f.keyEnd, escaped: true}.text(s.b)
			}
			p.WriteString(truncate(strings.ToValidUTF8(k, "\uFFFD")))
		}
	}
	return p.String()
}
