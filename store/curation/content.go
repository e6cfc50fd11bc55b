package curation

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"liaison/stix"
	"liaison/store"
)

// ImportProgress is reported after every committed batch.
type ImportProgress struct {
	Objects   int           `json:"objects"`
	Successes int           `json:"successes"`
	Failures  int           `json:"failures"`
	Elapsed   time.Duration `json:"elapsed"`
}

// ImportResult is the outcome of an import.
type ImportResult struct {
	ImportProgress
	// FailureDetails names each refused object and why.
	FailureDetails []store.StatusDetail `json:"failure_details,omitempty"`
}

// maxFailureDetails bounds the failures an import reports one by one.
const maxFailureDetails = 10_000

// Import reads a STIX bundle or TAXII envelope from r as a stream, checks
// its objects exactly as Add Objects does, and stores them in batches of
// BatchSize, each committed in one transaction. Memory stays bounded by the
// batch whatever the size of the input. progress, when not nil, is called
// after every batch. An import that stops on a malformed stream keeps the
// batches committed before.
func (s *Service) Import(ctx context.Context, ref, owner string, r io.Reader, progress func(ImportProgress)) (res ImportResult, err error) {
	defer func() {
		s.audit(ctx, "collection.import", ref, fmt.Sprintf("%d objects: %d stored or present, %d failed", res.Objects, res.Successes, res.Failures), err)
	}()
	c, err := s.Find(ctx, ref)
	if err != nil {
		return res, err
	}
	start := s.Now()
	in := stix.NewEnvelopeReader(bufio.NewReaderSize(r, 1<<20))
	batch := make([]json.RawMessage, 0, s.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		results := s.validator().CheckWith(batch, store.CheckOptions(c))
		for _, r := range results {
			// A failure names its position in the stream, not in the batch.
			var oe *stix.ObjectError
			if errors.As(r.Err, &oe) {
				oe.Index += res.Objects
			}
		}
		add := store.NewAddRequest(c, owner, nil, results)
		st, err := s.Store.AddObjects(ctx, add)
		if err != nil {
			return err
		}
		res.Objects += len(batch)
		res.Successes += st.SuccessCount
		res.Failures += st.FailureCount
		for _, f := range st.Failures {
			if len(res.FailureDetails) < maxFailureDetails {
				res.FailureDetails = append(res.FailureDetails, f)
			}
		}
		res.Elapsed = s.Now().Sub(start)
		if progress != nil {
			progress(res.ImportProgress)
		}
		batch = batch[:0]
		return nil
	}
	for {
		raw, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ferr := flush(); ferr != nil {
				return res, ferr
			}
			return res, err
		}
		batch = append(batch, raw)
		if len(batch) == s.BatchSize {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	return res, flush()
}

// ExportOptions selects what an export writes.
type ExportOptions struct {
	AddedAfter  time.Time
	Types       []string
	AllVersions bool // every version, not only the current one
	Envelope    bool // a TAXII envelope instead of a STIX bundle
}

// Export writes the objects of a collection, in date_added order, as one
// STIX 2.1 bundle (or TAXII envelope), streaming page by page. It returns
// the number of objects written.
func (s *Service) Export(ctx context.Context, ref string, o ExportOptions, w io.Writer) (int, error) {
	c, err := s.Find(ctx, ref)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if o.Envelope {
		bw.WriteString(`{"objects":[`)
	} else {
		id, err := newBundleID()
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(bw, `{"type":"bundle","id":"bundle--%s","objects":[`, id)
	}
	q := store.Query{Types: o.Types, AddedAfter: o.AddedAfter, Limit: 1000}
	if o.AllVersions {
		q.Versions = store.VersionSelect{All: true}
	}
	n := 0
	for {
		page, err := s.Store.Query(ctx, c.ID, q)
		if err != nil {
			return n, err
		}
		for _, r := range page.Records {
			if n > 0 {
				bw.WriteByte(',')
			}
			bw.WriteByte('\n')
			bw.Write(r.Raw)
			n++
		}
		if !page.More {
			break
		}
		q.After = page.Resume
	}
	bw.WriteString("\n]}\n")
	return n, bw.Flush()
}

func newBundleID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// DeleteObject deletes versions of an object: the one whose modified is
// version, or every version when version is empty. Returns how many.
func (s *Service) DeleteObject(ctx context.Context, ref, id, version string) (n int, err error) {
	defer func() {
		s.audit(ctx, "object.delete", ref+" "+id, fmt.Sprintf("version=%s, %d versions deleted", cmp.Or(version, "all"), n), err)
	}()
	c, err := s.Find(ctx, ref)
	if err != nil {
		return 0, err
	}
	var sel store.VersionSelect
	if version != "" {
		t, err := stix.ParseTimestamp(version)
		if err != nil {
			return 0, fmt.Errorf("version %q: %w: %v", version, store.ErrInvalid, err)
		}
		sel.At = []time.Time{t}
	}
	return s.Store.DeleteObject(ctx, c.ID, id, sel, nil, nil)
}

// RevokeObject publishes a new version of an object with "revoked": true
// and a modified later than the current version's (STIX 2.1 §3.6). Objects
// without modified (SCOs) and marking definitions are refused. The
// status of the addition is returned. Consumers such as Microsoft Sentinel
// drop an indicator only when they see it revoked, so revoking, not
// deleting, is how a feed withdraws intelligence.
func (s *Service) RevokeObject(ctx context.Context, ref, owner, id string) (_ store.Status, err error) {
	defer func() { s.audit(ctx, "object.revoke", ref+" "+id, "", err) }()
	c, err := s.Find(ctx, ref)
	if err != nil {
		return store.Status{}, err
	}
	page, err := s.Store.Query(ctx, c.ID, store.Query{ObjectID: id, Versions: store.VersionSelect{All: true},
		SpecVersions: []string{stix.SpecVersion20, stix.SpecVersion21}, Limit: 10_000})
	if err != nil {
		return store.Status{}, err
	}
	if len(page.Records) == 0 {
		return store.Status{}, fmt.Errorf("object %q: %w", id, store.ErrObjectNotFound)
	}
	if page.More {
		return store.Status{}, fmt.Errorf("object %q: %w: it has more than 10,000 versions", id, store.ErrInvalid)
	}
	// The versions, oldest first by modified: the newest is the current one.
	type version struct {
		markings stix.Markings
		obj      map[string]any
		modified time.Time
	}
	var vs []version
	for _, r := range page.Records {
		dec := json.NewDecoder(bytes.NewReader(r.Raw))
		dec.UseNumber()
		v := version{markings: r.Markings}
		if err := dec.Decode(&v.obj); err != nil {
			return store.Status{}, fmt.Errorf("decode %s: %w", id, err)
		}
		v.modified, _ = stix.ParseTimestamp(r.VersionText) // unversioned objects are refused below
		vs = append(vs, v)
	}
	slices.SortStableFunc(vs, func(a, b version) int { return a.modified.Compare(b.modified) })
	cur := vs[len(vs)-1].obj
	// Revoking publishes a new version, so only objects that have versions
	// can be revoked. Marking definitions have created but are not
	// versioned: they have neither modified nor revoked (STIX 2.1 §7.2.1).
	if cur["type"] == "marking-definition" {
		return store.Status{}, fmt.Errorf("object %q: %w: marking definitions are not versioned and have neither modified nor revoked (STIX 2.1 §7.2.1), so they cannot be revoked; publish a new marking definition instead", id, store.ErrInvalid)
	}
	if _, ok := cur["modified"]; !ok {
		return store.Status{}, fmt.Errorf("object %q has no modified: %w: only versioned objects can be revoked (STIX 2.1 §3.6), and SCOs are not versioned", id, store.ErrInvalid)
	}
	if cur["revoked"] == true {
		return store.Status{}, fmt.Errorf("object %q: %w: already revoked", id, store.ErrInvalid)
	}
	prev := vs[len(vs)-1].modified
	// Millisecond precision, as STIX requires at least, and always later.
	mod := s.Now().UTC().Truncate(time.Millisecond)
	if !mod.After(prev) {
		mod = prev.Truncate(time.Millisecond).Add(time.Millisecond)
	}
	// Each client sees the newest version its clearance admits. When the
	// versions differ in markings (a re-marking), an older version may be
	// the newest some clients see: each such version gets a revoked copy
	// too, under its own markings, so every client that saw the object
	// learns it is revoked. The copy of the current version is the newest.
	var raws []json.RawMessage
	for i, v := range vs {
		newestForSome := !slices.ContainsFunc(vs[i+1:], func(w version) bool { return store.AtLeastAsVisible(w.markings, v.markings) })
		if !newestForSome || v.obj["revoked"] == true {
			continue // not the newest anyone sees, or revoked already for those who do
		}
		v.obj["modified"] = mod.Add(time.Duration(len(raws)) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
		v.obj["revoked"] = true
		raw, err := json.Marshal(v.obj)
		if err != nil {
			return store.Status{}, err
		}
		raws = append(raws, raw)
	}
	add := store.NewAddRequest(c, owner, nil, s.validator().CheckWith(raws, store.CheckOptions(c)))
	return s.Store.AddObjects(ctx, add)
}
