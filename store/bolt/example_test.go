package bolt_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"liaison/stix"
	"liaison/store"
	"liaison/store/bolt"
)

// openExampleDB opens a store in a temporary directory with a pinned clock
// and returns it with a function that closes and removes it.
func openExampleDB() (*bolt.Store, func()) {
	dir, err := os.MkdirTemp("", "liaison-store-example")
	if err != nil {
		panic(err)
	}
	now := func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC) }
	db, err := bolt.Open(filepath.Join(dir, "liaison.db"), bolt.Options{Options: store.Options{Now: now}})
	if err != nil {
		panic(err)
	}
	return db, func() {
		db.Close()
		os.RemoveAll(dir)
	}
}

func ExampleStore_AddObjects() {
	ctx := context.Background()
	db, done := openExampleDB()
	defer done()

	if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "api1", Title: "Example root"}); err != nil {
		panic(err)
	}
	coll, err := db.CreateCollection(ctx, store.Collection{APIRoot: "api1", Title: "Indicators", Alias: "indicators"})
	if err != nil {
		panic(err)
	}

	var objects []stix.Object
	for i, raw := range []string{
		`{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}`,
		`{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.1"}`,
	} {
		o, err := stix.Peek(i, []byte(raw))
		if err != nil {
			panic(err)
		}
		objects = append(objects, o)
	}
	req := store.AddRequest{APIRoot: "api1", Collection: coll.ID, Owner: "alice", Total: len(objects), Objects: objects}

	// The first request stores both objects; posting them again changes
	// nothing and is still a success.
	for range 2 {
		st, err := db.AddObjects(ctx, req)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: %d of %d stored, %d failed\n", st.Status, st.SuccessCount, st.TotalCount, st.FailureCount)
		for _, d := range st.Successes {
			fmt.Printf("  %s %s", d.ID, d.Version)
			if d.Message != "" {
				fmt.Printf(" (%s)", d.Message)
			}
			fmt.Println()
		}
	}

	page, err := db.Query(ctx, coll.ID, store.Query{Limit: 10})
	if err != nil {
		panic(err)
	}
	for _, r := range page.Records {
		fmt.Println(stix.FormatTAXII(r.DateAdded), r.ID, r.SpecVersion)
	}
	// Output:
	// complete: 2 of 2 stored, 0 failed
	//   indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f 2024-01-01T00:00:00.000Z
	//   ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd 2024-05-06T07:08:09.000001Z
	// complete: 2 of 2 stored, 0 failed
	//   indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f 2024-01-01T00:00:00.000Z (already in the collection; nothing changed)
	//   ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd 2024-05-06T07:08:09.000001Z (already in the collection; nothing changed)
	// 2024-05-06T07:08:09.000000Z indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f 2.1
	// 2024-05-06T07:08:09.000001Z ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd 2.1
}

func ExampleStore_Query() {
	ctx := context.Background()
	db, done := openExampleDB()
	defer done()
	if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "api1", Title: "Example root"}); err != nil {
		panic(err)
	}
	coll, err := db.CreateCollection(ctx, store.Collection{APIRoot: "api1", Title: "Malware"})
	if err != nil {
		panic(err)
	}
	// Three versions of one malware object, one request each.
	for _, modified := range []string{"2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"} {
		o, err := stix.Peek(0, []byte(`{"type":"malware","spec_version":"2.1","id":"malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2024-01-01T00:00:00.000Z","modified":"`+modified+`","name":"x","is_family":false}`))
		if err != nil {
			panic(err)
		}
		if _, err := db.AddObjects(ctx, store.AddRequest{APIRoot: "api1", Collection: coll.ID, Owner: "alice", Total: 1, Objects: []stix.Object{o}}); err != nil {
			panic(err)
		}
	}

	// Every version, two per page, following Position like a next cursor.
	q := store.Query{Versions: store.VersionSelect{All: true}, Limit: 2, NoBody: true}
	for {
		page, err := db.Query(ctx, coll.ID, q)
		if err != nil {
			panic(err)
		}
		for _, r := range page.Records {
			fmt.Println(r.VersionText)
		}
		fmt.Println("more:", page.More)
		if !page.More {
			break
		}
		q.After = page.Records[len(page.Records)-1].Position
	}

	// The default is the latest version.
	page, err := db.Query(ctx, coll.ID, store.Query{Limit: 10})
	if err != nil {
		panic(err)
	}
	fmt.Println("latest:", page.Records[0].VersionText)
	// Output:
	// 2024-01-01T00:00:00.000Z
	// 2024-02-01T00:00:00.000Z
	// more: true
	// 2024-03-01T00:00:00.000Z
	// more: false
	// latest: 2024-03-01T00:00:00.000Z
}
