package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"time"

	"liaison/stix"
	"liaison/stix/coopfeed"
	"liaison/store"
)

// The demo API root and the aliases of its collections.
const (
	demoRoot          = "cooperation"
	demoFeedAlias     = "operation-feed"
	demoIndicatorsAls = "c2-indicators"
	demoInboxAlias    = "partner-inbox"
)

// demoCredentials are the demo user's secrets and the demo admin's API
// key, shown once.
type demoCredentials struct {
	User, Password, APIKey string
	AdminKey               string
}

// demoUser and demoAdmin are the accounts --demo creates: a user of the
// demo collections, and an admin (API key only) so that the admin API and
// the CLI's --server are open from the first run.
const (
	demoUser  = "demo"
	demoAdmin = "demo-admin"
)

// loadDemo creates the demo API root on an empty database: two public-read
// collections built from the committed cooperation feed sample, a private
// inbox, and the user "demo" who may read and write all three. A database
// that already has API roots is left alone (nil credentials).
func loadDemo(ctx context.Context, db store.Store, out io.Writer) (*demoCredentials, error) {
	roots, err := db.APIRoots(ctx)
	if err != nil {
		return nil, err
	}
	if len(roots) > 0 {
		fmt.Fprintln(out, "demo: the database already has API roots; not loading demo data (use a new --db file for a fresh demo)")
		return nil, nil
	}
	creds, err := createDemo(ctx, db, out)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return creds, nil
}

func createDemo(ctx context.Context, db store.Store, out io.Writer) (*demoCredentials, error) {
	if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: demoRoot, Default: true,
		Title:       "Operation cooperation feed",
		Description: "Botnet C2 and compromised-site intelligence shared between a security vendor, INTERPOL, Europol, national CERTs and partner companies (demo data)."}); err != nil {
		return nil, err
	}
	feed, err := db.CreateCollection(ctx, store.Collection{APIRoot: demoRoot, Alias: demoFeedAlias, PublicRead: true,
		Title: "Operation feed", Description: "Everything shared in the operation: identities, campaign, report, malware, infrastructure, indicators, relationships and sightings. Anyone may read it."})
	if err != nil {
		return nil, err
	}
	indicators, err := db.CreateCollection(ctx, store.Collection{APIRoot: demoRoot, Alias: demoIndicatorsAls, PublicRead: true,
		Title: "C2 indicators", Description: "Indicators of the botnet's command-and-control servers and compromised websites, with their markings. Anyone may read it."})
	if err != nil {
		return nil, err
	}
	inbox, err := db.CreateCollection(ctx, store.Collection{APIRoot: demoRoot, Alias: demoInboxAlias,
		Title: "Partner inbox", Description: "Where partners post new intelligence. Private to the partners."})
	if err != nil {
		return nil, err
	}
	raws, err := stix.DecodeEnvelope(coopfeed.Sample(), 0)
	if err != nil {
		return nil, fmt.Errorf("sample bundle: %w", err)
	}
	var all, inds []stix.Object
	for _, r := range stix.NewValidator().Check(raws) {
		if r.Err != nil {
			return nil, fmt.Errorf("sample bundle: %w", r.Err)
		}
		all = append(all, r.Object)
		switch r.Object.Type {
		case "indicator", "marking-definition", "identity":
			inds = append(inds, r.Object)
		}
	}
	for _, load := range []struct {
		coll store.Collection
		objs []stix.Object
	}{{feed, all}, {indicators, inds}} {
		st, err := db.AddObjects(ctx, store.AddRequest{APIRoot: demoRoot, Collection: load.coll.ID, Owner: "demo", Total: len(load.objs), Objects: load.objs})
		if err != nil {
			return nil, err
		}
		if st.FailureCount > 0 {
			return nil, fmt.Errorf("%d sample objects refused, first: %s", st.FailureCount, st.Failures[0].Message)
		}
	}
	creds := &demoCredentials{User: demoUser, Password: randomSecret()}
	if _, err := db.CreateUser(ctx, demoUser, false, creds.Password); err != nil {
		return nil, err
	}
	for _, c := range []store.Collection{feed, indicators, inbox} {
		if err := db.SetGrant(ctx, demoUser, c.ID, store.Grant{Read: true, Write: true}); err != nil {
			return nil, err
		}
	}
	if _, creds.APIKey, err = db.CreateAPIKey(ctx, demoUser, time.Time{}); err != nil {
		return nil, err
	}
	if _, err := db.CreateUser(ctx, demoAdmin, true, ""); err != nil {
		return nil, err
	}
	if _, creds.AdminKey, err = db.CreateAPIKey(ctx, demoAdmin, time.Time{}); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, `demo: created API root %q with collections
  %s  %-16s %s, public-read
  %s  %-16s %s, public-read
  %s  %-16s empty, private
the user %q, who may read and write all three, and the admin %q.
`, demoRoot, feed.ID, feed.Alias, countObjects(all), indicators.ID, indicators.Alias, countObjects(inds), inbox.ID, inbox.Alias, demoUser, demoAdmin)
	return creds, nil
}

// countObjects says how many objects, and versions when they differ, a
// load holds: clients count objects, and an object may have versions.
func countObjects(objs []stix.Object) string {
	ids := map[string]bool{}
	for _, o := range objs {
		ids[o.ID] = true
	}
	if len(ids) == len(objs) {
		return fmt.Sprintf("%d objects", len(objs))
	}
	return fmt.Sprintf("%d objects (%d versions)", len(ids), len(objs))
}

// randomSecret returns 18 random bytes in base64url (24 characters).
func randomSecret() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// printDemoHelp shows the demo credentials, once, and how to query the
// demo collections.
func printDemoHelp(out io.Writer, base string, creds *demoCredentials) {
	fmt.Fprintf(out, `
Liaison is serving TAXII 2.1 at %[1]s/taxii2/
Demo user (shown once): %[4]s / %[5]s
Demo API key (shown once): %[6]s
Demo admin API key (shown once): %[8]s
  liaison user list --server %[1]s --api-key %[8]s
Try:
  curl -H 'Accept: application/taxii+json;version=2.1' %[1]s/taxii2/
  curl -H 'Accept: application/taxii+json;version=2.1' %[1]s/%[2]s/collections/
  curl -gH 'Accept: application/taxii+json;version=2.1' '%[1]s/%[2]s/collections/%[3]s/objects/?limit=5&match[type]=indicator'
  curl -H 'Accept: application/taxii+json;version=2.1' -u '%[4]s:%[5]s' %[1]s/%[2]s/collections/%[7]s/objects/
  curl -H 'Accept: application/taxii+json;version=2.1' -H 'Authorization: Bearer %[6]s' %[1]s/%[2]s/collections/
`, base, demoRoot, demoFeedAlias, creds.User, creds.Password, creds.APIKey, demoInboxAlias, creds.AdminKey)
}
