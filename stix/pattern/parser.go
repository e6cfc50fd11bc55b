package pattern

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds the nesting of parentheses and brackets, so that hostile
// input cannot exhaust the stack. Real patterns nest a few levels.
const maxDepth = 256

// Parse parses a STIX 2.1 pattern, the pattern_type "stix" language of
// STIX 2.1 §9. On bad syntax it returns a *SyntaxError that says where and
// what was expected. Parse does not check object types, properties or the
// contents of literals; Check does.
func Parse(s string) (*Pattern, error) {
	if !utf8.ValidString(s) {
		l := lexer{src: s}
		off := 0
		for off < len(s) {
			r, w := utf8.DecodeRuneInString(s[off:])
			if r == utf8.RuneError && w == 1 {
				break
			}
			off += w
		}
		return nil, l.errAt(off, "invalid UTF-8")
	}
	p := parser{lex: lexer{src: s}}
	expr, err := p.parse()
	if err != nil {
		return nil, err
	}
	return &Pattern{Expr: expr, src: s}, nil
}

// parser is a recursive-descent parser with one token of lookahead.
type parser struct {
	lex   lexer
	tok   token
	depth int
	// steps is a slab shared by the object paths of one pattern; each path
	// takes a capacity-limited slice of it, so one allocation usually
	// serves them all.
	steps []PathStep
}

// bailout carries a *SyntaxError up the recursion to parse.
type bailout struct{ err *SyntaxError }

func (p *parser) parse() (expr ObservationExpr, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			expr, err = nil, b.err
		}
	}()
	p.next()
	expr = p.followedBy()
	if p.tok.kind != tEOF {
		p.fail("expected AND, OR, FOLLOWEDBY or end of pattern")
	}
	return expr, nil
}

// next advances to the next token.
func (p *parser) next() {
	if err := p.lex.next(&p.tok); err != nil {
		panic(bailout{err})
	}
}

// fail stops parsing with msg at the current token. When the token is a
// keyword in the wrong case it says so.
func (p *parser) fail(msg string) {
	if p.tok.kind == tIdent {
		if kw := miscased(p.tok.text); kw != "" {
			msg += " (keywords are case-sensitive: " + strconv.Quote(kw) + ")"
		}
	}
	panic(bailout{p.lex.errAt(int(p.tok.pos), msg)})
}

// isKeyword reports whether the current token is keyword kw.
func (p *parser) isKeyword(kw keyword) bool {
	return p.tok.kind == tKeyword && p.tok.kw == kw
}

// expect consumes a token of kind k or fails with "expected what".
func (p *parser) expect(k tokKind, what string) {
	if p.tok.kind != k {
		p.fail("expected " + what)
	}
	p.next()
}

// expectKeyword consumes keyword kw or fails with "expected what".
func (p *parser) expectKeyword(kw keyword, what string) {
	if !p.isKeyword(kw) {
		p.fail("expected " + what)
	}
	p.next()
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail("nesting too deep (more than " + strconv.Itoa(maxDepth) + " levels)")
	}
}

func (p *parser) leave() { p.depth-- }

// followedBy parses observation expressions joined by FOLLOWEDBY, the
// operator of lowest precedence (STIX 2.1 §9.5.3).
func (p *parser) followedBy() ObservationExpr {
	return p.observationChain(ObsFollowedBy, kwFollowedBy, p.observationOr)
}

func (p *parser) observationOr() ObservationExpr {
	return p.observationChain(ObsOr, kwOr, p.observationAnd)
}

func (p *parser) observationAnd() ObservationExpr {
	return p.observationChain(ObsAnd, kwAnd, p.qualified)
}

// observationChain parses operand (kw operand)* into one compound node.
func (p *parser) observationChain(op ObservationOp, kw keyword, operand func() ObservationExpr) ObservationExpr {
	first, ops := chain(p, kw, operand)
	if ops == nil {
		return first
	}
	return &ObservationCompound{Op: op, Operands: ops}
}

// chain parses operand (kw operand)*. It returns the first operand, and all
// of them when kw followed (nil otherwise, so a lone operand costs no
// allocation).
func chain[T any](p *parser, kw keyword, operand func() T) (T, []T) {
	first := operand()
	if !p.isKeyword(kw) {
		return first, nil
	}
	ops := append(make([]T, 0, 4), first)
	for p.isKeyword(kw) {
		p.next()
		ops = append(ops, operand())
	}
	return first, ops
}

