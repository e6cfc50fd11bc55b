package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
)

func (s *suite) testAddObjects_Status(t *testing.T) {
	ctx := context.Background()
	const mod = "2020-01-01T00:00:00.000Z"
	tests := []struct {
		name         string
		givenTotal   int
		givenObjects []string
		givenFails   []store.StatusDetail
		expectOK     int
		expectFail   int
	}{
		{name: "AllStored", givenTotal: 3, givenObjects: []string{indicator(1, mod), indicator(2, mod), ipv4(3, "10.0.0.3")}, expectOK: 3},
		{name: "WithValidationFailures", givenTotal: 4, givenObjects: []string{indicator(1, mod), indicator(2, mod)},
			givenFails: []store.StatusDetail{{ID: "", Version: "", Message: "objects[1]: not a JSON object"}, {ID: sid("indicator", 9), Version: mod, Message: "bad"}},
			expectOK:   2, expectFail: 2},
		{name: "WithConflict", givenTotal: 3, givenObjects: []string{indicator(1, mod), sdo("indicator", 50, "2.1", mod, `"x":2`)},
			givenFails: []store.StatusDetail{{Message: "objects[2]: not a JSON object"}},
			expectOK:   1, expectFail: 2},
		{name: "OnlyFailures", givenTotal: 1, givenFails: []store.StatusDetail{{Message: "objects[0]: not a JSON object"}}, expectFail: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := s.open(t)
			c := mustCreateCollection(t, db, testRoot, store.Collection{})
			mustAdd(t, db, c, sdo("indicator", 50, "2.1", mod, `"x":1`)) // for the conflict
			req := addRequest(t, c, tt.givenObjects...)
			req.Total, req.Failures = tt.givenTotal, tt.givenFails
			st, err := db.AddObjects(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if !uuid4.MatchString(st.ID) {
				t.Errorf("status id %q is not a UUIDv4", st.ID)
			}
			if st.Status != store.StatusComplete || st.PendingCount != 0 || len(st.Pendings) != 0 {
				t.Errorf("status = %q, %d pending; want complete, none pending", st.Status, st.PendingCount)
			}
			if st.RequestTimestamp != stix.FormatTAXII(pinnedNow) {
				t.Errorf("RequestTimestamp = %q, want %q", st.RequestTimestamp, stix.FormatTAXII(pinnedNow))
			}
			if st.TotalCount != tt.givenTotal || st.SuccessCount != tt.expectOK || st.FailureCount != tt.expectFail {
				t.Errorf("counts total %d success %d failure %d, want %d %d %d", st.TotalCount, st.SuccessCount, st.FailureCount, tt.givenTotal, tt.expectOK, tt.expectFail)
			}
			if st.SuccessCount != len(st.Successes) || st.FailureCount != len(st.Failures) {
				t.Errorf("counts %d/%d do not match the lists %d/%d", st.SuccessCount, st.FailureCount, len(st.Successes), len(st.Failures))
			}
			if st.SuccessCount+st.FailureCount+st.PendingCount != st.TotalCount {
				t.Errorf("success %d + failure %d + pending %d != total %d", st.SuccessCount, st.FailureCount, st.PendingCount, st.TotalCount)
			}
			for i, f := range tt.givenFails {
				if st.Failures[i] != f {
					t.Errorf("failure %d = %+v, want the given %+v first", i, st.Failures[i], f)
				}
			}
			for _, d := range st.Successes {
				if d.ID == "" || d.Version == "" {
					t.Errorf("success detail %+v lacks id or version", d)
				}
			}

			got, owner, err := db.Status(ctx, testRoot, st.ID)
			if err != nil {
				t.Fatal(err)
			}
			if owner != testUser {
				t.Errorf("owner = %q, want %q", owner, testUser)
			}
			if !reflect.DeepEqual(got, st) {
				t.Errorf("Status =\n %+v\nwant what AddObjects returned\n %+v", got, st)
			}
		})
	}
}

func (s *suite) testStatus(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	a := mustCreateCollection(t, db, "a", store.Collection{})
	mustCreateCollection(t, db, "b", store.Collection{})
	req := addRequest(t, a, indicator(1, "2020-01-01T00:00:00.000Z"))
	req.Owner = "bob"
	st, err := db.AddObjects(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		got, owner, err := db.Status(ctx, "a", st.ID)
		if err != nil || owner != "bob" || got.ID != st.ID || got.SuccessCount != 1 {
			t.Errorf("Status = %+v, %q, %v; want %s of bob with one success", got, owner, err, st.ID)
		}
	})
	t.Run("ErrStatusNotFound", func(t *testing.T) {
		for _, tc := range []struct{ name, root, id string }{
			{"OtherRoot", "b", st.ID},
			{"UnknownRoot", "nope", st.ID},
			{"UnknownID", "a", testUUID(3)},
			{"Empty", "a", ""},
		} {
			if _, _, err := db.Status(ctx, tc.root, tc.id); !errors.Is(err, store.ErrStatusNotFound) {
				t.Errorf("%s: Status(%q, %q) error = %v, want ErrStatusNotFound", tc.name, tc.root, tc.id, err)
			}
		}
	})
}

