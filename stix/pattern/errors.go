package pattern

import (
	"fmt"
	"unicode/utf8"
)

// SyntaxError is returned by Parse when the text is not a STIX 2.1 pattern.
// Line and Col are 1-based and count runes; a line ends at '\n'.
type SyntaxError struct {
	Line, Col int
	Msg       string // what was expected or what is wrong, e.g. "expected ']'"
}

// Error formats the error as "line L col C: message".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d col %d: %s", e.Line, e.Col, e.Msg)
}

// Problem is a finding of Check: an error when the pattern breaks a rule of
// STIX 2.1 §9 that the grammar does not express, or a warning when it may
// still be valid (for example a property the object model does not know).
type Problem struct {
	Line, Col int // 1-based, in runes, as in SyntaxError
	Msg       string
	Warning   bool
}

// String formats the problem as "line L col C: error: message" or
// "... warning: message".
func (p Problem) String() string {
	level := "error"
	if p.Warning {
		level = "warning"
	}
	return fmt.Sprintf("line %d col %d: %s: %s", p.Line, p.Col, level, p.Msg)
}

// Position returns the 1-based line and column (in runes) of pos in the
// text that p was parsed from.
func (p *Pattern) Position(pos Pos) (line, col int) {
	return position(p.src, pos)
}

// position converts a byte offset in src to a 1-based line and rune column.
// Offsets outside src are clamped to it.
func position(src string, pos Pos) (line, col int) {
	c := cursor{src: src}
	return c.at(pos)
}

// cursor converts offsets to lines and columns, resuming from the previous
// offset when the next one is not before it, so that converting many
// increasing offsets costs one pass over the text.
type cursor struct {
	src       string
	off       int
	line, col int
}

func (c *cursor) at(pos Pos) (line, col int) {
	end := min(max(int(pos), 0), len(c.src))
	if c.line == 0 || end < c.off {
		c.off, c.line, c.col = 0, 1, 1
	}
	for c.off < end {
		b := c.src[c.off]
		if b < utf8.RuneSelf {
			c.off++
			if b == '\n' {
				c.line, c.col = c.line+1, 1
				continue
			}
		} else {
			_, w := utf8.DecodeRuneInString(c.src[c.off:])
			c.off += w
		}
		c.col++
	}
	return c.line, c.col
}