// qualified parses a bracketed or parenthesised observation expression and
// the qualifiers that follow it.
func (p *parser) qualified() ObservationExpr {
	expr := p.observationPrimary()
	var quals []Qualifier
	for {
		var q Qualifier
		switch {
		case p.isKeyword(kwWithin):
			q = p.within()
		case p.isKeyword(kwRepeats):
			q = p.repeats()
		case p.isKeyword(kwStart):
			q = p.startStop()
		default:
			if quals == nil {
				return expr
			}
			return &Qualified{Expr: expr, Qualifiers: quals}
		}
		if quals == nil {
			quals = make([]Qualifier, 0, 2)
		}
		quals = append(quals, q)
	}
}

func (p *parser) observationPrimary() ObservationExpr {
	switch p.tok.kind {
	case tLBrack:
		lbrack := p.tok.pos
		p.enter()
		p.next()
		cmp := p.comparisonOr()
		p.expect(tRBrack, "']'")
		p.leave()
		return &Observation{Lbrack: lbrack, Expr: cmp}
	case tLParen:
		p.enter()
		p.next()
		expr := p.followedBy()
		p.expect(tRParen, "')'")
		p.leave()
		return expr
	}
	p.fail("expected '[' or '('")
	return nil
}

// within parses WITHIN <number> SECONDS.
func (p *parser) within() Qualifier {
	q := Qualifier{Pos: p.tok.pos, Kind: Within}
	p.next()
	if p.tok.kind != tInt && p.tok.kind != tFloat {
		p.fail("expected a number of seconds after WITHIN")
	}
	q.Value = p.literal()
	p.expectKeyword(kwSeconds, "SECONDS")
	return q
}

// repeats parses REPEATS <int> TIMES.
func (p *parser) repeats() Qualifier {
	q := Qualifier{Pos: p.tok.pos, Kind: Repeats}
	p.next()
	if p.tok.kind != tInt {
		p.fail("expected an integer after REPEATS")
	}
	q.Value = p.literal()
	p.expectKeyword(kwTimes, "TIMES")
	return q
}

// startStop parses START t'...' STOP t'...'. STIX 2.1 §9.5.1 says both
// bounds "MUST be of type timestamp"; the formal grammar has plain strings,
// so both forms are accepted and Check warns about the plain one.
func (p *parser) startStop() Qualifier {
	q := Qualifier{Pos: p.tok.pos, Kind: StartStop}
	p.next()
	if p.tok.kind != tTimestamp && p.tok.kind != tString {
		p.fail("expected a timestamp literal t'...' after START")
	}
	q.Start = p.literal()
	p.expectKeyword(kwStop, "STOP")
	if p.tok.kind != tTimestamp && p.tok.kind != tString {
		p.fail("expected a timestamp literal t'...' after STOP")
	}
	q.Stop = p.literal()
	return q
}

// comparisonOr parses comparison expressions joined by OR.
func (p *parser) comparisonOr() ComparisonExpr {
	return p.comparisonChain(BoolOr, kwOr, p.comparisonAnd)
}

// comparisonAnd parses comparison expressions joined by AND, which binds
// tighter than OR.
func (p *parser) comparisonAnd() ComparisonExpr {
	return p.comparisonChain(BoolAnd, kwAnd, p.comparisonPrimary)
}

func (p *parser) comparisonChain(op BoolOp, kw keyword, operand func() ComparisonExpr) ComparisonExpr {
	first, ops := chain(p, kw, operand)
	if ops == nil {
		return first
	}
	return &ComparisonCompound{Op: op, Operands: ops}
}

// comparisonPrimary parses a parenthesised comparison expression,
// [NOT] EXISTS path, or path [NOT] operator constant.
func (p *parser) comparisonPrimary() ComparisonExpr {
	switch {
	case p.tok.kind == tLParen:
		p.enter()
		p.next()
		expr := p.comparisonOr()
		p.expect(tRParen, "')'")
		p.leave()
		return expr
	case p.isKeyword(kwNot), p.isKeyword(kwExists):
		c := &Comparison{Start: p.tok.pos, Op: OpExists}
		if p.isKeyword(kwNot) {
			c.Negated = true
			p.next()
			if !p.isKeyword(kwExists) {
				p.fail("expected EXISTS after NOT (NOT before another operator follows the object path)")
			}
		}
		c.OpPos = p.tok.pos
		p.next()
		p.objectPath(&c.Path)
		return c
	case p.tok.kind == tIdent:
		c := &Comparison{Start: p.tok.pos}
		p.objectPath(&c.Path)
		p.operation(c)
		return c
	}
	p.fail("expected an object path")
	return nil
}

