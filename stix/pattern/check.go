package pattern

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Check reports the problems of a parsed pattern that are not syntax errors,
// in source order:
//
//   - object types and properties unknown to the STIX 2.1 object model
//     (warnings; custom types starting with "x-", custom properties starting
//     with "x_" and custom extensions are not reported);
//   - MATCHES regular expressions that Go's RE2 cannot compile (errors;
//     PCRE-only features such as backreferences and lookaround cannot be
//     checked, see the package documentation);
//   - invalid timestamps in t'...', invalid hex in h'...' and invalid base64
//     in b'...' constants (errors);
//   - ISSUBSET and ISSUPERSET constants that are not IP addresses or CIDR
//     blocks, IN sets that mix constant types (errors) or are empty
//     (warning), negative list indexes (warning);
//   - comparisons of different object types joined by AND inside one
//     observation expression, which no single object can satisfy (error);
//   - START not earlier than STOP, REPEATS less than 1, WITHIN not positive,
//     and two qualifiers of one kind on one observation expression (errors).
func (p *Pattern) Check() []Problem {
	var c checker
	c.observation(p.Expr)
	if len(c.found) == 0 {
		return nil
	}
	slices.SortStableFunc(c.found, func(a, b found) int { return cmp.Compare(a.pos, b.pos) })
	problems := make([]Problem, len(c.found))
	cur := cursor{src: p.src}
	for i, f := range c.found {
		line, col := cur.at(f.pos)
		problems[i] = Problem{Line: line, Col: col, Msg: f.msg, Warning: f.warning}
	}
	return problems
}

// checker collects the problems of one pattern.
type checker struct {
	m     *objectModel
	found []found
}

// found is a problem before its position is converted to line and column.
type found struct {
	pos     Pos
	msg     string
	warning bool
}

func (c *checker) errorf(pos Pos, format string, args ...any) {
	c.add(pos, false, fmt.Sprintf(format, args...))
}

func (c *checker) warnf(pos Pos, format string, args ...any) {
	c.add(pos, true, fmt.Sprintf(format, args...))
}

func (c *checker) add(pos Pos, warning bool, msg string) {
	c.found = append(c.found, found{pos: pos, msg: msg, warning: warning})
}

func (c *checker) observation(e ObservationExpr) {
	switch e := e.(type) {
	case *Observation:
		c.comparison(e.Expr)
	case *ObservationCompound:
		for _, o := range e.Operands {
			c.observation(o)
		}
	case *Qualified:
		c.observation(e.Expr)
		var seen [StartStop + 1]bool
		for _, q := range e.Qualifiers {
			if int(q.Kind) < len(seen) {
				if seen[q.Kind] {
					c.errorf(q.Pos, "more than one %s qualifier on the same observation expression", q.Kind)
				}
				seen[q.Kind] = true
			}
			c.qualifier(q)
		}
	}
}

func (c *checker) qualifier(q Qualifier) {
	switch q.Kind {
	case Within:
		if q.Value.Kind == LitInt && q.Value.Int <= 0 || q.Value.Kind == LitFloat && !(q.Value.Float > 0) {
			c.errorf(q.Value.Pos, "WITHIN needs a positive number of seconds, not %s", q.Value)
		}
	case Repeats:
		if q.Value.Int <= 0 {
			c.errorf(q.Value.Pos, "REPEATS needs a positive integer, not %d", q.Value.Int)
		}
	case StartStop:
		start, okStart := c.bound("START", q.Start)
		stop, okStop := c.bound("STOP", q.Stop)
		if okStart && okStop && start.compare(stop) >= 0 {
			c.errorf(q.Pos, "START %s is not earlier than STOP %s: no observation can match", q.Start, q.Stop)
		}
	}
}

// bound checks a START or STOP constant and returns its time.
func (c *checker) bound(kw string, l Literal) (stamp, bool) {
	if l.Kind == LitString {
		c.warnf(l.Pos, "%s takes a timestamp constant t'...', not a string (STIX 2.1 §9.5.1)", kw)
	}
	ts, msg := parseStamp(l.Str)
	if msg != "" {
		c.errorf(l.Pos, "invalid timestamp %s after %s: %s", l, kw, msg)
		return ts, false
	}
	return ts, true
}

