package stix

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// schemaReport turns a jsonschema.ValidationError tree into problems.
type schemaReport struct {
	at       map[string]*jsonschema.Schema
	obj      any
	problems []schemaProblem
	// capped says the walk stopped at schemaMaxWalked problems.
	capped bool
}

// schemaProblem is a problem and whether it is about the JSON type or the
// format of the value, which makes other problems of the value noise.
type schemaProblem struct {
	Problem
	basic bool
}

// walk collects the deepest causes of e, except that a failed rule (an
// element of allOf with a description) or a failed anyOf, oneOf, contains
// or not whose schema has a description is reported in the words of that
// description.
func (r *schemaReport) walk(e *jsonschema.ValidationError) {
	if len(r.problems) >= schemaMaxWalked {
		r.capped = true
		return
	}
	owner, kw := r.keyword(e.AbsoluteKeywordLocation)
	if strings.HasPrefix(kw, "allOf/") {
		if rule := r.at[e.AbsoluteKeywordLocation]; rule != nil && rule.Description != "" {
			r.rule(e, rule.Description)
			return
		}
	}
	if len(e.Causes) > 0 && (owner == nil || owner.Description == "" || !schemaWhole(kw)) {
		for _, c := range e.Causes {
			r.walk(c)
		}
		return
	}
	r.leaf(e, owner, kw)
}

// schemaWhole reports whether a failed keyword is about its value as a
// whole, whatever its causes (the branches or items that failed).
func schemaWhole(kw string) bool {
	switch kw {
	case "anyOf", "oneOf", "contains", "minContains", "maxContains":
		return true
	}
	return false
}

// rule reports a failed rule: at the value the rule is about for anyOf,
// oneOf, contains and not, else at each property where it failed.
func (r *schemaReport) rule(e *jsonschema.ValidationError, msg string) {
	var leaves func(e *jsonschema.ValidationError)
	leaves = func(e *jsonschema.ValidationError) {
		if len(r.problems) >= schemaMaxWalked {
			r.capped = true
			return
		}
		owner, kw := r.keyword(e.AbsoluteKeywordLocation)
		switch {
		case kw == "not" || schemaWhole(kw):
			r.add(e.InstanceLocation, "", msg)
		case len(e.Causes) > 0:
			for _, c := range e.Causes {
				leaves(c)
			}
		case kw == "required" && owner != nil:
			for _, name := range r.missing(owner, e.InstanceLocation) {
				r.add(e.InstanceLocation, name, msg)
			}
		default:
			r.add(e.InstanceLocation, "", msg)
		}
	}
	leaves(e)
}

