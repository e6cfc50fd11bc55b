package taxii

import (
	"reflect"
	"testing"

	"liaison/store"
)

// TestPageETagInputs: pageETag hashes each field of store.Query and
// filter, and the fields of Principal and store.Collection pages depend
// on. A new field fails this test until someone decides: if pages can
// differ by it, hash it in pageETag (or a 304 could answer a changed
// page); then count it here.
func TestPageETagInputs(t *testing.T) {
	for _, tc := range []struct {
		v      any
		fields int
	}{
		{store.Query{}, 12},
		{store.VersionSelect{}, 4},
		{filter{}, 5},
		{Principal{}, 7},
		{Rights{}, 4},
		{store.Collection{}, 15},
		{store.Clearance{}, 5},
	} {
		if n := reflect.TypeOf(tc.v).NumField(); n != tc.fields {
			t.Errorf("%T has %d fields, pageETag was written for %d: see etag.go", tc.v, n, tc.fields)
		}
	}
}
