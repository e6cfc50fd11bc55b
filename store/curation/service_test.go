package curation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"liaison/stix"
	"liaison/stix/coopfeed"
	"liaison/store"
	"liaison/store/curation"
	"liaison/store/postgres/pgtest"
)

func newService(t *testing.T) (*curation.Service, store.Collection) {
	t.Helper()
	ctx := context.Background()
	db := openStore(t)
	if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: "r", Title: "R"}); err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateCollection(ctx, store.Collection{APIRoot: "r", Title: "C", Alias: "c"})
	if err != nil {
		t.Fatal(err)
	}
	return curation.New(db, stix.NewValidator()), c
}

// TestImportExport imports the generated feed as a stream, then exports it
// and checks that every version comes back byte for byte.
func TestImportExport(t *testing.T) {
	ctx := context.Background()
	s, c := newService(t)
	s.BatchSize = 700
	var feed bytes.Buffer
	if err := coopfeed.Generate(&feed, coopfeed.Options{Objects: 3000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	raws, err := stix.DecodeEnvelope(feed.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var progress []curation.ImportProgress
	res, err := s.Import(ctx, "c", "admin", bytes.NewReader(feed.Bytes()), func(p curation.ImportProgress) { progress = append(progress, p) })
	if err != nil || res.Objects != len(raws) || res.Successes != len(raws) || res.Failures != 0 {
		t.Fatalf("Import = %+v, %v; want %d successes", res.ImportProgress, err, len(raws))
	}
	if want := (len(raws) + 699) / 700; len(progress) != want || progress[len(progress)-1].Objects != len(raws) {
		t.Errorf("%d progress reports, want %d", len(progress), want)
	}

	var out bytes.Buffer
	n, err := s.Export(ctx, c.ID, curation.ExportOptions{AllVersions: true}, &out)
	if err != nil || n != len(raws) {
		t.Fatalf("Export = %d, %v; want %d", n, err, len(raws))
	}
	var bundle struct {
		Type    string            `json:"type"`
		ID      string            `json:"id"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(out.Bytes(), &bundle); err != nil || bundle.Type != "bundle" || !stix.ValidID(bundle.ID) {
		t.Fatalf("export is not a bundle: %v %s", err, bundle.ID)
	}
	for i := range raws {
		var want bytes.Buffer
		json.Compact(&want, raws[i])
		if !bytes.Equal(bundle.Objects[i], want.Bytes()) {
			t.Fatalf("object %d differs after the round trip", i)
		}
	}

	// Filters: current versions of indicators only, as an envelope.
	out.Reset()
	n, err = s.Export(ctx, "r/c", curation.ExportOptions{Types: []string{"indicator"}, Envelope: true}, &out)
	var env struct{ Objects []map[string]any }
	if err != nil || json.Unmarshal(out.Bytes(), &env) != nil || len(env.Objects) != n || n == 0 {
		t.Fatalf("filtered export: %d, %v", n, err)
	}
	for _, o := range env.Objects {
		if o["type"] != "indicator" {
			t.Fatalf("filtered export holds a %v", o["type"])
		}
	}

	// Re-importing is all duplicates: nothing new is stored.
	before, _ := s.Collection(ctx, "c")
	res, err = s.Import(ctx, "c", "admin", bytes.NewReader(feed.Bytes()), nil)
	after, _ := s.Collection(ctx, "c")
	if err != nil || res.Successes != len(raws) || after.Stats.Versions != before.Stats.Versions {
		t.Errorf("re-import: %+v %v, versions %d -> %d", res.ImportProgress, err, before.Stats.Versions, after.Stats.Versions)
	}
}

func TestImportFailures(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	in := `{"type":"bundle","id":"bundle--6d6e6f70-0000-4000-8000-000000000000","objects":[` +
		`{"type":"malware","spec_version":"2.1","id":"malware--6d6e6f70-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"m","is_family":true},` +
		`{"type":"malware","id":"bad"},42]}`
	res, err := s.Import(ctx, "c", "admin", strings.NewReader(in), nil)
	if err != nil || res.Successes != 1 || res.Failures != 2 || len(res.FailureDetails) != 2 {
		t.Fatalf("Import = %+v, %v", res, err)
	}
	// The report names a failure by the id it carried, even a malformed
	// one, and by its position when it has none.
	for i, want := range []store.StatusDetail{
		{ID: "bad", Message: `objects[1]: id: "bad" is not a STIX identifier`},
		{ID: "objects[2]", Message: "objects[2]: not a JSON object"},
	} {
		if got := res.FailureDetails[i]; got.ID != want.ID || !strings.HasPrefix(got.Message, want.Message) {
			t.Errorf("failure %d = %+v, want %+v", i, got, want)
		}
	}
	// Positions count from the start of the stream, not of the batch.
	s.BatchSize = 2
	res, err = s.Import(ctx, "c", "admin", strings.NewReader(in), nil)
	if err != nil || len(res.FailureDetails) != 2 || res.FailureDetails[1].ID != "objects[2]" || !strings.HasPrefix(res.FailureDetails[1].Message, "objects[2]: ") {
		t.Fatalf("Import in batches of 2 = %+v, %v", res, err)
	}
	// A stream broken half way keeps what came before and says where.
	res, err = s.Import(ctx, "c", "admin", strings.NewReader(`{"objects":[{"type":"x"},{`), nil)
	if !errors.Is(err, stix.ErrBadEnvelope) || res.Objects != 1 {
		t.Fatalf("broken stream: %+v, %v", res.ImportProgress, err)
	}
	if _, err := s.Import(ctx, "nope", "admin", strings.NewReader(in), nil); !errors.Is(err, store.ErrCollectionNotFound) {
		t.Errorf("unknown collection: %v", err)
	}
}

func TestRevokeAndDelete(t *testing.T) {
	ctx := context.Background()
	s, c := newService(t)
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	const id = "indicator--6d6e6f70-0000-4000-8000-0000000000aa"
	obj := `{"type":"indicator","spec_version":"2.1","id":"` + id + `","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}`
	if _, err := s.Import(ctx, "c", "admin", strings.NewReader(`{"objects":[`+obj+`]}`), nil); err != nil {
		t.Fatal(err)
	}
	st, err := s.RevokeObject(ctx, "c", "admin", id)
	if err != nil || st.SuccessCount != 1 || st.Successes[0].Version != "2024-06-01T00:00:00.000Z" {
		t.Fatalf("RevokeObject = %+v, %v", st, err)
	}
	page, _ := s.Store.Query(ctx, c.ID, store.Query{ObjectID: id, Limit: 10})
	var cur map[string]any
	json.Unmarshal(page.Records[0].Raw, &cur)
	if cur["revoked"] != true || cur["modified"] != "2024-06-01T00:00:00.000Z" || cur["pattern"] == nil {
		t.Fatalf("current version after revoke: %v", cur)
	}
	if _, err := s.RevokeObject(ctx, "c", "admin", id); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("revoking twice: %v", err)
	}
	if n, err := s.DeleteObject(ctx, "c", id, "2024-01-01T00:00:00Z"); err != nil || n != 1 {
		t.Errorf("delete one version: %d %v", n, err)
	}
	if n, err := s.DeleteObject(ctx, "c", id, ""); err != nil || n != 1 {
		t.Errorf("delete the rest: %d %v", n, err)
	}
	if _, err := s.DeleteObject(ctx, "c", id, ""); !errors.Is(err, store.ErrObjectNotFound) {
		t.Errorf("delete again: %v", err)
	}
}

// TestRevokeUnversioned: objects without modified cannot be revoked.
// Marking definitions are not versioned and have neither modified nor
// revoked (STIX 2.1 §7.2.1); SCOs have no versions either (§6). Revoking
// one is refused with the reason, and stores nothing.
func TestRevokeUnversioned(t *testing.T) {
	ctx := context.Background()
	s, c := newService(t)
	const (
		tlpClear  = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
		statement = "marking-definition--6d6e6f70-0000-4000-8000-0000000000b1"
		sco       = "domain-name--6d6e6f70-0000-4000-8000-0000000000b2"
	)
	objs := []string{
		`{"type":"marking-definition","spec_version":"2.1","id":"` + tlpClear + `","created":"2022-10-01T00:00:00.000Z","name":"TLP:CLEAR","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"clear"}}}`,
		`{"type":"marking-definition","spec_version":"2.1","id":"` + statement + `","created":"2024-01-01T00:00:00.000Z","definition_type":"statement","definition":{"statement":"Copyright Liaison"}}`,
		`{"type":"domain-name","spec_version":"2.1","id":"` + sco + `","value":"example.com"}`,
	}
	res, err := s.Import(ctx, "c", "admin", strings.NewReader(`{"objects":[`+strings.Join(objs, ",")+`]}`), nil)
	if err != nil || res.Successes != len(objs) {
		t.Fatalf("Import = %+v, %v", res, err)
	}
	for _, tc := range []struct {
		name string
		id   string
		want string // in the message
	}{
		{"TLP 2.0 marking", tlpClear, "marking definitions are not versioned"},
		{"statement marking", statement, "marking definitions are not versioned"},
		{"SCO", sco, "has no modified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := s.RevokeObject(ctx, "c", "admin", tc.id)
			if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("RevokeObject = %+v, %v; want ErrInvalid saying %q", st, err, tc.want)
			}
			page, err := s.Store.Query(ctx, c.ID, store.Query{ObjectID: tc.id, Versions: store.VersionSelect{All: true}, Limit: 10})
			if err != nil || len(page.Records) != 1 || bytes.Contains(page.Records[0].Raw, []byte(`"revoked"`)) {
				t.Errorf("after the refused revocation: %d versions, %v", len(page.Records), err)
			}
		})
	}
}

func TestFindAndStats(t *testing.T) {
	ctx := context.Background()
	s, c := newService(t)
	s.Store.CreateAPIRoot(ctx, store.APIRoot{Name: "r2", Title: "R2"})
	s.Store.CreateCollection(ctx, store.Collection{APIRoot: "r2", Title: "C2", Alias: "c"})
	if _, err := s.Find(ctx, "c"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("ambiguous alias: %v", err)
	}
	for _, ref := range []string{c.ID, "r/c"} {
		if got, err := s.Find(ctx, ref); err != nil || got.ID != c.ID {
			t.Errorf("Find(%q) = %v, %v", ref, got.ID, err)
		}
	}
	st, err := s.Stats(ctx)
	// A PostgreSQL database has no file of the store's own.
	if err != nil || len(st.APIRoots) != 2 || len(st.Collections) != 2 || (st.File.Size == 0) != (pgtest.Backend(t) == "postgres") {
		t.Errorf("Stats = %+v, %v", st, err)
	}
}

// TestImportBoundedMemory streams a generated feed through Import and
// samples the Go heap after every batch: it must not grow with the input.
// (The process's RSS also counts the pages of the memory-mapped database
// file, which the kernel can drop at will; the heap is what imports own.)
func TestImportBoundedMemory(t *testing.T) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("LIAISON_IMPORT_OBJECTS")); err == nil {
		n = v // for measurements: LIAISON_IMPORT_OBJECTS=200000
	}
	if testing.Short() {
		n = 10_000
	}
	if pgtest.Backend(t) == "postgres" {
		// The heap measured is the import stream's, the same on either
		// backend; on PostgreSQL the run takes forty seconds of CI.
		t.Skip("the import's memory is measured on bbolt")
	}
	ctx := context.Background()
	s, _ := newService(t)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(coopfeed.Generate(pw, coopfeed.Options{Objects: n, Seed: 11})) }()
	var peak uint64
	var samples []uint64
	res, err := s.Import(ctx, "c", "admin", pr, func(curation.ImportProgress) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		samples = append(samples, m.HeapInuse)
		peak = max(peak, m.HeapInuse)
	})
	if err != nil || res.Failures != 0 || res.Objects < n {
		t.Fatalf("Import = %+v, %v", res.ImportProgress, err)
	}
	// The last quarter of the import must not need more heap than the
	// first quarter did, give or take GC slack.
	q := len(samples) / 4
	early, late := slices.Max(samples[:q]), slices.Max(samples[len(samples)-q:])
	t.Logf("%d objects: heap in use peaked at %.1f MiB (first quarter %.1f, last %.1f)", res.Objects, float64(peak)/(1<<20), float64(early)/(1<<20), float64(late)/(1<<20))
	if late > 2*early+16<<20 {
		t.Errorf("heap grows with the input: %d bytes early, %d late", early, late)
	}
}

