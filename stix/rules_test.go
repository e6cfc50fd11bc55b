package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"liaison/stix/coopfeed"
)

// ruleObject decodes one JSON object the way the validator does.
func ruleObject(tb testing.TB, s string) map[string]any {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		tb.Fatalf("bad test object %s: %v", s, err)
	}
	return m
}

// ruleCase is one table test: the problems checkRules must report for
// give, each by its exact Property and a substring of its Message (none
// for a valid object).
type ruleCase struct {
	name string
	give string
	want []Problem
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := checkRules(ruleObject(t, tc.give))
			assertRuleProblems(t, got, tc.want)
		})
	}
}

// assertRuleProblems matches got against want as multisets.
func assertRuleProblems(t *testing.T, got, want []Problem) {
	t.Helper()
	used := make([]bool, len(got))
	ok := len(got) == len(want)
	for _, w := range want {
		found := false
		for i, g := range got {
			if !used[i] && g.Property == w.Property && g.Warning == w.Warning && strings.Contains(g.Message, w.Message) {
				used[i], found = true, true
				break
			}
		}
		ok = ok && found
	}
	if !ok {
		t.Errorf("problems:\n got  %q\n want %q", got, want)
	}
}

// Identifiers of the tests: v4, v5 and v1 UUIDs.
const (
	ruleUUID4 = "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	ruleUUID5 = "28bb3599-77cd-5a82-a950-b5bc3caf07c4"
	ruleUUID1 = "8e2e2d2b-17d4-1cbf-938f-98ee46b3cd3f"
)

func ruleRef(typ string) string { return typ + "--" + ruleUUID4 }

// ruleIndicator is a valid indicator to derive cases from.
const ruleIndicator = `{"type":"indicator","spec_version":"2.1","id":"indicator--` + ruleUUID4 + `",
 "created_by_ref":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
 "created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z",
 "name":"Poison Ivy Malware","description":"This file is part of Poison Ivy",
 "indicator_types":["malicious-activity"],"labels":["a","b"],
 "pattern":"[ file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877' ]",
 "pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z",
 "kill_chain_phases":[{"kill_chain_name":"lockheed-martin-cyber-kill-chain","phase_name":"delivery"}],
 "external_references":[{"source_name":"capec","external_id":"CAPEC-163","x_ref":"not an id"}],
 "object_marking_refs":["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]}`

