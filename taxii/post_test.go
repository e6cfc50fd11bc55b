package taxii_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"liaison/store"
)

// status is a decoded status resource.
type status struct {
	ID               string         `json:"id"`
	Status           string         `json:"status"`
	RequestTimestamp string         `json:"request_timestamp"`
	TotalCount       *int           `json:"total_count"`
	SuccessCount     *int           `json:"success_count"`
	Successes        []statusDetail `json:"successes"`
	FailureCount     *int           `json:"failure_count"`
	Failures         []statusDetail `json:"failures"`
	PendingCount     *int           `json:"pending_count"`
	Pendings         []statusDetail `json:"pendings"`
}

type statusDetail struct {
	ID      *string `json:"id"`
	Version *string `json:"version"`
	Message string  `json:"message"`
}

// expectStatusResource decodes a status resource and checks it is
// complete, with counts that add up and agree with the lists, and with the
// successes and failures (by id) given.
func expectStatusResource(t *testing.T, res *response, successes, failures []string) status {
	t.Helper()
	var s status
	if err := json.Unmarshal(res.body, &s); err != nil {
		t.Fatalf("status is not JSON: %v: %s", err, res.body)
	}
	if s.ID == "" || s.Status != "complete" || s.TotalCount == nil || s.SuccessCount == nil || s.FailureCount == nil || s.PendingCount == nil {
		t.Fatalf("status lacks required properties or is not complete: %s", res.body)
	}
	if !taxiiTimestamp.MatchString(s.RequestTimestamp) {
		t.Errorf("request_timestamp %q is not a TAXII timestamp", s.RequestTimestamp)
	}
	if *s.SuccessCount+*s.FailureCount+*s.PendingCount != *s.TotalCount {
		t.Errorf("counts do not add up: %d + %d + %d != %d", *s.SuccessCount, *s.FailureCount, *s.PendingCount, *s.TotalCount)
	}
	if len(s.Successes) != *s.SuccessCount || len(s.Failures) != *s.FailureCount || len(s.Pendings) != *s.PendingCount {
		t.Errorf("lists disagree with counts: %s", res.body)
	}
	for _, d := range append(append([]statusDetail{}, s.Successes...), s.Failures...) {
		if d.ID == nil || *d.ID == "" || d.Version == nil {
			t.Errorf("status detail without id or version: %+v", d)
		}
	}
	var gotS, gotF []string
	for _, d := range s.Successes {
		gotS = append(gotS, *d.ID)
	}
	for _, d := range s.Failures {
		gotF = append(gotF, *d.ID)
		if d.Message == "" {
			t.Errorf("failure of %s has no message", *d.ID)
		}
	}
	if strings.Join(gotS, " ") != strings.Join(successes, " ") {
		t.Errorf("successes %v, want %v", gotS, successes)
	}
	if strings.Join(gotF, " ") != strings.Join(failures, " ") {
		t.Errorf("failures %v, want %v", gotF, failures)
	}
	return s
}

func envelope(objs ...string) string { return `{"objects":[` + strings.Join(objs, ",") + `]}` }

const (
	idNew1 = "indicator--77777777-0000-4000-8000-000000000001"
	idNew2 = "malware--77777777-0000-4000-8000-000000000002"
	idNew3 = "domain-name--77777777-0000-4000-8000-000000000003"
)

var (
	newIndicator = indicatorJSON(idNew1, "2024-03-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z", "new")
	newMalware   = malwareJSON(idNew2, "2024-03-02T00:00:00.000Z", "new malware")
	newSCO       = `{"type":"domain-name","id":"` + idNew3 + `","value":"example.com"}`
)

