package bolt_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
)

// BenchmarkDB_AddObjects adds envelopes of 100 new indicators, one
// AddObjects call (one committed transaction) per envelope.
func BenchmarkDB_AddObjects(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	c := MustCreateCollection(b, db, testRoot, store.Collection{})
	const perEnvelope = 100
	next := 0
	envelope := func() store.AddRequest {
		req := store.AddRequest{APIRoot: c.APIRoot, Collection: c.ID, Owner: testUser, Total: perEnvelope}
		for range perEnvelope {
			next++
			o, err := stix.Peek(0, []byte(indicator(next, "2020-01-01T00:00:00.000Z")))
			if err != nil {
				b.Fatal(err)
			}
			req.Objects = append(req.Objects, o)
		}
		return req
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		req := envelope()
		b.StartTimer()
		st, err := db.AddObjects(ctx, req)
		if err != nil || st.SuccessCount != perEnvelope {
			b.Fatalf("AddObjects = %+v, %v", st, err)
		}
	}
	b.ReportMetric(float64(b.N*perEnvelope)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkDB_Query reads pages of 100 and 1000 objects from a collection
// of 20,000, at the start and deep into it, with the default version
// selection and with every version.
func BenchmarkDB_Query(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	const n = 20000
	c := MustCreateCollection(b, db, testRoot, store.Collection{})
	var batch []string
	for i := range n {
		batch = append(batch, indicator(i, "2020-01-01T00:00:00.000Z"))
		if len(batch) == 1000 {
			MustAdd(b, db, c, batch...)
			batch = batch[:0]
		}
	}
	last, err := db.CollectionLastAdded(ctx, c.ID)
	if err != nil {
		b.Fatal(err)
	}
	middle := uint64(last.UnixMicro()) - n/2
	for _, limit := range []int{100, 1000} {
		for _, tc := range []struct {
			name string
			q    store.Query
		}{
			{"first", store.Query{}},
			{"middle", store.Query{After: middle}},
			{"all-versions", store.Query{Versions: allVer}},
			{"manifest", store.Query{NoBody: true}},
			// A client with a clearance, as every user but an admin is.
			{"cleared", store.Query{Clearance: &store.Clearance{Level: stix.TLPRed, Default: stix.TLPClear}}},
		} {
			b.Run(fmt.Sprintf("limit=%d/%s", limit, tc.name), func(b *testing.B) {
				q := tc.q
				q.Limit = limit
				b.ReportAllocs()
				for b.Loop() {
					page, err := db.Query(ctx, c.ID, q)
					if err != nil || len(page.Records) != limit {
						b.Fatalf("Query = %d records, %v", len(page.Records), err)
					}
				}
				b.ReportMetric(float64(b.N*limit)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

// BenchmarkDB_AddObjectsConcurrent adds envelopes of 100 new indicators
// from 4 goroutines at once, as 4 posters do: their commits may be
// shared.
func BenchmarkDB_AddObjectsConcurrent(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	c := MustCreateCollection(b, db, testRoot, store.Collection{})
	const perEnvelope, posters = 100, 4
	var next atomic.Int64
	envelope := func() (store.AddRequest, error) {
		req := store.AddRequest{APIRoot: c.APIRoot, Collection: c.ID, Owner: testUser, Total: perEnvelope}
		for i := range perEnvelope {
			o, err := stix.Peek(i, []byte(indicator(int(next.Add(1)), "2020-01-01T00:00:00.000Z")))
			if err != nil {
				return req, err
			}
			req.Objects = append(req.Objects, o)
		}
		return req, nil
	}
	// The envelopes are made before the clock starts.
	reqs := make(chan store.AddRequest, b.N)
	for range b.N {
		req, err := envelope()
		if err != nil {
			b.Fatal(err)
		}
		reqs <- req
	}
	close(reqs)
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	var wg sync.WaitGroup
	for range posters {
		wg.Go(func() {
			for req := range reqs {
				st, err := db.AddObjects(ctx, req)
				if err != nil || st.SuccessCount != perEnvelope {
					b.Errorf("AddObjects = %+v, %v", st, err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N*perEnvelope)/b.Elapsed().Seconds(), "objects/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N*perEnvelope), "cpu-ns/object")
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