// with returns the object JSON s with the properties of the JSON object
// extra set (replacing those of the same name) and the names in del removed.
func ruleWith(tb testing.TB, s, extra string, del ...string) string {
	tb.Helper()
	m := ruleObject(tb, s)
	for k, v := range ruleObject(tb, extra) {
		m[k] = v
	}
	for _, k := range del {
		delete(m, k)
	}
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestRulesProblemString(t *testing.T) {
	if got := (Problem{Property: "created_by_ref", Message: "must reference an identity"}).String(); got != "created_by_ref: must reference an identity" {
		t.Errorf("got %q", got)
	}
	if got := (Problem{Message: "bad object"}).String(); got != "bad object" {
		t.Errorf("got %q", got)
	}
}

func TestRuleIdentifier(t *testing.T) {
	obj := func(typ, uuid, extra string) string {
		return `{"type":"` + typ + `","id":"` + typ + `--` + uuid + `"` + extra + `}`
	}
	runRuleCases(t, []ruleCase{
		{"valid SDO", ruleIndicator, nil},
		{"prefix differs from type", ruleWith(t, ruleIndicator, `{"type":"malware"}`),
			[]Problem{{"id", `the prefix "indicator" must be the object's type "malware"`, false}}},
		{"not an identifier", ruleWith(t, ruleIndicator, `{"id":"indicator--1234"}`),
			[]Problem{{"id", "is not a STIX identifier", false}}},
		{"no separator", ruleWith(t, ruleIndicator, `{"id":"indicator-`+ruleUUID4+`"}`),
			[]Problem{{"id", "is not a STIX identifier", false}}},
		{"not the RFC 4122 variant", ruleWith(t, ruleIndicator, `{"id":"indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f"}`),
			[]Problem{{"id", "is not a STIX identifier", false}}},
		{"nil UUID", ruleWith(t, ruleIndicator, `{"id":"indicator--00000000-0000-0000-0000-000000000000"}`),
			[]Problem{{"id", "is not a STIX identifier", false}}},
		{"uppercase hex", ruleWith(t, ruleIndicator, `{"id":"indicator--8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F"}`), nil},
		{"SDO with UUIDv1", obj("indicator", ruleUUID1, ""),
			[]Problem{{"id", "UUID version 1: SDOs, SROs and meta objects should use a version 4 UUID", true}}},
		{"SDO with UUIDv5", obj("campaign", ruleUUID5, ""),
			[]Problem{{"id", "UUID version 5: SDOs", true}}},
		{"SRO with UUIDv5", obj("relationship", ruleUUID5, ""), []Problem{{"id", "UUID version 5", true}}},
		{"meta object with UUIDv1", obj("marking-definition", ruleUUID1, ""), []Problem{{"id", "UUID version 1", true}}},
		{"SCO with UUIDv5", obj("ipv4-addr", ruleUUID5, `,"value":"198.51.100.3"`), nil},
		{"SCO with UUIDv4", obj("ipv4-addr", ruleUUID4, `,"value":"198.51.100.3"`), nil},
		{"SCO with UUIDv1", obj("ipv4-addr", ruleUUID1, `,"value":"198.51.100.3"`),
			[]Problem{{"id", "UUID version 1: SCOs should use a version 5 (deterministic) or version 4 UUID", true}}},
		{"process with UUIDv5", obj("process", ruleUUID5, `,"pid":1`),
			[]Problem{{"id", "a process has no ID Contributing Properties, so its id must use a version 4 UUID", false}}},
		{"process with UUIDv4", obj("process", ruleUUID4, `,"pid":1`), nil},
		{"UUIDv5 without contributing properties", obj("user-account", ruleUUID5, `,"display_name":"jdoe"`),
			[]Problem{{"id", "none of the ID Contributing Properties of user-account (account_type, user_id, account_login) is present", false}}},
		{"UUIDv5 with a contributing property", obj("user-account", ruleUUID5, `,"user_id":"1001"`), nil},
		{"custom SCO with UUIDv5", obj("x-acme-sensor", ruleUUID5, `,"name":"s1"`), nil},
		{"custom SDO with UUIDv5", obj("x-acme-case", ruleUUID5, `,"created":"2020-01-01T00:00:00.000Z"`),
			[]Problem{{"id", "UUID version 5: SDOs", true}}},
		{"type missing: the prefix decides", `{"id":"indicator--` + ruleUUID1 + `"}`, []Problem{{"id", "UUID version 1: SDOs", true}}},
		{"id not a string", ruleWith(t, ruleIndicator, `{"id":42}`), nil},
		{"type not a string", ruleWith(t, ruleIndicator, `{"type":["indicator"]}`), nil},
	})
}

func TestRuleTimestamps(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"valid", ruleWith(t, ruleIndicator, `{"valid_until":"2024-02-29T23:59:60.123456789Z"}`), nil},
		{"more than nine fractional digits", ruleWith(t, ruleIndicator, `{"valid_until":"2024-02-29T00:00:00.1234567890123Z"}`), nil},
		{"February 30th", ruleWith(t, ruleIndicator, `{"valid_until":"2023-02-30T00:00:00Z"}`),
			[]Problem{{"valid_until", `"2023-02-30T00:00:00Z" is not an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.fraction]Z): day 30 does not exist in 2023-02`, false}}},
		{"not a leap year", ruleWith(t, ruleIndicator, `{"valid_from":"2023-02-29T00:00:00Z"}`),
			[]Problem{{"valid_from", "day 29 does not exist in 2023-02", false}}},
		{"1900 is not a leap year", ruleWith(t, ruleIndicator, `{"valid_from":"1900-02-29T00:00:00Z"}`),
			[]Problem{{"valid_from", "day 29 does not exist", false}}},
		{"April 31st", ruleWith(t, ruleIndicator, `{"created":"2016-04-31T20:03:48.000Z"}`),
			[]Problem{{"created", "day 31 does not exist in 2016-04", false}}},
		{"month 13", ruleWith(t, ruleIndicator, `{"modified":"2016-13-06T20:03:48.000Z"}`),
			[]Problem{{"modified", "is not an RFC 3339 UTC timestamp", false}}},
		{"not a timestamp", ruleWith(t, ruleIndicator, `{"valid_from":"yesterday"}`),
			[]Problem{{"valid_from", `"yesterday" is not an RFC 3339 UTC timestamp`, false}}},
		{"wrong JSON type is the schema's business", ruleWith(t, ruleIndicator, `{"valid_from":20160101}`), nil},
		{"report published", `{"type":"report","id":"report--` + ruleUUID4 + `","published":"2016-02-30T17:00:00.000Z"}`,
			[]Problem{{"published", "day 30", false}}},
		{"file times", `{"type":"file","id":"file--` + ruleUUID4 + `","name":"a","ctime":"2016-06-31T00:00:00Z","atime":"2016-06-30T00:00:00Z"}`,
			[]Problem{{"ctime", "day 31", false}}},
		{"PE binary extension", `{"type":"file","id":"file--` + ruleUUID4 + `","name":"a.exe",
		  "extensions":{"windows-pebinary-ext":{"pe_type":"exe","time_date_stamp":"2016-02-30T12:31:12Z"}}}`,
			[]Problem{{"extensions.windows-pebinary-ext.time_date_stamp", "day 30", false}}},
		{"X.509 v3 extensions", `{"type":"x509-certificate","id":"x509-certificate--` + ruleUUID4 + `",
		  "validity_not_before":"2016-03-12T12:00:00Z",
		  "x509_v3_extensions":{"private_key_usage_period_not_after":"2018-02-31T12:00:00Z"}}`,
			[]Problem{{"x509_v3_extensions.private_key_usage_period_not_after", "day 31", false}}},
		{"user account", `{"type":"user-account","id":"user-account--` + ruleUUID4 + `","account_expires":"2021-11-31T00:00:00Z"}`,
			[]Problem{{"account_expires", "day 31", false}}},
		{"malware analysis", `{"type":"malware-analysis","id":"malware-analysis--` + ruleUUID4 + `","analysis_ended":"2012-02-30T08:36:14Z"}`,
			[]Problem{{"analysis_ended", "day 30", false}}},
		{"language content", `{"type":"language-content","id":"language-content--` + ruleUUID4 + `","object_modified":"2017-02-29T21:31:22.007Z"}`,
			[]Problem{{"object_modified", "day 29", false}}},
		{"deprecated objects container", `{"type":"observed-data","id":"observed-data--` + ruleUUID4 + `",
		  "first_observed":"2015-12-21T19:00:00Z","last_observed":"2015-12-21T19:00:00Z","number_observed":1,
		  "objects":{"0":{"type":"file","name":"a","mtime":"2015-09-31T00:00:00Z"}}}`,
			[]Problem{{"objects.0.mtime", "day 31", false}}},
		{"custom properties are not timestamps", ruleWith(t, ruleIndicator, `{"x_date":"2023-02-30","extensions":{"extension-definition--`+ruleUUID4+`":{"extension_type":"property-extension","first_seen":"no"}}}`), nil},
	})
}