// Status of another API root's status id returns ErrStatusNotFound and
// nothing of the status or its owner, so no caller can leak another API
// root's data.
func (s *suite) testStatus_OtherRootReturnsNothing(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	a := mustCreateCollection(t, db, "a", store.Collection{})
	mustCreateRoot(t, db, "b")
	st := mustAdd(t, db, a, indicator(1, "2020-01-01T00:00:00.000Z"))
	got, owner, err := db.Status(ctx, "b", st.ID)
	if !errors.Is(err, store.ErrStatusNotFound) {
		t.Fatalf("error = %v, want ErrStatusNotFound", err)
	}
	if !reflect.DeepEqual(got, store.Status{}) || owner != "" {
		t.Errorf("Status(b, %s) returned root a's status %+v and owner %q with ErrStatusNotFound; want zero values", st.ID, got, owner)
	}
}

func (s *suite) testPurgeStatuses(t *testing.T) {
	ctx := context.Background()
	const retention = 24 * time.Hour
	// Statuses are created at these offsets from pinnedNow; then the clock
	// moves to purgeAt and PurgeStatuses runs.
	tests := []struct {
		name        string
		givenAt     []time.Duration
		purgeAt     time.Duration
		expectKept  []bool
		expectCount int
	}{
		{"NothingOld", []time.Duration{0, time.Hour}, retention - time.Second, []bool{true, true}, 0},
		{"OldPurgedNewKept", []time.Duration{0, time.Hour, 12 * time.Hour}, retention + 2*time.Hour, []bool{false, false, true}, 2},
		{"ExactlyAtRetentionKept", []time.Duration{0}, retention, []bool{true}, 0},
		{"OneMicrosecondPast", []time.Duration{0}, retention + time.Microsecond, []bool{false}, 1},
		{"AllOld", []time.Duration{0, time.Minute, 2 * time.Minute}, 10 * retention, []bool{false, false, false}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := s.openWith(t, store.Options{StatusRetention: retention})
			c := mustCreateCollection(t, db, testRoot, store.Collection{})
			var ids []string
			for i, at := range tt.givenAt {
				setNow(db, pinnedMicros.Add(at))
				ids = append(ids, mustAdd(t, db, c, indicator(i, "2020-01-01T00:00:00.000Z")).ID)
			}
			setNow(db, pinnedMicros.Add(tt.purgeAt))
			n, err := db.PurgeStatuses(ctx)
			if err != nil || n != tt.expectCount {
				t.Errorf("PurgeStatuses = %d, %v; want %d", n, err, tt.expectCount)
			}
			for i, id := range ids {
				_, _, err := db.Status(ctx, testRoot, id)
				if kept := err == nil; kept != tt.expectKept[i] {
					t.Errorf("status %d (created at +%v): kept %v (%v), want %v", i, tt.givenAt[i], kept, err, tt.expectKept[i])
				}
				if err != nil && !errors.Is(err, store.ErrStatusNotFound) {
					t.Errorf("purged status error = %v, want ErrStatusNotFound", err)
				}
			}
			// Purging again finds nothing more; the objects stay.
			if n, err := db.PurgeStatuses(ctx); err != nil || n != 0 {
				t.Errorf("second PurgeStatuses = %d, %v; want 0", n, err)
			}
			if got := len(mustQuery(t, db, c.ID, everything).Records); got != len(tt.givenAt) {
				t.Errorf("purging statuses left %d objects, want %d", got, len(tt.givenAt))
			}
		})
	}

	t.Run("AddObjectsPurgesOldStatuses", func(t *testing.T) {
		db := s.openWith(t, store.Options{StatusRetention: retention})
		c := mustCreateCollection(t, db, testRoot, store.Collection{})
		old := mustAdd(t, db, c, indicator(1, "2020-01-01T00:00:00.000Z"))
		setNow(db, pinnedNow.Add(2*retention))
		fresh := mustAdd(t, db, c, indicator(2, "2020-01-01T00:00:00.000Z"))
		if _, _, err := db.Status(ctx, testRoot, old.ID); !errors.Is(err, store.ErrStatusNotFound) {
			t.Errorf("old status after a later AddObjects: error %v, want ErrStatusNotFound", err)
		}
		if _, _, err := db.Status(ctx, testRoot, fresh.ID); err != nil {
			t.Errorf("fresh status: %v", err)
		}
	})
}
