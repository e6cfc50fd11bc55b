package taxii_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestGetObjectsAndManifest runs each filter case on Get Objects and on Get
// Object Manifests (TAXII 2.1 §5.3, §5.4): both filter the same versions
// (§5.3: manifest filters apply to the underlying objects).
func TestGetObjectsAndManifest(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name  string
		given string // fixture collection (path segment: id, or an alias)
		when  string // query string
		// expect: the versions listed, by index into the collection's
		// fixture objects (date_added order).
		expect []int
	}{
		// Defaults: latest version of each object, latest spec version.
		{"default is last version", "public", "", []int{1, 3, 4, 5, 6, 7, 8}},
		{"match[version]=last", "public", "match[version]=last", []int{1, 3, 4, 5, 6, 7, 8}},
		{"match[version]=all", "public", "match[version]=all", []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"match[version]=first", "public", "match[version]=first", []int{0, 1, 3, 4, 6, 7, 9}},
		{"match[version]=first,last", "public", "match[version]=first,last", []int{0, 1, 3, 4, 5, 6, 7, 8, 9}},
		{"match[version]=last,first same as first,last", "public", "match[version]=last,first", []int{0, 1, 3, 4, 5, 6, 7, 8, 9}},
		{"match[version]=timestamp", "public", "match[version]=" + vA2, []int{2}},
		{"match[version]=timestamp without fraction matches as an instant", "public", "match[version]=2024-01-03T00:00:00Z", []int{2}},
		{"match[version]=timestamp with 9 digits matches as an instant", "public", "match[version]=2024-01-03T00:00:00.000000000Z", []int{2}},
		{"match[version]=timestamp with +00:00", "public", "match[version]=" + url.QueryEscape("2024-01-03T00:00:00.000+00:00"), []int{2}},
		{"match[version]=two timestamps", "public", "match[version]=" + vA1 + "," + vB1, []int{0, 9}},
		{"match[version]=timestamp,last", "public", "match[version]=" + vA2 + ",last", []int{1, 2, 3, 4, 5, 6, 7, 8}},
		{"match[version]=first,timestamp,last", "public", "match[version]=first," + vA2 + ",last", []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"match[version]=SCO version is its date_added", "public", "match[version]=" + vI, []int{3}},
		{"match[version]=marking-definition version is created", "public", "match[version]=" + vD, []int{7}},
		{"match[version]=timestamp nobody has", "public", "match[version]=2020-01-01T00:00:00.000Z", nil},
		{"match[type]=indicator", "public", "match[type]=indicator", []int{5, 8}},
		{"match[type]=indicator,malware", "public", "match[type]=indicator,malware", []int{1, 5, 8}},
		{"match[type]=malware,indicator same", "public", "match[type]=malware,indicator", []int{1, 5, 8}},
		{"match[type]=SCO type", "public", "match[type]=ipv4-addr", []int{3}},
		{"match[type]=STIX type the collection lacks is no error", "public", "match[type]=grouping", nil},
		{"match[type]=custom type", "public", "match[type]=x-acme-widget", nil},
		{"match[type]=indicator with all versions", "public", "match[type]=indicator&match[version]=all", []int{0, 2, 5, 8, 9}},
		{"match[id]=one id", "public", "match[id]=" + idA, []int{5}},
		{"match[id]=two ids", "public", "match[id]=" + idA + "," + idM, []int{1, 5}},
		{"match[id] with duplicate ids", "public", "match[id]=" + idA + "," + idA, []int{5}},
		{"match[id] with all versions", "public", "match[id]=" + idA + "&match[version]=all", []int{0, 2, 5}},
		{"match[id] unknown id", "public", "match[id]=indicator--99999999-0000-4000-8000-000000000000", nil},
		{"match[id] and match[type] are ANDed", "public", "match[id]=" + idA + "&match[type]=malware", nil},
		{"match[id] and match[type] agreeing", "public", "match[id]=" + idA + "," + idM + "&match[type]=malware", []int{1}},
		{"match[spec_version]=2.1", "public", "match[spec_version]=2.1", []int{1, 3, 4, 5, 6, 7, 8}},
		{"match[spec_version]=2.0 none", "public", "match[spec_version]=2.0", nil},
		{"match[spec_version]=2.0,2.1", "public", "match[spec_version]=2.0,2.1", []int{1, 3, 4, 5, 6, 7, 8}},

		// added_after: strictly after, any of 0, 3, 6, 9 fractional digits or +00:00.
		{"added_after 6 digits is exclusive", "public", "added_after=" + pubAdded(4), []int{5, 6, 7, 8}},
		{"added_after 0 digits", "public", "added_after=2024-05-01T12:00:04Z", []int{5, 6, 7, 8}},
		{"added_after 3 digits", "public", "added_after=2024-05-01T12:00:04.000Z", []int{5, 6, 7, 8}},
		{"added_after 9 digits", "public", "added_after=2024-05-01T12:00:04.000000000Z", []int{5, 6, 7, 8}},
		{"added_after +00:00", "public", "added_after=" + url.QueryEscape("2024-05-01T12:00:04+00:00"), []int{5, 6, 7, 8}},
		{"added_after 1ns before a date_added includes it", "public", "added_after=2024-05-01T12:00:03.999999999Z", []int{4, 5, 6, 7, 8}},
		{"added_after 1ns after a date_added excludes it", "public", "added_after=2024-05-01T12:00:04.000000001Z", []int{5, 6, 7, 8}},
		{"added_after the last date_added", "public", "added_after=" + pubAdded(9), nil},
		{"added_after before everything", "public", "added_after=2000-01-01T00:00:00Z", []int{1, 3, 4, 5, 6, 7, 8}},
		{"added_after with type and all versions", "public", "added_after=" + pubAdded(2) + "&match[type]=indicator&match[version]=all", []int{5, 8, 9}},

		// STIX 2.0 and 2.1 in one collection: default is the latest spec
		// version held for each object.
		{"mixed default", "mixed", "", []int{2, 3}},
		{"mixed match[spec_version]=2.0", "mixed", "match[spec_version]=2.0", []int{1, 3}},
		{"mixed match[spec_version]=2.1", "mixed", "match[spec_version]=2.1", []int{2}},
		{"mixed match[spec_version]=2.0,2.1", "mixed", "match[spec_version]=2.0,2.1", []int{2, 3}},
		{"mixed match[spec_version]=2.0 all versions", "mixed", "match[spec_version]=2.0&match[version]=all", []int{0, 1, 3}},
		{"mixed match[spec_version]=2.0 first", "mixed", "match[spec_version]=2.0&match[version]=first", []int{0, 3}},
		{"mixed all versions of the latest spec version", "mixed", "match[version]=all", []int{2, 3}},
		{"mixed all versions of every spec version", "mixed", "match[version]=all&match[spec_version]=2.1,2.0", []int{0, 1, 2, 3}},
		{"mixed explicit version of an older spec version needs match[spec_version]", "mixed", "match[version]=" + vS1, []int{3}},
		{"mixed explicit version with match[spec_version]", "mixed", "match[version]=" + vS1 + "&match[spec_version]=2.0", []int{0, 3}},
		{"mixed match[type]", "mixed", "match[type]=malware", []int{3}},

		// An empty collection, by id and by alias.
		{"empty collection", "aliased", "", nil},
		{"empty collection by alias", "high-value", "match[version]=all", nil},
	}
	for _, endpoint := range []string{"objects", "manifest"} {
		for _, tt := range tests {
			t.Run(endpoint+"/"+tt.name, func(t *testing.T) {
				coll := "{" + tt.given + "}"
				if tt.given == "high-value" {
					coll = tt.given // an alias
				}
				path := "/api1/collections/" + coll + "/" + endpoint + "/"
				if tt.when != "" {
					path += "?" + tt.when
				}
				var want []fixtureObject
				if len(tt.expect) > 0 {
					want = pick(tt.given, tt.expect...)
				}
				expectPage(t, f.get(t, path), endpoint, want, false)
			})
		}
	}
}