func TestRuleTimestampOrder(t *testing.T) {
	cases := []ruleCase{
		{"modified before created", ruleWith(t, ruleIndicator, `{"modified":"2016-04-06T20:03:47.999Z"}`),
			[]Problem{{"modified", "must be later than or equal to created, 2016-04-06T20:03:48.000Z (STIX 2.1 §3.2)", false}}},
		{"modified equal to created, other precision", ruleWith(t, ruleIndicator, `{"modified":"2016-04-06T20:03:48Z"}`), nil},
		{"valid_until equal to valid_from", ruleWith(t, ruleIndicator, `{"valid_until":"2016-01-01T00:00:00.000Z"}`),
			[]Problem{{"valid_until", "must be later than valid_from, 2016-01-01T00:00:00Z (STIX 2.1 §4.7)", false}}},
		{"valid_until before valid_from", ruleWith(t, ruleIndicator, `{"valid_until":"2015-12-31T23:59:59Z"}`),
			[]Problem{{"valid_until", "must be later than valid_from", false}}},
		{"valid_until after valid_from", ruleWith(t, ruleIndicator, `{"valid_until":"2016-01-01T00:00:00.001Z"}`), nil},
		{"invalid timestamps are not compared", ruleWith(t, ruleIndicator, `{"valid_until":"2015-02-30T00:00:00Z"}`),
			[]Problem{{"valid_until", "day 30", false}}},
		{"observed-data", `{"type":"observed-data","id":"observed-data--` + ruleUUID4 + `","first_observed":"2015-12-21T19:00:00Z","last_observed":"2015-12-21T18:59:59Z"}`,
			[]Problem{{"last_observed", "must be later than or equal to first_observed", false}}},
		{"relationship stop_time equal to start_time", `{"type":"relationship","id":"relationship--` + ruleUUID4 + `","start_time":"2016-01-01T00:00:00Z","stop_time":"2016-01-01T00:00:00Z"}`,
			[]Problem{{"stop_time", "must be later than start_time", false}}},
		{"network-traffic end before start", `{"type":"network-traffic","id":"network-traffic--` + ruleUUID4 + `","start":"2016-01-01T00:00:01Z","end":"2016-01-01T00:00:00Z"}`,
			[]Problem{{"end", "must be later than or equal to start", false}}},
		{"network-traffic end equal to start", `{"type":"network-traffic","id":"network-traffic--` + ruleUUID4 + `","start":"2016-01-01T00:00:00Z","end":"2016-01-01T00:00:00Z"}`, nil},
		{"network-traffic in a container", `{"type":"observed-data","id":"observed-data--` + ruleUUID4 + `",
		  "objects":{"0":{"type":"network-traffic","start":"2016-01-01T00:00:01Z","end":"2016-01-01T00:00:00Z"}}}`,
			[]Problem{{"objects.0.end", "must be later than or equal to start", false}}},
	}
	for _, typ := range []string{"campaign", "intrusion-set", "infrastructure", "malware", "threat-actor", "sighting"} {
		obj := func(last string) string {
			return `{"type":"` + typ + `","id":"` + ruleRef(typ) + `","first_seen":"2016-01-01T00:00:00Z","last_seen":"` + last + `"}`
		}
		cases = append(cases,
			ruleCase{typ + " last_seen before first_seen", obj("2015-12-31T00:00:00Z"),
				[]Problem{{"last_seen", "must be later than or equal to first_seen, 2016-01-01T00:00:00Z (STIX 2.1 §", false}}},
			ruleCase{typ + " last_seen equal to first_seen", obj("2016-01-01T00:00:00.000Z"), nil})
	}
	runRuleCases(t, cases)
}

// ruleRefRow is one row of the reference-type table of refs.go, with a target
// type it allows and one it refuses.
type ruleRefRow struct {
	typ    string // the object type
	at     string // where the property is: "" (top level), "extensions.<name>", "granular_markings", "body_multipart"
	prop   string
	good   string // an allowed target type
	bad    string // a refused target type; "" when every STIX Object type is allowed
	custom bool   // whether custom types are allowed
}

