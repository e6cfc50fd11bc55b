package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// Where a setting's value comes from, besides "--NAME", "LIAISON_NAME"
// and "FILE:LINE".
const originDefault = "default"

// loadedConfig is an effective configuration, with where each value came
// from.
type loadedConfig struct {
	Config
	// origin maps a setting's name to "default", "--NAME", "LIAISON_NAME"
	// or "FILE:LINE".
	origin map[string]string
	// warnings are about what was ignored: LIAISON_* variables that are no
	// setting.
	warnings []string
}

// loadConfig returns the effective configuration: the flags that were
// given (set names them; flags holds their values) over the environment
// (environ, as os.Environ returns it) over the configuration file named by
// --config or LIAISON_CONFIG over the defaults. Every error is a
// *ConfigError naming the flag, variable or file line at fault; problems
// of the file are all reported, one per line.
func loadConfig(flags *Config, set map[string]bool, environ []string) (*loadedConfig, error) {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "LIAISON_") {
			env[k] = v
		}
	}
	lc := &loadedConfig{Config: DefaultConfig(), origin: map[string]string{}}
	table := settingTable()
	for _, s := range table {
		lc.origin[s.name] = originDefault
	}

	// The file is named by the flag or the variable only.
	file, _ := lookupSetting("config")
	if set[file.name] {
		lc.File, lc.origin[file.name] = flags.File, "--"+file.name
	} else if v, ok := env[file.envVar()]; ok {
		lc.File, lc.origin[file.name] = v, file.envVar()
	}
	if lc.File != "" {
		if err := lc.readFile(table); err != nil {
			return nil, err
		}
	}

	for _, s := range table {
		v, ok := env[s.envVar()]
		delete(env, s.envVar())
		if !ok || s.noFile {
			continue
		}
		if err := parseText(s.field(&lc.Config), v); err != nil {
			return nil, &ConfigError{Flag: s.name, Source: s.envVar(), Reason: err.Error()}
		}
		lc.origin[s.name] = s.envVar()
	}
	var vars []string
	for _, s := range table {
		vars = append(vars, s.envVar())
	}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		// The other commands' variable, and the test suite's.
		if k != "LIAISON_API_KEY" && !strings.HasPrefix(k, "LIAISON_TEST_") {
			lc.warnings = append(lc.warnings, fmt.Sprintf("%s is not a setting of liaison serve; ignored%s", k, suggest(k, vars, "", "")))
		}
	}

	for _, s := range table {
		if set[s.name] && !s.noFile {
			copyField(s.field(&lc.Config), s.field(flags))
			lc.origin[s.name] = "--" + s.name
		}
	}

	if err := lc.Validate(); err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) && ce.Source == "" {
			ce.Source = lc.source(ce.Flag)
		}
		return nil, err
	}
	return lc, nil
}

// flagsSet returns the names of the flags given on fs.
func flagsSet(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// source names where a setting's value came from, as an error names it:
// "" for a flag or a default (the error then names the flag), the
// variable, or "FILE:LINE: key".
func (lc *loadedConfig) source(name string) string {
	o := lc.origin[name]
	switch {
	case o == originDefault || strings.HasPrefix(o, "--"):
		return ""
	case strings.HasPrefix(o, "LIAISON_"):
		return o
	}
	s, _ := lookupSetting(name)
	return o + ": " + s.key()
}

// readFile applies the configuration file lc.File to lc.
func (lc *loadedConfig) readFile(table []setting) error {
	data, err := os.ReadFile(lc.File)
	if err != nil {
		// Not a usage error even when --config named it: the file is at fault.
		return &ConfigError{Flag: "config", Source: lc.origin["config"], Reason: err.Error()}
	}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return &ConfigError{Source: fmt.Sprintf("%s:%d:%d", lc.File, line, col),
				Reason: "not valid TOML: " + strings.TrimPrefix(de.Error(), "toml: ")}
		}
		return &ConfigError{Source: lc.File, Reason: "not valid TOML: " + err.Error()}
	}
	lines := keyLines(data)
	keys := slices.SortedFunc(maps.Keys(doc), func(a, b string) int { return cmp.Compare(lines[a], lines[b]) })
	var known []string
	for _, s := range table {
		if !s.noFile {
			known = append(known, s.key())
		}
	}
	var errs []error
	for _, k := range keys {
		at := fmt.Sprintf("%s:%d", lc.File, lines[k])
		i := slices.IndexFunc(table, func(s setting) bool { return s.key() == k })
		switch {
		case i >= 0 && table[i].noFile:
			errs = append(errs, &ConfigError{Source: at, Reason: fmt.Sprintf("%q cannot be set in the configuration file; use --%s or %s", k, table[i].name, table[i].envVar())})
		case i < 0:
			reason := fmt.Sprintf("unknown key %q%s", k, suggest(k, known, `"`, `"`))
			if _, ok := doc[k].(map[string]any); ok {
				reason = fmt.Sprintf("unknown key %q: settings are top-level keys, not tables", k)
			}
			errs = append(errs, &ConfigError{Source: at, Reason: reason})
		default:
			s := table[i]
			if err := parseTOML(s.field(&lc.Config), s.list, doc[k]); err != nil {
				errs = append(errs, &ConfigError{Flag: s.name, Source: at + ": " + k, Reason: err.Error()})
				continue
			}
			lc.origin[s.name] = at
		}
	}
	return errors.Join(errs...)
}

// keyLines returns the line of every key of a TOML document, and of every
// prefix of a dotted key or table name, by their parts joined with dots.
// go-toml decodes values without positions; its parser has them.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != unstable.KeyValue && e.Kind != unstable.Table && e.Kind != unstable.ArrayTable {
			continue
		}
		var parts []string
		line := 0
		for it := e.Key(); it.Next(); {
			n := it.Node()
			if line == 0 {
				line = p.Shape(n.Raw).Start.Line
			}
			parts = append(parts, string(n.Data))
		}
		full := parts
		if e.Kind == unstable.KeyValue {
			full = append(slices.Clone(table), parts...)
		} else {
			table = parts
		}
		for i := 1; i <= len(full); i++ {
			if k := strings.Join(full[:i], "."); lines[k] == 0 {
				lines[k] = line
			}
		}
	}
	return lines
}

// copyField copies the value src points to into dst, of the same type.
func copyField(dst, src any) {
	switch d := dst.(type) {
	case *string:
		*d = *src.(*string)
	case *bool:
		*d = *src.(*bool)
	case *int:
		*d = *src.(*int)
	case *time.Duration:
		*d = *src.(*time.Duration)
	default:
		panic(fmt.Sprintf("setting of type %T", dst))
	}
}
