package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"liaison/store"
)

func (s *suite) testAudit(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	// Audit times are compared at microsecond precision (TAXII's).
	base := pinnedMicros
	setNow(db, base)
	if got, err := db.Audit(ctx, store.AuditQuery{}); err != nil || len(got) != 0 {
		t.Fatalf("Audit of an empty trail = %v, %v", got, err)
	}
	// Entries an hour apart, the first with its time left to the store.
	var entries []store.AuditEntry
	for i, user := range []string{"alice", "bob", "alice", "carol"} {
		e := store.AuditEntry{User: user, Remote: "local", Action: "collection.add", Target: testUUID(i), Outcome: "ok"}
		if i > 0 {
			e.Time = base.Add(time.Duration(i) * time.Hour)
		}
		if i == 3 {
			e.Time = e.Time.Add(789 * time.Nanosecond)
		}
		if err := db.RecordAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.Time.IsZero() {
			e.Time = base
		}
		entries = append(entries, e)
	}
	targets := func(es []store.AuditEntry) []string {
		out := []string{}
		for _, e := range es {
			out = append(out, e.Target)
		}
		return out
	}
	all, err := db.Audit(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(entries) {
		t.Fatalf("Audit = %d entries, want %d", len(all), len(entries))
	}
	for i := range all {
		if !all[i].Time.Equal(entries[i].Time) {
			t.Errorf("entry %d at %v, want %v (a zero Time is now)", i, all[i].Time, entries[i].Time)
		}
		all[i].Time = entries[i].Time
	}
	if !reflect.DeepEqual(all, entries) {
		t.Errorf("Audit =\n %+v\nwant, oldest first,\n %+v", all, entries)
	}
	for _, tc := range []struct {
		name string
		q    store.AuditQuery
		want []store.AuditEntry
	}{
		{"Since", store.AuditQuery{Since: base.Add(2 * time.Hour)}, entries[2:]},
		{"SinceBetween", store.AuditQuery{Since: base.Add(90 * time.Minute)}, entries[2:]},
		// An entry's time may have nanoseconds; Since given as that very
		// time includes it.
		{"SinceWithNanoseconds", store.AuditQuery{Since: entries[3].Time}, entries[3:]},
		{"User", store.AuditQuery{User: "alice"}, []store.AuditEntry{entries[0], entries[2]}},
		{"LimitKeepsNewest", store.AuditQuery{Limit: 2}, entries[2:]},
		{"UserAndLimit", store.AuditQuery{User: "alice", Limit: 1}, entries[2:3]},
		{"UnknownUser", store.AuditQuery{User: "mallory"}, nil},
	} {
		got, err := db.Audit(ctx, tc.q)
		if err != nil || !reflect.DeepEqual(targets(got), targets(tc.want)) {
			t.Errorf("%s: Audit(%+v) = %v, %v; want %v", tc.name, tc.q, targets(got), err, targets(tc.want))
		}
	}

	// Purging keeps what is younger than the retention.
	setNow(db, base.Add(3*time.Hour))
	n, err := db.PurgeAudit(ctx, 90*time.Minute)
	if err != nil || n != 2 {
		t.Errorf("PurgeAudit = %d, %v; want 2", n, err)
	}
	if got, _ := db.Audit(ctx, store.AuditQuery{}); !reflect.DeepEqual(targets(got), targets(entries[2:])) {
		t.Errorf("after the purge: %v, want %v", targets(got), targets(entries[2:]))
	}
	if n, err := db.PurgeAudit(ctx, 90*time.Minute); err != nil || n != 0 {
		t.Errorf("second PurgeAudit = %d, %v; want 0", n, err)
	}
}

func (s *suite) testActivity(t *testing.T) {
	ctx := context.Background()
	db := s.open(t)
	if got, err := db.Activity(ctx, ""); err != nil || len(got) != 0 {
		t.Fatalf("Activity with nothing recorded = %v, %v", got, err)
	}
	if err := db.RecordActivity(ctx, nil); err != nil {
		t.Fatal(err)
	}
	c1, c2 := testUUID(1), testUUID(2)
	t0 := pinnedNow.Truncate(time.Second)
	day := t0.Format(time.DateOnly)
	must := func(deltas ...store.Activity) {
		t.Helper()
		if err := db.RecordActivity(ctx, deltas); err != nil {
			t.Fatal(err)
		}
	}
	must(
		store.Activity{Principal: "alice", Collection: c1, Requests: 2, LastRequest: t0, LastServed: t0.Add(-time.Hour), Day: day, ServedToday: 10, ServedTotal: 10},
		store.Activity{Principal: "bob", Collection: c1, Requests: 1, LastRequest: t0.Add(time.Minute), Day: day, ServedToday: 1, ServedTotal: 1},
		store.Activity{Principal: "alice", Collection: c2, Requests: 1, LastRequest: t0.Add(-time.Minute), Day: day},
	)
	// A later batch for alice on c1: merged as Activity.Merge does.
	next := store.Activity{Principal: "alice", Collection: c1, Requests: 3, LastRequest: t0.Add(2 * time.Minute), LastServed: t0, Day: day,
		ServedToday: 5, ServedTotal: 5, LastError: "400 bad-parameter", LastErrorAt: t0.Add(2 * time.Minute)}
	must(next)
	want := store.Activity{Principal: "alice", Collection: c1, Requests: 2, LastRequest: t0, LastServed: t0.Add(-time.Hour), Day: day, ServedToday: 10, ServedTotal: 10}
	want.Merge(next)

	got, err := db.Activity(ctx, c1)
	if err != nil || len(got) != 2 {
		t.Fatalf("Activity(c1) = %+v, %v; want two principals", got, err)
	}
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("alice on c1 =\n %+v\nwant\n %+v", got[0], want)
	}
	if got[1].Principal != "bob" {
		t.Errorf("second on c1 is %q, want bob (most recent request first)", got[1].Principal)
	}
	all, err := db.Activity(ctx, "")
	var order []string
	for _, a := range all {
		order = append(order, a.Principal+"@"+a.Collection)
	}
	if wantOrder := []string{"alice@" + c1, "bob@" + c1, "alice@" + c2}; err != nil || !reflect.DeepEqual(order, wantOrder) {
		t.Errorf("Activity() = %v, %v; want %v", order, err, wantOrder)
	}
	if got, err := db.Activity(ctx, c1[:10]); err != nil || len(got) != 0 {
		t.Errorf("Activity of a prefix of an id = %+v, %v; want none", got, err)
	}
}

func (s *suite) testCursorSecret(t *testing.T) {
	ctx := context.Background()
	a, b := s.open(t), s.open(t)
	secret := func(db *testStore) []byte {
		t.Helper()
		k, err := db.CursorSecret(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	first := secret(a)
	if len(first) < 16 {
		t.Fatalf("cursor secret of %d bytes, want at least 16", len(first))
	}
	first[0] ^= 0xff // the caller's copy
	if again := secret(a); again[0] == first[0] {
		t.Error("CursorSecret returned the stored bytes, not a copy, or changed")
	}
	first[0] ^= 0xff
	if other := secret(b); string(other) == string(first) {
		t.Error("two stores have the same cursor secret")
	}
	if err := a.Ready(ctx); err != nil {
		t.Errorf("Ready on an open store: %v", err)
	}
}