// ruleRefRows lists every embedded relationship of STIX 2.1 with Errata 01.
var ruleRefRows = []ruleRefRow{
	{"indicator", "", "created_by_ref", "identity", "malware", false},
	{"indicator", "", "object_marking_refs", "marking-definition", "identity", false},
	{"indicator", "granular_markings", "marking_ref", "marking-definition", "identity", false},
	{"grouping", "", "object_refs", "relationship", "", true},
	{"note", "", "object_refs", "marking-definition", "", true},
	{"opinion", "", "object_refs", "file", "", true},
	{"report", "", "object_refs", "indicator", "", true},
	{"observed-data", "", "object_refs", "ipv4-addr", "indicator", true},
	{"malware", "", "operating_system_refs", "software", "file", false},
	{"malware", "", "sample_refs", "artifact", "software", false},
	{"malware-analysis", "", "host_vm_ref", "software", "file", false},
	{"malware-analysis", "", "operating_system_ref", "software", "identity", false},
	{"malware-analysis", "", "installed_software_refs", "software", "tool", false},
	{"malware-analysis", "", "analysis_sco_refs", "file", "indicator", true},
	{"malware-analysis", "", "sample_ref", "network-traffic", "software", false},
	{"relationship", "", "source_ref", "indicator", "relationship", true},
	{"relationship", "", "target_ref", "ipv4-addr", "marking-definition", true},
	{"sighting", "", "sighting_of_ref", "indicator", "ipv4-addr", true},
	{"sighting", "", "observed_data_refs", "observed-data", "indicator", false},
	{"sighting", "", "where_sighted_refs", "location", "infrastructure", false},
	{"directory", "", "contains_refs", "file", "process", false},
	{"file", "extensions.archive-ext", "contains_refs", "directory", "url", false},
	{"file", "", "contains_refs", "ipv4-addr", "indicator", true},
	{"domain-name", "", "resolves_to_refs", "domain-name", "mac-addr", false},
	{"ipv4-addr", "", "resolves_to_refs", "mac-addr", "ipv4-addr", false},
	{"ipv6-addr", "", "resolves_to_refs", "mac-addr", "domain-name", false},
	{"ipv4-addr", "", "belongs_to_refs", "autonomous-system", "ipv4-addr", false},
	{"ipv6-addr", "", "belongs_to_refs", "autonomous-system", "identity", false},
	{"email-addr", "", "belongs_to_ref", "user-account", "email-addr", false},
	{"email-message", "", "from_ref", "email-addr", "user-account", false},
	{"email-message", "", "sender_ref", "email-addr", "identity", false},
	{"email-message", "", "to_refs", "email-addr", "user-account", false},
	{"email-message", "", "cc_refs", "email-addr", "user-account", false},
	{"email-message", "", "bcc_refs", "email-addr", "user-account", false},
	{"email-message", "", "raw_email_ref", "artifact", "file", false},
	{"email-message", "body_multipart", "body_raw_ref", "file", "url", false},
	{"file", "", "parent_directory_ref", "directory", "file", false},
	{"file", "", "content_ref", "artifact", "file", false},
	{"network-traffic", "", "src_ref", "mac-addr", "url", false},
	{"network-traffic", "", "dst_ref", "domain-name", "email-addr", false},
	{"network-traffic", "", "src_payload_ref", "artifact", "file", false},
	{"network-traffic", "", "dst_payload_ref", "artifact", "url", false},
	{"network-traffic", "", "encapsulates_refs", "network-traffic", "ipv4-addr", false},
	{"network-traffic", "", "encapsulated_by_ref", "network-traffic", "process", false},
	{"network-traffic", "extensions.http-request-ext", "message_body_data_ref", "artifact", "file", false},
	{"process", "", "opened_connection_refs", "network-traffic", "url", false},
	{"process", "", "creator_user_ref", "user-account", "identity", false},
	{"process", "", "image_ref", "file", "artifact", false},
	{"process", "", "parent_ref", "process", "file", false},
	{"process", "", "child_refs", "process", "file", false},
	{"process", "extensions.windows-service-ext", "service_dll_refs", "file", "directory", false},
	{"windows-registry-key", "", "creator_user_ref", "user-account", "identity", false},
	{"language-content", "", "object_ref", "indicator", "", true},
}

// ruleRefObject builds an object of row.typ holding row.prop = a reference to
// an object of type target, and returns the property's JSON path.
func ruleRefObject(tb testing.TB, row ruleRefRow, target string) (string, string) {
	tb.Helper()
	var value any = ruleRef(target)
	path := row.prop
	if strings.HasSuffix(row.prop, "_refs") {
		value = []any{ruleRef(row.good), ruleRef(target)}
		path += "[1]"
	}
	props := map[string]any{row.prop: value}
	var o map[string]any
	switch row.at {
	case "":
		o = props
	case "granular_markings", "body_multipart":
		props["selectors"] = []any{"id"}
		o = map[string]any{row.at: []any{props}}
		path = row.at + "[0]." + path
	default:
		ext := strings.TrimPrefix(row.at, "extensions.")
		o = map[string]any{"extensions": map[string]any{ext: props}}
		path = row.at + "." + path
	}
	o["type"], o["id"] = row.typ, ruleRef(row.typ)
	b, err := json.Marshal(o)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b), path
}

func TestRulesRefTable(t *testing.T) {
	type key struct {
		owner string
		top   bool
		prop  string
	}
	keys := map[key]bool{}
	for _, row := range ruleRefRows {
		k := key{row.typ, true, row.prop}
		switch row.at {
		case "granular_markings":
			k = key{ownerGranularMarking, false, row.prop}
		case "body_multipart":
			k = key{ownerMIMEPart, false, row.prop}
		case "":
		default:
			k = key{strings.TrimPrefix(row.at, "extensions."), false, row.prop}
		}
		if keys[k] {
			t.Errorf("duplicate row %+v", row)
		}
		keys[k] = true
		target, ok := refRule(k.owner, k.top, k.prop)
		if !ok {
			t.Errorf("refRule(%q, %v, %q) has no row", k.owner, k.top, k.prop)
			continue
		}
		if target.custom != row.custom || target.what == "" {
			t.Errorf("refRule(%q, %v, %q) = %+v, want custom %v", k.owner, k.top, k.prop, target, row.custom)
		}
	}
	if len(keys) != 53 {
		t.Errorf("%d rows, want the 53 embedded relationships of STIX 2.1", len(keys))
	}
	// Properties outside their owners are unrestricted.
	for _, k := range []key{
		{"indicator", true, "sample_refs"},
		{"campaign", true, "object_refs"},
		{"indicator", false, "created_by_ref"},
		{"x-acme", true, "source_ref"},
		{"file", false, "contains_refs"},
		{"indicator", true, "x_acme_ref"},
		{"", false, "marking_ref"},
	} {
		if _, ok := refRule(k.owner, k.top, k.prop); ok {
			t.Errorf("refRule(%q, %v, %q) restricts it", k.owner, k.top, k.prop)
		}
	}
}