// operation parses [NOT] operator constant after an object path.
func (p *parser) operation(c *Comparison) {
	if p.isKeyword(kwNot) {
		c.Negated = true
		p.next()
	}
	c.OpPos = p.tok.pos
	switch {
	case p.tok.kind == tOp:
		c.Op = p.tok.op
		p.next()
		if !isLiteral(p.tok.kind) {
			p.fail("expected a constant after " + c.Op.String())
		}
		if p.tok.kind == tBool && c.Op != OpEqual && c.Op != OpNotEqual {
			p.fail("a boolean cannot be compared with " + c.Op.String())
		}
		c.Value = p.literal()
	case p.isKeyword(kwIn):
		c.Op = OpIn
		p.next()
		c.Set = p.set()
	case p.isKeyword(kwLike), p.isKeyword(kwMatches), p.isKeyword(kwIsSubset), p.isKeyword(kwIsSuperset):
		c.Op = stringOperator(p.tok.kw)
		p.next()
		if p.tok.kind != tString {
			p.fail("expected a string constant after " + c.Op.String())
		}
		c.Value = p.literal()
	default:
		p.fail("expected a comparison operator")
	}
}

// set parses the parenthesised constants of IN. The formal grammar allows
// an empty set; Check warns about it.
func (p *parser) set() []Literal {
	p.expect(tLParen, "'(' after IN")
	set := []Literal{}
	if p.tok.kind == tRParen {
		p.next()
		return set
	}
	for {
		if !isLiteral(p.tok.kind) {
			p.fail("expected a constant")
		}
		set = append(set, p.literal())
		if p.tok.kind == tRParen {
			p.next()
			return set
		}
		p.expect(tComma, "',' or ')'")
	}
}

// objectPath parses type:property followed by .key, .'key', [n] and [*]
// steps (STIX 2.1 §9.7).
func (p *parser) objectPath(path *ObjectPath) {
	if p.tok.kind != tIdent {
		p.fail("expected an object type")
	}
	path.TypePos, path.Type = p.tok.pos, p.tok.text
	p.next()
	p.expect(tColon, "':' after the object type")
	if p.steps == nil {
		p.steps = make([]PathStep, 0, 4)
	}
	first := len(p.steps)
	p.steps = append(p.steps, p.key("a property name"))
	for {
		switch p.tok.kind {
		case tDot:
			p.next()
			p.steps = append(p.steps, p.key("a property name or key after '.'"))
		case tLBrack:
			step := PathStep{Pos: p.tok.pos}
			p.next()
			switch p.tok.kind {
			case tInt:
				step.Kind, step.Index = StepIndex, p.tok.i
			case tStar:
				step.Kind = StepAnyIndex
			default:
				p.fail("expected a list index or '*'")
			}
			p.next()
			p.expect(tRBrack, "']'")
			p.steps = append(p.steps, step)
		default:
			n := len(p.steps)
			path.Steps = p.steps[first:n:n]
			return
		}
	}
}

// key parses a property name or dictionary key: an identifier without
// hyphens, or a quoted string. "If the <property_name> contains a
// hyphen-minus ('-' U+002d) or a full stop ('.' U+002e), the
// <property_name> MUST be enclosed in apostrophes" (STIX 2.1 §9.7).
func (p *parser) key(what string) PathStep {
	step := PathStep{Pos: p.tok.pos, Kind: StepKey}
	switch p.tok.kind {
	case tString:
		step.Key = p.tok.text
	case tIdent, tKeyword, tBool:
		if strings.IndexByte(p.tok.text, '-') >= 0 {
			p.fail("property name " + strconv.Quote(p.tok.text) + " contains '-' and must be quoted: " + quote(p.tok.text))
		}
		step.Key = p.tok.text
	default:
		p.fail("expected " + what)
	}
	p.next()
	return step
}

// literal converts the current constant token and advances.
func (p *parser) literal() Literal {
	t := &p.tok
	lit := Literal{Pos: t.pos}
	switch t.kind {
	case tString:
		lit.Kind, lit.Str = LitString, t.text
	case tInt:
		lit.Kind, lit.Int = LitInt, t.i
	case tFloat:
		lit.Kind, lit.Float = LitFloat, t.f
	case tBool:
		lit.Kind, lit.Bool = LitBool, t.text == "true"
	case tHex:
		lit.Kind, lit.Str = LitHex, t.text
	case tBinary:
		lit.Kind, lit.Str = LitBinary, t.text
	case tTimestamp:
		lit.Kind, lit.Str = LitTimestamp, t.text
	default:
		p.fail("expected a constant")
	}
	p.next()
	return lit
}

// stringOperator maps the keyword of an operator taking a string constant
// to the operator.
func stringOperator(kw keyword) Operator {
	switch kw {
	case kwLike:
		return OpLike
	case kwMatches:
		return OpMatches
	case kwIsSubset:
		return OpIsSubset
	}
	return OpIsSuperset
}

func isLiteral(k tokKind) bool {
	switch k {
	case tString, tInt, tFloat, tBool, tHex, tBinary, tTimestamp:
		return true
	}
	return false
}
