package stix

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"strconv"
	"strings"

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
// This file compiles the schemas and validates an object; schema_report.go
// turns what failed into problems a sender can act on, schema_format.go
// holds the stix-* format checks and their messages.
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