func TestRuleReferenceTypes(t *testing.T) {
	for _, row := range ruleRefRows {
		t.Run(row.typ+"/"+row.at+"/"+row.prop, func(t *testing.T) {
			give, _ := ruleRefObject(t, row, row.good)
			assertRuleProblems(t, checkRules(ruleObject(t, give)), nil)

			give, path := ruleRefObject(t, row, "x-acme-thing")
			var want []Problem
			if !row.custom {
				want = []Problem{{path, "must reference ", false}}
			}
			assertRuleProblems(t, checkRules(ruleObject(t, give)), want)

			if row.bad == "" {
				return
			}
			give, path = ruleRefObject(t, row, row.bad)
			owner, top := row.typ, row.at == ""
			if !top {
				owner = map[string]string{"granular_markings": ownerGranularMarking, "body_multipart": ownerMIMEPart}[row.at]
				if owner == "" {
					owner = strings.TrimPrefix(row.at, "extensions.")
				}
			}
			target, _ := refRule(owner, top, row.prop)
			want = []Problem{{path, "must reference " + target.what + `, but "` + ruleRef(row.bad) + `" is of type "` + row.bad + `"`, false}}
			assertRuleProblems(t, checkRules(ruleObject(t, give)), want)
		})
	}
}

func TestRuleReferences(t *testing.T) {
	observed := func(refs string) string {
		return `{"type":"observed-data","id":"observed-data--` + ruleUUID4 + `","object_refs":` + refs + `}`
	}
	container := `{"type":"observed-data","id":"observed-data--` + ruleUUID4 + `","objects":{
	  "0":{"type":"ipv4-addr","value":"198.51.100.2"},
	  "1":{"type":"network-traffic","src_ref":"0","dst_ref":"2","protocols":["tcp"],"encapsulated_by_ref":"9",
	       "extensions":{"http-request-ext":{"request_method":"get","request_value":"/","message_body_data_ref":"3"}}},
	  "2":{"type":"file","name":"a"},
	  "3":{"type":"artifact","url":"https://example.com/a"},
	  "4":{"type":"email-message","is_multipart":false,"from_ref":"` + ruleRef("email-addr") + `"}}}`
	runRuleCases(t, []ruleCase{
		{"not an identifier", ruleWith(t, ruleIndicator, `{"created_by_ref":"identity-f431f809"}`),
			[]Problem{{"created_by_ref", `"identity-f431f809" is not a STIX identifier`, false}}},
		{"list element not an identifier", ruleWith(t, ruleIndicator, `{"object_marking_refs":["`+ruleRef("marking-definition")+`","marking-definition--x"]}`),
			[]Problem{{"object_marking_refs[1]", "is not a STIX identifier", false}}},
		// Custom properties have no type in STIX: a value that is not an
		// identifier is a warning (MITRE ATT&CK's x_mitre_data_source_ref: "").
		{"custom reference property", ruleWith(t, ruleIndicator, `{"x_acme_ref":"nope","x_acme_refs":["`+ruleRef("x-acme-thing")+`"]}`),
			[]Problem{{"x_acme_ref", `"nope" is not a STIX identifier`, true}}},
		{"nested custom reference", ruleWith(t, ruleIndicator, `{"x_acme":{"deep":[{"thing_ref":"nope"},{"things_refs":["`+ruleRef("tool")+`","no"]}]}}`),
			[]Problem{{"x_acme.deep[0].thing_ref", "is not a STIX identifier", true}, {"x_acme.deep[1].things_refs[1]", "is not a STIX identifier", true}}},
		{"reference in an extension-definition extension", ruleWith(t, ruleIndicator,
			`{"extensions":{"extension-definition--`+ruleUUID4+`":{"extension_type":"property-extension","rank_ref":"x"}}}`),
			[]Problem{{"extensions.extension-definition--" + ruleUUID4 + ".rank_ref", "is not a STIX identifier", true}}},
		{"external references and hashes are not references", ruleWith(t, ruleIndicator,
			`{"x_hashes":{"hashes":{"MD5_ref":"no"}},"external_references":[{"source_name":"a","url_ref":"no"}]}`), nil},
		{"reference to a bundle", ruleWith(t, ruleIndicator, `{"x_acme_ref":"bundle--`+ruleUUID4+`"}`),
			[]Problem{{"x_acme_ref", "must not reference a bundle", false}}},
		{"report object_refs to a bundle", `{"type":"report","id":"report--` + ruleUUID4 + `","object_refs":["` + ruleRef("indicator") + `","bundle--` + ruleUUID4 + `"]}`,
			[]Problem{{"object_refs[1]", "must not reference a bundle", false}}},
		{"created_by_ref on a custom object", `{"type":"x-acme-case","id":"x-acme-case--` + ruleUUID4 + `","created":"2020-01-01T00:00:00.000Z","created_by_ref":"` + ruleRef("malware") + `"}`,
			[]Problem{{"created_by_ref", "must reference an identity", false}}},
		{"relationship to a language-content", `{"type":"relationship","id":"relationship--` + ruleUUID4 + `","source_ref":"` + ruleRef("indicator") + `","target_ref":"` + ruleRef("language-content") + `"}`,
			[]Problem{{"target_ref", "must reference an SDO or SCO", false}}},
		{"relationship to an extension-definition", `{"type":"relationship","id":"relationship--` + ruleUUID4 + `","source_ref":"` + ruleRef("extension-definition") + `","target_ref":"` + ruleRef("indicator") + `"}`,
			[]Problem{{"source_ref", "must reference an SDO or SCO", false}}},
		{"sighting of a sighting", `{"type":"sighting","id":"sighting--` + ruleUUID4 + `","sighting_of_ref":"` + ruleRef("sighting") + `"}`,
			[]Problem{{"sighting_of_ref", "must reference an SDO", false}}},
		{"wrong JSON types are skipped", ruleWith(t, ruleIndicator, `{"created_by_ref":5,"object_marking_refs":"`+ruleRef("identity")+`","x_refs":[1,null,{"a_ref":"no"}]}`), nil},
		{"observed-data without an SCO", observed(`["` + ruleRef("relationship") + `"]`),
			[]Problem{{"object_refs", "must contain at least one SCO reference", false}}},
		{"observed-data with an SCO and an SRO", observed(`["` + ruleRef("relationship") + `","` + ruleRef("domain-name") + `"]`), nil},
		{"observed-data with a custom object", observed(`["` + ruleRef("x-acme-sensor") + `"]`), nil},
		{"deprecated container", container,
			[]Problem{
				{"objects.1.dst_ref", `must reference an ipv4-addr, ipv6-addr, mac-addr or domain-name, but "2" is of type "file"`, false},
				{"objects.1.encapsulated_by_ref", `"9" is neither a key of the observed-data objects container nor a STIX identifier`, false},
			}},
	})
}

