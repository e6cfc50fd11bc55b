package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"liaison/stix"
)

// validation is the report of one invalid object (or one warning).
type validation struct {
	File     string   `json:"file"`
	Index    int      `json:"index"`
	ID       string   `json:"id,omitempty"`
	Valid    bool     `json:"valid"`
	Error    string   `json:"error,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// validateCmd checks bundles or envelopes object by object, streaming.
func (c *cli) validateCmd(fs *flag.FlagSet) runFunc {
	asJSON := fs.Bool("json", false, "one JSON object per line for each invalid object or warning, then a summary")
	rejectCustom := fs.Bool("reject-custom", false, "refuse custom object types and properties")
	return func(ctx context.Context, files []string) error {
		return c.validate(ctx, files, *asJSON, *rejectCustom)
	}
}

// validate checks the objects of files.
func (c *cli) validate(ctx context.Context, files []string, asJSON, rejectCustom bool) error {
	v := stix.NewValidator()
	opts := stix.Options{RejectCustom: rejectCustom}
	enc := json.NewEncoder(c.stdout)
	// stix20 counts the STIX 2.0 objects: the validator checks only what
	// a server indexes of those, not the 2.1 schemas and rules.
	total, invalid, warned, stix20 := 0, 0, 0, 0
	for _, name := range files {
		in, closeIn, err := openInput(name, c.stdin)
		if err != nil {
			return &usageError{err.Error()} // exit status 2
		}
		r := stix.NewEnvelopeReader(in)
		for i := 0; ; i++ {
			if ctx.Err() != nil {
				closeIn()
				return ctx.Err()
			}
			raw, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				closeIn()
				return &usageError{fmt.Sprintf("%s: %v", name, err)}
			}
			total++
			res := v.CheckWith([]json.RawMessage{raw}, opts)[0]
			rep := validation{File: name, Index: i, ID: res.Object.ID, Valid: res.Err == nil, Warnings: res.Warnings}
			if res.Err == nil && res.Object.SpecVersion == stix.SpecVersion20 {
				stix20++
			}
			text := "" // the error after "FILE: objects[i]: "
			if res.Err != nil {
				invalid++
				rep.Error, text = res.Err.Error(), res.Err.Error()
				var oe *stix.ObjectError
				if errors.As(res.Err, &oe) {
					// The id as posted, even malformed; the line names
					// the position already.
					rep.ID, text = oe.ID, oe.Reason
					if stix.ValidID(oe.ID) {
						text = oe.ID + ": " + oe.Reason
					}
				}
			}
			if len(res.Warnings) > 0 {
				warned++
			}
			switch {
			case asJSON && (!rep.Valid || len(rep.Warnings) > 0):
				enc.Encode(rep)
			case !rep.Valid:
				fmt.Fprintf(c.stdout, "%s: objects[%d]: %s\n", name, i, text)
			case len(rep.Warnings) > 0:
				for _, w := range rep.Warnings {
					fmt.Fprintf(c.stdout, "%s: objects[%d]: %s: warning: %s\n", name, i, rep.ID, w)
				}
			}
		}
		closeIn()
	}
	if asJSON {
		enc.Encode(map[string]int{"objects": total, "invalid": invalid, "with_warnings": warned, "stix_2_0": stix20})
	} else {
		fmt.Fprintf(c.stdout, "%d objects: %d valid, %d invalid, %d with warnings\n", total, total-invalid, invalid, warned)
		if stix20 > 0 {
			fmt.Fprintf(c.stdout, "%d objects are STIX 2.0: only the properties a server indexes were checked, and only collections that accept STIX 2.0 store them\n", stix20)
		}
	}
	if invalid > 0 {
		return errSomeFailed
	}
	return nil
}
