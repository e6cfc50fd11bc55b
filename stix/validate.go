package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"liaison/stix/pattern"
)

// Options adjust validation to a collection.
type Options struct {
	// RejectCustom refuses custom object types and custom properties.
	RejectCustom bool
}

// Result is the outcome of checking one object of a request: either Object
// is usable, or Err (an *ObjectError) says why not. Warnings report
// departures from the specification's SHOULDs, which do not make an object
// invalid.
type Result struct {
	Object   Object
	Err      error
	Warnings []string
}

// Validator checks the objects a client posts or an admin imports: the
// properties the server indexes (Peek), the project's STIX 2.1 JSON
// Schemas, the rules a schema cannot express, and STIX patterns. It is the
// single place where ingest validation happens. It is safe for concurrent
// use.
type Validator struct {
	schemas *schemaSet
	// Workers is how many objects of one request are checked at once.
	Workers int
	// Limits bound each object; NewValidator sets DefaultLimits.
	Limits Limits
	// MaxValuesAtOnce bounds the JSON values of the objects decoded at
	// once by all the checks of this validator, whatever the requests
	// they belong to. A decoded tree, with the schema errors found on it,
	// is what a check costs in memory: some 100 bytes a value, and up to
	// 1.5 KB when every value is wrong. An object waits until its values
	// fit; one larger than the bound waits until it is alone. Zero sets no
	// bound; NewValidator sets DefaultMaxValuesAtOnce. Set it before the
	// first check.
	MaxValuesAtOnce int

	budgetOnce sync.Once
	budget     *valueBudget
}

// DefaultMaxValuesAtOnce lets one object of the largest size the default
// limits allow be checked at a time, or any number of ordinary ones.
const DefaultMaxValuesAtOnce = DefaultMaxValues

// compiledSchemas compiles the embedded schemas once per process: they are
// constant data, the result is immutable, and compiling takes a fifth of a
// second.
var compiledSchemas = sync.OnceValues(newSchemaSet)

// NewValidator returns a Validator with the embedded schemas compiled. The
// schemas are part of the binary and tested; a failure to compile them is a
// broken build, and panics.
func NewValidator() *Validator {
	s, err := compiledSchemas()
	if err != nil {
		panic("stix: the embedded JSON schemas do not compile: " + err.Error())
	}
	return &Validator{schemas: s, Workers: runtime.GOMAXPROCS(0), Limits: DefaultLimits(), MaxValuesAtOnce: DefaultMaxValuesAtOnce}
}

// Check checks every object of a request with default options.
func (v *Validator) Check(objects []json.RawMessage) []Result {
	return v.CheckWith(objects, Options{})
}

// CheckWith checks every object of a request and returns one Result per
// object, in order. An invalid object never stops the others from being
// checked. Large requests are checked in parallel.
func (v *Validator) CheckWith(objects []json.RawMessage, o Options) []Result {
	results := make([]Result, len(objects))
	workers := min(v.Workers, len(objects)/16)
	if workers <= 1 {
		for i, raw := range objects {
			results[i] = v.checkOne(i, raw, o)
		}
		return results
	}
	var wg sync.WaitGroup
	chunk := (len(objects) + workers - 1) / workers
	for start := 0; start < len(objects); start += chunk {
		end := min(start+chunk, len(objects))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := start; i < end; i++ {
				results[i] = v.checkOne(i, objects[i], o)
			}
		}()
	}
	wg.Wait()
	return results
}