// TestRuleProblemsBounded: the report stops at ruleMaxProblems, and the
// note about the rest is an error only when errors were left out.
func TestRuleProblemsBounded(t *testing.T) {
	for _, tc := range []struct {
		name      string
		value     string // of each of the many properties
		wantError bool
	}{
		{"warnings left out", `""`, false},
		{"errors left out", `"bundle--` + ruleUUID4 + `"`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString(`{"type":"x-acme-case","id":"x-acme-case--` + ruleUUID4 + `","created":"2020-01-01T00:00:00.000Z"`)
			for i := range ruleMaxProblems + 6 {
				fmt.Fprintf(&b, `,"x_%03d_ref":%s`, i, tc.value)
			}
			b.WriteString("}")
			got := checkRules(ruleObject(t, b.String()))
			note := got[len(got)-1]
			if len(got) != ruleMaxProblems+1 || note.Message != "6 more problems not shown" || note.Warning == tc.wantError {
				t.Errorf("%d problems, last %+v", len(got), note)
			}
		})
	}
}

func TestRuleMarkings(t *testing.T) {
	const (
		white = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
		green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
		amber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
		red   = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
	)
	tlp := func(id, level string) string {
		return `{"type":"marking-definition","spec_version":"2.1","id":"` + id + `","created":"2017-01-20T00:00:00.000Z",
		  "definition_type":"tlp","name":"TLP:` + strings.ToUpper(level) + `","definition":{"tlp":"` + level + `"}}`
	}
	granular := func(selectors string) string {
		return ruleWith(t, ruleIndicator, `{"granular_markings":[{"marking_ref":"`+green+`","selectors":["description"]},{"marking_ref":"`+amber+`","selectors":`+selectors+`}]}`)
	}
	statement := `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd",
	  "created":"2016-08-01T00:00:00.000Z","definition_type":"statement","definition":{"statement":"Copyright 2019, Example Corp"}}`
	runRuleCases(t, []ruleCase{
		{"selectors", granular(`["name","labels.[1]","external_references.[0].source_name","kill_chain_phases","granular_markings.[0].marking_ref"]`), nil},
		{"selector of an absent property", granular(`["name","pattern_version"]`),
			[]Problem{{"granular_markings[1].selectors[1]", `"pattern_version" does not select anything present in this object`, false}}},
		{"selectors of content not present", granular(`["description.[0]","labels.name","labels.[2]","labels.[-1]","labels.[x]","","labels..[0]","labels.","[0]","labels.[]"]`),
			[]Problem{
				{"granular_markings[1].selectors[0]", "does not select", false}, {"granular_markings[1].selectors[1]", "does not select", false},
				{"granular_markings[1].selectors[2]", "does not select", false}, {"granular_markings[1].selectors[3]", "does not select", false},
				{"granular_markings[1].selectors[4]", "does not select", false}, {"granular_markings[1].selectors[5]", "does not select", false},
				{"granular_markings[1].selectors[6]", "does not select", false}, {"granular_markings[1].selectors[7]", "does not select", false},
				{"granular_markings[1].selectors[8]", "does not select", false}, {"granular_markings[1].selectors[9]", "does not select", false},
			}},
		{"marking definition marked by itself", ruleWith(t, statement, `{"object_marking_refs":["`+green+`","marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd"],
		  "granular_markings":[{"marking_ref":"marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd","selectors":["definition"]}]}`),
			[]Problem{{"object_marking_refs[1]", "must not be marked by itself", false}, {"granular_markings[0].marking_ref", "must not be marked by itself", false}}},
		{"statement marking", statement, nil},
		{"TLP:WHITE", tlp(white, "white"), nil},
		{"TLP:GREEN", tlp(green, "green"), nil},
		{"TLP:AMBER", tlp(amber, "amber"), nil},
		{"TLP:RED", tlp(red, "red"), nil},
		{"TLP:RED as in STIX 2.0", ruleWith(t, tlp(red, "red"), `{}`, "spec_version", "name"), nil},
		{"TLP:RED with the created of other precision", ruleWith(t, tlp(red, "red"), `{"created":"2017-01-20T00:00:00Z"}`), nil},
		{"TLP id with another level", tlp(green, "amber"),
			[]Problem{{"definition", `must be {"tlp": "green"}: the TLP 1.0 marking definition TLP:GREEN is fixed by STIX 2.1 §7.2.1.4`, false},
				{"name", `must be "TLP:GREEN"`, false}}},
		{"TLP with a lowercase name", ruleWith(t, tlp(white, "white"), `{"name":"TLP:white"}`),
			[]Problem{{"name", `must be "TLP:WHITE"`, false}}},
		{"TLP with another created", ruleWith(t, tlp(white, "white"), `{"created":"2017-01-21T00:00:00.000Z"}`),
			[]Problem{{"created", "must be 2017-01-20T00:00:00.000Z", false}}},
		{"TLP with more content", ruleWith(t, tlp(amber, "amber"), `{"created_by_ref":"`+ruleRef("identity")+`","definition":{"tlp":"amber","x":1}}`),
			[]Problem{{"created_by_ref", "is not part of the TLP 1.0 marking definition TLP:AMBER, which STIX 2.1 §7.2.1.4 fixes", false}, {"definition", `must be {"tlp": "amber"}`, false}}},
		{"TLP with a statement", ruleWith(t, tlp(red, "red"), `{"definition_type":"statement","definition":{"statement":"red"}}`),
			[]Problem{{"definition_type", `must be "tlp"`, false}, {"definition", `must be {"tlp": "red"}`, false}}},
		{"TLP as an extension", ruleWith(t, tlp(red, "red"), `{"extensions":{"extension-definition--`+ruleUUID4+`":{"extension_type":"property-extension"}}}`, "definition_type", "definition"),
			[]Problem{{"definition_type", "is missing", false}, {"definition", "is missing", false}, {"extensions", "is not part of", false}}},
		{"TLP 2.1 without a name", ruleWith(t, tlp(white, "white"), `{}`, "name"), []Problem{{"name", "is missing", false}}},
		{"another TLP marking definition", ruleWith(t, tlp(white, "white"), `{"id":"marking-definition--`+ruleUUID4+`"}`),
			[]Problem{{"definition_type", "tlp is reserved for the four fixed TLP 1.0 marking definitions", false}}},
		{"revoked objects stay valid", ruleWith(t, ruleIndicator, `{"revoked":true,"modified":"2017-01-01T00:00:00.000Z"}`), nil},
	})
}

