package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
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

// demoCredentials are the demo user's secrets, the partners' and the demo
// admin's API keys, shown once.
type demoCredentials struct {
	User, Password, APIKey string
	AdminKey               string
	// Partners are the API keys of the partner accounts, by name.
	Partners map[string]string
}

// demoPartner is a partner organisation's account in the demo: a user of
// the organisation (its STIX identity in the sample feed) with the
// clearance its role implies, reading the shared collections and posting
// to the inbox.
type demoPartner struct {
	name, org, orgName string
	clearance          stix.TLPLevel
}

// demoPartners are the organisations of the cooperation, each seeing the
// shared collections as TLP allows it: INTERPOL leads the operation and
// receives up to AMBER+STRICT (its own); a national CERT AMBER; a hosting
// company GREEN.
func demoPartners() []demoPartner {
	return []demoPartner{
		{"interpol", "identity--69d7f74f-2058-4dd9-bca2-c08727fd7a9d", "INTERPOL Global Complex for Innovation", stix.TLPAmberStrict},
		{"cert-sg", "identity--2ae1ca28-0adb-47e0-8ac2-14a77570a7e0", "National CERT of Singapore", stix.TLPAmber},
		{"bluewater", "identity--20381f8f-62ee-4d39-870d-e2b942edc985", "Bluewater Hosting", stix.TLPGreen},
	}
}

// demoVendor is the demo user's organisation: the security vendor that
// runs the feed, Aster Labs.
const demoVendor = "identity--212c8c71-aacd-4b6c-8eb2-f4eeb585d1fb"

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
	// The vendor's analyst reads and writes everything up to RED; the
	// partners read the shared collections at their clearance and post to
	// the inbox.
	creds := &demoCredentials{User: demoUser, Password: randomSecret(), Partners: map[string]string{}}
	if _, err := db.CreateUser(ctx, demoUser, false, creds.Password); err != nil {
		return nil, err
	}
	if err := db.SetOrg(ctx, demoUser, demoVendor); err != nil {
		return nil, err
	}
	for _, c := range []store.Collection{feed, indicators, inbox} {
		if err := db.SetGrant(ctx, demoUser, c.ID, store.Grant{Read: true, Write: true, Clearance: stix.TLPRed.String()}); err != nil {
			return nil, err
		}
	}
	if _, creds.APIKey, err = db.CreateAPIKey(ctx, demoUser, time.Time{}); err != nil {
		return nil, err
	}
	for _, p := range demoPartners() {
		if _, err := db.CreateUser(ctx, p.name, false, ""); err != nil {
			return nil, err
		}
		if err := db.SetOrg(ctx, p.name, p.org); err != nil {
			return nil, err
		}
		for _, c := range []store.Collection{feed, indicators, inbox} {
			g := store.Grant{Read: true, Write: c.ID == inbox.ID, Clearance: p.clearance.String()}
			if err := db.SetGrant(ctx, p.name, c.ID, g); err != nil {
				return nil, err
			}
		}
		if _, creds.Partners[p.name], err = db.CreateAPIKey(ctx, p.name, time.Time{}); err != nil {
			return nil, err
		}
	}
	if _, err := db.CreateUser(ctx, demoAdmin, true, ""); err != nil {
		return nil, err
	}
	if _, creds.AdminKey, err = db.CreateAPIKey(ctx, demoAdmin, time.Time{}); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, `demo: created API root %q with collections
  %s  %-16s %s, public-read (anonymous clients: TLP:CLEAR)
  %s  %-16s %s, public-read (anonymous clients: TLP:CLEAR)
  %s  %-16s empty, private
and accounts, each seeing the collections as their markings allow:
  %-10s  Aster Labs (the vendor), reads and writes all three up to TLP:RED
`, demoRoot, feed.ID, feed.Alias, countObjects(all), indicators.ID, indicators.Alias, countObjects(inds), inbox.ID, inbox.Alias, demoUser)
	for _, p := range demoPartners() {
		fmt.Fprintf(out, "  %-10s  %s, reads up to TLP:%s, posts to the inbox\n", p.name, p.orgName, strings.ToUpper(p.clearance.String()))
	}
	fmt.Fprintf(out, "  %-10s  an admin\n", demoAdmin)
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
%[9]s
Try:
  curl -H 'Accept: application/taxii+json;version=2.1' %[1]s/taxii2/
  curl -H 'Accept: application/taxii+json;version=2.1' %[1]s/%[2]s/collections/
  curl -gH 'Accept: application/taxii+json;version=2.1' '%[1]s/%[2]s/collections/%[3]s/objects/?limit=5&match[type]=indicator'
  curl -H 'Accept: application/taxii+json;version=2.1' -u '%[4]s:%[5]s' %[1]s/%[2]s/collections/%[7]s/objects/
  curl -H 'Accept: application/taxii+json;version=2.1' -H 'Authorization: Bearer %[6]s' %[1]s/%[2]s/collections/
`, base, demoRoot, demoFeedAlias, creds.User, creds.Password, creds.APIKey, demoInboxAlias, creds.AdminKey, partnerKeys(creds))
}

// partnerKeys lists the partners' API keys, one line each.
func partnerKeys(creds *demoCredentials) string {
	var b strings.Builder
	for _, p := range demoPartners() {
		fmt.Fprintf(&b, "Partner %s API key (shown once): %s\n", p.name, creds.Partners[p.name])
	}
	return strings.TrimSuffix(b.String(), "\n")
}