// leaf reports one failed keyword.
func (r *schemaReport) leaf(e *jsonschema.ValidationError, owner *jsonschema.Schema, kw string) {
	at := e.InstanceLocation
	v, _ := schemaLookup(r.obj, at)
	if strings.Contains(e.KeywordLocation, "/propertyNames") {
		// The instance is the name itself, at the location of its value.
		v = schemaUnescape(at[strings.LastIndexByte(at, '/')+1:])
	}
	desc := ""
	if owner != nil {
		desc = owner.Description
	}
	switch {
	case kw == "required" && owner != nil:
		for _, name := range r.missing(owner, at) {
			r.add(at, name, "required property is missing")
		}
		return
	case strings.HasPrefix(kw, "dependentRequired/") && owner != nil:
		dep := strings.Split(kw, "/")
		if i, err := strconv.Atoi(dep[2]); err == nil {
			if names := owner.DependentRequired[schemaUnescape(dep[1])]; i < len(names) {
				r.add(at, names[i], fmt.Sprintf("required property is missing: it must be present when %s is", schemaUnescape(dep[1])))
				return
			}
		}
	case kw == "type" && owner != nil:
		r.addBasic(at, fmt.Sprintf("must be %s, not %s", schemaKinds(owner.Types), schemaKind(v)))
		return
	case kw == "format" && owner != nil && owner.Format == "stix-property-names":
		m, _ := v.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !schemaPropertyName(k) {
				r.problems = append(r.problems, schemaProblem{Problem{Property: schemaJoin(schemaPath(r.obj, at), k),
					Message: schemaFormatMessage("stix-property-name", k)}, true})
			}
		}
		return
	case kw == "format" && owner != nil:
		if msg, ok := schemaFormatWarning(owner.Format, v); ok {
			r.problems = append(r.problems, schemaProblem{Problem: Problem{Property: schemaPath(r.obj, at), Message: msg, Warning: true}})
			return
		}
		r.addBasic(at, schemaFormatMessage(owner.Format, v))
		return
	case desc != "" && kw != "minimum" && kw != "maximum" && kw != "exclusiveMinimum" && kw != "exclusiveMaximum":
		if s, ok := v.(string); ok && (kw == "pattern" || kw == "not" && owner.Not.Pattern != nil) {
			desc = fmt.Sprintf("%s (got %q)", desc, schemaClip(s))
		}
		r.add(at, "", desc)
		return
	case kw == "const" && owner != nil && len(owner.Constant) > 0:
		r.add(at, "", fmt.Sprintf("must be %s, not %s", schemaJSON(owner.Constant[0]), schemaJSON(v)))
		return
	case kw == "enum" && owner != nil:
		r.add(at, "", fmt.Sprintf("%s is not one of %s", schemaJSON(v), schemaJSONList(owner.Enum)))
		return
	case kw == "minItems":
		if l, ok := v.([]any); ok && len(l) == 0 {
			r.add(at, "", "must not be an empty list (STIX 2.1 §2.12)")
			return
		}
	case kw == "minProperties":
		if m, ok := v.(map[string]any); ok && len(m) == 0 {
			r.add(at, "", "must not be empty (STIX 2.1 §2.3)")
			return
		}
	case (kw == "minimum" || kw == "maximum") && owner != nil:
		bound, word := owner.Minimum, "at least"
		if kw == "maximum" {
			bound, word = owner.Maximum, "at most"
		}
		if bound != nil {
			r.add(at, "", fmt.Sprintf("must be %s %s, not %s", word, bound.RatString(), schemaJSON(v)))
			return
		}
	}
	r.add(at, "", e.Message)
}

// missing returns the properties that owner requires and the object at
// the instance location lacks.
func (r *schemaReport) missing(owner *jsonschema.Schema, at string) []string {
	v, _ := schemaLookup(r.obj, at)
	m, _ := v.(map[string]any)
	var names []string
	for _, name := range owner.Required {
		if _, ok := m[name]; !ok {
			names = append(names, name)
		}
	}
	return names
}

// keyword splits an absolute keyword location into the schema that holds
// the keyword and the keyword ("dependentRequired/<name>/<i>" and
// "allOf/<i>" keep their arguments).
func (r *schemaReport) keyword(loc string) (*jsonschema.Schema, string) {
	hash := strings.IndexByte(loc, '#')
	if hash < 0 {
		return nil, ""
	}
	segs := strings.Split(loc[hash+1:], "/")
	n := 1
	if len(segs) >= 3 && segs[len(segs)-3] == "dependentRequired" {
		n = 3
	} else if len(segs) >= 2 && segs[len(segs)-2] == "allOf" {
		n = 2
	}
	if len(segs) <= n {
		return nil, ""
	}
	return r.at[loc[:hash+1]+strings.Join(segs[:len(segs)-n], "/")], strings.Join(segs[len(segs)-n:], "/")
}

// add records a problem at the JSON pointer at, or at its child name.
func (r *schemaReport) add(at, name, msg string) {
	r.problems = append(r.problems, schemaProblem{Problem: Problem{Property: schemaJoin(schemaPath(r.obj, at), name), Message: msg}})
}

func schemaJoin(path, name string) string {
	switch {
	case name == "":
		return path
	case path == "":
		return name
	}
	return path + "." + name
}

// addBasic records a problem with the JSON type or format of a value.
func (r *schemaReport) addBasic(at, msg string) {
	r.problems = append(r.problems, schemaProblem{Problem{Property: schemaPath(r.obj, at), Message: msg}, true})
}