func TestRuleLanguageTags(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"valid", ruleWith(t, ruleIndicator, `{"lang":"zh-Hant-TW","granular_markings":[{"lang":"de-CH-1996","selectors":["name"]}]}`), nil},
		{"lang", ruleWith(t, ruleIndicator, `{"lang":"en_US"}`), []Problem{{"lang", `"en_US" is not an RFC 5646 language tag`, false}}},
		{"granular marking lang", ruleWith(t, ruleIndicator, `{"granular_markings":[{"lang":"en","selectors":["name"]},{"lang":"e","selectors":["description"]}]}`),
			[]Problem{{"granular_markings[1].lang", `"e" is not an RFC 5646 language tag`, false}}},
		{"language-content keys", `{"type":"language-content","id":"language-content--` + ruleUUID4 + `","object_ref":"` + ruleRef("campaign") + `",
		  "contents":{"de":{"name":"Bank Angriff"},"fr-CA":{"name":"Attaque"},"french":{},"fr_FR":{"name":"Attaque"}}}`,
			[]Problem{{"contents.fr_FR", `the key "fr_FR" is not an RFC 5646 language tag`, false}}},
		{"software languages", `{"type":"software","id":"software--` + ruleUUID4 + `","name":"Word","languages":["en","de-","es-419"]}`,
			[]Problem{{"languages[1]", `"de-" is not an RFC 5646 language tag`, false}}},
		{"wrong JSON type", ruleWith(t, ruleIndicator, `{"lang":["en"]}`), nil},
	})
}

func TestRulesValidLangTag(t *testing.T) {
	for _, s := range []string{
		"en", "EN", "de", "en-US", "en-us", "zh-Hant", "zh-Hant-TW", "es-419", "sl-rozaj", "sl-rozaj-biske",
		"de-CH-1996", "sr-Latn-RS", "zh-yue-HK", "zh-min-nan", "art-lojban", "i-klingon", "en-GB-oed", "sgn-CH-DE",
		"x-whatever", "qaa-Qaaa-QM-x-southern", "en-a-bbb-x-a-ccc", "de-DE-u-co-phonebk", "en-a-bbb-b-ccc-ddd",
		"english", // five to eight letters are a registered language's shape
	} {
		if !validLangTag(s) {
			t.Errorf("validLangTag(%q) = false", s)
		}
	}
	for _, s := range []string{
		"", "e", "en_US", "en-", "-en", "en--US", "123", "en-US-x", "en-a", "en-a-b", "zh-Hant-yue", "abcdefghi",
		"en-US-GB", "en-1996-US", "en-Latn-Latn", "x", "x-", "x-abcdefghi", "en-x-", "xyz-a-b-c", "en-a-bbb-a",
		"i-unknown", "en US", "é", "en-ab1", "abcd-yue",
	} {
		if validLangTag(s) {
			t.Errorf("validLangTag(%q) = true", s)
		}
	}
}