// checkOne checks one object.
func (v *Validator) checkOne(i int, raw json.RawMessage, o Options) Result {
	obj, values, err := peek(i, raw, v.Limits)
	if err != nil {
		return Result{Err: err}
	}
	if obj.SpecVersion != SpecVersion21 {
		// The schemas and rules are STIX 2.1's. STIX 2.0 objects, which
		// collections may hold when their media types say so, are checked
		// for what the server indexes only.
		return Result{Object: obj}
	}
	// The schemas are checked on a decoded tree (numbers as json.Number),
	// built only now that the scan has bounded its size, and when it fits
	// in what the validator decodes at once.
	v.budgetOnce.Do(func() { v.budget = newValueBudget(v.MaxValuesAtOnce) })
	v.budget.acquire(values)
	defer v.budget.release(values)
	m := decodeTreeObject(obj.Raw)
	if m == nil {
		// Beyond what decodeTree builds: the Decoder says why.
		dec := json.NewDecoder(bytes.NewReader(obj.Raw))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return Result{Err: &ObjectError{Index: i, ID: obj.ID, Version: obj.VersionText, Reason: "not valid JSON: " + err.Error(), Class: ClassJSON}}
		}
	}
	problems := v.schemas.validate(obj.Type, m, o.RejectCustom)
	nSchema := len(problems)
	// A property the schema already faulted is not reported again by the
	// rules (a bad date, say, fails both).
	for _, p := range checkRules(m) {
		if !slices.ContainsFunc(problems, func(q Problem) bool { return q.Property == p.Property && !q.Warning }) {
			problems = append(problems, p)
		}
	}
	nRules := len(problems)
	problems = append(problems, checkPattern(m)...)
	var errs, warns []string
	class := "" // of the first error: which kind of check refused it
	for i, p := range problems {
		if !p.Warning && class == "" {
			class = ClassPattern
			if i < nRules {
				class = ClassRule
			}
			if i < nSchema {
				class = ClassSchema
			}
		}
		s := p.String()
		switch {
		case p.Warning && !slices.Contains(warns, s):
			warns = append(warns, s)
		case !p.Warning && !slices.Contains(errs, s):
			errs = append(errs, s)
		}
	}
	if len(errs) > 0 {
		return Result{Err: &ObjectError{Index: i, ID: obj.ID, Version: obj.VersionText, Reason: strings.Join(errs, "; "), Class: class}, Warnings: warns}
	}
	obj.Warnings = warns
	return Result{Object: obj, Warnings: warns}
}

// checkPattern parses and checks the pattern of an indicator whose
// pattern_type is stix; other pattern languages (snort, yara, sigma, ...)
// are stored as they are.
func checkPattern(obj map[string]any) []Problem {
	if obj["type"] != "indicator" || obj["pattern_type"] != "stix" {
		return nil
	}
	s, ok := obj["pattern"].(string)
	if !ok {
		return nil // the schema reports it
	}
	p, err := pattern.Parse(s)
	if err != nil {
		var se *pattern.SyntaxError
		if errors.As(err, &se) {
			return []Problem{{Property: "pattern", Message: se.Error()}}
		}
		return []Problem{{Property: "pattern", Message: err.Error()}}
	}
	var out []Problem
	for _, pp := range p.Check() {
		out = append(out, Problem{Property: "pattern", Message: fmt.Sprintf("line %d col %d: %s", pp.Line, pp.Col, pp.Msg), Warning: pp.Warning})
	}
	return out
}

// valueBudget is a semaphore counted in JSON values, first come first
// served, so that a large object is not starved by a stream of small
// ones. A nil budget admits everything.
type valueBudget struct {
	mu      sync.Mutex
	size    int
	free    int
	waiting []budgetWaiter
}

type budgetWaiter struct {
	n     int
	ready chan struct{}
}

func newValueBudget(size int) *valueBudget {
	if size <= 0 {
		return nil
	}
	return &valueBudget{size: size, free: size}
}

// acquire takes n values of the budget, waiting until they are free. More
// than the whole budget takes all of it.
func (b *valueBudget) acquire(n int) {
	if b == nil {
		return
	}
	n = min(n, b.size)
	b.mu.Lock()
	if len(b.waiting) == 0 && b.free >= n {
		b.free -= n
		b.mu.Unlock()
		return
	}
	w := budgetWaiter{n: n, ready: make(chan struct{})}
	b.waiting = append(b.waiting, w)
	b.mu.Unlock()
	<-w.ready
}

// release gives back n values taken by acquire, and wakes the waiters
// they make room for, in order.
func (b *valueBudget) release(n int) {
	if b == nil {
		return
	}
	n = min(n, b.size)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.free += n
	for len(b.waiting) > 0 && b.waiting[0].n <= b.free {
		w := b.waiting[0]
		b.waiting = b.waiting[1:]
		b.free -= w.n
		close(w.ready)
	}
}
