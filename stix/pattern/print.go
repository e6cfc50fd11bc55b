package pattern

import (
	"strconv"
	"strings"
)

// String renders the pattern in canonical syntax: single spaces between
// tokens, parentheses only where the structure needs them, no comments.
// Parsing the result gives the same tree.
func (p *Pattern) String() string { return p.Expr.String() }

// String renders the observation expression.
func (o *Observation) String() string { return render(o) }

// String renders the observation expression.
func (o *ObservationCompound) String() string { return render(o) }

// String renders the observation expression.
func (q *Qualified) String() string { return render(q) }

// String renders the comparison expression.
func (c *ComparisonCompound) String() string { return render(c) }

// String renders the comparison expression.
func (c *Comparison) String() string { return render(c) }

// String renders the object path.
func (op ObjectPath) String() string {
	var b strings.Builder
	writePath(&b, op)
	return b.String()
}

// String renders the constant in pattern syntax.
func (l Literal) String() string {
	var b strings.Builder
	writeLiteral(&b, l)
	return b.String()
}

// String renders the qualifier, e.g. "WITHIN 300 SECONDS".
func (q Qualifier) String() string {
	var b strings.Builder
	writeQualifier(&b, q)
	return b.String()
}

// String returns the keyword of the operator.
func (op ObservationOp) String() string {
	switch op {
	case ObsAnd:
		return "AND"
	case ObsOr:
		return "OR"
	case ObsFollowedBy:
		return "FOLLOWEDBY"
	}
	return "ObservationOp(" + strconv.Itoa(int(op)) + ")"
}

// String returns the keyword of the operator.
func (op BoolOp) String() string {
	switch op {
	case BoolAnd:
		return "AND"
	case BoolOr:
		return "OR"
	}
	return "BoolOp(" + strconv.Itoa(int(op)) + ")"
}

// String returns the symbol or keyword of the operator.
func (op Operator) String() string {
	if op >= OpEqual && op <= OpExists {
		return [...]string{"=", "!=", "<", "<=", ">", ">=", "IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS"}[op-OpEqual]
	}
	return "Operator(" + strconv.Itoa(int(op)) + ")"
}

// String returns the keyword that introduces the qualifier.
func (k QualifierKind) String() string {
	switch k {
	case Within:
		return "WITHIN"
	case Repeats:
		return "REPEATS"
	case StartStop:
		return "START"
	}
	return "QualifierKind(" + strconv.Itoa(int(k)) + ")"
}

// String names the constant type as STIX 2.1 §9.2 does.
func (k LiteralKind) String() string {
	if k >= LitString && k <= LitTimestamp {
		return [...]string{"string", "integer", "float", "boolean", "hex", "binary", "timestamp"}[k-LitString]
	}
	return "LiteralKind(" + strconv.Itoa(int(k)) + ")"
}

func render(n Node) string {
	var b strings.Builder
	switch n := n.(type) {
	case ObservationExpr:
		writeObservation(&b, n)
	case ComparisonExpr:
		writeComparison(&b, n)
	}
	return b.String()
}

// observationPrec ranks observation expressions for parenthesisation:
// FOLLOWEDBY < OR < AND < qualified < bracketed.
func observationPrec(e ObservationExpr) int {
	switch e := e.(type) {
	case *ObservationCompound:
		return 4 - int(e.Op) // ObsAnd 3, ObsOr 2, ObsFollowedBy 1
	case *Qualified:
		return 4
	}
	return 5
}

func writeObservation(b *strings.Builder, e ObservationExpr) {
	switch e := e.(type) {
	case *Observation:
		b.WriteByte('[')
		writeComparison(b, e.Expr)
		b.WriteByte(']')
	case *ObservationCompound:
		prec := observationPrec(e)
		for i, o := range e.Operands {
			if i > 0 {
				b.WriteByte(' ')
				b.WriteString(e.Op.String())
				b.WriteByte(' ')
			}
			writeObservationParen(b, o, observationPrec(o) <= prec)
		}
	case *Qualified:
		writeObservationParen(b, e.Expr, observationPrec(e.Expr) <= 4)
		for _, q := range e.Qualifiers {
			b.WriteByte(' ')
			writeQualifier(b, q)
		}
	}
}

