package pattern

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tEOF tokKind = iota
	tLBrack
	tRBrack
	tLParen
	tRParen
	tColon
	tDot
	tComma
	tStar
	tOp      // a comparison symbol; token.op says which
	tIdent   // [A-Za-z_][A-Za-z0-9_-]* that is not a keyword
	tKeyword // an upper-case keyword; token.kw says which
	tString
	tInt
	tFloat
	tBool
	tHex
	tBinary
	tTimestamp
)

// keyword identifies a reserved word. Keywords are case-sensitive.
type keyword uint8

const (
	kwNone keyword = iota
	kwAnd
	kwOr
	kwNot
	kwFollowedBy
	kwLike
	kwMatches
	kwIsSubset
	kwIsSuperset
	kwIn
	kwExists
	kwStart
	kwStop
	kwSeconds
	kwWithin
	kwRepeats
	kwTimes
	kwLast // reserved by the formal grammar, used by no production
)

// lookupKeyword returns the keyword spelled exactly s, or kwNone.
func lookupKeyword(s string) keyword {
	switch s {
	case "AND":
		return kwAnd
	case "OR":
		return kwOr
	case "NOT":
		return kwNot
	case "FOLLOWEDBY":
		return kwFollowedBy
	case "LIKE":
		return kwLike
	case "MATCHES":
		return kwMatches
	case "ISSUBSET":
		return kwIsSubset
	case "ISSUPERSET":
		return kwIsSuperset
	case "IN":
		return kwIn
	case "EXISTS":
		return kwExists
	case "START":
		return kwStart
	case "STOP":
		return kwStop
	case "SECONDS":
		return kwSeconds
	case "WITHIN":
		return kwWithin
	case "REPEATS":
		return kwRepeats
	case "TIMES":
		return kwTimes
	case "LAST":
		return kwLast
	}
	return kwNone
}

// miscased returns the correct spelling of s when s is a keyword or a
// Boolean literal written in the wrong case ("and", "True"), or "".
func miscased(s string) string {
	if len(s) < 2 || len(s) > len("FOLLOWEDBY") {
		return ""
	}
	if u := strings.ToUpper(s); u != s && lookupKeyword(u) != kwNone {
		return u
	}
	if l := strings.ToLower(s); l != s && (l == "true" || l == "false") {
		return l
	}
	return ""
}

// token is one lexical token. text is the source text of identifiers,
// keywords, Booleans, operators and numbers, the decoded value of a string,
// and the raw contents of a hex, binary or timestamp literal.
type token struct {
	kind tokKind
	kw   keyword
	op   Operator
	pos  Pos
	text string
	i    int64
	f    float64
}

// lexer produces tokens from the pattern text on demand.
type lexer struct {
	src string
	off int
}

// next scans the next token into tok. It returns a *SyntaxError for text
// that is no token at all.
func (l *lexer) next(tok *token) *SyntaxError {
	if err := l.skipSpace(); err != nil {
		return err
	}
	start := l.off
	*tok = token{pos: Pos(start)}
	if start >= len(l.src) {
		tok.kind = tEOF
		return nil
	}
	c := l.src[start]
	switch c {
	case '[':
		tok.kind = tLBrack
	case ']':
		tok.kind = tRBrack
	case '(':
		tok.kind = tLParen
	case ')':
		tok.kind = tRParen
	case ':':
		tok.kind = tColon
	case ',':
		tok.kind = tComma
	case '*':
		tok.kind = tStar
	case '.':
		if start+1 < len(l.src) && isDigit(l.src[start+1]) {
			return l.number(tok)
		}
		tok.kind = tDot
	case '\'':
		return l.str(tok)
	case '=', '!', '<', '>':
		return l.operator(tok)
	case '+', '-':
		return l.number(tok)
	default:
		switch {
		case isDigit(c):
			return l.number(tok)
		case isIdentStart(c):
			return l.ident(tok)
		}
		r, _ := utf8.DecodeRuneInString(l.src[start:])
		return l.errAt(start, "unexpected character "+strconv.QuoteRune(r))
	}
	l.off++
	return nil
}

// skipSpace skips Unicode white space and /* */ and // comments, which
// the formal grammar skips as well.
func (l *lexer) skipSpace() *SyntaxError {
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			l.off++
		case c >= utf8.RuneSelf:
			r, w := utf8.DecodeRuneInString(l.src[l.off:])
			if !unicode.IsSpace(r) {
				return nil
			}
			l.off += w
		case c == '/' && l.off+1 < len(l.src) && l.src[l.off+1] == '*':
			end := strings.Index(l.src[l.off+2:], "*/")
			if end < 0 {
				return l.errAt(l.off, "unterminated comment")
			}
			l.off += 2 + end + 2
		case c == '/' && l.off+1 < len(l.src) && l.src[l.off+1] == '/':
			end := strings.IndexByte(l.src[l.off:], '\n')
			if end < 0 {
				l.off = len(l.src)
			} else {
				l.off += end
			}
		default:
			return nil
		}
	}
	return nil
}