// TestGetObject covers Get an Object (TAXII 2.1 §5.6): a search with
// match[id] fixed, match[version] defaulting to last.
func TestGetObject(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		given  string // collection
		when   string // object id and query
		expect []int
	}{
		{"default is the last version", "public", idA, []int{5}},
		{"match[version]=last", "public", idA + "?match[version]=last", []int{5}},
		{"match[version]=all", "public", idA + "?match[version]=all", []int{0, 2, 5}},
		{"match[version]=first", "public", idA + "?match[version]=first", []int{0}},
		{"match[version]=first,last", "public", idA + "?match[version]=first,last", []int{0, 5}},
		{"match[version]=timestamp", "public", idA + "?match[version]=" + vA2, []int{2}},
		{"match[version]=timestamps", "public", idA + "?match[version]=" + vA3 + "," + vA1, []int{0, 5}},
		{"match[spec_version]=2.1", "public", idA + "?match[spec_version]=2.1", []int{5}},
		{"added_after with all versions", "public", idA + "?added_after=" + pubAdded(0) + "&match[version]=all", []int{2, 5}},
		{"limit and all versions (first page)", "public", idA + "?match[version]=all&limit=3", []int{0, 2, 5}},
		{"last version added before an older one", "public", idB, []int{8}},
		{"first version added after a newer one", "public", idB + "?match[version]=first", []int{9}},
		{"all versions in date_added order", "public", idB + "?match[version]=all", []int{8, 9}},
		{"SCO", "public", idI, []int{3}},
		{"marking definition", "public", idD, []int{7}},
		{"mixed default is the latest spec version", "mixed", idS, []int{2}},
		{"mixed match[spec_version]=2.0", "mixed", idS + "?match[spec_version]=2.0", []int{1}},
		{"mixed match[spec_version]=2.0 all", "mixed", idS + "?match[spec_version]=2.0&match[version]=all", []int{0, 1}},
		{"mixed 2.0-only object", "mixed", idT, []int{3}},

		// The object exists but the filters exclude every version: an
		// empty envelope, not 404 (TAXII 2.1 §5.6; reference §9 item 8).
		{"filters exclude all: spec_version", "public", idA + "?match[spec_version]=2.0", nil},
		{"filters exclude all: added_after", "public", idA + "?added_after=" + pubAdded(5), nil},
		{"filters exclude all: version", "public", idA + "?match[version]=2020-01-01T00:00:00.000Z", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.get(t, "/api1/collections/{"+tt.given+"}/objects/"+tt.when)
			var want []fixtureObject
			if len(tt.expect) > 0 {
				want = pick(tt.given, tt.expect...)
			}
			expectPage(t, res, "objects", want, false)
		})
	}
	t.Run("object endpoint path without trailing slash", func(t *testing.T) {
		res := f.get(t, "/api1/collections/{public}/objects/"+idA)
		expectPage(t, res, "objects", pick("public", 5), false)
	})
	t.Run("object of another collection, by alias", func(t *testing.T) {
		res := f.get(t, "/api1/collections/high-value/objects/"+idA+"/")
		expectError(t, res, wantError{status: http.StatusNotFound, code: "object-not-found"})
	})
}

