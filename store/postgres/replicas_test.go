package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/stix"
	"liaison/store"
	"liaison/store/postgres"
	"liaison/store/postgres/pgtest"
	"liaison/store/storetest"
)

func indicator(n int) string {
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--%08x-0000-4000-8000-%012x","created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '10.0.0.1']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z"}`, n, n)
}

func addRequest(t testing.TB, c store.Collection, first, n int) store.AddRequest {
	req := store.AddRequest{APIRoot: c.APIRoot, Collection: c.ID, Owner: "writer", Total: n}
	for i := range n {
		o, err := stix.Peek(i, []byte(indicator(first+i)))
		if err != nil {
			t.Fatal(err)
		}
		req.Objects = append(req.Objects, o)
	}
	return req
}

// Writers on several stores of one database (replicas) add to one
// collection at once while a reader pages by position: every version gets
// its own date_added, and the reader, which only ever goes forward, sees
// each exactly once. A later date_added committed before an earlier one is
// visible would be skipped by the reader.
func TestConcurrentWritersOnReplicas(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	o := store.Options{PasswordCost: storetest.CheapPasswordCost()}
	replicas := []*postgres.Store{openTest(t, url, o), openTest(t, url, o), openTest(t, url, o)}
	if _, err := replicas[0].CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"}); err != nil {
		t.Fatal(err)
	}
	c, err := replicas[0].CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "C"})
	if err != nil {
		t.Fatal(err)
	}
	const writersPerReplica, requests, perRequest = 3, 25, 4
	var wg sync.WaitGroup
	var writing atomic.Int32
	next := atomic.Int64{}
	for _, db := range replicas {
		for range writersPerReplica {
			wg.Add(1)
			writing.Add(1)
			go func() {
				defer wg.Done()
				defer writing.Add(-1)
				for range requests {
					first := int(next.Add(perRequest)) - perRequest
					st, err := db.AddObjects(ctx, addRequest(t, c, first, perRequest))
					if err != nil || st.SuccessCount != perRequest {
						t.Errorf("AddObjects: %v %+v", err, st)
						return
					}
				}
			}()
		}
	}
	seen := map[string]int{}
	var pos uint64
	reader := replicas[2]
	for {
		done := writing.Load() == 0
		for {
			page, err := reader.Query(ctx, c.ID, store.Query{After: pos, Limit: 7})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Records {
				if r.Position <= pos {
					t.Fatalf("position %d after %d", r.Position, pos)
				}
				pos = r.Position
				seen[r.ID]++
			}
			if !page.More {
				break
			}
		}
		if done {
			break
		}
	}
	wg.Wait()
	want := len(replicas) * writersPerReplica * requests * perRequest
	if len(seen) != want {
		t.Errorf("the reader saw %d objects, want %d: some were skipped", len(seen), want)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s seen %d times", id, n)
		}
	}
	all, err := reader.Query(ctx, c.ID, store.Query{Limit: want + 1, Versions: store.VersionSelect{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	positions := map[uint64]bool{}
	for _, r := range all.Records {
		if positions[r.Position] {
			t.Errorf("date_added %d given twice", r.Position)
		}
		positions[r.Position] = true
	}
	if len(all.Records) != want {
		t.Errorf("the collection holds %d versions, want %d", len(all.Records), want)
	}
}

// A change made through one store is announced to the others: what they
// cached of credentials can be dropped at once.
func TestAccountsChangedAcrossReplicas(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	o := store.Options{PasswordCost: storetest.CheapPasswordCost()}
	a, b := openTest(t, url, o), openTest(t, url, o)
	heard := make(chan struct{}, 16)
	b.OnAccountsChanged(func() { heard <- struct{}{} })
	if _, err := a.CreateUser(ctx, "alice", false, ""); err != nil {
		t.Fatal(err)
	}
	key, _, err := a.CreateAPIKey(ctx, "alice", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	changes := []struct {
		name string
		do   func() error
	}{
		{"SetAdmin", func() error { return a.SetAdmin(ctx, "alice", true) }},
		{"SetPassword", func() error { return a.SetPassword(ctx, "alice", "a new passphrase") }},
		{"RevokeAPIKey", func() error { return a.RevokeAPIKey(ctx, key.ID) }},
		{"RemoveUser", func() error { return a.RemoveUser(ctx, "alice") }},
	}
	for _, ch := range changes {
		if err := ch.do(); err != nil {
			t.Fatalf("%s: %v", ch.name, err)
		}
		select {
		case <-heard:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s on one store: the other heard nothing within 5s", ch.name)
		}
	}
	// A refused change announces nothing.
	if err := a.SetAdmin(ctx, "nobody", true); !errors.Is(err, store.ErrUserNotFound) {
		t.Fatal(err)
	}
	select {
	case <-heard:
		t.Error("a failed change was announced")
	case <-time.After(200 * time.Millisecond):
	}
}

// Changes to API roots and collections, and deletions, made through one
// store are announced to the others (what they cached of them goes, and
// their pages' entity tags change); account changes are not, nor are
// additions, which move CollectionLastAdded.
func TestResourcesChangedAcrossReplicas(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	a, b := openTest(t, url, store.Options{}), openTest(t, url, store.Options{})
	heard := make(chan struct{}, 16)
	b.OnResourcesChanged(func() { heard <- struct{}{} })
	quiet := func(what string) {
		t.Helper()
		select {
		case <-heard:
			t.Errorf("%s was announced as a resource change", what)
		case <-time.After(200 * time.Millisecond):
		}
	}
	c := storetest.MustCreateCollection(t, a, "r", store.Collection{Title: "C"})
	quiet("creating a collection")
	storetest.MustAdd(t, a, c, `{"type":"indicator","spec_version":"2.1","id":"indicator--00000001-0000-4000-8000-000000000000","created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '10.0.0.1']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z"}`)
	quiet("an addition")
	if _, err := a.CreateUser(ctx, "alice", false, ""); err != nil {
		t.Fatal(err)
	}
	if err := a.SetAdmin(ctx, "alice", true); err != nil {
		t.Fatal(err)
	}
	quiet("an account change")
	title, limit := "D", 50
	for _, ch := range []struct {
		name string
		do   func() error
	}{
		{"UpdateCollection", func() error {
			_, err := a.UpdateCollection(ctx, c.ID, store.CollectionUpdate{Title: &title})
			return err
		}},
		{"UpdateAPIRoot", func() error {
			_, err := a.UpdateAPIRoot(ctx, "r", store.APIRootUpdate{DefaultLimit: &limit})
			return err
		}},
		{"UpdateAPIRoot making it the default", func() error {
			yes := true
			_, err := a.UpdateAPIRoot(ctx, "r", store.APIRootUpdate{Default: &yes})
			return err
		}},
		{"CreateAPIRoot taking the default mark off another", func() error {
			_, err := a.CreateAPIRoot(ctx, store.APIRoot{Name: "s", Title: "S", Default: true})
			return err
		}},
		{"DeleteObject", func() error {
			_, err := a.DeleteObject(ctx, c.ID, "indicator--00000001-0000-4000-8000-000000000000", store.VersionSelect{}, nil, nil)
			return err
		}},
		{"RemoveCollection", func() error { return a.RemoveCollection(ctx, c.ID, true) }},
		{"RemoveAPIRoot", func() error { return a.RemoveAPIRoot(ctx, "r", true) }},
	} {
		if err := ch.do(); err != nil {
			t.Fatalf("%s: %v", ch.name, err)
		}
		select {
		case <-heard:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s on one store: the other heard nothing within 5s", ch.name)
		}
	}
}

// Every store of one database seals cursors with the same secret.
func TestCursorSecretShared(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	a, b := openTest(t, url, store.Options{}), openTest(t, url, store.Options{})
	ka, err := a.CursorSecret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := b.CursorSecret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(ka) != string(kb) || len(ka) != 32 {
		t.Errorf("secrets %x and %x, want one of 32 bytes", ka, kb)
	}
}

func TestSchemaVersions(t *testing.T) {
	ctx := context.Background()
	t.Run("NoCreate", func(t *testing.T) {
		_, err := postgres.Open(ctx, pgtest.URL(t), postgres.Options{NoCreate: true})
		if !errors.Is(err, postgres.ErrNoSchema) {
			t.Errorf("Open(NoCreate) of an empty schema = %v, want ErrNoSchema", err)
		}
	})
	t.Run("ConcurrentMigrations", func(t *testing.T) {
		url := pgtest.URL(t)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, to, err := postgres.Migrate(ctx, url); err != nil || to != postgres.LatestVersion() {
					t.Errorf("Migrate = %d, %v; want %d", to, err, postgres.LatestVersion())
				}
			}()
		}
		wg.Wait()
		from, to, err := postgres.Migrate(ctx, url)
		if err != nil || from != to || to != postgres.LatestVersion() {
			t.Errorf("Migrate again = %d -> %d, %v; want nothing to do", from, to, err)
		}
	})
	t.Run("NewerRefused", func(t *testing.T) {
		url := pgtest.URL(t)
		openTest(t, url, store.Options{}).Close()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `INSERT INTO liaison_schema (version, name) VALUES (999, 'from the future')`); err != nil {
			t.Fatal(err)
		}
		var se *postgres.SchemaError
		if _, err := postgres.Open(ctx, url, postgres.Options{Migrate: true}); !errors.As(err, &se) || se.Have != 999 {
			t.Errorf("Open of a newer schema = %v, want a SchemaError", err)
		}
		if _, _, err := postgres.Migrate(ctx, url); !errors.As(err, &se) {
			t.Errorf("Migrate of a newer schema = %v, want a SchemaError", err)
		}
	})
	t.Run("OlderRefusedWithoutMigrate", func(t *testing.T) {
		if postgres.LatestVersion() < 2 {
			t.Skip("one migration only: an older schema is no schema")
		}
		url := pgtest.URL(t)
		openTest(t, url, store.Options{}).Close()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		// As if the binary knew one more migration than the database has.
		if _, err := conn.Exec(ctx, `UPDATE liaison_schema SET version = version - 1`); err != nil {
			t.Fatal(err)
		}
		var se *postgres.SchemaError
		if _, err := postgres.Open(ctx, url, postgres.Options{}); !errors.As(err, &se) || se.Have != postgres.LatestVersion()-1 {
			t.Errorf("Open of an older schema = %v, want a SchemaError", err)
		}
	})
}
