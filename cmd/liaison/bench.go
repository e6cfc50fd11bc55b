package main

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"liaison/cmd/internal/bench"
	"liaison/stix/coopfeed"
)

// benchFlags are what every bench command takes: where, as whom, and how
// to print.
type benchFlags struct {
	url, apiKey, user *string
	passwordStdin     *bool
	asJSON            *bool
	ceiling           *bool
	gzip              *bool
}

func addBenchFlags(fs *flag.FlagSet, ceiling bool) *benchFlags {
	f := &benchFlags{
		url:           fs.String("url", "", "the collection's objects `URL` (.../collections/ID/objects/)"),
		apiKey:        fs.String("api-key", "", "API `key` sent as a Bearer token (default $LIAISON_API_KEY)"),
		user:          fs.String("user", "", "user `name` for HTTP Basic, with the password on standard input (--password-stdin)"),
		passwordStdin: fs.Bool("password-stdin", false, "read --user's password from standard input"),
		asJSON:        fs.Bool("json", false, "print the result as JSON"),
	}
	if ceiling {
		f.ceiling = fs.Bool("ceiling", false, "also run the scenario against the server's own first page served from memory, and print the ratio")
		f.gzip = fs.Bool("gzip", false, "ask for gzip-compressed pages (Accept-Encoding: gzip) and decompress them, as most HTTP libraries do")
	}
	return f
}

// client makes the bench client from the flags.
func (c *cli) benchClient(f *benchFlags) (*bench.Client, error) {
	if *f.url == "" {
		return nil, usagef("--url is required: the collection's objects URL, e.g. http://127.0.0.1:8080/ROOT/collections/ID/objects/")
	}
	auth := ""
	switch {
	case *f.user != "":
		if !*f.passwordStdin {
			return nil, usagef("--user needs --password-stdin (passwords are never taken as arguments)")
		}
		pw, err := readPassword(c.stdin)
		if err != nil {
			return nil, err
		}
		auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(*f.user+":"+pw))
	case cmp.Or(*f.apiKey, os.Getenv("LIAISON_API_KEY")) != "":
		auth = "Bearer " + cmp.Or(*f.apiKey, os.Getenv("LIAISON_API_KEY"))
	}
	cl := bench.NewClient(*f.url, auth)
	if f.gzip != nil {
		cl.Gzip = *f.gzip
	}
	return cl, nil
}

func (c *cli) benchWalk(fs *flag.FlagSet) runFunc {
	f := addBenchFlags(fs, true)
	limit := fs.Int("limit", 1000, "objects per page")
	by := fs.String("by", "next", "follow `next` tokens, or added_after (X-TAXII-Date-Added-Last)")
	noVerify := fs.Bool("no-verify", false, "do not walk the manifest first to check every object is seen exactly once")
	return func(ctx context.Context, args []string) error {
		if *by != "next" && *by != "added_after" && *by != "added-after" {
			return usagef("--by: %q is neither next nor added_after", *by)
		}
		cl, err := c.benchClient(f)
		if err != nil {
			return err
		}
		o := bench.WalkOptions{Limit: *limit, ByAddedAfter: *by != "next", Verify: !*noVerify}
		var r bench.Result
		if *f.ceiling {
			r, err = bench.WalkWithCeiling(ctx, cl, o)
		} else {
			r, err = bench.Walk(ctx, cl, o)
		}
		if err != nil {
			return err
		}
		if err := c.printBench(*f.asJSON, r); err != nil {
			return err
		}
		if r.Duplicates+r.Missing+r.Unexpected > 0 {
			return fmt.Errorf("the walk saw %d duplicates, missed %d objects of the manifest and saw %d not in it", r.Duplicates, r.Missing, r.Unexpected)
		}
		return nil
	}
}

func (c *cli) benchPoll(fs *flag.FlagSet) runFunc {
	f := addBenchFlags(fs, true)
	limit := fs.Int("limit", 100, "objects per page")
	conns := fs.Int("connections", 16, "requests at once")
	dur := fs.Duration("duration", 10*time.Second, "how long to poll")
	return func(ctx context.Context, args []string) error {
		cl, err := c.benchClient(f)
		if err != nil {
			return err
		}
		o := bench.PollOptions{Limit: *limit, Connections: *conns, Duration: *dur}
		var r bench.Result
		if *f.ceiling {
			r, err = bench.PollWithCeiling(ctx, cl, o)
		} else {
			r, err = bench.Poll(ctx, cl, o)
		}
		if err != nil {
			return err
		}
		return c.printBench(*f.asJSON, r)
	}
}

