package pattern

// Pos is the byte offset of a token in the pattern text. Pattern.Position
// turns it into a 1-based line and column.
type Pos int

// Node is an observation expression or a comparison expression.
type Node interface {
	// Pos returns the position of the node's first token.
	Pos() Pos
	// String renders the node in pattern syntax.
	String() string
}

// Pattern is a parsed STIX pattern. "Pattern Expressions evaluate to true or
// false. They comprise one or more Observation Expressions joined by
// Observation Operators" (STIX 2.1 §9.4).
type Pattern struct {
	// Expr is the pattern expression.
	Expr ObservationExpr

	src string // the parsed text, for Position
}

// ObservationExpr is an observation expression: *Observation,
// *ObservationCompound or *Qualified.
type ObservationExpr interface {
	Node
	observationExpr()
}

// Observation is a bracketed observation expression. "Observation Expressions
// MUST be delimited by left square bracket ('[' U+005b) and right square
// bracket (']' U+005d)" (STIX 2.1 §9.5).
type Observation struct {
	Lbrack Pos            // position of '['
	Expr   ComparisonExpr // the comparison expression inside the brackets
}

// ObservationOp is an observation operator (STIX 2.1 §9.5.2).
type ObservationOp uint8

// The observation operators, from the highest precedence to the lowest
// (STIX 2.1 §9.5.3).
const (
	ObsAnd        ObservationOp = iota + 1 // AND
	ObsOr                                  // OR
	ObsFollowedBy                          // FOLLOWEDBY
)

// ObservationCompound joins two or more observation expressions with one
// observation operator. A chain such as "[a] AND [b] AND [c]" is one node
// with three operands; a parenthesised group is a nested node.
type ObservationCompound struct {
	Op       ObservationOp
	Operands []ObservationExpr // at least two
}

// Qualified is an observation expression followed by one or more
// qualifiers. "One or more Observation Expression Qualifiers MAY be provided
// after the closing square bracket or closing parenthesis of an Observation
// Expression" (STIX 2.1 §9.5). A qualifier binds tighter than any
// observation operator: in "[a] FOLLOWEDBY [b] REPEATS 5 TIMES" it applies
// to [b] only.
type Qualified struct {
	Expr       ObservationExpr
	Qualifiers []Qualifier // in source order, at least one
}

// QualifierKind says which qualifier a Qualifier is.
type QualifierKind uint8

// The qualifiers of STIX 2.1 §9.5.1.
const (
	Within    QualifierKind = iota + 1 // WITHIN <number> SECONDS
	Repeats                            // REPEATS <int> TIMES
	StartStop                          // START t'...' STOP t'...'
)

// Qualifier is one WITHIN, REPEATS or START/STOP qualifier.
type Qualifier struct {
	Pos  Pos // position of the WITHIN, REPEATS or START keyword
	Kind QualifierKind
	// Value is the number of seconds (LitInt or LitFloat) for Within and
	// the count (LitInt) for Repeats.
	Value Literal
	// Start and Stop are the bounds of StartStop: LitTimestamp, or LitString
	// as the formal grammar allows.
	Start, Stop Literal
}

// ComparisonExpr is a comparison expression: *Comparison or
// *ComparisonCompound.
type ComparisonExpr interface {
	Node
	comparisonExpr()
}

// BoolOp is a Boolean operator joining comparison expressions (STIX 2.1
// §9.6).
type BoolOp uint8

// The Boolean operators. AND binds tighter than OR.
const (
	BoolAnd BoolOp = iota + 1 // AND
	BoolOr                    // OR
)

// ComparisonCompound joins two or more comparison expressions with one
// Boolean operator. Chains are flattened as in ObservationCompound.
type ComparisonCompound struct {
	Op       BoolOp
	Operands []ComparisonExpr // at least two
}

// Operator is a comparison operator (STIX 2.1 §9.6.1).
type Operator uint8

// The comparison operators.
const (
	OpEqual        Operator = iota + 1 // =
	OpNotEqual                         // !=
	OpLess                             // <
	OpLessEqual                        // <=
	OpGreater                          // >
	OpGreaterEqual                     // >=
	OpIn                               // IN
	OpLike                             // LIKE
	OpMatches                          // MATCHES
	OpIsSubset                         // ISSUBSET
	OpIsSuperset                       // ISSUPERSET
	OpExists                           // EXISTS
)

// Comparison is a single comparison expression: "an Object Path and a
// constant joined by a Comparison Operator" (STIX 2.1 §9.6), or the unary
// "EXISTS a".
type Comparison struct {
	Start   Pos // position of the first token (the object path, NOT or EXISTS)
	OpPos   Pos // position of the operator keyword or symbol
	Path    ObjectPath
	Negated bool // the operator is preceded by NOT
	Op      Operator
	// Value is the constant for every operator but OpIn and OpExists.
	Value Literal
	// Set holds the constants of OpIn, possibly none.
	Set []Literal
}

// ObjectPath names a property of a cyber-observable object, such as
// file:extensions.'windows-pebinary-ext'.sections[*].entropy (STIX 2.1 §9.7).
type ObjectPath struct {
	TypePos Pos
	Type    string     // the object type, such as "file"
	Steps   []PathStep // the first step is always a StepKey
}

// StepKind says what a PathStep selects.
type StepKind uint8

// The kinds of path step.
const (
	StepKey      StepKind = iota + 1 // a property name or dictionary key
	StepIndex                        // a list index, [n]
	StepAnyIndex                     // any list element, [*]
)

// PathStep is one component of an object path.
type PathStep struct {
	Pos   Pos
	Kind  StepKind
	Key   string // the property name or key (unquoted) for StepKey
	Index int64  // the list index for StepIndex
}

// LiteralKind is the type of a constant (STIX 2.1 §9.2).
type LiteralKind uint8

// The constant types.
const (
	LitString    LiteralKind = iota + 1 // 'text'
	LitInt                              // 42, -7
	LitFloat                            // 7.0, -.5
	LitBool                             // true, false
	LitHex                              // h'ffd8'
	LitBinary                           // b'ABI='
	LitTimestamp                        // t'2016-06-01T00:00:00Z'
)

// Literal is a constant in a comparison or a qualifier.
type Literal struct {
	Pos  Pos
	Kind LiteralKind
	// Str is the decoded text of a LitString and the text between the
	// quotes of a LitHex, LitBinary or LitTimestamp, unchecked: Check
	// validates it.
	Str   string
	Int   int64   // the value of a LitInt
	Float float64 // the value of a LitFloat
	Bool  bool    // the value of a LitBool
}

// Pos implements Node.
func (o *Observation) Pos() Pos { return o.Lbrack }

// Pos implements Node.
func (o *ObservationCompound) Pos() Pos { return o.Operands[0].Pos() }

// Pos implements Node.
func (q *Qualified) Pos() Pos { return q.Expr.Pos() }

// Pos implements Node.
func (c *ComparisonCompound) Pos() Pos { return c.Operands[0].Pos() }

// Pos implements Node.
func (c *Comparison) Pos() Pos { return c.Start }

func (*Observation) observationExpr()         {}
func (*ObservationCompound) observationExpr() {}
func (*Qualified) observationExpr()           {}
func (*ComparisonCompound) comparisonExpr()   {}
func (*Comparison) comparisonExpr()           {}
