package taxii_test

import (
	"net/http"
	"strings"
	"testing"
)

// endpoints names every TAXII endpoint of the fixture, with a request that
// succeeds when no query string is added.
func endpoints(statusID string) map[string]request {
	obj := "/api1/collections/{mixed}/objects/" + idS + "/"
	return map[string]request{
		"discovery":   {path: "/taxii2/"},
		"api root":    {path: "/api1/"},
		"status":      {path: "/api1/status/" + statusID + "/"},
		"collections": {path: "/api1/collections/"},
		"collection":  {path: "/api1/collections/{public}/"},
		"manifest":    {path: "/api1/collections/{public}/manifest/"},
		"objects":     {path: "/api1/collections/{public}/objects/"},
		"post":        {method: http.MethodPost, path: "/api1/collections/{writable}/objects/", body: `{"objects":[` + malwareJSON("malware--77777777-0000-4000-8000-000000000001", vM, "posted") + `]}`},
		"object":      {path: "/api1/collections/{public}/objects/" + idA + "/"},
		"delete":      {method: http.MethodDelete, path: obj},
		"versions":    {path: "/api1/collections/{public}/objects/" + idA + "/versions/"},
	}
}

var (
	pagedEndpoints   = []string{"manifest", "objects", "object", "versions"}
	unpagedEndpoints = []string{"discovery", "api root", "status", "collections", "collection", "post"}
)