// objectSource is where ingest and tail take their objects: a file, or the
// cooperation-feed generator.
type objectSource struct {
	file    *string
	objects *int
	seed    *uint64
}

func addObjectSource(fs *flag.FlagSet, objects int) objectSource {
	return objectSource{
		file:    fs.String("file", "", "post the objects of this STIX bundle or TAXII envelope `file` (- reads standard input)"),
		objects: fs.Int("objects", objects, "otherwise, generate this `number` of cooperation-feed objects"),
		seed:    fs.Uint64("seed", uint64(time.Now().UnixNano()), "the generator's `seed` (a new one each run, so the objects are new)"),
	}
}

func (s objectSource) open(c *cli) (io.Reader, func(), error) {
	switch *s.file {
	case "-":
		return c.stdin, func() {}, nil
	case "":
		r, w := io.Pipe()
		go func() {
			w.CloseWithError(coopfeed.Generate(w, coopfeed.Options{Objects: max(*s.objects, coopfeed.MinObjects), Seed: *s.seed}))
		}()
		return r, func() { r.Close() }, nil
	}
	f, err := os.Open(*s.file)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func (c *cli) benchIngest(fs *flag.FlagSet) runFunc {
	f := addBenchFlags(fs, false)
	src := addObjectSource(fs, 100_000)
	envelope := fs.Int("envelope", 500, "objects per POST")
	posters := fs.Int("posters", 4, "POSTs at once")
	return func(ctx context.Context, args []string) error {
		cl, err := c.benchClient(f)
		if err != nil {
			return err
		}
		in, closeIn, err := src.open(c)
		if err != nil {
			return err
		}
		defer closeIn()
		r, err := bench.Ingest(ctx, cl, bench.IngestOptions{Source: in, Envelope: *envelope, Posters: *posters})
		if err != nil {
			return err
		}
		return c.printBench(*f.asJSON, r)
	}
}

func (c *cli) benchTail(fs *flag.FlagSet) runFunc {
	f := addBenchFlags(fs, false)
	src := addObjectSource(fs, 1_000_000)
	pollers := fs.Int("pollers", 4, "clients following the collection")
	interval := fs.Duration("interval", time.Second, "between a poller's requests")
	rate := fs.Int("rate", 1000, "objects posted a second")
	envelope := fs.Int("envelope", 100, "objects per POST")
	dur := fs.Duration("duration", 30*time.Second, "how long to post")
	return func(ctx context.Context, args []string) error {
		cl, err := c.benchClient(f)
		if err != nil {
			return err
		}
		in, closeIn, err := src.open(c)
		if err != nil {
			return err
		}
		defer closeIn()
		r, err := bench.Tail(ctx, cl, bench.TailOptions{Source: in, Envelope: *envelope, Rate: *rate, Pollers: *pollers, Interval: *interval, Duration: *dur})
		if err != nil {
			return err
		}
		return c.printBench(*f.asJSON, r)
	}
}

// printBench prints a result as a table (with its ceiling and the ratio),
// or as JSON.
func (c *cli) printBench(asJSON bool, r bench.Result) error {
	if asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tobjects/s\trequests/s\tp50\tp99\tmax\tobjects\trequests\terrors\t")
	row := func(r bench.Result) {
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%s\t%s\t%s\t%d\t%d\t%d\t\n", r.Scenario, r.ObjectsPerSecond, r.RequestsPerSecond,
			ms(r.P50), ms(r.P99), ms(r.Max), r.Objects, r.Requests, r.Errors)
	}
	row(r)
	if r.Ceiling != nil {
		row(*r.Ceiling)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var notes []string
	if r.Ceiling != nil {
		notes = append(notes, fmt.Sprintf("ratio to the ceiling: %.2f", r.Ratio))
	}
	if r.WireBytes > 0 && r.Requests > 0 && !strings.HasPrefix(r.Scenario, "ingest") {
		notes = append(notes, fmt.Sprintf("body bytes received per request: %d", r.WireBytes/int64(r.Requests)))
	}
	if strings.HasPrefix(r.Scenario, "walk") {
		notes = append(notes, fmt.Sprintf("duplicates %d, missing %d, unexpected %d", r.Duplicates, r.Missing, r.Unexpected))
	}
	if strings.HasPrefix(r.Scenario, "tail") {
		notes = append(notes, "p50/p99/max are the lag from a POST's 202 to the first sight of its objects; errors are objects never seen")
	}
	for _, n := range notes {
		fmt.Fprintln(c.stdout, n)
	}
	return nil
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
}