func writeObservationParen(b *strings.Builder, e ObservationExpr, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	writeObservation(b, e)
	if paren {
		b.WriteByte(')')
	}
}

func writeQualifier(b *strings.Builder, q Qualifier) {
	b.WriteString(q.Kind.String())
	b.WriteByte(' ')
	switch q.Kind {
	case Within:
		writeLiteral(b, q.Value)
		b.WriteString(" SECONDS")
	case Repeats:
		writeLiteral(b, q.Value)
		b.WriteString(" TIMES")
	case StartStop:
		writeLiteral(b, q.Start)
		b.WriteString(" STOP ")
		writeLiteral(b, q.Stop)
	}
}

// comparisonPrec ranks comparison expressions: OR < AND < single.
func comparisonPrec(e ComparisonExpr) int {
	if c, ok := e.(*ComparisonCompound); ok {
		return 3 - int(c.Op) // BoolAnd 2, BoolOr 1
	}
	return 3
}

func writeComparison(b *strings.Builder, e ComparisonExpr) {
	switch e := e.(type) {
	case *ComparisonCompound:
		prec := comparisonPrec(e)
		for i, o := range e.Operands {
			if i > 0 {
				b.WriteByte(' ')
				b.WriteString(e.Op.String())
				b.WriteByte(' ')
			}
			paren := comparisonPrec(o) <= prec
			if paren {
				b.WriteByte('(')
			}
			writeComparison(b, o)
			if paren {
				b.WriteByte(')')
			}
		}
	case *Comparison:
		if e.Op == OpExists {
			if e.Negated {
				b.WriteString("NOT ")
			}
			b.WriteString("EXISTS ")
			writePath(b, e.Path)
			return
		}
		writePath(b, e.Path)
		if e.Negated {
			b.WriteString(" NOT")
		}
		b.WriteByte(' ')
		b.WriteString(e.Op.String())
		b.WriteByte(' ')
		if e.Op != OpIn {
			writeLiteral(b, e.Value)
			return
		}
		b.WriteByte('(')
		for i, l := range e.Set {
			if i > 0 {
				b.WriteString(", ")
			}
			writeLiteral(b, l)
		}
		b.WriteByte(')')
	}
}

func writePath(b *strings.Builder, op ObjectPath) {
	b.WriteString(op.Type)
	b.WriteByte(':')
	for i, s := range op.Steps {
		switch s.Kind {
		case StepKey:
			if i > 0 {
				b.WriteByte('.')
			}
			if plainKey(s.Key) {
				b.WriteString(s.Key)
			} else {
				b.WriteString(quote(s.Key))
			}
		case StepIndex:
			b.WriteByte('[')
			b.WriteString(strconv.FormatInt(s.Index, 10))
			b.WriteByte(']')
		case StepAnyIndex:
			b.WriteString("[*]")
		}
	}
}

// plainKey reports whether a property name can be written without quotes
// and read back by any STIX pattern parser: an identifier without hyphens
// that is not a keyword or a Boolean.
func plainKey(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; c == '-' || !isIdentPart(c) {
			return false
		}
	}
	return lookupKeyword(s) == kwNone && s != "true" && s != "false"
}

func writeLiteral(b *strings.Builder, l Literal) {
	switch l.Kind {
	case LitString:
		b.WriteString(quote(l.Str))
	case LitInt:
		b.WriteString(strconv.FormatInt(l.Int, 10))
	case LitFloat:
		s := strconv.FormatFloat(l.Float, 'f', -1, 64)
		b.WriteString(s)
		if !strings.Contains(s, ".") {
			b.WriteString(".0")
		}
	case LitBool:
		b.WriteString(strconv.FormatBool(l.Bool))
	case LitHex, LitBinary, LitTimestamp:
		b.WriteByte("hbt"[l.Kind-LitHex])
		b.WriteByte('\'')
		b.WriteString(l.Str)
		b.WriteByte('\'')
	}
}

// quote returns s as a pattern string constant, escaping ' and \.
func quote(s string) string {
	if !strings.ContainsAny(s, `'\`) {
		return "'" + s + "'"
	}
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\'' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return b.String()
}
