package stix

import "encoding/json"

// Result is the outcome of checking one object of a request: either Object
// is usable, or Err (an *ObjectError) says why not.
type Result struct {
	Object Object
	Err    error
}

// Validator checks the objects a client posts. It is the single place where
// ingest validation happens; deeper checks (schemas, semantic rules,
// patterns) plug in here.
type Validator struct{}

// NewValidator returns a Validator ready to use.
func NewValidator() *Validator { return &Validator{} }

// Check checks every object of a request and returns one Result per object,
// in order. An invalid object never stops the others from being checked.
func (v *Validator) Check(objects []json.RawMessage) []Result {
	results := make([]Result, len(objects))
	for i, raw := range objects {
		o, err := Peek(i, raw)
		results[i] = Result{Object: o, Err: err}
	}
	return results
}