// result sorts and de-duplicates the problems, errors before warnings; a
// property with a type or format problem keeps only those. When problems
// are left out, the note that says so is a warning if only warnings were:
// warnings alone never make an object invalid.
func (r *schemaReport) result() []Problem {
	basic := map[string]bool{}
	for _, p := range r.problems {
		if p.basic {
			basic[p.Property] = true
		}
	}
	out := make([]Problem, 0, len(r.problems))
	for _, p := range r.problems {
		if p.basic || !basic[p.Property] {
			out = append(out, p.Problem)
		}
	}
	slices.SortFunc(out, func(a, b Problem) int {
		return cmp.Or(schemaCompareBool(a.Warning, b.Warning), cmp.Compare(a.Property, b.Property), cmp.Compare(a.Message, b.Message))
	})
	out = slices.Compact(out)
	if len(out) > schemaMaxProblems {
		left := out[schemaMaxProblems-1:]
		note := Problem{Message: fmt.Sprintf("%d more problems not shown", len(left)), Warning: left[0].Warning}
		if r.capped {
			note.Message = fmt.Sprintf("%d or more problems not shown", len(left))
		}
		out = append(out[:schemaMaxProblems-1], note)
	}
	return out
}

// hugeNumbers reports every number of v that schemaHugeNumber refuses, in
// a stable order.
func (r *schemaReport) hugeNumbers(v any, at string) {
	switch v := v.(type) {
	case json.Number:
		if schemaHugeNumber(v) {
			r.add(at, "", fmt.Sprintf("%s is not a number STIX can carry: numbers are IEEE 754 doubles and integers 54-bit (STIX 2.1 §2.6, §2.10)",
				schemaClip(string(v))))
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			r.hugeNumbers(v[k], at+"/"+url.PathEscape(strings.NewReplacer("~", "~0", "/", "~1").Replace(k)))
		}
	case []any:
		for i, x := range v {
			r.hugeNumbers(x, at+"/"+strconv.Itoa(i))
		}
	}
}

// schemaCompareBool orders false before true.
func schemaCompareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// schemaLookup resolves a JSON pointer in v.
func schemaLookup(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	for _, seg := range strings.Split(ptr[1:], "/") {
		seg = schemaUnescape(seg)
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[seg]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// schemaPath turns a JSON pointer into the property path senders read:
// external_references[0].url.
func schemaPath(obj any, ptr string) string {
	if ptr == "" {
		return ""
	}
	var b strings.Builder
	v := obj
	for _, seg := range strings.Split(ptr[1:], "/") {
		seg = schemaUnescape(seg)
		if l, ok := v.([]any); ok {
			b.WriteString("[" + seg + "]")
			if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(l) {
				v = l[i]
			} else {
				v = nil
			}
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
		m, _ := v.(map[string]any)
		v = m[seg]
	}
	return b.String()
}

// schemaUnescape decodes one segment of a JSON pointer as the jsonschema
// package writes it (URL-escaped, then ~1 and ~0).
func schemaUnescape(seg string) string {
	// Most segments need nothing: a problem on each element of a long
	// list must not cost a replacer each (it did: 6 KB a problem).
	if !strings.ContainsAny(seg, "%~") {
		return seg
	}
	if u, err := url.PathUnescape(seg); err == nil {
		seg = u
	}
	// RFC 6901 §4: ~1 first, then ~0.
	return strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
}

func schemaKinds(types []string) string {
	words := make([]string, len(types))
	for i, t := range types {
		words[i] = schemaKindWord(t)
	}
	return strings.Join(words, " or ")
}

func schemaKindWord(t string) string {
	switch t {
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "integer":
		return "an integer"
	case "boolean":
		return "true or false"
	case "null":
		return "null"
	}
	return "a " + t
}

func schemaKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "an integer"
		}
		return "a number"
	case float64, float32, int, int64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// schemaClip keeps messages readable when a sender sends huge values.
func schemaClip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func schemaJSON(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(schemaClip(s))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return schemaClip(string(b))
}

func schemaJSONList(vs []any) string {
	words := make([]string, len(vs))
	for i, v := range vs {
		words[i] = schemaJSON(v)
	}
	return strings.Join(words, ", ")
}