// TestPostObjects: Add Objects (TAXII 2.1 §5.5) answers 202 with a
// complete status that has an entry for every object; valid objects are
// stored even beside invalid ones.
func TestPostObjects(t *testing.T) {
	bad := func(i int) string { return "objects[" + string(rune('0'+i)) + "]" }
	tests := []struct {
		name    string
		given   string   // collection
		preload []string // objects already in it
		when    string   // body
		// expect: ids of successes and of failures (in envelope order),
		// substrings each failure's message must contain, and the ids
		// then readable.
		expectSuccesses []string
		expectFailures  []string
		expectMessages  []string
		expectReadable  []string
	}{
		{name: "envelope", given: "writable", when: envelope(newIndicator, newMalware),
			expectSuccesses: []string{idNew1, idNew2}, expectReadable: []string{idNew1, idNew2}},
		{name: "STIX bundle", given: "writable",
			when:            `{"type":"bundle","id":"bundle--77777777-0000-4000-8000-0000000000bb","objects":[` + newIndicator + "," + newMalware + `]}`,
			expectSuccesses: []string{idNew1, idNew2}, expectReadable: []string{idNew1, idNew2}},
		{name: "SCO without spec_version is 2.1", given: "writable", when: envelope(newSCO),
			expectSuccesses: []string{idNew3}, expectReadable: []string{idNew3}},
		{name: "extra envelope properties are ignored", given: "writable", when: `{"more":false,"objects":[` + newMalware + `]}`,
			expectSuccesses: []string{idNew2}, expectReadable: []string{idNew2}},
		{name: "write-only collection", given: "writeonly", when: envelope(newMalware),
			expectSuccesses: []string{idNew2}},
		{name: "every invalid object gets a failure, valid siblings are stored", given: "writable",
			when: envelope(
				newIndicator,
				`1`,
				`"a string"`,
				`{"type":"indicator","spec_version":"2.1","created":"2024-03-01T00:00:00.000Z","modified":"2024-03-01T00:00:00.000Z"}`,
				`{"type":"indicator","id":"indicator--nope","spec_version":"2.1","created":"2024-03-01T00:00:00.000Z","modified":"2024-03-01T00:00:00.000Z"}`,
				`{"type":"malware","id":"indicator--77777777-0000-4000-8000-0000000000a5","spec_version":"2.1","created":"2024-03-01T00:00:00.000Z","modified":"2024-03-01T00:00:00.000Z"}`,
				`{"type":"malware","id":"malware--77777777-0000-4000-8000-0000000000a6","spec_version":"2.1","created":"2024-13-01T00:00:00.000Z","modified":"2024-03-01T00:00:00.000Z","is_family":false}`,
				`{"type":"malware","id":"malware--77777777-0000-4000-8000-0000000000a7","spec_version":"2.1","created":"2024-03-01T00:00:00.000Z","modified":"yesterday","is_family":false}`,
				`{"type":"malware","id":"malware--77777777-0000-4000-8000-0000000000a8","spec_version":"2.1","created":"2024-03-02T00:00:00.000Z","modified":"2024-03-01T00:00:00.000Z","is_family":false}`,
				indicator20JSON("indicator--77777777-0000-4000-8000-0000000000a9", vA1, vA1, "no spec_version: STIX 2.0"),
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000aa", vA1, "2.0"), `"spec_version":"2.1"`, `"spec_version":"2.0"`, 1),
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000ab", vA1, "3.0"), `"spec_version":"2.1"`, `"spec_version":"3.0"`, 1),
				`{"id":"malware--77777777-0000-4000-8000-0000000000ac","spec_version":"2.1","created":"2024-03-01T00:00:00.000Z"}`,
				newMalware,
			),
			expectSuccesses: []string{idNew1, idNew2},
			expectFailures: []string{bad(1), bad(2), bad(3), "indicator--nope",
				"indicator--77777777-0000-4000-8000-0000000000a5",
				"malware--77777777-0000-4000-8000-0000000000a6",
				"malware--77777777-0000-4000-8000-0000000000a7",
				"malware--77777777-0000-4000-8000-0000000000a8",
				"indicator--77777777-0000-4000-8000-0000000000a9",
				"malware--77777777-0000-4000-8000-0000000000aa",
				"malware--77777777-0000-4000-8000-0000000000ab",
				"malware--77777777-0000-4000-8000-0000000000ac",
			},
			expectMessages: []string{"not a JSON object", "not a JSON object", "objects[3]: id: required property is missing", `objects[4]: id: "indicator--nope" is not a STIX identifier`,
				"does not match", "created", "modified", "earlier than created",
				"spec_version 2.0", "spec_version 2.0", "spec_version", "type"},
			expectReadable: []string{idNew1, idNew2}},
		{name: "STIX 2.0 objects in a 2.0 and 2.1 collection", given: "mixed",
			when: envelope(
				indicator20JSON("indicator--77777777-0000-4000-8000-0000000000a9", vA1, vA1, "no spec_version: STIX 2.0"),
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000aa", vA1, "2.0"), `"spec_version":"2.1"`, `"spec_version":"2.0"`, 1),
			),
			expectSuccesses: []string{"indicator--77777777-0000-4000-8000-0000000000a9", "malware--77777777-0000-4000-8000-0000000000aa"},
			expectReadable:  []string{"indicator--77777777-0000-4000-8000-0000000000a9", "malware--77777777-0000-4000-8000-0000000000aa"}},
		{name: "only invalid objects", given: "writable", when: envelope(`null`, `{}`, `[]`),
			expectFailures: []string{bad(0), bad(1), bad(2)},
			expectMessages: []string{"not a JSON object", "id", "not a JSON object"}},
		{name: "failures carry the id as posted, else the position", given: "writable",
			when: envelope(`{"type":"malware","id":"bad"}`, `{"type":"malware","id":42}`, `{"type":"malware","id":""}`,
				`{"type":"malware","id":"malware-77777777-0000-4000-8000-0000000000a1","spec_version":"2.1","created":"2024-03-01T00:00:00.000Z","modified":"2024-03-01T00:00:00.000Z","name":"m","is_family":true}`),
			expectFailures: []string{"bad", bad(1), bad(2), "malware-77777777-0000-4000-8000-0000000000a1"},
			expectMessages: []string{`objects[0]: id: "bad" is not a STIX identifier`, "objects[1]: id: must be a string",
				`objects[2]: id: "" is not a STIX identifier`, `objects[3]: id: "malware-77777777-0000-4000-8000-0000000000a1" is not a STIX identifier`}},
		{name: "text that is not Unicode is refused wherever it is", given: "writable",
			when: envelope(
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000b1", vA1, "m"), `"name":"m"`, `"name":"caf`+"\xe9"+`"`, 1),
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000b2", vA1, "m"), `"name":"m"`, `"name":"m","x_acme":{"notes":["ok","\udc00"]}`, 1),
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000b3", vA1, "m"), `"name":"m"`, `"name":"m","x_`+"\xff\xfe"+`":1`, 1),
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000b4", vA1, "m"), `"name":"m"`, `"name":"\ud83d\ude00 café"`, 1),
			),
			expectSuccesses: []string{"malware--77777777-0000-4000-8000-0000000000b4"},
			expectFailures: []string{"malware--77777777-0000-4000-8000-0000000000b1", "malware--77777777-0000-4000-8000-0000000000b2",
				"malware--77777777-0000-4000-8000-0000000000b3"},
			expectMessages: []string{"name: the string holds bytes that are not UTF-8", `x_acme.notes[1]: the string holds \uDC00, half of a UTF-16 surrogate pair`,
				"a property name holds bytes that are not UTF-8"},
			expectReadable: []string{"malware--77777777-0000-4000-8000-0000000000b4"}},
		{name: "a name repeated in an object, at any depth, is refused", given: "writable",
			when: envelope(
				`{"type":"malware","spec_version":"2.1","id":"malware--77777777-0000-4000-8000-0000000000c1","created":"2024-03-01T00:00:00.000Z","modified":"2024-03-01T00:00:00.000Z","name":"m","is_family":false,"id":"malware--77777777-0000-4000-8000-0000000000c9"}`,
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000c2", vA1, "m"), `"name":"m"`, `"name":"m","kill_chain_phases":[{"kill_chain_name":"k","phase_name":"p","phase_name":"q"}]`, 1),
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000c3", vA1, "m"), `"name":"m"`, `"name":"m","n\u0061me":"n"`, 1),
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000c4", vA1, "m"), `"name":"m"`, `"name":"m","x_a":{"k":1},"x_b":{"k":1}`, 1),
			),
			expectSuccesses: []string{"malware--77777777-0000-4000-8000-0000000000c4"},
			// The object is named by its last id, as a decoder would read it.
			expectFailures: []string{"malware--77777777-0000-4000-8000-0000000000c9", "malware--77777777-0000-4000-8000-0000000000c2",
				"malware--77777777-0000-4000-8000-0000000000c3"},
			expectMessages: []string{`id: the name "id" appears more than once`, `kill_chain_phases[0].phase_name: the name "phase_name" appears more than once`,
				`name: the name "name" appears more than once`},
			expectReadable: []string{"malware--77777777-0000-4000-8000-0000000000c4"}},
		{name: "objects beyond the validator's limits are refused, naming the limit", given: "writable",
			when: envelope(
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000d1", vA1, "m"), `"name":"m"`, `"name":"m","x_list":[`+strings.Repeat("1,", 100_000)+`1]`, 1),
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000d2", vA1, "m"), `"name":"m"`, `"name":"m","x_deep":`+strings.Repeat("[", 70)+strings.Repeat("]", 70), 1),
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000d3", vA1, "m"), `"name":"m"`, `"name":"`+strings.Repeat("m", 1<<20+1)+`"`, 1),
				strings.Replace(malwareJSON("malware--77777777-0000-4000-8000-0000000000d4", vA1, "m"), `"name":"m"`, `"name":"m","x_list":[`+strings.Repeat("1,", 99_999)+`1]`, 1),
			),
			expectSuccesses: []string{"malware--77777777-0000-4000-8000-0000000000d4"},
			expectFailures: []string{"malware--77777777-0000-4000-8000-0000000000d1", "malware--77777777-0000-4000-8000-0000000000d2",
				"malware--77777777-0000-4000-8000-0000000000d3"},
			expectMessages: []string{"x_list: a list of more than 100000 elements exceeds the limit of 100000 elements per list",
				"nesting exceeds the limit of 64 levels of lists and objects", "name: the string exceeds the limit of 1048576 bytes per string"},
			expectReadable: []string{"malware--77777777-0000-4000-8000-0000000000d4"}},
		{name: "the same object twice in one envelope", given: "writable", when: envelope(newMalware, newMalware),
			expectSuccesses: []string{idNew2, idNew2}, expectReadable: []string{idNew2}},
		{name: "an object already in the collection", given: "writable", preload: []string{publicObjects[0].json},
			when: envelope(publicObjects[0].json), expectSuccesses: []string{idA}, expectReadable: []string{idA}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if len(tt.preload) > 0 {
				f.load(tt.given, tTest.Add(-time.Hour), tt.preload...)
				f.clock.Set(tTest)
			}
			path := "/api1/collections/{" + tt.given + "}/objects/"
			res := f.post(t, path, tt.when)
			expectStatus(t, res, http.StatusAccepted)
			if len(res.header.Values("X-TAXII-Date-Added-First")) != 0 {
				t.Error("status response has X-TAXII-Date-Added-First")
			}
			s := expectStatusResource(t, res, tt.expectSuccesses, tt.expectFailures)
			if *s.TotalCount != len(tt.expectSuccesses)+len(tt.expectFailures) {
				t.Errorf("total_count %d, want %d", *s.TotalCount, len(tt.expectSuccesses)+len(tt.expectFailures))
			}
			for i, m := range tt.expectMessages {
				if i < len(s.Failures) && !strings.Contains(s.Failures[i].Message, m) {
					t.Errorf("failure %d message %q does not contain %q", i, s.Failures[i].Message, m)
				}
			}
			if s.RequestTimestamp != "2024-06-01T08:30:00.000000Z" {
				t.Errorf("request_timestamp %s, want the pinned clock", s.RequestTimestamp)
			}

			// GET status returns the same resource.
			got := f.get(t, "/api1/status/"+s.ID+"/")
			expectStatus(t, got, http.StatusOK)
			if string(got.body) != string(res.body) {
				t.Errorf("GET status differs from the POST's:\n%s\n%s", got.body, res.body)
			}

			// Stored objects are readable; failed ones are not.
			if tt.given == "writeonly" {
				return
			}
			for _, id := range tt.expectReadable {
				r := f.get(t, path+id+"/")
				expectStatus(t, r, http.StatusOK)
				if p := decodePage(t, r, "objects"); len(p.items) != 1 || p.items[0].id != id {
					t.Errorf("GET %s lists %v", id, p.items)
				}
			}
			for _, id := range tt.expectFailures {
				if strings.HasPrefix(id, "objects[") || !strings.Contains(id, "--") {
					continue
				}
				expectError(t, f.get(t, path+id+"/"), wantError{status: http.StatusNotFound, code: "object-not-found"})
			}
		})
	}
}

