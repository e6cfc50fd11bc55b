package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// configDocPath is the configuration reference, generated from
// settingTable.
const configDocPath = "../../docs/configuration.md"

// TestConfigDoc fails when docs/configuration.md is not what settingTable
// makes; go test ./cmd/liaison -run TestConfigDoc -update rewrites it.
func TestConfigDoc(t *testing.T) {
	want := configReference(t)
	if *update {
		if err := os.WriteFile(configDocPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(configDocPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date: run go test ./cmd/liaison -run TestConfigDoc -update", configDocPath)
	}
}

// configReference writes the reference of every setting.
func configReference(t *testing.T) []byte {
	var b bytes.Buffer
	b.WriteString(`# Configuration reference

<!-- Generated from cmd/liaison/settings.go by
     go test ./cmd/liaison -run TestConfigDoc -update
     Edit the settings there, not this file. -->

` + "`liaison serve`" + ` takes each setting from the first of:

1. its flag, ` + "`--NAME`" + `;
2. its environment variable, ` + "`LIAISON_NAME`" + ` (upper case, ` + "`_`" + ` for ` + "`-`" + `);
3. the configuration file named by ` + "`--config FILE`" + ` or ` + "`LIAISON_CONFIG`" + `: TOML, one
   top-level key per setting, the flag's name with ` + "`_`" + ` for ` + "`-`" + `;
4. its default.

A flag given with its default value still wins over the environment and the
file. An unknown key in the file (a table too), a value of the wrong type or
an invalid value stops the server with an error that names the flag, the
variable, or the file, line and key, and says why. ` + "`LIAISON_*`" + ` variables that
are not settings are ignored with a warning (but for ` + "`LIAISON_API_KEY`" + `, which
the other commands use).

Values: in the file, strings and durations are quoted (` + "`\"30s\"`, `\"2m\"`, `\"1h30m\"`" + `),
integers and booleans are not (` + "`64`, `true`" + `), and a list is a string of
comma-separated items or an array of strings. In flags and variables, write
them unquoted: ` + "`--read-timeout 90s`, `LIAISON_DEMO=true`" + `.

` + "`liaison config check`" + ` takes the same flags, reads the same variables and file,
checks the result (the TLS certificate and key too) and prints it as a
configuration file, each value with where it came from; secrets are masked.
Run it before restarting the server.

| Flag | Environment variable | TOML key | Type | Default | Description |
|---|---|---|---|---|---|
`)
	def := DefaultConfig()
	for _, s := range settingTable() {
		key := "`" + s.key() + "`"
		if s.noFile {
			key = "(none)"
		}
		dv := formatValue(s.field(&def))
		if dv == "" {
			dv = "(none)"
		} else {
			dv = "`" + dv + "`"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s | %s |\n", flagSynopsis(s), s.envVar(), key, s.typeName(), dv,
			markdownText(strings.ReplaceAll(s.usage, "`", "")))
	}
	b.WriteString("\nWith nothing set, `liaison config check` prints the defaults:\n\n```toml\n")
	lc, err := loadConfig(&Config{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	printConfig(&b, settingTable(), lc)
	b.WriteString("```\n")
	return b.Bytes()
}

// flagSynopsis is the flag as its help shows it: --listen ADDRESS.
func flagSynopsis(s setting) string {
	if s.typeName() == "boolean" {
		return "--" + s.name
	}
	m := regexp.MustCompile("`([^`]+)`").FindStringSubmatch(s.usage)
	if m == nil {
		return "--" + s.name + " VALUE"
	}
	return "--" + s.name + " " + strings.ToUpper(m[1])
}

// markdownText escapes what a table cell would take for markup.
func markdownText(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}
