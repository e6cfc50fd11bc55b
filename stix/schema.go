package stix

import (
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"net/mail"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// The project's JSON Schemas (draft 2020-12) for STIX 2.1, written from the
// property tables of the specification: common/ (data types, the common
// properties of domain and relationship objects in sdo.json and of
// cyber-observables in sco.json), sdo/, sro/, sco/ (one file per object
// type, with its predefined extensions) and meta/. Their $id URLs live under
// schemaBaseURL, which never resolves: the compiler is served these files
// and nothing else. An object schema repeats the common properties of its
// core rather than $ref it, and writes scalar types inline, because every
// $ref is one more schema walked for every object (TestSchemaFilesConsistent
// checks the copies).
//
// Conventions the Go side relies on:
//   - a "description" is the message given to a sender when the keywords of
//     its own schema (pattern, format, not, anyOf, oneOf, contains,
//     minProperties) fail, and when anything fails inside a rule: an element
//     of "allOf";
//   - formats named stix-* are checked by the Go functions of
//     schemaFormats; stix-property-names checks all the names of an object;
//   - common/custom.json is the custom content policy (additionalProperties
//     of objects and extensions): the compiler that refuses custom content
//     is served strict/custom.json at the same URL.
//
//go:embed schemas
var schemaFiles embed.FS

const (
	schemaBaseURL = "https://schemas.liaison.invalid/stix/2.1/"
	// schemaMaxProblems bounds the problems reported for one object.
	schemaMaxProblems = 10
	// schemaMaxWalked bounds the problems collected before they are
	// sorted and cut to schemaMaxProblems: a list of 100,000 wrong
	// elements has as many, and each costs a path and a message.
	schemaMaxWalked = 1000
)

// schemaSet is the compiled project schemas, compiled once, offline, through
// the compiler's own LoadURL serving the embedded files (never the
// package-global loaders, never the network). It is safe for concurrent use.
type schemaSet struct {
	accept, refuse schemaPolicy
}

// schemaPolicy is the schemas compiled under one custom content policy.
type schemaPolicy struct {
	byType    map[string]*jsonschema.Schema
	customSDO *jsonschema.Schema            // custom domain and relationship object types
	customSCO *jsonschema.Schema            // custom cyber-observable object types
	at        map[string]*jsonschema.Schema // every subschema by location
}

// newSchemaSet compiles the embedded schemas twice: accepting custom content
// (STIX 2.1 §11, §7.3) and refusing it.
func newSchemaSet() (*schemaSet, error) {
	s := &schemaSet{}
	var err error
	if s.accept, err = schemaCompile(false); err != nil {
		return nil, err
	}
	if s.refuse, err = schemaCompile(true); err != nil {
		return nil, err
	}
	return s, nil
}

func schemaCompile(refuseCustom bool) (schemaPolicy, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.ExtractAnnotations = true // descriptions are the messages
	c.AssertFormat = true
	maps.Copy(c.Formats, schemaFormats())
	c.LoadURL = func(u string) (io.ReadCloser, error) {
		name, ok := strings.CutPrefix(u, schemaBaseURL)
		if !ok {
			return nil, fmt.Errorf("stix: schema %q is not one of the embedded schemas", u)
		}
		if refuseCustom && name == "common/custom.json" {
			name = "strict/custom.json"
		}
		return schemaFiles.Open("schemas/" + name)
	}
	p := schemaPolicy{byType: map[string]*jsonschema.Schema{}, at: map[string]*jsonschema.Schema{}}
	compile := func(name string) (*jsonschema.Schema, error) {
		sch, err := c.Compile(schemaBaseURL + name)
		if err != nil {
			return nil, fmt.Errorf("stix: compiling schema %s: %w", name, err)
		}
		schemaIndex(sch, p.at)
		return sch, nil
	}
	// These directories hold one schema per object type, named after it.
	for _, dir := range []string{"sdo", "sro", "sco", "meta"} {
		entries, err := fs.ReadDir(schemaFiles, "schemas/"+dir)
		if err != nil {
			return p, fmt.Errorf("stix: embedded schemas: %w", err)
		}
		for _, e := range entries {
			typ, ok := strings.CutSuffix(e.Name(), ".json")
			if !ok {
				continue
			}
			if p.byType[typ], err = compile(dir + "/" + e.Name()); err != nil {
				return p, err
			}
		}
	}
	var err error
	if p.customSDO, err = compile("common/sdo.json"); err != nil {
		return p, err
	}
	if p.customSCO, err = compile("common/sco.json"); err != nil {
		return p, err
	}
	return p, nil
}

// schemaIndex records sch and every schema it contains by location, for the
// messages of failed keywords.
func schemaIndex(sch *jsonschema.Schema, at map[string]*jsonschema.Schema) {
	if sch == nil {
		return
	}
	if _, seen := at[sch.Location]; seen {
		return
	}
	at[sch.Location] = sch
	for _, sub := range []*jsonschema.Schema{sch.Ref, sch.RecursiveRef, sch.DynamicRef, sch.Not, sch.If, sch.Then,
		sch.Else, sch.PropertyNames, sch.Items2020, sch.Contains, sch.UnevaluatedProperties, sch.UnevaluatedItems,
		sch.ContentSchema} {
		schemaIndex(sub, at)
	}
	for _, list := range [][]*jsonschema.Schema{sch.AllOf, sch.AnyOf, sch.OneOf, sch.PrefixItems} {
		for _, sub := range list {
			schemaIndex(sub, at)
		}
	}
	for _, sub := range sch.Properties {
		schemaIndex(sub, at)
	}
	for _, sub := range sch.PatternProperties {
		schemaIndex(sub, at)
	}
	for _, sub := range sch.DependentSchemas {
		schemaIndex(sub, at)
	}
	for _, v := range []any{sch.AdditionalProperties, sch.Items, sch.AdditionalItems} {
		switch v := v.(type) {
		case *jsonschema.Schema:
			schemaIndex(v, at)
		case []*jsonschema.Schema:
			for _, sub := range v {
				schemaIndex(sub, at)
			}
		}
	}
}

// validate checks one decoded object (decoded with json.Decoder.UseNumber)
// against the schema of its type (the core schema for custom types);
// rejectCustom refuses custom types/properties. It returns nil when the
// object is valid, otherwise at most schemaMaxProblems problems, sorted.
func (s *schemaSet) validate(typ string, obj any, rejectCustom bool) []Problem {
	p := &s.accept
	if rejectCustom {
		p = &s.refuse
	}
	sch := p.byType[typ]
	if sch == nil {
		switch {
		case typ == "bundle":
			return []Problem{{Property: "type", Message: "a bundle is not a STIX Object and cannot be one of the objects (STIX 2.1 §8)"}}
		case rejectCustom:
			return []Problem{{Property: "type", Message: fmt.Sprintf("%q is a custom object type, which this collection does not accept", schemaClip(typ))}}
		case schemaCustomSCO(obj):
			sch = p.customSCO
		default:
			sch = p.customSDO
		}
	}
	r := schemaReport{at: p.at, obj: obj}
	if schemaHugeNumber(obj) {
		// jsonschema computes numbers with math/big: such a number would
		// take it minutes, or make it panic.
		r.hugeNumbers(obj, "")
		return r.result()
	}
	err := sch.Validate(obj)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Problem{{Message: "cannot be validated: " + err.Error()}}
	}
	r.walk(ve)
	return r.result()
}