func TestRuleLimits(t *testing.T) {
	t.Run("deep nesting", func(t *testing.T) {
		s := strings.Repeat(`{"a":[`, 500) + `{"b_ref":"no"}` + strings.Repeat(`]}`, 500)
		o := ruleObject(t, ruleWith(t, ruleIndicator, `{"x_deep":`+s+`}`))
		if got := checkRules(o); len(got) != 0 {
			t.Errorf("got %q past the depth limit", got)
		}
	})
	t.Run("many problems", func(t *testing.T) {
		refs := make([]any, 200)
		for i := range refs {
			refs[i] = "no"
		}
		b, _ := json.Marshal(map[string]any{"object_marking_refs": refs})
		got := checkRules(ruleObject(t, ruleWith(t, ruleIndicator, string(b))))
		if len(got) != ruleMaxProblems+1 || got[ruleMaxProblems].String() != "136 more problems not shown" {
			t.Errorf("got %d problems, last %q", len(got), got[len(got)-1])
		}
	})
}

// TestRulesDemoFeed checks that the committed demo feed breaks no rule.
func TestRulesDemoFeed(t *testing.T) {
	objects := ruleBundleObjects(t, coopfeed.Sample())
	if len(objects) < 50 {
		t.Fatalf("only %d objects in the sample", len(objects))
	}
	for _, o := range objects {
		if got := checkRules(o); len(got) != 0 {
			t.Errorf("%v: %q", o["id"], got)
		}
	}
}

// ruleOASISExceptions lists the OASIS example objects that break a rule of
// checkRules, by file and id, with the reason.
var ruleOASISExceptions = map[string]string{}

// TestRulesOASISExamples checks the example bundles of the OASIS schema
// repository, shared with the other projects (see its README).
func TestRulesOASISExamples(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "stix2-json-schemas", "examples")
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("skipping: %s is missing (the OASIS examples live in ../shared next to the repository)", dir)
	}
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		for _, o := range ruleBundleObjects(t, data) {
			got := checkRules(o)
			key := filepath.ToSlash(rel) + " " + o["id"].(string)
			if _, ok := ruleOASISExceptions[key]; ok {
				if len(got) == 0 {
					t.Errorf("%s: listed in ruleOASISExceptions but valid", key)
				}
				continue
			}
			if len(got) != 0 {
				t.Errorf("%s: %q", key, got)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no examples in %s", dir)
	}
}

// ruleBundleObjects returns the objects of a bundle, or the single object data
// holds, decoded as checkRules expects them.
func ruleBundleObjects(tb testing.TB, data []byte) []map[string]any {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		tb.Fatal(err)
	}
	if top["type"] != "bundle" {
		return []map[string]any{top}
	}
	list, _ := top["objects"].([]any)
	objects := make([]map[string]any, 0, len(list))
	for _, e := range list {
		o, ok := e.(map[string]any)
		if !ok {
			tb.Fatalf("bundle holds a %T", e)
		}
		objects = append(objects, o)
	}
	return objects
}

// FuzzCheckRules checks that checkRules never panics, reports well-formed
// problems within the limit, and is deterministic.
func FuzzCheckRules(f *testing.F) {
	for _, s := range []string{
		ruleIndicator,
		`{}`,
		`{"type":"observed-data","id":"observed-data--` + ruleUUID4 + `","objects":{"0":{"type":"network-traffic","src_ref":"0","start":"2016-02-30T00:00:00Z","end":"x"}}}`,
		`{"type":"marking-definition","id":"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9","definition":null,"name":1}`,
		`{"type":"x","id":"x--` + ruleUUID5 + `","granular_markings":[{"selectors":["a.[0].b","[99999999999999999999]"],"lang":"x-"}],"a":[{"b":1}]}`,
		`{"type":"language-content","contents":{"":{},"i-klingon":{}},"lang":"en-a-bb-x-c"}`,
		`{"type":"relationship","id":"relationship--` + ruleUUID1 + `","source_ref":"bundle--` + ruleUUID4 + `","extensions":{"archive-ext":{"contains_refs":[1,"x"]}}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var o map[string]any
		if dec.Decode(&o) != nil || o == nil {
			return
		}
		got := checkRules(o)
		if len(got) > ruleMaxProblems+1 {
			t.Fatalf("%d problems", len(got))
		}
		for _, p := range got {
			if p.Message == "" {
				t.Fatalf("problem without a message: %+v", p)
			}
		}
		if len(got) <= ruleMaxProblems {
			if again := checkRules(o); !reflect.DeepEqual(got, again) {
				t.Fatalf("not deterministic:\n%q\n%q", got, again)
			}
		}
	})
}

// BenchmarkCheckRules measures the rules on a typical indicator of the demo
// feed.
func BenchmarkCheckRules(b *testing.B) {
	var o map[string]any
	for _, obj := range ruleBundleObjects(b, coopfeed.Sample()) {
		if obj["type"] == "indicator" {
			o = obj
			break
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if p := checkRules(o); p != nil {
			b.Fatal(p)
		}
	}
}

// BenchmarkCheckRulesFeed measures the rules on the mixed objects of the
// demo feed, per object.
func BenchmarkCheckRulesFeed(b *testing.B) {
	objects := ruleBundleObjects(b, coopfeed.Sample())
	b.ReportAllocs()
	for b.Loop() {
		for _, o := range objects {
			if p := checkRules(o); p != nil {
				b.Fatal(p)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(objects)), "ns/object")
}