// ident scans an identifier, a keyword, a Boolean literal or the prefix of
// an h'...', b'...' or t'...' literal.
func (l *lexer) ident(tok *token) *SyntaxError {
	i := l.off + 1
	for i < len(l.src) && isIdentPart(l.src[i]) {
		i++
	}
	text := l.src[l.off:i]
	if i-l.off == 1 && i < len(l.src) && l.src[i] == '\'' {
		switch text[0] {
		case 'h':
			return l.prefixed(tok, tHex, "hex")
		case 'b':
			return l.prefixed(tok, tBinary, "binary")
		case 't':
			return l.prefixed(tok, tTimestamp, "timestamp")
		}
	}
	l.off = i
	tok.text = text
	switch text {
	case "true", "false":
		tok.kind = tBool
		return nil
	}
	if kw := lookupKeyword(text); kw != kwNone {
		tok.kind, tok.kw = tKeyword, kw
		return nil
	}
	tok.kind = tIdent
	return nil
}

// prefixed scans h'...', b'...' or t'...'. The contents run to the next
// apostrophe and are checked by Check, not here.
func (l *lexer) prefixed(tok *token, kind tokKind, name string) *SyntaxError {
	body := l.off + 2
	end := strings.IndexByte(l.src[body:], '\'')
	if end < 0 {
		return l.errAt(l.off, "unterminated "+name+" literal")
	}
	tok.kind = kind
	tok.text = l.src[body : body+end]
	l.off = body + end + 1
	return nil
}

// str scans a quoted string. "The escape character is the backslash (\
// U+005c). Only the apostrophe or the backslash may follow" (STIX 2.1 §9.2).
// The decoded value shares the source text unless it holds escapes.
func (l *lexer) str(tok *token) *SyntaxError {
	i := l.off + 1
	for i < len(l.src) {
		switch l.src[i] {
		case '\'':
			tok.kind, tok.text = tString, l.src[l.off+1:i]
			l.off = i + 1
			return nil
		case '\\':
			return l.escapedStr(tok)
		}
		i++
	}
	return l.errAt(l.off, "unterminated string")
}

// escapedStr is the slow path of str for strings holding escapes.
func (l *lexer) escapedStr(tok *token) *SyntaxError {
	var b strings.Builder
	for i := l.off + 1; i < len(l.src); i++ {
		c := l.src[i]
		switch c {
		case '\'':
			tok.kind, tok.text = tString, b.String()
			l.off = i + 1
			return nil
		case '\\':
			if i+1 >= len(l.src) {
				return l.errAt(l.off, "unterminated string")
			}
			if e := l.src[i+1]; e != '\'' && e != '\\' {
				r, _ := utf8.DecodeRuneInString(l.src[i+1:])
				return l.errAt(i, `invalid escape \`+string(r)+` in string: only \' and \\ are allowed`)
			}
			i++
			c = l.src[i]
		}
		b.WriteByte(c)
	}
	return l.errAt(l.off, "unterminated string")
}

// operator scans a run of comparison symbols. STIX 2.1 §9.6.1 defines
// =, !=, <, <=, > and >=; anything else, including the "==" and "<>" of the
// formal grammar, is refused.
func (l *lexer) operator(tok *token) *SyntaxError {
	i := l.off
	for i < len(l.src) && strings.IndexByte("=!<>", l.src[i]) >= 0 {
		i++
	}
	text := l.src[l.off:i]
	switch text {
	case "=":
		tok.op = OpEqual
	case "!=":
		tok.op = OpNotEqual
	case "<":
		tok.op = OpLess
	case "<=":
		tok.op = OpLessEqual
	case ">":
		tok.op = OpGreater
	case ">=":
		tok.op = OpGreaterEqual
	case "==":
		return l.errAt(l.off, `unknown operator "==" (STIX 2.1 uses "=")`)
	case "<>":
		return l.errAt(l.off, `unknown operator "<>" (STIX 2.1 uses "!=")`)
	default:
		return l.errAt(l.off, "unknown operator "+strconv.Quote(text))
	}
	tok.kind, tok.text = tOp, text
	l.off = i
	return nil
}

// number scans an integer, [+-]?(0|[1-9][0-9]*), or a float,
// [+-]?[0-9]*.[0-9]+, as in the formal grammar.
func (l *lexer) number(tok *token) *SyntaxError {
	start := l.off
	i := start
	if c := l.src[i]; c == '+' || c == '-' {
		i++
	}
	digits := i
	for i < len(l.src) && isDigit(l.src[i]) {
		i++
	}
	intEnd := i
	isFloat := false
	if i < len(l.src) && l.src[i] == '.' {
		isFloat = true
		i++
		frac := i
		for i < len(l.src) && isDigit(l.src[i]) {
			i++
		}
		if i == frac {
			return l.errAt(start, "invalid number "+strconv.Quote(l.src[start:i])+": digits must follow '.'")
		}
	} else if intEnd == digits {
		return l.errAt(start, "expected a number after "+strconv.Quote(l.src[start:digits]))
	}
	tok.text = l.src[start:i]
	if isFloat {
		f, err := strconv.ParseFloat(tok.text, 64)
		if err != nil {
			return l.errAt(start, "float out of range: "+tok.text)
		}
		tok.kind, tok.f = tFloat, f
	} else {
		if intEnd-digits > 1 && l.src[digits] == '0' {
			return l.errAt(start, "invalid number "+strconv.Quote(tok.text)+": leading zero")
		}
		n, err := strconv.ParseInt(tok.text, 10, 64)
		if err != nil {
			return l.errAt(start, "integer out of range: "+tok.text)
		}
		tok.kind, tok.i = tInt, n
	}
	l.off = i
	return nil
}

// errAt returns a SyntaxError at byte offset off.
func (l *lexer) errAt(off int, msg string) *SyntaxError {
	line, col := position(l.src, Pos(off))
	return &SyntaxError{Line: line, Col: col, Msg: msg}
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) || c == '-' }
