package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"liaison/stix"
	"liaison/store"
	"liaison/store/curation"
)

// audit prints the audit trail.
func (c *cli) audit(fs *flag.FlagSet) runFunc {
	since := fs.String("since", "", "only entries from this `time` on: a timestamp (2026-01-02T03:04:05Z) or a duration back (24h, 7d)")
	user := fs.String("user", "", "only the entries of this `user` (local:ACCOUNT for offline commands)")
	limit := fs.Int("limit", 0, "at most `N` entries, the newest (0: all)")
	asJSON := fs.Bool("json", false, "one JSON object per entry")
	return func(ctx context.Context, args []string) error {
		q := store.AuditQuery{User: *user, Limit: *limit}
		if *since != "" {
			t, err := parseSince(*since, time.Now())
			if err != nil {
				return usagef("--since: %v", err)
			}
			q.Since = t
		}
		if *limit < 0 {
			return usagef("--limit must not be negative")
		}
		return c.target.run(func(api adminAPI) error {
			entries, err := api.Audit(ctx, q)
			if err != nil {
				return err
			}
			if *asJSON {
				enc := json.NewEncoder(c.stdout)
				for _, e := range entries {
					if err := enc.Encode(e); err != nil {
						return err
					}
				}
				return nil
			}
			return printAudit(c.stdout, entries)
		})
	}
}

// parseSince reads a timestamp, or a duration back from now.
func parseSince(v string, now time.Time) (time.Time, error) {
	if t, err := stix.ParseTimestamp(v); err == nil {
		return t, nil
	}
	var d durationFlag
	if err := d.Set(v); err != nil || d <= 0 {
		return time.Time{}, fmt.Errorf("%q is neither a timestamp such as 2026-01-02T03:04:05Z nor a duration such as 24h or 7d", v)
	}
	return now.Add(-time.Duration(d)), nil
}

func printAudit(w io.Writer, entries []store.AuditEntry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tUSER\tKEY\tFROM\tACTION\tTARGET\tOUTCOME\tDETAIL")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Time.UTC().Format("2006-01-02 15:04:05"), e.User, orDash(e.KeyID),
			e.Remote, e.Action, e.Target, oneLine(e.Outcome), oneLine(e.Detail))
	}
	return tw.Flush()
}

// oneLine keeps a table row on one line.
func oneLine(s string) string {
	return orDash(strings.Join(strings.Fields(s), " "))
}

// consumers prints who reads which collection and how far behind it is.
func (c *cli) consumers(fs *flag.FlagSet) runFunc {
	coll := fs.String("collection", "", "only this collection (`ID|ALIAS` or ROOT/ALIAS)")
	asJSON := fs.Bool("json", false, "print JSON")
	return func(ctx context.Context, args []string) error {
		return c.target.run(func(api adminAPI) error {
			list, err := api.Consumers(ctx, *coll)
			if err != nil {
				return err
			}
			if *asJSON {
				return printJSON(c.stdout, list)
			}
			return printConsumers(c.stdout, list, time.Now())
		})
	}
}

func printConsumers(w io.Writer, list []curation.ConsumerInfo, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PRINCIPAL\tCOLLECTION\tLAST REQUEST\tREAD UP TO\tBEHIND\tSERVED TODAY\tSERVED\tREQUESTS\tLAST ERROR")
	for _, a := range list {
		name := a.APIRoot + "/" + cmp.Or(a.Alias, a.Collection)
		lastErr := "-"
		if a.LastError != "" {
			lastErr = a.LastError + " at " + a.LastErrorAt.UTC().Format("2006-01-02 15:04")
		}
		today := a.ServedToday
		if a.Day != now.UTC().Format(time.DateOnly) {
			today = 0 // counted on a day that is over
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", a.Principal, name, a.LastRequest.UTC().Format("2006-01-02 15:04:05"),
			taxiiStamp(a.LastServed), behind(a), today, a.ServedTotal, a.Requests, lastErr)
	}
	return tw.Flush()
}

// behind says how far a consumer's reading is from the collection's
// newest object.
func behind(a curation.ConsumerInfo) string {
	switch {
	case a.LastServed.IsZero():
		return "nothing read"
	case !a.LastServed.Before(a.CollectionLastAdded):
		return "up to date"
	}
	// Objects added in one request lie microseconds apart: a consumer a
	// few of them behind must not read "0s".
	d := a.CollectionLastAdded.Sub(a.LastServed)
	if d >= time.Second {
		d = d.Round(time.Second)
	}
	return d.String()
}

// explain says whether a user (or anonymous) sees an object, and why.
func (c *cli) explain(fs *flag.FlagSet) runFunc {
	user := fs.String("user", "", "the `user` to explain for, or anonymous")
	coll := fs.String("collection", "", "the collection (`ID|ALIAS` or ROOT/ALIAS)")
	asJSON := fs.Bool("json", false, "print JSON")
	return func(ctx context.Context, args []string) error {
		if *user == "" || *coll == "" {
			return usagef("--user and --collection are required")
		}
		return c.target.run(func(api adminAPI) error {
			e, err := api.Explain(ctx, *user, *coll, args[0])
			if err != nil {
				return err
			}
			if *asJSON {
				enc := json.NewEncoder(c.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(e)
			}
			printExplanation(c.stdout, e)
			return nil
		})
	}
}

func printExplanation(w io.Writer, e curation.Explanation) {
	who := e.Principal
	if e.Org != "" {
		who += " (organisation " + e.Org + ")"
	}
	coll := e.Collection.APIRoot + "/" + cmp.Or(e.Collection.Alias, e.Collection.ID)
	if !e.CanRead {
		fmt.Fprintf(w, "%s may not read %s at all: it has no grant to read it, and it is not public-read.\n", who, coll)
		return
	}
	cl := e.Clearance
	fmt.Fprintf(w, "%s reads %s with clearance TLP:%s, from %s.\n", who, coll, strings.ToUpper(cl.Level.String()), e.ClearanceFrom)
	if len(cl.Allow) > 0 {
		fmt.Fprintf(w, "It may also receive objects marked %s.\n", strings.Join(cl.Allow, ", "))
	}
	if cl.StrictOrg {
		fmt.Fprintln(w, "The collection shares its TLP:AMBER+STRICT objects with its organisation.")
	}
	fmt.Fprintf(w, "Unmarked objects of the collection are TLP:%s.\n", strings.ToUpper(cl.Default.String()))
	if len(e.Versions) == 1 {
		fmt.Fprintf(w, "%s has 1 version:\n", e.Object)
	} else {
		fmt.Fprintf(w, "%s has %d versions:\n", e.Object, len(e.Versions))
	}
	for _, v := range e.Versions {
		fmt.Fprintf(w, "  %s  %s: %s\n", v.Version, map[bool]string{true: "visible", false: "hidden "}[v.Visible], v.Why)
	}
	if e.Sees == "" {
		fmt.Fprintf(w, "So %s does not exist for %s: every request for it answers 404.\n", e.Object, e.Principal)
	} else {
		fmt.Fprintf(w, "So %s is served version %s.\n", e.Principal, e.Sees)
	}
}
