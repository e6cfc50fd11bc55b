package stix

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Problem is one finding about an object: Property is the JSON path of the
// property at fault ("" for the object itself); Message names the rule in
// words a sender can act on.
type Problem struct {
	Property string
	Message  string
	// Warning marks a departure from a SHOULD of the specification: it is
	// reported, but does not make the object invalid.
	Warning bool
}

// Classes of ObjectError: which kind of check refused an
// object. Metrics count refusals by them; a new class is a new label.
const (
	ClassJSON     = "json"     // not a JSON object
	ClassEncoding = "encoding" // not Unicode, or a repeated member name
	ClassLimit    = "limit"    // beyond a bound on its size or shape
	ClassIndexing = "indexing" // id, type, created, modified, spec_version
	ClassSchema   = "schema"   // the JSON Schema of its type
	ClassRule     = "rule"     // a rule of the specification a schema cannot express
	ClassPattern  = "pattern"  // its STIX pattern
)

// String returns "property: message", or the message alone when the
// problem is about the object itself.
func (p Problem) String() string {
	if p.Property == "" {
		return p.Message
	}
	return p.Property + ": " + p.Message
}

const (
	// ruleMaxProblems bounds the problems reported for one object, so that a
	// hostile object cannot make the report larger than the object.
	ruleMaxProblems = 64
	// ruleMaxDepth bounds how deep the rules walk nested properties.
	ruleMaxDepth = 32
)

// checkRules checks the rules of STIX 2.1 that a JSON Schema cannot
// express, on one object decoded with json.Decoder.UseNumber
// (map[string]any). It never panics whatever the input: properties of the
// wrong JSON type are the schema's business and are skipped silently. The
// problems are sorted by property. Revoked objects are checked like any
// other: revocation does not make an object invalid (STIX 2.1 §3.6).
func checkRules(obj map[string]any) []Problem {
	c := ruleChecker{obj: obj}
	c.typ, _ = obj["type"].(string)
	c.id, _ = obj["id"].(string)
	// The rules, in order. They are called directly rather than through a
	// table of funcs: an indirect call would make c escape to the heap.
	checkID(&c)             // id prefix and UUID version (§2.9)
	checkTimestamps(&c)     // real dates and times (§2.16)
	checkTimestampOrder(&c) // modified >= created, time windows
	checkRefs(&c)           // identifiers of the allowed types (refs.go)
	checkMarkings(&c)       // selectors, self-marking, TLP 1.0 (§7.2)
	checkLangTags(&c)       // RFC 5646 language tags
	if len(c.problems) > 1 {
		slices.SortStableFunc(c.problems, func(a, b Problem) int {
			return cmp.Or(cmp.Compare(a.Property, b.Property), cmp.Compare(a.Message, b.Message))
		})
	}
	if c.dropped > 0 {
		// Warnings alone never make an object invalid.
		c.problems = append(c.problems, Problem{Message: fmt.Sprintf("%d more problems not shown", c.dropped), Warning: c.droppedErrors == 0})
	}
	return c.problems
}

// ruleChecker holds the state of one checkRules call.
type ruleChecker struct {
	obj      map[string]any
	typ, id  string // the object's type and id, "" when absent or not strings
	problems []Problem
	dropped  int // problems not kept, beyond ruleMaxProblems
	// droppedErrors counts the errors among them.
	droppedErrors int
	// path is the JSON path of the property being walked, for messages;
	// it is turned into a string only when there is a problem to report.
	path  [ruleMaxDepth]rulePathStep
	depth int
	// local is the deprecated observed-data objects container while its
	// objects are walked: their references are keys of it (STIX 2.1 §2.13).
	local map[string]any
}

// rulePathStep is a property name, or a list index when index >= 0.
type rulePathStep struct {
	key   string
	index int
}

func (c *ruleChecker) report(property, format string, args ...any) {
	c.add(Problem{Property: property, Message: fmt.Sprintf(format, args...)})
}

// warn reports a departure from a SHOULD.
func (c *ruleChecker) warn(property, format string, args ...any) {
	c.add(Problem{Property: property, Message: fmt.Sprintf(format, args...), Warning: true})
}

func (c *ruleChecker) add(p Problem) {
	if len(c.problems) == ruleMaxProblems {
		c.dropped++
		if !p.Warning {
			c.droppedErrors++
		}
		return
	}
	c.problems = append(c.problems, p)
}

// push enters a property (index < 0) or a list element; it reports false,
// and enters nothing, when the walk is already ruleMaxDepth deep.
func (c *ruleChecker) push(key string, index int) bool {
	if c.depth == ruleMaxDepth {
		return false
	}
	c.path[c.depth] = rulePathStep{key, index}
	c.depth++
	return true
}

func (c *ruleChecker) pop() { c.depth-- }

// at returns the current path, e.g. "granular_markings[0].marking_ref".
func (c *ruleChecker) at() string {
	var b strings.Builder
	for i, s := range c.path[:c.depth] {
		switch {
		case s.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		case i > 0:
			b.WriteByte('.')
			fallthrough
		default:
			b.WriteString(truncate(s.key))
		}
	}
	return b.String()
}
