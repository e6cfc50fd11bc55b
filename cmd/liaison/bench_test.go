package main

import (
	"encoding/json"
	"strings"
	"testing"

	"liaison/cmd/internal/bench"
)

// TestBench runs every bench scenario against the real server, as an
// operator would, and checks what each reports.
func TestBench(t *testing.T) {
	m := MustRunMain(t, "--demo")
	feed := m.URL + "/cooperation/collections/operation-feed/objects/"
	inbox := m.URL + "/cooperation/collections/partner-inbox/objects/"
	key := m.Demo.APIKey
	result := func(args ...string) bench.Result {
		t.Helper()
		code, out, errOut := cmdline(t, "", append(args, "--json")...)
		if code != 0 {
			t.Fatalf("liaison %s = %d %s %s", strings.Join(args, " "), code, out, errOut)
		}
		var r bench.Result
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return r
	}
	// demo reads 273 of the feed's 291 objects (the AMBER+STRICT of other
	// organisations are not for it), anonymous clients its 28 TLP:CLEAR.
	for _, by := range []string{"next", "added_after"} {
		r := result("bench", "walk", "--url", feed, "--limit", "50", "--by", by, "--ceiling", "--api-key", key)
		if r.Objects != 273 || r.Requests != 6 || r.Duplicates+r.Missing+r.Unexpected != 0 || r.Ceiling == nil || r.Ratio <= 0 {
			t.Errorf("walk by %s: %+v", by, r)
		}
	}
	if r := result("bench", "walk", "--url", feed, "--limit", "50"); r.Objects != 28 || r.Requests != 1 || r.Duplicates+r.Missing+r.Unexpected != 0 {
		t.Errorf("anonymous walk: %+v", r)
	}
	// What a tail posts, its pollers must see: the inbox shares the
	// AMBER+STRICT objects of the generated feed with demo's organisation.
	if code, _, errOut := cmdline(t, "", "collection", "update", "partner-inbox", "--strict-org", demoVendor, "--server", m.URL, "--api-key", m.Demo.AdminKey); code != 0 {
		t.Fatal(errOut)
	}
	if r := result("bench", "ingest", "--url", inbox, "--api-key", key, "--objects", "300", "--seed", "7", "--envelope", "40", "--posters", "3"); r.Objects < 300 || r.Errors != 0 {
		t.Errorf("ingest: %+v", r)
	}
	if r := result("bench", "poll", "--url", inbox, "--api-key", key, "--limit", "20", "--connections", "2", "--duration", "300ms", "--ceiling"); r.Requests == 0 || r.Errors != 0 || r.Ratio <= 0 {
		t.Errorf("poll: %+v", r)
	}
	if r := result("bench", "tail", "--url", inbox, "--api-key", key, "--objects", "400", "--seed", "8", "--rate", "400", "--envelope", "20",
		"--pollers", "2", "--interval", "50ms", "--duration", "1s"); r.Objects == 0 || r.Errors != 0 || r.P50 <= 0 {
		t.Errorf("tail: %+v", r)
	}
	// The table form, and a refusal that says what is missing.
	if code, out, _ := cmdline(t, "", "bench", "walk", "--url", feed, "--ceiling"); code != 0 || !strings.Contains(out, "ratio to the ceiling") || !strings.Contains(out, "duplicates 0, missing 0, unexpected 0") {
		t.Errorf("bench walk = %d\n%s", code, out)
	}
	if code, _, errOut := cmdline(t, "", "bench", "walk"); code != 2 || !strings.Contains(errOut, "--url is required") {
		t.Errorf("bench walk without --url = %d %s", code, errOut)
	}
}
