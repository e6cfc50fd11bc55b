package taxii_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"liaison/store"
)

// givenWritable loads A (three versions) and M into the writable
// collection, like the public fixture: A v1, M, A v2, A v3, one second
// apart.
func givenWritable(f *fixture) {
	base := tTest.Add(-time.Hour)
	for i, j := range []int{0, 1, 2, 5} {
		f.load("writable", base.Add(time.Duration(i)*time.Second), publicObjects[j].json)
	}
	f.clock.Set(tTest)
}

// versionsOf lists an object's versions with every spec version; nil when
// the versions endpoint answers 404.
func versionsOf(t *testing.T, f *fixture, coll, id string) []string {
	t.Helper()
	res := f.get(t, "/api1/collections/{"+coll+"}/objects/"+id+"/versions/?match[spec_version]=2.0,2.1")
	if res.status == http.StatusNotFound {
		expectError(t, res, wantError{status: http.StatusNotFound, code: "object-not-found"})
		return nil
	}
	expectStatus(t, res, http.StatusOK)
	var vs []string
	for _, it := range decodePage(t, res, "versions").items {
		vs = append(vs, it.version)
	}
	return vs
}

// TestDeleteObject: Delete an Object (TAXII 2.1 §5.7) answers 200 with no
// body; without match[version] every version goes, and the object then
// answers 404 and is absent from the objects and manifest listings.
func TestDeleteObject(t *testing.T) {
	tests := []struct {
		name  string
		given string // collection: writable (A, M) or mixed (S, T)
		when  string // object id and query
		// expect: the status, and the versions of the object afterwards
		// (nil: gone).
		expect         int
		expectVersions []string
	}{
		{"default deletes every version", "writable", idA, http.StatusOK, nil},
		{"default without trailing slash", "writable", idA, http.StatusOK, nil},
		{"match[version]=all", "writable", idA + "/?match[version]=all", http.StatusOK, nil},
		{"match[version]=last", "writable", idA + "/?match[version]=last", http.StatusOK, []string{vA1, vA2}},
		{"match[version]=first", "writable", idA + "/?match[version]=first", http.StatusOK, []string{vA2, vA3}},
		{"match[version]=first,last", "writable", idA + "/?match[version]=first,last", http.StatusOK, []string{vA2}},
		{"match[version]=timestamp", "writable", idA + "/?match[version]=" + vA2, http.StatusOK, []string{vA1, vA3}},
		{"match[version]=timestamp without fraction", "writable", idA + "/?match[version]=2024-01-03T00:00:00Z", http.StatusOK, []string{vA1, vA3}},
		{"match[version]=two timestamps", "writable", idA + "/?match[version]=" + vA1 + "," + vA3, http.StatusOK, []string{vA2}},
		{"single-version object, last", "writable", idM + "/?match[version]=last", http.StatusOK, nil},
		{"match[spec_version]=2.0", "mixed", idS + "/?match[spec_version]=2.0", http.StatusOK, []string{vS3}},
		{"match[spec_version]=2.1", "mixed", idS + "/?match[spec_version]=2.1", http.StatusOK, []string{vS1, vS2}},
		{"match[spec_version]=2.0 and last", "mixed", idS + "/?match[spec_version]=2.0&match[version]=last", http.StatusOK, []string{vS1, vS3}},
		{"match[spec_version]=2.0,2.1", "mixed", idS + "/?match[spec_version]=2.0,2.1", http.StatusOK, nil},
		{"no version matches", "writable", idA + "/?match[version]=2020-01-01T00:00:00.000Z", http.StatusNotFound, []string{vA1, vA2, vA3}},
		{"no spec version matches", "mixed", idT + "/?match[spec_version]=2.1", http.StatusNotFound, []string{vT}},
		{"no version of the spec version matches", "mixed", idS + "/?match[spec_version]=2.1&match[version]=" + vS1, http.StatusNotFound, []string{vS1, vS2, vS3}},
		{"unknown object", "writable", "indicator--99999999-0000-4000-8000-000000000000", http.StatusNotFound, nil},
		{"object of another collection", "writable", idB, http.StatusNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			givenWritable(f)
			id, _, _ := strings.Cut(tt.when, "/")
			path := "/api1/collections/{" + tt.given + "}/objects/" + tt.when
			if !strings.Contains(tt.when, "/") && !strings.HasSuffix(tt.name, "without trailing slash") {
				path += "/"
			}
			res := f.do(t, request{method: http.MethodDelete, path: path})
			if tt.expect == http.StatusNotFound {
				expectError(t, res, wantError{status: http.StatusNotFound, code: "object-not-found"})
			} else {
				expectStatus(t, res, tt.expect)
				if len(res.body) != 0 {
					t.Errorf("DELETE answered with a body: %s", res.body)
				}
			}

			got := versionsOf(t, f, tt.given, id)
			if strings.Join(got, " ") != strings.Join(tt.expectVersions, " ") {
				t.Errorf("versions after DELETE: %v, want %v", got, tt.expectVersions)
			}
			objPath := "/api1/collections/{" + tt.given + "}/objects/" + id + "/?match[version]=all&match[spec_version]=2.0,2.1"
			if tt.expectVersions == nil {
				// Gone: 404 on the object and versions endpoints, absent
				// from objects and manifest, and a second DELETE is 404.
				expectError(t, f.get(t, objPath), wantError{status: http.StatusNotFound, code: "object-not-found"})
				for _, ep := range []string{"objects", "manifest"} {
					r := f.get(t, "/api1/collections/{"+tt.given+"}/"+ep+"/?match[version]=all&match[spec_version]=2.0,2.1")
					expectStatus(t, r, http.StatusOK)
					if strings.Contains(string(r.body), id) {
						t.Errorf("%s still lists %s: %s", ep, id, r.body)
					}
				}
				again := f.do(t, request{method: http.MethodDelete, path: "/api1/collections/{" + tt.given + "}/objects/" + id + "/"})
				expectError(t, again, wantError{status: http.StatusNotFound, code: "object-not-found"})
				return
			}
			r := f.get(t, objPath)
			expectStatus(t, r, http.StatusOK)
			if p := decodePage(t, r, "objects"); len(p.items) != len(tt.expectVersions) {
				t.Errorf("object endpoint lists %v, want %d versions", p.items, len(tt.expectVersions))
			}
			m := f.get(t, "/api1/collections/{"+tt.given+"}/manifest/?match[id]="+id+"&match[version]=all&match[spec_version]=2.0,2.1")
			if p := decodePage(t, m, "objects"); len(p.items) != len(tt.expectVersions) {
				t.Errorf("manifest lists %v, want %d versions", p.items, len(tt.expectVersions))
			}
		})
	}
}