// TestQueryParameterErrors: malformed, repeated, empty and unknown query
// parameters are 400 errors that name the parameter (TAXII 2.1 §3.4: MUST
// be 400), on every endpoint that could see them.
func TestQueryParameterErrors(t *testing.T) {
	f := newFixture(t)
	st := f.post(t, "/api1/collections/{writable}/objects/", `{"objects":[`+malwareJSON("malware--77777777-0000-4000-8000-000000000002", vM, "x")+`]}`)
	expectStatus(t, st, http.StatusAccepted)
	eps := endpoints(decode(t, st.body)["id"].(string))

	tests := []struct {
		name   string
		given  []string // endpoints
		when   string   // query string
		expect string   // the parameter named in the error
		desc   string   // a further substring of the description
	}{
		{"limit=0", pagedEndpoints, "limit=0", "limit", "positive integer"},
		{"limit=-1", pagedEndpoints, "limit=-1", "limit", "positive integer"},
		{"limit=abc", pagedEndpoints, "limit=abc", "limit", "positive integer"},
		{"limit=1.5", pagedEndpoints, "limit=1.5", "limit", "positive integer"},
		{"limit=+1x", pagedEndpoints, "limit=%2B1x", "limit", ""},
		{"limit twice", pagedEndpoints, "limit=1&limit=2", "limit", "2 times"},
		{"limit empty", pagedEndpoints, "limit=", "limit", "empty"},
		{"limit without value", pagedEndpoints, "limit", "limit", "empty"},
		{"added_after=yesterday", pagedEndpoints, "added_after=yesterday", "added_after", "timestamp"},
		{"added_after=2024-02-30T00:00:00Z", pagedEndpoints, "added_after=2024-02-30T00:00:00Z", "added_after", "timestamp"},
		{"added_after date only", pagedEndpoints, "added_after=2024-01-01", "added_after", "timestamp"},
		{"added_after non-UTC offset", pagedEndpoints, "added_after=2024-01-01T00:00:00%2B01:00", "added_after", "timestamp"},
		{"added_after 10 fractional digits", pagedEndpoints, "added_after=2024-01-01T00:00:00.0000000000Z", "added_after", "timestamp"},
		{"added_after dot without digits", pagedEndpoints, "added_after=2024-01-01T00:00:00.Z", "added_after", "timestamp"},
		{"added_after twice", pagedEndpoints, "added_after=2024-01-01T00:00:00Z&added_after=2024-01-02T00:00:00Z", "added_after", "2 times"},
		{"added_after empty", pagedEndpoints, "added_after=", "added_after", "empty"},
		{"next empty", pagedEndpoints, "next=", "next", "empty"},
		{"next twice", pagedEndpoints, "next=a&next=b", "next", "2 times"},
		{"match[version]=all,last", []string{"manifest", "objects", "object", "delete"}, "match[version]=all,last", "match[version]", "all"},
		{"match[version]=last,last", []string{"manifest", "objects", "object", "delete"}, "match[version]=last,last", "match[version]", "twice"},
		{"match[version] same instant twice", []string{"manifest", "objects", "object", "delete"}, "match[version]=2024-01-01T00:00:00Z,2024-01-01T00:00:00.000Z", "match[version]", "twice"},
		{"match[version]=yesterday", []string{"manifest", "objects", "object", "delete"}, "match[version]=yesterday", "match[version]", "timestamp"},
		{"match[version] trailing comma", []string{"manifest", "objects", "object", "delete"}, "match[version]=last,", "match[version]", "empty"},
		{"match[version] empty", []string{"manifest", "objects", "object", "delete"}, "match[version]=", "match[version]", "empty"},
		{"match[version] twice", []string{"manifest", "objects", "object", "delete"}, "match[version]=first&match[version]=last", "match[version]", "2 times"},
		{"match[id]=notanid", []string{"manifest", "objects"}, "match[id]=notanid", "match[id]", "notanid"},
		{"match[id] bad UUID", []string{"manifest", "objects"}, "match[id]=indicator--1234", "match[id]", "STIX identifier"},
		{"match[id] one bad in list", []string{"manifest", "objects"}, "match[id]=" + idA + ",malware--x", "match[id]", "malware--x"},
		{"match[id] empty item", []string{"manifest", "objects"}, "match[id]=" + idA + ",", "match[id]", "empty"},
		{"match[id] twice", []string{"manifest", "objects"}, "match[id]=" + idA + "&match[id]=" + idM, "match[id]", "2 times"},
		{"match[type]=Bad_Type", []string{"manifest", "objects"}, "match[type]=Bad_Type", "match[type]", "Bad_Type"},
		{"match[type] too short", []string{"manifest", "objects"}, "match[type]=ab", "match[type]", "type"},
		{"match[type] empty", []string{"manifest", "objects"}, "match[type]=", "match[type]", "empty"},
		{"match[type] twice", []string{"manifest", "objects"}, "match[type]=indicator&match[type]=malware", "match[type]", "2 times"},
		{"match[type] twice, once percent-encoded", []string{"manifest", "objects"}, "match[type]=indicator&match%5Btype%5D=malware", "match[type]", "2 times"},
		{"match[spec_version]=x", []string{"manifest", "objects", "object", "versions", "delete"}, "match[spec_version]=x", "match[spec_version]", "spec version"},
		{"match[spec_version]=2", []string{"manifest", "objects", "object", "versions", "delete"}, "match[spec_version]=2", "match[spec_version]", "spec version"},
		{"match[spec_version] empty", []string{"manifest", "objects", "object", "versions", "delete"}, "match[spec_version]=", "match[spec_version]", "empty"},
		{"match[foo]=1", []string{"manifest", "objects", "object", "versions", "delete"}, "match[foo]=1", "match[foo]", "unknown parameter"},
		{"bogus=1", []string{"manifest", "objects", "object", "versions", "delete"}, "bogus=1", "bogus", "unknown parameter"},
		{"parameter names are case-sensitive", []string{"manifest", "objects"}, "LIMIT=1", "LIMIT", "unknown parameter"},
		{"match[type] on the versions endpoint", []string{"versions"}, "match[type]=indicator", "match[type]", "unknown parameter"},
		{"match[version] on the versions endpoint", []string{"versions"}, "match[version]=all", "match[version]", "unknown parameter"},
		{"match[id] on the versions endpoint", []string{"versions"}, "match[id]=" + idA, "match[id]", "unknown parameter"},
		{"match[id] on the object endpoint", []string{"object", "delete"}, "match[id]=" + idA, "match[id]", "unknown parameter"},
		{"match[type] on the object endpoint", []string{"object", "delete"}, "match[type]=indicator", "match[type]", "unknown parameter"},
		{"limit on delete", []string{"delete"}, "limit=1", "limit", "unknown parameter"},
		{"added_after on delete", []string{"delete"}, "added_after=2024-01-01T00:00:00Z", "added_after", "unknown parameter"},
		{"next on delete", []string{"delete"}, "next=x", "next", "unknown parameter"},
		{"any parameter where none are defined", unpagedEndpoints, "limit=1", "limit", "no query parameters"},
		{"a match parameter where none are defined", unpagedEndpoints, "match[type]=indicator", "match[type]", "no query parameters"},
		{"an empty parameter where none are defined", unpagedEndpoints, "x=", "x", "no query parameters"},
		{"a value that is not UTF-8", pagedEndpoints, "added_after=2024%FF", "added_after", "not UTF-8"},
		{"a list item that is not UTF-8", []string{"manifest", "objects"}, "match[type]=indicator,%C0%AF", "match[type]", "not UTF-8"},
		{"an encoded surrogate in next", pagedEndpoints, "next=%ED%A0%80", "next", "not UTF-8"},
		{"a name that is not UTF-8", append(append([]string{}, pagedEndpoints...), unpagedEndpoints...), "limit%E9=1", "limit\uFFFD", "not UTF-8"},
		{"bad escape", append(append([]string{}, pagedEndpoints...), unpagedEndpoints...), "limit=%zz", "query string", "decoded"},
	}
	for _, tt := range tests {
		for _, ep := range tt.given {
			t.Run(tt.name+"/"+ep, func(t *testing.T) {
				rq := eps[ep]
				rq.path += "?" + tt.when
				res := f.do(t, rq)
				w := wantError{status: http.StatusBadRequest, code: "bad-parameter", param: tt.expect}
				if tt.desc != "" {
					w.desc = []string{tt.desc}
				}
				expectError(t, res, w)
			})
		}
	}

	// The same requests succeed without the query string, so each 400
	// above is about the parameter.
	for name, rq := range eps {
		if name == "post" || name == "delete" {
			continue // they change the data; covered elsewhere
		}
		t.Run("no parameters/"+name, func(t *testing.T) {
			expectStatus(t, f.do(t, rq), http.StatusOK)
		})
	}
}

// TestQueryParameterOrderIndependent: the same filters in another order,
// with comma lists reordered, give the same result.
func TestQueryParameterOrderIndependent(t *testing.T) {
	f := newFixture(t)
	a := f.get(t, "/api1/collections/{public}/manifest/?match[type]=indicator,malware&match[version]=first,last&added_after="+pubAdded(0))
	b := f.get(t, "/api1/collections/{public}/manifest/?added_after="+pubAdded(0)+"&match[version]=last,first&match[type]=malware,indicator")
	expectStatus(t, a, http.StatusOK)
	expectStatus(t, b, http.StatusOK)
	if string(a.body) != string(b.body) || !strings.Contains(string(a.body), idM) {
		t.Errorf("reordered filters give different results:\n%s\n%s", a.body, b.body)
	}
}
