package store_test

import (
	"slices"
	"testing"
	"time"

	"liaison/store"
)

// TestDeleteChoice checks the rule both backends use to choose what a
// DELETE removes, on one object with versions in two spec versions.
func TestDeleteChoice(t *testing.T) {
	type v struct {
		spec    string
		version int // seconds after t0; ties broken by added
		added   int
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	vs := []v{
		{"2.0", 1, 1},
		{"2.1", 2, 2},
		{"2.0", 3, 3},
		{"2.1", 4, 4},
		{"2.1", 4, 5}, // the same version posted again
	}
	less := func(a, b *v) bool {
		if a.version != b.version {
			return a.version < b.version
		}
		return a.added < b.added
	}
	spec := func(x *v) string { return x.spec }
	for _, tc := range []struct {
		name     string
		versions store.VersionSelect
		specs    []string
		want     []int
	}{
		{"no filter: every version", store.VersionSelect{}, nil, []int{0, 1, 2, 3, 4}},
		{"all", store.VersionSelect{All: true}, nil, []int{0, 1, 2, 3, 4}},
		{"spec 2.0 only", store.VersionSelect{}, []string{"2.0"}, []int{0, 2}},
		{"first among the latest spec", store.VersionSelect{First: true}, nil, []int{1}},
		{"last among the latest spec", store.VersionSelect{Last: true}, nil, []int{4}},
		{"first and last", store.VersionSelect{First: true, Last: true}, nil, []int{1, 4}},
		{"last of 2.0", store.VersionSelect{Last: true}, []string{"2.0"}, []int{2}},
		{"first of both specs", store.VersionSelect{First: true}, []string{"2.0", "2.1"}, []int{0}},
		{"a version of the latest spec", store.VersionSelect{At: []time.Time{t0.Add(2 * time.Second)}}, nil, []int{1}},
		{"a 2.0 version without match[spec_version]: none", store.VersionSelect{At: []time.Time{t0.Add(time.Second)}}, nil, nil},
		{"a 2.0 version with it", store.VersionSelect{At: []time.Time{t0.Add(time.Second)}}, []string{"2.0"}, []int{0}},
		{"a version posted twice: both", store.VersionSelect{At: []time.Time{t0.Add(4 * time.Second)}}, nil, []int{3, 4}},
		{"a spec version it lacks", store.VersionSelect{}, []string{"2.2"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := func(x *v) bool {
				return slices.ContainsFunc(tc.versions.At, func(a time.Time) bool { return a.Equal(t0.Add(time.Duration(x.version) * time.Second)) })
			}
			got := store.DeleteChoice(vs, spec, less, at, tc.versions, tc.specs)
			if !slices.Equal(got, tc.want) {
				t.Errorf("chose %v, want %v", got, tc.want)
			}
		})
	}
}