// TestPostObjectsWarnings: real-world STIX that python-stix2 accepts
// (upper-case hex, a custom *_ref that is not an identifier, a relative
// url value) is stored, and its status entry says what to fix.
func TestPostObjectsWarnings(t *testing.T) {
	const (
		idFile      = "file--77777777-0000-4000-8000-0000000000c1"
		idComponent = "x-mitre-data-component--77777777-0000-4000-8000-0000000000c2"
		idURL       = "url--77777777-0000-4000-8000-0000000000c3"
	)
	f := newFixture(t)
	path := "/api1/collections/{writable}/objects/"
	res := f.post(t, path, envelope(
		`{"type":"file","spec_version":"2.1","id":"`+idFile+`","name":"a.zip","magic_number_hex":"504B0304"}`,
		`{"type":"x-mitre-data-component","spec_version":"2.1","id":"`+idComponent+`","created":"2021-10-20T15:05:19.273Z","modified":"2022-04-25T14:00:00.188Z","name":"c","x_mitre_data_source_ref":""}`,
		`{"type":"url","spec_version":"2.1","id":"`+idURL+`","value":"/download/a.exe"}`,
	))
	expectStatus(t, res, http.StatusAccepted)
	s := expectStatusResource(t, res, []string{idFile, idComponent, idURL}, nil)
	for i, want := range []string{
		`stored, with warnings: magic_number_hex: "504B0304" has upper-case letters`,
		`stored, with warnings: x_mitre_data_source_ref: "" is not a STIX identifier`,
		`stored, with warnings: value: "/download/a.exe" is a relative reference`,
	} {
		if i < len(s.Successes) && !strings.HasPrefix(s.Successes[i].Message, want) {
			t.Errorf("success %d message %q, want %q", i, s.Successes[i].Message, want)
		}
	}
	for _, id := range []string{idFile, idComponent, idURL} {
		expectStatus(t, f.get(t, path+id+"/"), http.StatusOK)
	}
}

