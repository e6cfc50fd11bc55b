package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection enforces the layout's dependency rules on every
// package of the module: stix <- store <- store/bolt, store/postgres,
// store/curation <- taxii <- cmd. Only store/bolt imports bbolt, its tests
// included, and only store/postgres (and its test helper) imports pgx; stix
// depends on neither echo nor the store; the storage contract (store,
// store/storetest) and everything above the storage but cmd (taxii,
// store/curation) depend on no backend; nothing but cmd depends on cmd.
func TestDependencyDirection(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	const (
		echo     = "github.com/labstack/echo"
		bbolt    = "go.etcd.io/bbolt"
		pgx      = "github.com/jackc/pgx"
		backend  = "liaison/store/bolt"
		postgres = "liaison/store/postgres"
	)
	out, err := exec.Command("go", "list", "-f",
		"{{.ImportPath}}|{{join .Deps \" \"}}|{{join .Imports \" \"}} {{join .TestImports \" \"}} {{join .XTestImports \" \"}}",
		"liaison/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	// forbidden lists, by package (a path, or a path and what is under it
	// with "/..."), the dependencies it must not have, tests aside.
	forbidden := []struct {
		pkg  string
		deps []string
	}{
		{"liaison/stix/...", []string{echo, bbolt, pgx, "liaison/store", "liaison/taxii", "liaison/cmd"}},
		{"liaison/store", []string{echo, bbolt, pgx, "liaison/store/", "liaison/taxii", "liaison/cmd"}},
		{"liaison/store/storetest", []string{echo, bbolt, pgx, backend, postgres, "liaison/taxii", "liaison/cmd"}},
		{"liaison/store/curation", []string{echo, bbolt, pgx, backend, postgres, "liaison/taxii", "liaison/cmd"}},
		{"liaison/store/bolt", []string{echo, pgx, postgres, "liaison/taxii", "liaison/cmd"}},
		{"liaison/store/postgres/...", []string{echo, bbolt, backend, "liaison/taxii", "liaison/cmd"}},
		{"liaison/taxii/...", []string{bbolt, pgx, backend, postgres, "liaison/cmd"}},
	}
	matches := func(pattern, pkg string) bool {
		if prefix, ok := strings.CutSuffix(pattern, "/..."); ok {
			return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
		}
		return pkg == pattern
	}
	packages := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, rest, _ := strings.Cut(line, "|")
		deps, imports, _ := strings.Cut(rest, "|")
		packages++
		for _, imp := range strings.Fields(imports) {
			if strings.HasPrefix(imp, bbolt) && pkg != backend {
				t.Errorf("%s (or its tests) imports %s: only %s may", pkg, imp, backend)
			}
			if strings.HasPrefix(imp, pgx) && pkg != postgres && !strings.HasPrefix(pkg, postgres+"/") {
				t.Errorf("%s (or its tests) imports %s: only %s may", pkg, imp, postgres)
			}
		}
		for _, rule := range forbidden {
			if !matches(rule.pkg, pkg) {
				continue
			}
			for _, dep := range strings.Fields(deps) {
				for _, f := range rule.deps {
					if strings.HasPrefix(dep, f) {
						t.Errorf("%s depends on %s", pkg, dep)
					}
				}
			}
		}
	}
	if packages < 10 {
		t.Errorf("go list found %d packages; the rules were not applied to the module", packages)
	}
}
