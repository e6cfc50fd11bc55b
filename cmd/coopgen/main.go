// Command coopgen writes a deterministic STIX 2.1 cooperation-feed bundle
// (see package liaison/stix/coopfeed).
//
//	go run ./cmd/coopgen -n 100000 -seed 1 -o FILE
//
// Without -o the bundle goes to standard output. The committed sample is
// regenerated with:
//
//	go run ./cmd/coopgen -n 300 -seed 2017 -o stix/coopfeed/sample.json
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"liaison/stix/coopfeed"
)

func main() {
	n := flag.Int("n", 100000, "approximate number of STIX objects (>= 50)")
	seed := flag.Uint64("seed", 1, "PRNG seed")
	out := flag.String("o", "", "output file (default: standard output)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "coopgen: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	if err := run(*n, *seed, *out); err != nil {
		fmt.Fprintln(os.Stderr, "coopgen:", err)
		os.Exit(1)
	}
}

func run(n int, seed uint64, out string) error {
	var w io.Writer = os.Stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		if err := coopfeed.Generate(f, coopfeed.Options{Objects: n, Seed: seed}); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	return coopfeed.Generate(w, coopfeed.Options{Objects: n, Seed: seed})
}