// TestPostObjectsDuplicates: posting identical objects again is a success
// that stores no new version (TAXII 2.1 §5.5: exact duplicates MUST NOT be
// errors); the same id and version with other content is a failure.
func TestPostObjectsDuplicates(t *testing.T) {
	tests := []struct {
		name  string
		given []string // objects posted first
		when  string   // the second body
		// expect: successes and failures of the second post, and the
		// number of versions of each given object afterwards.
		expectSuccesses, expectFailures []string
		expectVersions                  map[string]int
	}{
		{"identical objects", []string{newIndicator, newMalware, newSCO}, envelope(newIndicator, newMalware, newSCO),
			[]string{idNew1, idNew2, idNew3}, nil, map[string]int{idNew1: 1, idNew2: 1, idNew3: 1}},
		{"same content, other key order and spacing", []string{newMalware},
			`{"objects":[ {"is_family":false, "name":"new malware","modified":"2024-03-02T00:00:00.000Z","created":"2024-03-02T00:00:00.000Z","id":"` + idNew2 + `","spec_version":"2.1","type":"malware"} ]}`,
			[]string{idNew2}, nil, map[string]int{idNew2: 1}},
		{"same id and version, other content", []string{newMalware}, envelope(strings.Replace(newMalware, "new malware", "changed", 1)),
			nil, []string{idNew2}, map[string]int{idNew2: 1}},
		{"a new version", []string{newMalware}, envelope(malwareJSON(idNew2, "2024-03-09T00:00:00.000Z", "v2")),
			[]string{idNew2}, nil, map[string]int{idNew2: 2}},
		{"an SCO with other content is another version", []string{newSCO}, envelope(strings.Replace(newSCO, "example.com", "example.org", 1)),
			[]string{idNew3}, nil, map[string]int{idNew3: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			path := "/api1/collections/{writable}/objects/"
			first := f.post(t, path, envelope(tt.given...))
			expectStatus(t, first, http.StatusAccepted)
			firstStatus := expectStatusResource(t, first, idsOf(tt.given), nil)

			f.clock.Set(tTest.Add(time.Hour))
			res := f.post(t, path, tt.when)
			expectStatus(t, res, http.StatusAccepted)
			s := expectStatusResource(t, res, tt.expectSuccesses, tt.expectFailures)
			if s.ID == firstStatus.ID {
				t.Error("two requests share a status id")
			}
			for i, d := range s.Successes {
				// A duplicate's version is the stored one's, SCOs included.
				if tt.expectVersions[*d.ID] == 1 && *d.Version != *firstStatus.Successes[i].Version {
					t.Errorf("duplicate %s reported with version %s, want %s", *d.ID, *d.Version, *firstStatus.Successes[i].Version)
				}
			}
			for id, n := range tt.expectVersions {
				r := f.get(t, path+id+"/versions/")
				expectStatus(t, r, http.StatusOK)
				if p := decodePage(t, r, "versions"); len(p.items) != n {
					t.Errorf("%s has %d versions %v, want %d", id, len(p.items), p.items, n)
				}
			}
		})
	}
}

