package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"liaison/stix/coopfeed"
)

func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, coopfeed.Sample(), 0o644)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"type":"bundle","id":"bundle--6d6e6f70-0000-4000-8000-000000000000","objects":[
		{"type":"indicator","spec_version":"2.1","id":"indicator--6d6e6f70-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[file:name = 'x' file:size = 5]","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"},
		{"type":"malware","spec_version":"2.1","id":"malware--6d6e6f70-0000-4000-8000-000000000002","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"m","is_family":true}]}`), 0o644)
	stix20 := filepath.Join(dir, "stix20.json")
	os.WriteFile(stix20, []byte(`{"type":"bundle","id":"bundle--6d6e6f70-0000-4000-8000-000000000000","spec_version":"2.0","objects":[
		{"type":"indicator","id":"indicator--6d6e6f70-0000-4000-8000-000000000003","created":"2017-01-01T00:00:00.000Z","modified":"2017-01-01T00:00:00.000Z","labels":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.100.1']","valid_from":"2017-01-01T00:00:00Z"},
		{"type":"malware","spec_version":"2.0","id":"malware--6d6e6f70-0000-4000-8000-000000000004","created":"2017-01-01T00:00:00.000Z","modified":"2017-01-01T00:00:00.000Z","name":"m","labels":["trojan"]},
		{"type":"malware","spec_version":"2.1","id":"malware--6d6e6f70-0000-4000-8000-000000000005","created":"2017-01-01T00:00:00.000Z","modified":"2017-01-01T00:00:00.000Z","name":"m","is_family":true}]}`), 0o644)
	notJSON := filepath.Join(dir, "notjson.txt")
	os.WriteFile(notJSON, []byte("hello"), 0o644)

	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		out   []string
	}{
		{"valid sample", "", []string{"validate", good}, 0, []string{"301 objects: 301 valid, 0 invalid"}},
		{"invalid pattern", "", []string{"validate", bad}, 1, []string{"bad.json: objects[0]: indicator--6d6e6f70-0000-4000-8000-000000000001: pattern: line 1 col 18: expected ']'", "2 objects: 1 valid, 1 invalid"}},
		{"stdin", `{"objects":[{"type":"x"}]}`, []string{"validate", "-"}, 1, []string{"-: objects[0]:", "1 objects: 0 valid, 1 invalid"}},
		{"json", "", []string{"validate", "--json", bad, good}, 1, []string{`"valid":false`, `"objects":303`, `"invalid":1`}},
		{"malformed id", `{"objects":[{"type":"x","id":"x--1"}]}`, []string{"validate", "--json", "-"}, 1, []string{`"index":0,"id":"x--1","valid":false,"error":"objects[0]: id: \"x--1\" is not a STIX identifier`}},
		{"no id, text", `{"objects":[{"type":"x"}]}`, []string{"validate", "-"}, 1, []string{"-: objects[0]: id: required property is missing\n"}},
		{"STIX 2.0", "", []string{"validate", stix20}, 0, []string{"3 objects: 3 valid, 0 invalid, 0 with warnings\n" +
			"2 objects are STIX 2.0: only the properties a server indexes were checked, and only collections that accept STIX 2.0 store them\n"}},
		{"STIX 2.0, json", "", []string{"validate", "--json", stix20}, 0, []string{`"stix_2_0":2`}},
		{"not JSON", "", []string{"validate", notJSON}, 2, nil},
		{"missing file", "", []string{"validate", filepath.Join(dir, "nope.json")}, 2, nil},
		{"no file", "", []string{"validate"}, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cmdline(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s %s", code, tc.code, out, errOut)
			}
			for _, want := range tc.out {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if tc.name == "valid sample" && strings.Contains(out, "STIX 2.0") {
				t.Errorf("a STIX 2.1 file is said to hold STIX 2.0:\n%s", out)
			}
			if tc.name == "json" {
				for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
					if !json.Valid([]byte(line)) {
						t.Errorf("not a JSON line: %s", line)
					}
				}
			}
		})
	}
}