// TestDeleteObjectDefaultLatest: after deleting the latest version, the
// default (last) is the newest remaining version.
func TestDeleteObjectDefaultLatest(t *testing.T) {
	f := newFixture(t)
	givenWritable(f)
	res := f.do(t, request{method: http.MethodDelete, path: "/api1/collections/{writable}/objects/" + idA + "/?match[version]=last"})
	expectStatus(t, res, http.StatusOK)
	r := f.get(t, "/api1/collections/{writable}/objects/"+idA+"/")
	expectStatus(t, r, http.StatusOK)
	expectItems(t, decodePage(t, r, "objects").items, []item{{idA, vA2}})
	r = f.get(t, "/api1/collections/{writable}/objects/")
	expectItems(t, decodePage(t, r, "objects").items, []item{{idM, vM}, {idA, vA2}})
}

// TestDeletePermissions: the TAXII 2.1 §5.7 matrix. Both rights are needed;
// with neither the collection is not found.
func TestDeletePermissions(t *testing.T) {
	tests := []struct {
		name   string
		given  string // collection: its rights
		when   string // object
		expect wantError
	}{
		{"can_read false, can_write false", "hidden", idH, wantError{status: http.StatusNotFound, code: "collection-not-found"}},
		{"can_read true, can_write false", "public", idA, wantError{status: http.StatusForbidden, code: "no-write-access", desc: []string{"can_write"}}},
		{"can_read false, can_write true", "writeonly", idA, wantError{status: http.StatusForbidden, code: "no-read-access", desc: []string{"can_read"}}},
		{"can_read true, can_write true", "writable", idA, wantError{status: http.StatusOK}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			givenWritable(f)
			f.load("writeonly", tTest, publicObjects[0].json)
			res := f.do(t, request{method: http.MethodDelete, path: "/api1/collections/{" + tt.given + "}/objects/" + tt.when + "/"})
			if tt.expect.status == http.StatusOK {
				expectStatus(t, res, http.StatusOK)
				if len(res.body) != 0 {
					t.Errorf("body %s", res.body)
				}
				return
			}
			expectError(t, res, tt.expect)
			// Nothing was deleted (read through the store: the client
			// may not read these collections).
			page, err := f.db.Query(context.Background(), f.id(tt.given),
				store.Query{ObjectID: tt.when, Versions: store.VersionSelect{All: true}, Limit: 10})
			if err != nil || len(page.Records) == 0 {
				t.Errorf("after a refused DELETE the store holds %v (%v)", page.Records, err)
			}
		})
	}
}
