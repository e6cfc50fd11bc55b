package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection enforces stix <- store <- taxii <- cmd: stix
// depends on neither echo nor bbolt, store never on echo or taxii, and
// taxii never imports bbolt itself (it reaches it only through store's API).
func TestDependencyDirection(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	for _, tc := range []struct {
		pkg       string
		list      []string // the go list arguments: all dependencies or direct imports
		forbidden []string
	}{
		{"liaison/stix", []string{"-deps"}, []string{"github.com/labstack/echo", "go.etcd.io/bbolt", "liaison/store", "liaison/taxii", "liaison/cmd"}},
		{"liaison/store", []string{"-deps"}, []string{"github.com/labstack/echo", "go.etcd.io/bbolt", "liaison/store/", "liaison/taxii", "liaison/cmd"}},
		{"liaison/taxii", []string{"-f", `{{join .Imports "\n"}}`}, []string{"go.etcd.io/bbolt"}},
		{"liaison/taxii", []string{"-deps"}, []string{"liaison/cmd"}},
	} {
		out, err := exec.Command("go", append(append([]string{"list"}, tc.list...), tc.pkg)...).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", tc.pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range tc.forbidden {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s depends on %s", tc.pkg, dep)
				}
			}
		}
	}
}
