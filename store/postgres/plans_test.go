package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"liaison/stix"
	"liaison/store"
	"liaison/store/postgres/pgtest"
)

// Page.Scanned counts the rows the statements return; this test asks
// PostgreSQL itself: the buffers each page's statements touch (EXPLAIN
// ANALYZE BUFFERS) must not grow with the collection. A statement that
// sorted or filtered the whole collection would touch twenty times more
// at 20,000 objects than at 1,000.
func TestPlansDoNotGrowWithTheCollection(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"}); err != nil {
		t.Fatal(err)
	}
	sizes := []int{1000, 20000}
	type coll struct {
		id    string
		seq   int64
		first string // an indicator added first
		last  int64  // the last date_added
	}
	colls := make([]coll, len(sizes))
	for i, n := range sizes {
		c, err := db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: fmt.Sprint(n)})
		if err != nil {
			t.Fatal(err)
		}
		colls[i] = coll{id: c.ID, seq: int64(c.Seq), first: fmt.Sprintf("indicator--%08x-0000-4000-8000-000000000000", 0)}
		for b := 0; b < n; b += 1000 {
			req := store.AddRequest{APIRoot: "r", Collection: c.ID, Owner: "t", Total: 1000}
			for j := b; j < b+1000; j++ {
				typ := "indicator"
				if j%(n/5) == n/10 {
					typ = "malware" // five, spread evenly: a rare type
				}
				raw := fmt.Sprintf(`{"type":%q,"spec_version":"2.1","id":"%s--%08x-0000-4000-8000-000000000000","created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","name":"n%d","is_family":false}`, typ, typ, j, j)
				o, err := stix.Peek(j, []byte(raw))
				if err != nil {
					t.Fatal(err)
				}
				req.Objects = append(req.Objects, o)
			}
			if _, err := db.AddObjects(ctx, req); err != nil {
				t.Fatal(err)
			}
		}
		l, err := db.CollectionLastAdded(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		colls[i].last = l.UnixMicro()
	}
	if _, err := db.pool.Exec(ctx, `ANALYZE versions`); err != nil {
		t.Fatal(err)
	}
	type shape struct {
		name string
		sql  func(c coll) (string, []any)
	}
	current := func(q store.Query) func(c coll) (string, []any) {
		return func(c coll) (string, []any) {
			q := q
			if q.After == 1 {
				q.After = uint64(c.last - 20)
			}
			q.Limit = 10
			ids, restricted := queryIDs(&q)
			if restricted {
				ids = []string{c.first}
			}
			return currentStatement(c.id, &q, ids, restricted)
		}
	}
	selected := func(q store.Query) func(c coll) (string, []any) {
		return func(c coll) (string, []any) {
			q.Limit = 10
			ids, restricted := queryIDs(&q)
			if restricted {
				ids = []string{c.first}
			}
			sql, args := selectedStatement(c.seq, &q, ids, restricted)
			args[1], args[2] = int64(0), 11
			return sql, args
		}
	}
	lookup := func(q store.Query) func(c coll) (string, []any) {
		return func(c coll) (string, []any) {
			sel := newSelection(&q)
			args := []any{c.seq, []string{c.first}}
			if !sel.needSpec {
				args = append(args, q.SpecVersions)
			}
			return sel.statement(), args
		}
	}
	all := store.VersionSelect{All: true}
	for _, sh := range []shape{
		{"FirstPage", current(store.Query{})},
		{"AddedAfterNearEnd", current(store.Query{After: 1})},
		{"RareType", current(store.Query{Types: []string{"malware"}})},
		{"CommonType", current(store.Query{Types: []string{"indicator"}})},
		{"TwoTypes", current(store.Query{Types: []string{"indicator", "malware"}})},
		{"ID", current(store.Query{IDs: []string{"x"}})},
		{"AllFirstPage", selected(store.Query{Versions: all})},
		{"AllRareType", selected(store.Query{Versions: all, Types: []string{"malware"}})},
		{"AllID", selected(store.Query{Versions: all, IDs: []string{"x"}})},
		{"LookupFirstLast", lookup(store.Query{Versions: store.VersionSelect{First: true, Last: true}})},
		{"LookupSpec", lookup(store.Query{Versions: store.VersionSelect{First: true}, SpecVersions: []string{"2.1"}})},
	} {
		t.Run(sh.name, func(t *testing.T) {
			blocks := make([]int, len(colls))
			for i, c := range colls {
				sql, args := sh.sql(c)
				blocks[i] = buffers(t, db, sql, args)
			}
			t.Logf("buffers: %d at %d objects, %d at %d", blocks[0], sizes[0], blocks[1], sizes[1])
			if blocks[1] > 2*blocks[0]+8 {
				t.Errorf("the statement touches %d buffers at %d objects, %d at %d: it grows with the collection", blocks[1], sizes[1], blocks[0], sizes[0])
			}
			// Both collections share the tables: a statement that reads
			// all of them does not grow from one to the other, but it
			// touches far more than a page of ten needs.
			if blocks[1] > maxBuffers {
				t.Errorf("the statement touches %d buffers for a page of ten, want at most %d", blocks[1], maxBuffers)
			}
		})
	}
}

// maxBuffers bounds the buffers a page of ten may touch: index descents,
// the page's rows and heap pages, a few per branch of a union.
const maxBuffers = 40

// buffers runs sql under EXPLAIN (ANALYZE, BUFFERS) and returns the shared
// buffers its plan touched (hit or read).
func buffers(t *testing.T, db *Store, sql string, args []any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out []byte
	// The plan PostgreSQL would cache for Liaison's prepared statement:
	// the generic one, as after five executions.
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(context.Background(), `RESET plan_cache_mode`)
	if err := conn.QueryRow(ctx, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) `+sql, args...).Scan(&out); err != nil {
		t.Fatalf("EXPLAIN %s: %v", sql, err)
	}
	var plans []struct {
		Plan struct {
			Hit  int `json:"Shared Hit Blocks"`
			Read int `json:"Shared Read Blocks"`
		}
	}
	if err := json.Unmarshal(out, &plans); err != nil || len(plans) != 1 {
		t.Fatalf("EXPLAIN output %s: %v", out, err)
	}
	return plans[0].Plan.Hit + plans[0].Plan.Read
}