// TestGetVersions covers Get Object Versions (TAXII 2.1 §5.8): every
// version, in date_added order like every paged endpoint.
func TestGetVersions(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		given  string
		when   string
		expect []int
	}{
		{"three versions added in order", "public", idA + "/versions/", []int{0, 2, 5}},
		{"without trailing slash", "public", idA + "/versions", []int{0, 2, 5}},
		{"date_added order, not version order", "public", idB + "/versions/", []int{8, 9}},
		{"SCO", "public", idI + "/versions/", []int{3}},
		{"marking definition", "public", idD + "/versions/", []int{7}},
		{"added_after", "public", idA + "/versions/?added_after=" + pubAdded(0), []int{2, 5}},
		{"added_after 3 digits", "public", idA + "/versions/?added_after=2024-05-01T12:00:02.000Z", []int{5}},
		{"added_after excludes all", "public", idA + "/versions/?added_after=" + pubAdded(5), nil},
		{"match[spec_version]=2.1", "public", idA + "/versions/?match[spec_version]=2.1", []int{0, 2, 5}},
		{"match[spec_version]=2.0 excludes all", "public", idA + "/versions/?match[spec_version]=2.0", nil},
		{"mixed default lists the latest spec version", "mixed", idS + "/versions/", []int{2}},
		{"mixed match[spec_version]=2.0", "mixed", idS + "/versions/?match[spec_version]=2.0", []int{0, 1}},
		{"mixed match[spec_version]=2.0,2.1", "mixed", idS + "/versions/?match[spec_version]=2.0,2.1", []int{0, 1, 2}},
		{"limit equal to the count", "public", idA + "/versions/?limit=3", []int{0, 2, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.get(t, "/api1/collections/{"+tt.given+"}/objects/"+tt.when)
			var want []fixtureObject
			if len(tt.expect) > 0 {
				want = pick(tt.given, tt.expect...)
			}
			expectPage(t, res, "versions", want, false)
		})
	}
}

// TestAddedAfterIsNeverIgnored: an added_after is either refused or
// filters. 9999-12-31T23:59:60Z is a leap second that would fall in year
// 10000, beyond what four-digit timestamps express, so it is refused with a
// 400 naming the parameter; it must never be dropped silently (which once
// listed everything).
func TestAddedAfterIsNeverIgnored(t *testing.T) {
	f := newFixture(t)
	for _, ep := range []string{"objects/", "manifest/", "objects/" + idA + "/", "objects/" + idA + "/versions/"} {
		t.Run(ep, func(t *testing.T) {
			res := f.get(t, "/api1/collections/{public}/"+ep+"?added_after=9999-12-31T23:59:60Z")
			expectStatus(t, res, http.StatusBadRequest)
			if !strings.Contains(res.String(), `"parameter":"added_after"`) {
				t.Errorf("400 does not name added_after: %s", res)
			}
			res = f.get(t, "/api1/collections/{public}/"+ep+"?added_after=9999-12-31T23:59:59.999999Z")
			expectEmptyPage(t, res)
		})
	}
}