// TestImportRefusesWhatPostRefuses: an import checks objects with the same
// validator as Add Objects, so what a POST refuses, an import refuses too,
// with the same message.
func TestImportRefusesWhatPostRefuses(t *testing.T) {
	malware := func(n int, extra string) string {
		return `{"type":"malware","spec_version":"2.1","id":"malware--6d6e6f70-0000-4000-8000-00000000010` + strconv.Itoa(n) +
			`","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","is_family":true,` + extra + `}`
	}
	for _, tc := range []struct {
		name   string
		object string
		want   string // the failure message, after the id
	}{
		{"bytes that are not UTF-8", malware(1, `"name":"caf`+"\xe9"+`"`), "name: the string holds bytes that are not UTF-8"},
		{"half a surrogate pair", malware(2, `"name":"\ud800"`), `name: the string holds \uD800`},
		{"a repeated name", malware(3, `"name":"a","x_acme":{"k":1,"k":2}`), `x_acme.k: the name "k" appears more than once`},
		{"a list beyond the limit", malware(4, `"name":"a","x_list":[`+strings.Repeat("1,", 100_000)+`1]`), `x_list: a list of more than 100000 elements exceeds the limit`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newService(t)
			res, err := s.Import(context.Background(), "c", "admin", strings.NewReader(`{"objects":[`+tc.object+`]}`), nil)
			if err != nil || res.Failures != 1 || len(res.FailureDetails) != 1 {
				t.Fatalf("Import = %+v, %v; want one failure", res, err)
			}
			if got := res.FailureDetails[0]; !stix.ValidID(got.ID) || !strings.HasPrefix(got.Message, got.ID+": "+tc.want) {
				t.Errorf("failure = %+v, want %q", got, tc.want)
			}
		})
	}
}

