package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
// at 20,000 objects than at 1,000. One object in ten is AMBER or RED and
// one in 500 was re-marked from GREEN to RED (a shadow), and each shape
// runs again for a RED client and a GREEN one, whose page must cost what
// the RED one's does and about what an unrestricted one's does.
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
				level := stix.TLPGreen
				switch j % 20 {
				case 3:
					level = stix.TLPAmber
				case 13:
					level = stix.TLPRed
				}
				req.Objects = append(req.Objects, planObject(t, typ, j, "2020-01-01T00:00:00.000Z", level))
			}
			if _, err := db.AddObjects(ctx, req); err != nil {
				t.Fatal(err)
			}
		}
		remark := store.AddRequest{APIRoot: "r", Collection: c.ID, Owner: "t"}
		for j := 7; j < n; j += 500 {
			remark.Objects = append(remark.Objects, planObject(t, "indicator", j, "2020-02-01T00:00:00.000Z", stix.TLPRed))
		}
		remark.Total = len(remark.Objects)
		if _, err := db.AddObjects(ctx, remark); err != nil {
			t.Fatal(err)
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
		name      string
		sql       func(c coll, cl *store.Clearance) (string, []any)
		clearance *store.Clearance
	}
	current := func(q store.Query) func(c coll, cl *store.Clearance) (string, []any) {
		return func(c coll, cl *store.Clearance) (string, []any) {
			q := q
			q.Clearance = cl
			if q.After == 1 {
				q.After = uint64(c.last - 20)
			}
			q.Limit = cmp.Or(q.Limit, 10)
			ids, restricted := queryIDs(&q)
			if restricted {
				ids = []string{c.first}
			}
			if q.Clearance != nil {
				return clearedStatement(c.id, &q, ids, restricted, store.DefaultMaxScan)
			}
			return currentStatement(c.id, &q, ids, restricted)
		}
	}
	selected := func(q store.Query) func(c coll, cl *store.Clearance) (string, []any) {
		return func(c coll, cl *store.Clearance) (string, []any) {
			q := q
			q.Limit, q.Clearance = 10, cl
			ids, restricted := queryIDs(&q)
			if restricted {
				ids = []string{c.first}
			}
			sql, args := selectedStatement(c.seq, &q, ids, restricted)
			args[1], args[2] = int64(0), 11
			return sql, args
		}
	}
	lookup := func(q store.Query) func(c coll, cl *store.Clearance) (string, []any) {
		return func(c coll, cl *store.Clearance) (string, []any) {
			q := q
			q.Clearance = cl
			sel := newSelection(&q)
			return sel.statement(), sel.args(c.seq, []string{c.first})
		}
	}
	all := store.VersionSelect{All: true}
	shapes := []shape{
		{"FirstPage", current(store.Query{}), nil},
		{"Poll100", current(store.Query{Limit: 100}), nil},
		{"AddedAfterNearEnd", current(store.Query{After: 1}), nil},
		{"RareType", current(store.Query{Types: []string{"malware"}}), nil},
		{"CommonType", current(store.Query{Types: []string{"indicator"}}), nil},
		{"TwoTypes", current(store.Query{Types: []string{"indicator", "malware"}}), nil},
		{"ID", current(store.Query{IDs: []string{"x"}}), nil},
		{"AllFirstPage", selected(store.Query{Versions: all}), nil},
		{"AllRareType", selected(store.Query{Versions: all, Types: []string{"malware"}}), nil},
		{"AllID", selected(store.Query{Versions: all, IDs: []string{"x"}}), nil},
		{"LookupFirstLast", lookup(store.Query{Versions: store.VersionSelect{First: true, Last: true}}), nil},
		{"LookupSpec", lookup(store.Query{Versions: store.VersionSelect{First: true}, SpecVersions: []string{"2.1"}}), nil},
		{"LookupSpecLatest", lookup(store.Query{Versions: store.VersionSelect{First: true}}), nil},
	}
	// Each shape again for a RED client and a GREEN one.
	red := &store.Clearance{Level: stix.TLPRed, Default: stix.TLPClear}
	green := &store.Clearance{Level: stix.TLPGreen, Default: stix.TLPClear}
	for _, sh := range shapes[:len(shapes):len(shapes)] {
		shapes = append(shapes, shape{sh.name + "/Red", sh.sql, red}, shape{sh.name + "/Green", sh.sql, green})
	}
	cost := map[string]int{}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			blocks := make([]int, len(colls))
			for i, c := range colls {
				sql, args := sh.sql(c, sh.clearance)
				blocks[i] = buffers(t, db, sql, args)
			}
			t.Logf("buffers: %d at %d objects, %d at %d", blocks[0], sizes[0], blocks[1], sizes[1])
			if blocks[1] > 2*blocks[0]+8 {
				t.Errorf("the statement touches %d buffers at %d objects, %d at %d: it grows with the collection", blocks[1], sizes[1], blocks[0], sizes[0])
			}
			// Both collections share the tables: a statement that reads
			// all of them does not grow from one to the other, but it
			// touches far more than a page needs.
			if limit := 10 * (1 + 9*strings.Count(sh.name, "100")); blocks[1] > maxBuffers*limit/10 {
				t.Errorf("the statement touches %d buffers for a page of %d, want at most %d", blocks[1], limit, maxBuffers*limit/10)
			}
			cost[sh.name] = blocks[1]
			// A GREEN client's page costs what a RED one's does (the
			// issue's measure, with a tenth of the objects above GREEN),
			// and what an unrestricted one's does but for the shadow
			// index's descent and the versions of each shadow on the page
			// (one, here): a few buffers that a page of a hundred spreads.
			base, restricted := strings.CutSuffix(sh.name, "/Green")
			if !restricted {
				return
			}
			if r := cost[base+"/Red"]; float64(blocks[1]) > 1.5*float64(r)+2 {
				t.Errorf("a GREEN client's page touches %d buffers, a RED one's %d: more than 1.5 times", blocks[1], r)
			}
			if u := cost[base]; float64(blocks[1]) > 1.5*float64(u)+12 {
				t.Errorf("a GREEN client's page touches %d buffers, an unrestricted one's %d", blocks[1], u)
			}
		})
	}
	// The poll of a hundred: a GREEN client within 1.5 times an
	// unrestricted one, all overheads included (two buffers of slack: the
	// rows here are small, a hundred fill few pages).
	if g, u := cost["Poll100/Green"], cost["Poll100"]; float64(g) > 1.5*float64(u)+2 {
		t.Errorf("a GREEN client's poll of a hundred touches %d buffers, an unrestricted one's %d: more than 1.5 times", g, u)
	}
}