// comparison checks a comparison expression and returns the object types
// it applies to.
func (c *checker) comparison(e ComparisonExpr) objTypes {
	switch e := e.(type) {
	case *ComparisonCompound:
		types := c.comparison(e.Operands[0])
		for _, o := range e.Operands[1:] {
			t := c.comparison(o)
			if e.Op == BoolOr {
				types = types.union(t)
				continue
			}
			// "All operands of AND in an Observation Expression MUST be
			// satisfiable with the same object" (STIX 2.1 §9.5).
			if both, ok := types.intersect(t); ok {
				types = both
			} else {
				c.errorf(o.Pos(), "AND joins comparisons of %s and of %s, which no single object satisfies (STIX 2.1 §9.5)", types, t)
			}
		}
		return types
	case *Comparison:
		c.path(e.Path)
		switch e.Op {
		case OpExists:
		case OpIn:
			c.set(e)
		case OpMatches:
			if msg, pcreOnly := checkRegex(e.Value.Str); pcreOnly {
				c.warnf(e.Value.Pos, "MATCHES: %s", msg)
			} else if msg != "" {
				c.errorf(e.Value.Pos, "MATCHES: %s", msg)
			}
		case OpIsSubset, OpIsSuperset:
			if !isAddrOrPrefix(e.Value.Str) {
				c.errorf(e.Value.Pos, "%s needs an IPv4 or IPv6 address or CIDR block, not %s", e.Op, quote(e.Value.Str))
			}
		default:
			c.literal(e.Value)
		}
		return objTypes{one: e.Path.Type}
	}
	return objTypes{}
}

// set checks the constants of IN: "The set values in b MUST be constants of
// homogeneous data type" (STIX 2.1 §9.6.1). Integers and floats count as one
// numeric type.
func (c *checker) set(e *Comparison) {
	if len(e.Set) == 0 {
		c.warnf(e.OpPos, "IN with an empty set never matches")
		return
	}
	first := e.Set[0]
	for _, l := range e.Set {
		c.literal(l)
		if numeric(l.Kind) != numeric(first.Kind) {
			c.errorf(l.Pos, "IN set mixes %s and %s constants; its values must have one type", first.Kind, l.Kind)
		}
	}
}

// numeric maps LitFloat to LitInt, so that the two compare as one type.
func numeric(k LiteralKind) LiteralKind {
	if k == LitFloat {
		return LitInt
	}
	return k
}

// literal checks the contents of hex, binary and timestamp constants.
func (c *checker) literal(l Literal) {
	switch l.Kind {
	case LitHex:
		if msg, warn := checkHex(l.Str); msg != "" {
			c.add(l.Pos, warn, "hex constant "+l.String()+": "+msg)
		}
	case LitBinary:
		if msg := checkBase64(l.Str); msg != "" {
			c.errorf(l.Pos, "binary constant %s: %s", l, msg)
		}
	case LitTimestamp:
		if _, msg := parseStamp(l.Str); msg != "" {
			c.errorf(l.Pos, "invalid timestamp %s: %s", l, msg)
		}
	}
}

// objTypes is the set of object types a comparison expression applies to.
// The common case of a single type needs no allocation.
type objTypes struct {
	one  string   // the only type, when many is nil
	many []string // sorted and distinct, when there are several
}

func (t objTypes) list() []string {
	if t.many != nil {
		return t.many
	}
	return []string{t.one}
}

// String lists the types for messages: "file" or "file or ipv4-addr".
func (t objTypes) String() string { return strings.Join(t.list(), " or ") }

func (t objTypes) union(u objTypes) objTypes {
	if t.many == nil && u.many == nil && t.one == u.one {
		return t
	}
	all := append(slices.Clone(t.list()), u.list()...)
	slices.Sort(all)
	return objTypes{many: slices.Compact(all)}
}

// intersect returns the types in both sets, and false when there are none.
func (t objTypes) intersect(u objTypes) (objTypes, bool) {
	if t.many == nil && u.many == nil {
		return t, t.one == u.one
	}
	var both []string
	for _, s := range t.list() {
		if slices.Contains(u.list(), s) {
			both = append(both, s)
		}
	}
	switch len(both) {
	case 0:
		return objTypes{}, false
	case 1:
		return objTypes{one: both[0]}, true
	}
	return objTypes{many: both}, true
}
