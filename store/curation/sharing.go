package curation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"liaison/stix"
	"liaison/store"
)

// SetOrg sets a user's organisation, named by its STIX identity id or by
// the name of an identity object some collection holds, and returns the
// identity id ("" removes it).
func (s *Service) SetOrg(ctx context.Context, name, org string) (id string, err error) {
	defer func() { s.audit(ctx, "user.org", name, "org="+id, err) }()
	if id, err = s.resolveOrg(ctx, org); err != nil {
		return "", err
	}
	return id, s.Store.SetOrg(ctx, name, id)
}

// resolveOrg turns an organisation given by an admin into an identity id:
// an id as it is, a name by the identity objects of every collection (it
// must name exactly one).
func (s *Service) resolveOrg(ctx context.Context, org string) (string, error) {
	if org == "" {
		return "", nil
	}
	if typ, _, ok := stix.SplitID(org); ok {
		if typ != "identity" {
			return "", fmt.Errorf("organisation %q: %w: an organisation is a STIX identity", org, store.ErrInvalid)
		}
		return org, nil
	}
	colls, err := s.collectionsByID(ctx)
	if err != nil {
		return "", err
	}
	found := map[string]bool{}
	for _, c := range colls {
		q := store.Query{Types: []string{"identity"}, Limit: 1000}
		for {
			page, err := s.Store.Query(ctx, c.ID, q)
			if err != nil {
				return "", err
			}
			for _, r := range page.Records {
				var o struct{ Name string }
				if json.Unmarshal(r.Raw, &o) == nil && strings.EqualFold(o.Name, org) {
					found[r.ID] = true
				}
			}
			if !page.More {
				break
			}
			q.After = page.Resume
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("organisation %q: %w: no identity object of that name in any collection; give its identity id", org, store.ErrInvalid)
	case 1:
		for id := range found {
			return id, nil
		}
	}
	ids := make([]string, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	return "", fmt.Errorf("organisation %q: %w: %d identities have that name (%s); give the identity id", org, store.ErrInvalid, len(ids), strings.Join(ids, ", "))
}

// Explanation says whether a principal sees an object of a collection, and
// why, version by version.
type Explanation struct {
	Principal  string           `json:"principal"`
	Org        string           `json:"org,omitempty"`
	Collection store.Collection `json:"collection"`
	CanRead    bool             `json:"can_read"`
	// Clearance is the principal's on the collection, and ClearanceFrom
	// where it comes from.
	Clearance     store.Clearance    `json:"clearance"`
	ClearanceFrom string             `json:"clearance_from"`
	Object        string             `json:"object"`
	Versions      []ExplainedVersion `json:"versions"`
	// Sees is the version its requests for the object return ("": none,
	// the object does not exist for it).
	Sees string `json:"sees,omitempty"`
}

// ExplainedVersion is one version of the object and whether the principal
// may see it.
type ExplainedVersion struct {
	Version   string        `json:"version"`
	DateAdded time.Time     `json:"date_added"`
	Markings  stix.Markings `json:"markings"`
	Visible   bool          `json:"visible"`
	Why       string        `json:"why"`
}

// Explain says whether user (or "anonymous") sees object objectID of the
// collection ref, and why: its clearance and where it comes from, each
// version's markings, and the version its requests return.
func (s *Service) Explain(ctx context.Context, user, ref, objectID string) (Explanation, error) {
	c, err := s.Find(ctx, ref)
	if err != nil {
		return Explanation{}, err
	}
	var u store.User
	if user != "anonymous" {
		if u, err = s.Store.User(ctx, user); err != nil {
			return Explanation{}, err
		}
	}
	read, _, cl, _, why := store.Access(u.Admin, u.Grants, u.Org, c)
	e := Explanation{Principal: user, Org: u.Org, Collection: c, CanRead: read, Clearance: cl, ClearanceFrom: why, Object: objectID}
	page, err := s.Store.Query(ctx, c.ID, store.Query{ObjectID: objectID, Versions: store.VersionSelect{All: true},
		SpecVersions: []string{stix.SpecVersion20, stix.SpecVersion21}, NoBody: true, Limit: 10_000})
	if err != nil {
		return e, err
	}
	for _, r := range page.Records {
		e.Versions = append(e.Versions, ExplainedVersion{Version: r.VersionText, DateAdded: r.DateAdded, Markings: r.Markings,
			Visible: read && cl.Admits(r.Markings), Why: cl.Why(r.Markings)})
	}
	if !read {
		return e, nil
	}
	seen, err := s.Store.Query(ctx, c.ID, store.Query{ObjectID: objectID, NoBody: true, Limit: 1, Clearance: &cl})
	switch {
	case errors.Is(err, store.ErrObjectNotFound):
	case err != nil:
		return e, err
	case len(seen.Records) > 0:
		e.Sees = seen.Records[0].VersionText
	}
	return e, nil
}
