package main

import (
	"context"
	"fmt"
	"io"

	"liaison/stix"
	"liaison/store"
	"liaison/testdata/coopfeed"
)

// The demo API root and the aliases of its collections.
const (
	demoRoot          = "cooperation"
	demoFeedAlias     = "operation-feed"
	demoIndicatorsAls = "c2-indicators"
	demoInboxAlias    = "partner-inbox"
)

// loadDemo creates the demo API root on an empty database: two read-only
// collections built from the committed cooperation feed sample, and a
// writable inbox. A database that already has API roots is left alone.
func loadDemo(ctx context.Context, db *store.DB, out io.Writer) error {
	roots, err := db.APIRoots(ctx)
	if err != nil {
		return err
	}
	if len(roots) > 0 {
		fmt.Fprintln(out, "demo: the database already has API roots; not loading demo data")
		return nil
	}
	if _, err := db.CreateAPIRoot(ctx, store.APIRoot{Name: demoRoot, Default: true,
		Title:       "Operation cooperation feed",
		Description: "Botnet C2 and compromised-site intelligence shared between a security vendor, INTERPOL, Europol, national CERTs and partner companies (demo data)."}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	feed, err := db.CreateCollection(ctx, store.Collection{APIRoot: demoRoot, Alias: demoFeedAlias, PublicRead: true,
		Title: "Operation feed", Description: "Everything shared in the operation: identities, campaign, report, malware, infrastructure, indicators, relationships and sightings. Read-only."})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	indicators, err := db.CreateCollection(ctx, store.Collection{APIRoot: demoRoot, Alias: demoIndicatorsAls, PublicRead: true,
		Title: "C2 indicators", Description: "Indicators of the botnet's command-and-control servers and compromised websites, with their markings. Read-only."})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	inbox, err := db.CreateCollection(ctx, store.Collection{APIRoot: demoRoot, Alias: demoInboxAlias, PublicRead: true, PublicWrite: true,
		Title: "Partner inbox", Description: "Where partners post new intelligence. Readable and writable."})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	raws, err := stix.DecodeEnvelope(coopfeed.Sample(), 0)
	if err != nil {
		return fmt.Errorf("demo: sample bundle: %w", err)
	}
	var all, inds []stix.Object
	for _, r := range stix.NewValidator().Check(raws) {
		if r.Err != nil {
			return fmt.Errorf("demo: sample bundle: %w", r.Err)
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
			return fmt.Errorf("demo: %w", err)
		}
		if st.FailureCount > 0 {
			return fmt.Errorf("demo: %d sample objects refused, first: %s", st.FailureCount, st.Failures[0].Message)
		}
	}
	fmt.Fprintf(out, `demo: created API root %q with collections
  %s  %-16s %d objects, read-only
  %s  %-16s %d objects, read-only
  %s  %-16s empty, read-write
`, demoRoot, feed.ID, feed.Alias, len(all), indicators.ID, indicators.Alias, len(inds), inbox.ID, inbox.Alias)
	return nil
}

// printDemoHelp shows how to query the demo collections.
func printDemoHelp(out io.Writer, base string) {
	fmt.Fprintf(out, `
Liaison is serving TAXII 2.1 at %[1]s/taxii2/
Try:
  curl -H 'Accept: application/taxii+json;version=2.1' %[1]s/taxii2/
  curl -H 'Accept: application/taxii+json;version=2.1' %[1]s/%[2]s/collections/
  curl -gH 'Accept: application/taxii+json;version=2.1' '%[1]s/%[2]s/collections/%[3]s/objects/?limit=5&match[type]=indicator'
  curl -gH 'Accept: application/taxii+json;version=2.1' '%[1]s/%[2]s/collections/%[3]s/manifest/?limit=5'
`, base, demoRoot, demoFeedAlias)
}