// TestRevokeRemarked: when an object's versions differ in markings, each
// client sees the newest version its clearance admits, so revoking it
// revokes each of those, under its own markings: a GREEN reader of an
// object re-marked AMBER learns it is revoked too.
func TestRevokeRemarked(t *testing.T) {
	ctx := context.Background()
	s, c := newService(t)
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	const id = "indicator--6d6e6f70-0000-4000-8000-0000000000ab"
	version := func(modified string, level stix.TLPLevel) string {
		return `{"type":"indicator","spec_version":"2.1","id":"` + id + `","created":"2024-01-01T00:00:00.000Z","modified":"` + modified +
			`","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z","object_marking_refs":["` + stix.TLPMarkingID(level) + `"]}`
	}
	// GREEN, GREEN again, then AMBER: the second is the newest a GREEN
	// client sees, the third an AMBER one's.
	in := `{"objects":[` + version("2024-01-01T00:00:00.000Z", stix.TLPGreen) + `,` + version("2024-02-01T00:00:00.000Z", stix.TLPGreen) + `,` +
		version("2024-03-01T00:00:00.000Z", stix.TLPAmber) + `]}`
	if _, err := s.Import(ctx, "c", "admin", strings.NewReader(in), nil); err != nil {
		t.Fatal(err)
	}
	st, err := s.RevokeObject(ctx, "c", "admin", id)
	if err != nil || st.SuccessCount != 2 {
		t.Fatalf("RevokeObject = %+v, %v; want two revoked versions", st, err)
	}
	for _, tc := range []struct {
		level        stix.TLPLevel
		wantModified string
		wantMarking  stix.TLPLevel
	}{
		{stix.TLPGreen, "2024-06-01T00:00:00.000Z", stix.TLPGreen},
		{stix.TLPAmber, "2024-06-01T00:00:00.001Z", stix.TLPAmber},
	} {
		cl := &store.Clearance{Level: tc.level, Default: stix.TLPClear}
		page, err := s.Store.Query(ctx, c.ID, store.Query{ObjectID: id, Limit: 10, Clearance: cl})
		if err != nil || len(page.Records) != 1 {
			t.Fatalf("%v reader: %+v, %v", tc.level, page, err)
		}
		var cur map[string]any
		json.Unmarshal(page.Records[0].Raw, &cur)
		if cur["revoked"] != true || cur["modified"] != tc.wantModified || page.Records[0].Markings.TLP != tc.wantMarking {
			t.Errorf("%v reader sees %v (%v)", tc.level, cur, page.Records[0].Markings)
		}
	}
}
