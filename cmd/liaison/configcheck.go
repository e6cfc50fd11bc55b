package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// configCheck is `liaison config check`: it reads the configuration serve
// would run with, from the same flags, LIAISON_* variables and file, checks
// it (the TLS files included), and prints it.
func (c *cli) configCheck(fs *flag.FlagSet) runFunc {
	m := NewMain()
	m.defineFlags(fs)
	return func(ctx context.Context, _ []string) error {
		lc, err := loadConfig(&m.flags, flagsSet(fs), m.Environ)
		if err != nil {
			return configUsageError(err)
		}
		if lc.TLSCert != "" {
			if _, err := loadCertificate(lc.TLSCert, lc.TLSKey); err != nil {
				return &ConfigError{Flag: "tls-cert", Source: lc.source("tls-cert"), Reason: err.Error()}
			}
		}
		printConfig(c.stdout, settingTable(), lc)
		return nil
	}
}

// maskedValue replaces a secret's value in printed configurations.
const maskedValue = `"********"`

// printConfig writes lc as a configuration file serve would accept, each
// value with where it came from, secrets masked.
func printConfig(w io.Writer, table []setting, lc *loadedConfig) {
	fmt.Fprintln(w, "# The configuration of liaison serve: flags over LIAISON_* variables over")
	fmt.Fprintln(w, "# the configuration file over the defaults. Each value says where it came from.")
	if lc.File == "" {
		fmt.Fprintln(w, "# No configuration file (--config or LIAISON_CONFIG).")
	} else {
		fmt.Fprintf(w, "# Configuration file: %s (from %s)\n", lc.File, lc.origin["config"])
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range table {
		if s.noFile {
			continue
		}
		ptr := s.field(&lc.Config)
		value := tomlValue(ptr)
		if s.secret && formatValue(ptr) != "" {
			value = maskedValue
		}
		if sp, ok := ptr.(*string); ok && s.redact != nil {
			value = tomlString(s.redact(*sp))
		}
		fmt.Fprintf(tw, "%s = %s\t# %s\n", s.key(), value, strings.TrimSpace(lc.origin[s.name]))
	}
	tw.Flush()
	for _, warning := range lc.warnings {
		fmt.Fprintf(w, "# warning: %s\n", warning)
	}
}