func idsOf(objs []string) []string {
	var ids []string
	for _, o := range objs {
		var m map[string]any
		_ = json.Unmarshal([]byte(o), &m)
		ids = append(ids, m["id"].(string))
	}
	return ids
}

// TestPostObjectsBadBodies: a body that is not an envelope (or bundle) is a
// 400 whose description says what is wrong; nothing is stored.
func TestPostObjectsBadBodies(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		when   string
		expect string // description substring
	}{
		{"broken JSON", `{"objects":[` + newMalware, "not valid JSON"},
		{"trailing data", envelope(newMalware) + ` x`, "not valid JSON"},
		{"empty object", `{}`, `no "objects" list`},
		{"objects null", `{"objects":null}`, `no "objects" list`},
		{"empty objects list", `{"objects":[]}`, "empty list"},
		{"objects not a list", `{"objects":{"id":"x"}}`, "must be a list"},
		{"a JSON array", `[]`, "not a JSON object"},
		{"a list of objects", `[` + newMalware + `]`, "not a JSON object"},
		{"a single STIX object", newMalware, "single STIX object"},
		{"a JSON string", `"objects"`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"empty body", ``, "empty"},
		{"only spaces", `   `, "empty"},
		{"an empty bundle", `{"type":"bundle","id":"bundle--77777777-0000-4000-8000-0000000000bb","objects":[]}`, "empty list"},
		{"a bundle without objects", `{"type":"bundle","id":"bundle--77777777-0000-4000-8000-0000000000bb"}`, `no "objects" list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.post(t, "/api1/collections/{writable}/objects/", tt.when)
			expectError(t, res, wantError{status: http.StatusBadRequest, code: "bad-envelope", desc: []string{tt.expect}})
		})
	}
	expectEmptyPage(t, f.get(t, "/api1/collections/{writable}/objects/"))
}

// TestPostObjectsSize: the API root's max_content_length is enforced, and a
// body of exactly that many bytes is accepted (reference §9 item 19).
func TestPostObjectsSize(t *testing.T) {
	body := envelope(malwareJSON("malware--77777777-0000-4000-8000-0000000000cc", vM, "sized"))
	pad := func(n int) string {
		if n < len(body) {
			panic("body longer than the size asked")
		}
		return body[:len(body)-1] + strings.Repeat(" ", n-len(body)) + "}"
	}
	tests := []struct {
		name   string
		when   request
		expect int
	}{
		{"exactly max_content_length", request{body: pad(smallMaxContentLength)}, http.StatusAccepted},
		{"one byte below", request{body: pad(smallMaxContentLength - 1)}, http.StatusAccepted},
		{"one byte over", request{body: pad(smallMaxContentLength + 1)}, http.StatusRequestEntityTooLarge},
		{"far over", request{body: pad(1 << 20)}, http.StatusRequestEntityTooLarge},
		{"exactly max_content_length, chunked", request{body: pad(smallMaxContentLength), chunked: true}, http.StatusAccepted},
		{"one byte over, chunked", request{body: pad(smallMaxContentLength + 1), chunked: true}, http.StatusRequestEntityTooLarge},
		{"far over, chunked", request{body: pad(1 << 20), chunked: true}, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			rq := tt.when
			rq.method, rq.path = http.MethodPost, "/small/collections/{tiny}/objects/"
			res := f.do(t, rq)
			if tt.expect == http.StatusAccepted {
				expectStatus(t, res, http.StatusAccepted)
				expectStatusResource(t, res, []string{"malware--77777777-0000-4000-8000-0000000000cc"}, nil)
				return
			}
			expectError(t, res, wantError{status: http.StatusRequestEntityTooLarge, code: "too-large", desc: []string{"400"}})
			r := f.get(t, "/small/collections/{tiny}/objects/malware--77777777-0000-4000-8000-0000000000cc/")
			expectError(t, r, wantError{status: http.StatusNotFound, code: "object-not-found"})
		})
	}
	t.Run("the other API roots keep the default limit", func(t *testing.T) {
		f := newFixture(t)
		res := f.post(t, "/api1/collections/{writable}/objects/", pad(store.DefaultMaxContentLength))
		expectStatus(t, res, http.StatusAccepted)
		res = f.post(t, "/api1/collections/{writable}/objects/", pad(store.DefaultMaxContentLength+1))
		expectError(t, res, wantError{status: http.StatusRequestEntityTooLarge, code: "too-large"})
	})
}

// TestGetStatus: Get Status (TAXII 2.1 §4.3) is scoped to its API root.
func TestGetStatus(t *testing.T) {
	f := newFixture(t)
	res := f.post(t, "/api1/collections/{writable}/objects/", envelope(newMalware, `1`))
	expectStatus(t, res, http.StatusAccepted)
	id := expectStatusResource(t, res, []string{idNew2}, []string{"objects[1]"}).ID
	other := f.post(t, "/api2/collections/{other}/objects/", envelope(newMalware))
	expectStatus(t, other, http.StatusAccepted)
	otherID := expectStatusResource(t, other, []string{idNew2}, nil).ID

	tests := []struct {
		name   string
		when   string
		expect int
		body   string // for 200: the body
	}{
		{"status", "/api1/status/" + id + "/", http.StatusOK, string(res.body)},
		{"status without trailing slash", "/api1/status/" + id, http.StatusOK, string(res.body)},
		{"status of the other API root", "/api2/status/" + otherID + "/", http.StatusOK, string(other.body)},
		{"status asked of another API root", "/api2/status/" + id + "/", http.StatusNotFound, ""},
		{"status asked of a third API root", "/small/status/" + id + "/", http.StatusNotFound, ""},
		{"unknown status", "/api1/status/6ba7b810-9dad-41d1-80b4-00c04fd430c8/", http.StatusNotFound, ""},
		{"not a UUID", "/api1/status/nope/", http.StatusNotFound, ""},
		{"unknown API root", "/nope/status/" + id + "/", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.get(t, tt.when)
			if tt.expect != http.StatusOK {
				code := "status-not-found"
				if strings.HasPrefix(tt.when, "/nope/") {
					code = "api-root-not-found"
				}
				expectError(t, r, wantError{status: tt.expect, code: code})
				return
			}
			expectStatus(t, r, tt.expect)
			if string(r.body) != tt.body {
				t.Errorf("body %s, want %s", r.body, tt.body)
			}
		})
	}
}
