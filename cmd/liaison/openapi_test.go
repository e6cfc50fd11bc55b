package main

import (
	"bufio"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// openAPIPath is the API description the test holds the server to.
const openAPIPath = "../../docs/openapi.yaml"

// TestOpenAPI_DescribesEveryRoute: every route the running server answers
// (TAXII, admin API, health, metrics) has an operation in docs/openapi.yaml,
// and the document describes no operation the server does not answer.
func TestOpenAPI_DescribesEveryRoute(t *testing.T) {
	m := MustRunMain(t) // the wiring of serve: admin API and /metrics on the main address

	served := map[string]bool{}
	for _, r := range m.api.Routes() {
		served[operationKey(r.Method, echoToOpenAPI(r.Path))] = true
	}
	if !served[operationKey("GET", "/taxii2/")] || !served[operationKey("POST", "/admin/users/")] {
		t.Fatalf("the route list lacks discovery or the admin API: %v", slices.Sorted(maps.Keys(served)))
	}

	f, err := os.Open(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	described, err := openAPIOperations(f)
	if err != nil {
		t.Fatalf("%s: %v", openAPIPath, err)
	}

	for _, k := range slices.Sorted(maps.Keys(served)) {
		if !described[k] {
			t.Errorf("%s: the server answers %s, the document does not describe it", openAPIPath, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(described)) {
		if !served[k] {
			t.Errorf("%s: describes %s, which the server does not answer", openAPIPath, k)
		}
	}
}

var echoParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// echoToOpenAPI writes echo's ":name" path parameters as OpenAPI's "{name}".
func echoToOpenAPI(path string) string { return echoParam.ReplaceAllString(path, "{$1}") }

// operationKey names an operation: the server answers every path with and
// without its trailing slash, so the slash does not tell operations apart.
func operationKey(method, path string) string {
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	return strings.ToUpper(method) + " " + path
}

var (
	yamlPathKey   = regexp.MustCompile(`^  (/\S*?):\s*$`)
	yamlMethodKey = regexp.MustCompile(`^    (get|put|post|delete|options|head|patch|trace):\s*$`)
	yamlTopKey    = regexp.MustCompile(`^[^\s#]`)
)

// openAPIOperations reads the operations under "paths:" of an OpenAPI
// document written in the block style docs/openapi.yaml keeps to: path
// keys indented by two spaces, their operations by four. It is not a YAML
// parser (which would be a new dependency); it refuses what it cannot
// read rather than skip it.
func openAPIOperations(f *os.File) (map[string]bool, error) {
	ops := map[string]bool{}
	paths := map[string]bool{}
	in, seen, path := false, false, ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case line == "paths:":
			in, seen = true, true
		case !in:
		case yamlTopKey.MatchString(line):
			in = false // the next top-level key ends paths
		case strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") && strings.TrimSpace(line) != "" && !strings.HasPrefix(strings.TrimSpace(line), "#"):
			m := yamlPathKey.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("line %d: %q is not a path key in block style", n, line)
			}
			path = m[1]
			k := operationKey("", path)
			if paths[k] {
				return nil, fmt.Errorf("line %d: path %s described twice (with and without its trailing slash?)", n, path)
			}
			paths[k] = true
		default:
			if m := yamlMethodKey.FindStringSubmatch(line); m != nil {
				k := operationKey(m[1], path)
				if ops[k] {
					return nil, fmt.Errorf("line %d: %s described twice", n, k)
				}
				ops[k] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !seen || len(ops) == 0 {
		return nil, fmt.Errorf("no operations under a top-level paths: key")
	}
	return ops, nil
}