// schemaHugeNumber reports whether v holds a number no IEEE 754 double
// holds: too many digits, or an exponent out of range.
func schemaHugeNumber(v any) bool {
	switch v := v.(type) {
	case json.Number:
		s := string(v)
		if len(s) > 100 {
			return true
		}
		if i := strings.IndexAny(s, "eE"); i >= 0 {
			if exp, err := strconv.Atoi(s[i+1:]); err != nil || exp > 400 || exp < -400 {
				return true
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		return err != nil && !errors.Is(err, strconv.ErrRange) || math.IsInf(f, 0)
	case map[string]any:
		for _, x := range v {
			if schemaHugeNumber(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if schemaHugeNumber(x) {
				return true
			}
		}
	}
	return false
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

// schemaCustomSCO reports whether an object of a custom type is a cyber-observable:
// its extension definition says new-sco (STIX 2.1 §7.3), or, for the
// deprecated custom objects of §11.2, it has neither created nor modified.
func schemaCustomSCO(obj any) bool {
	m, _ := obj.(map[string]any)
	if exts, ok := m["extensions"].(map[string]any); ok {
		for _, e := range exts {
			if e, ok := e.(map[string]any); ok {
				switch e["extension_type"] {
				case "new-sco":
					return true
				case "new-sdo", "new-sro":
					return false
				}
			}
		}
	}
	_, created := m["created"]
	_, modified := m["modified"]
	return !created && !modified
}

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

// schemaFormatMessage says why v does not have the format name.
func schemaFormatMessage(name string, v any) string {
	s, _ := v.(string)
	q := strconv.Quote(schemaClip(s))
	switch name {
	case "stix-identifier":
		return q + " is not a STIX identifier: <object-type>--<RFC 4122 UUID> (STIX 2.1 §2.9)"
	case "stix-timestamp":
		return q + " is not a valid timestamp: YYYY-MM-DDTHH:MM:SS[.s+]Z, a real date in UTC (STIX 2.1 §2.16)"
	case "stix-timestamp-millis":
		if schemaTimestampFraction(s) >= 0 {
			return q + " must have at least millisecond precision, such as " + s[:19] + ".000Z (STIX 2.1 §3.2)"
		}
		return q + " is not a valid timestamp: YYYY-MM-DDTHH:MM:SS.sss[s+]Z, a real date in UTC (STIX 2.1 §2.16, §3.2)"
	case "stix-hex":
		return q + " is not hex: an even number of the characters 0-9 and a-f (STIX 2.1 §2.8)"
	case "stix-binary":
		return q + " is not base64 (RFC 4648) (STIX 2.1 §2.1)"
	case "stix-property-name":
		return q + " is not a valid property name: 3 to 250 characters a-z, 0-9 and _, starting with a letter (STIX 2.1 §3.1, §11.1)"
	case "stix-dictionary-key":
		return q + " is not a valid dictionary key: at most 250 ASCII characters a-z, A-Z, 0-9, - and _ (STIX 2.1 §2.3)"
	case "stix-hash-name":
		return q + " is not a valid hash algorithm name: 3 to 250 ASCII characters a-z, A-Z, 0-9, - and _ (STIX 2.1 §2.7)"
	case "stix-type-name":
		return q + " is not a valid type name: 3 to 250 characters a-z, 0-9 and -, starting with a letter, no -- (STIX 2.1 §3.1)"
	case "stix-ipv4":
		return q + " is not an IPv4 address or CIDR block (STIX 2.1 §6.8)"
	case "stix-ipv6":
		return q + " is not an IPv6 address or CIDR block (STIX 2.1 §6.9)"
	case "stix-url", "stix-url-lenient":
		return q + " is not a URL (RFC 3986) (STIX 2.1 §6.15)"
	case "stix-selector":
		return q + " is not a selector: property names, dictionary keys and [index] joined by . (STIX 2.1 §7.2.3.1)"
	case "stix-email-addr":
		return q + " is not an email address (the addr-spec of RFC 5322 §3.4, without a display name) (STIX 2.1 §6.5)"
	case "stix-domain-name":
		return q + " is not a domain name (RFC 1034, RFC 5890) (STIX 2.1 §6.4)"
	}
	return q + " is not a valid " + name
}

// schemaFormatWarning reports whether a value that fails format name breaks
// only a rule that real feeds break and the reference library (python-stix2)
// does not enforce, and then returns the warning to give instead of an
// error: upper-case hex, and a relative reference where the schema allows
// one with a warning (url's value).
func schemaFormatWarning(name string, v any) (string, bool) {
	s, _ := v.(string)
	q := strconv.Quote(schemaClip(s))
	switch name {
	case "stix-hex":
		if schemaHex(strings.ToLower(s)) {
			return q + " has upper-case letters: hex is written with 0-9 and a-f (STIX 2.1 §2.8)", true
		}
	case "stix-url-lenient":
		if schemaURLReference(s) {
			return q + " is a relative reference, not a URL with a scheme (STIX 2.1 §6.15, RFC 3986 §1.1.3)", true
		}
	}
	return "", false
}

// schemaFormats returns the formats of the project schemas. Each accepts
// values that are not strings: the type keyword reports those.
func schemaFormats() map[string]func(any) bool {
	return map[string]func(any) bool{
		"stix-identifier":       schemaString(ValidID),
		"stix-timestamp":        schemaString(func(s string) bool { return schemaTimestampFraction(s) >= 0 }),
		"stix-timestamp-millis": schemaString(func(s string) bool { return schemaTimestampFraction(s) >= 3 }),
		"stix-hex":              schemaString(schemaHex),
		"stix-binary":           schemaString(schemaBase64),
		"stix-property-name":    schemaString(schemaPropertyName),
		"stix-property-names":   schemaPropertyNames,
		"stix-dictionary-key":   schemaString(func(s string) bool { return schemaKey(s, 1) }),
		"stix-hash-name":        schemaString(func(s string) bool { return schemaKey(s, 3) }),
		"stix-type-name":        schemaString(ValidType),
		"stix-ipv4":             schemaString(func(s string) bool { return schemaIP(s, true) }),
		"stix-ipv6":             schemaString(func(s string) bool { return schemaIP(s, false) }),
		"stix-url":              schemaString(schemaURL),
		"stix-url-lenient":      schemaString(schemaURL),
		"stix-selector":         schemaString(schemaSelector),
		"stix-email-addr":       schemaString(schemaEmailAddr),
		"stix-domain-name":      schemaString(schemaDomainName),
	}
}

// schemaPropertyNames checks every property name of an object at once:
// cheaper than propertyNames, which walks a schema for each name.
func schemaPropertyNames(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return true
	}
	for k := range m {
		if !schemaPropertyName(k) {
			return false
		}
	}
	return true
}

func schemaString(f func(string) bool) func(any) bool {
	return func(v any) bool {
		s, ok := v.(string)
		return !ok || f(s)
	}
}

// schemaTimestampFraction returns the number of fractional second digits of
// a STIX timestamp, YYYY-MM-DDTHH:mm:ss[.s+]Z on a date that exists (STIX
// 2.1 §2.16), or -1 when s is not one.
func schemaTimestampFraction(s string) int {
	if len(s) < 20 || s[len(s)-1] != 'Z' {
		return -1
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return -1
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, sec := num(11, 2), num(14, 2), num(17, 2)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 60 {
		return -1
	}
	if day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return -1
	}
	frac := s[19 : len(s)-1]
	if frac == "" {
		return 0
	}
	if frac[0] != '.' || !schemaDigits(frac[1:]) {
		return -1
	}
	return len(frac) - 1
}

func schemaDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// schemaHex: an even number of 0-9 a-f (STIX 2.1 §2.8).
func schemaHex(s string) bool {
	if s == "" || len(s)%2 != 0 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// schemaBase64: padded base64 of RFC 4648 §4 (STIX 2.1 §2.1).
func schemaBase64(s string) bool {
	if len(s)%4 != 0 {
		return false
	}
	pad := 0
	for i, c := range []byte(s) {
		switch {
		case c == '=':
			pad++
			if pad > 2 || len(s)-i > 2 {
				return false
			}
		case pad > 0:
			return false
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}

// schemaPropertyName: a-z 0-9 _, 3 to 250 characters, starting with a
// letter (STIX 2.1 §3.1, §11.1.1); id is the one shorter common property.
func schemaPropertyName(s string) bool {
	if s == "id" {
		return true
	}
	if len(s) < 3 || len(s) > 250 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// schemaKey: a dictionary key or hash name, min to 250 ASCII characters
// a-z A-Z 0-9 - _ (STIX 2.1 §2.3, §2.7).
func schemaKey(s string, min int) bool {
	if len(s) < min || len(s) > 250 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// schemaIP: an address or CIDR block of the family, without a zone.
func schemaIP(s string, v4 bool) bool {
	var addr netip.Addr
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return false
		}
		addr = p.Addr()
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return false
		}
		addr = a
	}
	if addr.Zone() != "" {
		return false
	}
	if v4 {
		return addr.Is4()
	}
	return addr.Is6()
}

// schemaURL: an absolute URL (RFC 3986 §1.1.3): a scheme, no spaces or
// control characters.
func schemaURL(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}

// schemaURLReference: a relative reference (RFC 3986 §4.2): no scheme, no
// spaces or control characters.
func schemaURLReference(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	return s != "" && err == nil && u.Scheme == ""
}

// schemaSelector: components joined by ., each a property name, a
// dictionary key or a list index [n] (STIX 2.1 §7.2.3.1).
func schemaSelector(s string) bool {
	for _, comp := range strings.Split(s, ".") {
		if inner, ok := strings.CutPrefix(comp, "["); ok {
			if inner, ok = strings.CutSuffix(inner, "]"); !ok || !schemaDigits(inner) {
				return false
			}
			continue
		}
		if !schemaKey(comp, 1) {
			return false
		}
	}
	return true
}

// schemaEmailAddr: an addr-spec (RFC 5322 §3.4), without a display name or
// angle brackets (STIX 2.1 §6.5).
func schemaEmailAddr(s string) bool {
	if strings.ContainsAny(s, "<>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == ""
}

// schemaDomainName: dot-separated labels of 1 to 63 octets, at most 253 in
// all (RFC 1034 §3.1), made of letters, digits and hyphens (not at either
// end of a label), or UTF-8 (IDN U-labels, RFC 5890). Underscores are
// accepted as DNS itself does (RFC 2181 §11), for names such as _dmarc.
func schemaDomainName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' && c < 0x80 {
				return false
			}
		}
	}
	return true
}