// planObject is object j of type typ marked level.
func planObject(t *testing.T, typ string, j int, modified string, level stix.TLPLevel) stix.Object {
	t.Helper()
	raw := fmt.Sprintf(`{"type":%q,"spec_version":"2.1","id":"%s--%08x-0000-4000-8000-000000000000","created":"2020-01-01T00:00:00.000Z","modified":%q,"name":"n%d","is_family":false,"object_marking_refs":[%q]}`,
		typ, typ, j, modified, j, stix.TLPMarkingID(level))
	o, err := stix.Peek(j, []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return o
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

// The plans TestPlansDoNotGrowWithTheCollection checks are the ones the
// server runs: Liaison's connections plan each prepared statement once,
// generically, rather than again for every page (which costs more than
// running a page's statement, and costs a restricted page twice what it
// costs an unrestricted one). A connection string that sets
// plan_cache_mode keeps its own.
func TestGenericPlans(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	custom := url + " plan_cache_mode=force_custom_plan" // a key=value connection string
	if strings.Contains(url, "://") {
		custom = url + "&plan_cache_mode=force_custom_plan"
	}
	for _, tc := range []struct {
		url             string
		generic, custom bool
	}{
		{url, true, false},
		{custom, false, true},
	} {
		db, err := Open(ctx, tc.url, Options{MaxConns: 1}) // one connection: the queries' session is the one asked
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"}); err != nil && !errors.Is(err, store.ErrExists) {
			t.Fatal(err)
		}
		c, err := db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "C"})
		if err != nil {
			t.Fatal(err)
		}
		green := &store.Clearance{Level: stix.TLPGreen, Default: stix.TLPClear}
		for i := range 8 {
			if _, err := db.Query(ctx, c.ID, store.Query{Limit: 10, After: uint64(i), Clearance: green}); err != nil {
				t.Fatal(err)
			}
		}
		var generic, custom int64
		if err := db.pool.QueryRow(ctx, `SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) FROM pg_prepared_statements
			WHERE statement LIKE 'WITH cs AS MATERIALIZED%'`).Scan(&generic, &custom); err != nil {
			t.Fatal(err)
		}
		if (generic > 0) != tc.generic || (custom > 0) != tc.custom {
			t.Errorf("%s: the page statement was planned %d times generically, %d times for its values", tc.url, generic, custom)
		}
		db.Close()
	}
}
