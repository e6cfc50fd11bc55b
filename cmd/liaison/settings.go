package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// setting is one setting of liaison serve, defined here once. Its flag is
// --NAME, its environment variable LIAISON_NAME (upper case, '_' for '-')
// and its key in the configuration file NAME with '_' for '-'; its type
// and default are those of its Config field. The flags, the environment,
// the file, `liaison config check` and docs/configuration.md (TestConfigDoc)
// are all made from settingTable.
type setting struct {
	name string
	// usage is one line; a word in backquotes names the flag's value in
	// the help: "database `file`".
	usage string
	// field returns a pointer to the setting's field of c: *string, *bool,
	// *int or *time.Duration.
	field func(c *Config) any
	// list: a comma-separated list, which the file may also give as an
	// array of strings.
	list bool
	// secret: masked wherever the configuration is printed.
	secret bool
	// redact, when set, masks the secret parts of a value (a password in
	// a URL) wherever the configuration is printed.
	redact func(string) string
	// noFile: not a key of the configuration file (the file's own name).
	noFile bool
}

// settingTable returns every setting of liaison serve, in the order of the
// reference.
func settingTable() []setting {
	return []setting{
		{name: "config", noFile: true, field: func(c *Config) any { return &c.File },
			usage: "configuration `file` (TOML) to read settings from; its keys are the flag names with _ for -"},
		{name: "db", field: func(c *Config) any { return &c.DBPath }, redact: redactDB,
			usage: "database `file`, created when absent; or a postgres:// URL, shared by every replica (docs/postgres.md)"},
		{name: "listen", field: func(c *Config) any { return &c.Listen },
			usage: "`address` to listen on (host:port)"},
		{name: "public-url", field: func(c *Config) any { return &c.PublicURL },
			usage: "base `URL` clients use to reach the server, for discovery's api_roots (default: http://<listen address>, or the request's Host when listening on all addresses)"},
		{name: "demo", field: func(c *Config) any { return &c.Demo },
			usage: "on an empty database, create the 'cooperation' API root with demo collections"},
		{name: "log-level", field: func(c *Config) any { return &c.LogLevel },
			usage: "log `level`: debug, info, warn or error"},
		{name: "log-format", field: func(c *Config) any { return &c.LogFormat },
			usage: "log `format`: text or json"},
		{name: "tls-cert", field: func(c *Config) any { return &c.TLSCert },
			usage: "TLS certificate `file` (PEM); serve HTTPS (reloaded on SIGHUP)"},
		{name: "tls-key", field: func(c *Config) any { return &c.TLSKey },
			usage: "TLS private key `file` (PEM)"},
		{name: "insecure-http", field: func(c *Config) any { return &c.InsecureHTTP },
			usage: "allow plain HTTP on a non-loopback address (behind a TLS-terminating proxy only)"},
		{name: "trusted-proxy", list: true, field: func(c *Config) any { return &c.TrustedProxies },
			usage: "comma-separated `addresses` or CIDR blocks of reverse proxies whose X-Forwarded-For names the client (for rate limiting)"},
		{name: "check-db", field: func(c *Config) any { return &c.CheckDB },
			usage: "check every page of the database file at start-up, not only its shape (takes time in proportion to its size)"},
		{name: "metrics-listen", field: func(c *Config) any { return &c.MetricsListen },
			usage: "serve /metrics (and --pprof) on this `address` of their own, without credentials; otherwise /metrics is on the main address, open on loopback and to admins' API keys elsewhere"},
		{name: "pprof", field: func(c *Config) any { return &c.Pprof },
			usage: "serve Go's profiler under /debug/pprof/ on the --metrics-listen address"},
		{name: "activity-flush", field: func(c *Config) any { return &c.ActivityFlush },
			usage: "how often consumer activity gathered in memory is written to the database (a `duration`)"},
		{name: "audit-retention", field: func(c *Config) any { return &c.AuditRetention },
			usage: "how long audit entries are kept (a `duration`: 365d, 8760h)"},
		{name: "drain-timeout", field: func(c *Config) any { return &c.DrainTimeout },
			usage: "on shutdown, the `duration` requests in flight may take to finish before they are cut"},
		{name: "read-header-timeout", field: func(c *Config) any { return &c.ReadHeaderTimeout },
			usage: "the `duration` a client may take to send a request's headers; bounds connections held open by slow clients"},
		{name: "read-timeout", field: func(c *Config) any { return &c.ReadTimeout },
			usage: "the `duration` a client may take to send a whole request, body included"},
		{name: "write-timeout", field: func(c *Config) any { return &c.WriteTimeout },
			usage: "the `duration` the server may take to answer a request, from the end of its headers; a slower answer is cut"},
		{name: "idle-timeout", field: func(c *Config) any { return &c.IdleTimeout },
			usage: "the `duration` a keep-alive connection may wait for the client's next request"},
		{name: "max-header-bytes", field: func(c *Config) any { return &c.MaxHeaderBytes },
			usage: "largest request line and headers, in `bytes`; a larger request gets 431"},
		{name: "max-concurrent-requests", field: func(c *Config) any { return &c.MaxConcurrentRequests },
			usage: "the `number` of requests served at once (0 for no bound); more wait up to --queue-timeout, then get 503; health checks are not counted"},
		{name: "queue-timeout", field: func(c *Config) any { return &c.QueueTimeout },
			usage: "the `duration` a request waits for one of --max-concurrent-requests to finish before it gets 503 (0 refuses at once)"},
		{name: "max-post-bytes", field: func(c *Config) any { return &c.MaxPostBytes },
			usage: "the `bytes` of POST bodies processed at once, all requests together (each costs a few times its size in memory); a POST that does not fit waits up to --post-wait, then gets 503"},
		{name: "post-wait", field: func(c *Config) any { return &c.PostWait },
			usage: "the `duration` a POST waits for room under --max-post-bytes before it gets 503 (0 refuses at once)"},
		{name: "object-max-depth", field: func(c *Config) any { return &c.ObjectMaxDepth },
			usage: "how deeply lists and objects may nest in a posted or imported object (`levels`, the object itself being 1); deeper ones are refused before they are decoded"},
		{name: "object-max-elements", field: func(c *Config) any { return &c.ObjectMaxElements },
			usage: "the `number` of elements of one list, or members of one JSON object, in a posted or imported object"},
		{name: "object-max-string-bytes", field: func(c *Config) any { return &c.ObjectMaxStringBytes },
			usage: "the longest string or property name in a posted or imported object, decoded, in `bytes`"},
		{name: "object-max-values", field: func(c *Config) any { return &c.ObjectMaxValues },
			usage: "the `number` of JSON values, at every depth, in one posted or imported object (what decoding it costs)"},
		{name: "values-at-once", field: func(c *Config) any { return &c.ValuesAtOnce },
			usage: "the `number` of JSON values all checks decode at once; an object waits for room"},
	}
}

// lookupSetting returns the setting named name.
func lookupSetting(name string) (setting, bool) {
	for _, s := range settingTable() {
		if s.name == name {
			return s, true
		}
	}
	return setting{}, false
}

// envVar is the setting's environment variable.
func (s setting) envVar() string {
	return "LIAISON_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
}

// key is the setting's key in the configuration file.
func (s setting) key() string { return strings.ReplaceAll(s.name, "-", "_") }

// typeName names the setting's type, as the reference shows it.
func (s setting) typeName() string {
	switch s.field(&Config{}).(type) {
	case *bool:
		return "boolean"
	case *int:
		return "integer"
	case *time.Duration:
		return "duration"
	}
	if s.list {
		return "list"
	}
	return "string"
}

// parseText sets the field ptr points to from text, a flag's or an
// environment variable's value. The error says why text is not a value.
func parseText(ptr any, text string) error {
	switch p := ptr.(type) {
	case *string:
		*p = text
	case *bool:
		v, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("%q is not a boolean: use true or false", text)
		}
		*p = v
	case *int:
		v, err := strconv.Atoi(text)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", text)
		}
		*p = v
	case *time.Duration:
		v, err := parseDuration(text)
		if err != nil {
			return err
		}
		*p = v
	default:
		panic(fmt.Sprintf("setting of type %T", ptr))
	}
	return nil
}

// parseDuration reads a duration, which may count days as admins write
// retentions: 30s, 1h30m, 365d.
func parseDuration(text string) (time.Duration, error) {
	var d durationFlag
	if err := d.Set(text); err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 30s, 1h30m or 7d", text)
	}
	return time.Duration(d), nil
}

// parseTOML sets the field ptr points to from v, a value of the
// configuration file as go-toml decodes it. The error says why v is not a
// value of the setting.
func parseTOML(ptr any, list bool, v any) error {
	switch p := ptr.(type) {
	case *string:
		switch v := v.(type) {
		case string:
			*p = v
			return nil
		case []any:
			if !list {
				break
			}
			items := make([]string, len(v))
			for i, item := range v {
				s, ok := item.(string)
				if !ok {
					return fmt.Errorf("item %d is %s, not a string", i+1, tomlTypeOf(item))
				}
				items[i] = s
			}
			*p = strings.Join(items, ",")
			return nil
		}
		if list {
			return fmt.Errorf("is %s, not a string or an array of strings", tomlTypeOf(v))
		}
		return fmt.Errorf("is %s, not a string", tomlTypeOf(v))
	case *bool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("is %s, not true or false", tomlTypeOf(v))
		}
		*p = b
	case *int:
		n, ok := v.(int64)
		if !ok || int64(int(n)) != n {
			return fmt.Errorf("is %s, not a whole number", tomlTypeOf(v))
		}
		*p = int(n)
	case *time.Duration:
		s, ok := v.(string)
		if !ok {
			// A bare number would leave the unit to guess.
			return fmt.Errorf("is %s, not a duration string such as \"30s\"", tomlTypeOf(v))
		}
		d, err := parseDuration(s)
		if err != nil {
			return err
		}
		*p = d
	default:
		panic(fmt.Sprintf("setting of type %T", ptr))
	}
	return nil
}

// tomlTypeOf names the TOML type of a decoded value, with its value when
// short: `the integer 30`.
func tomlTypeOf(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("the boolean %t", v)
	case int64:
		return fmt.Sprintf("the integer %d", v)
	case float64:
		return fmt.Sprintf("the float %g", v)
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return "a date or time"
}

// formatValue writes the field ptr points to as a flag shows it.
func formatValue(ptr any) string {
	switch p := ptr.(type) {
	case *string:
		return *p
	case *bool:
		return strconv.FormatBool(*p)
	case *int:
		return strconv.Itoa(*p)
	case *time.Duration:
		return formatDuration(*p)
	}
	return ""
}

// formatDuration writes d without zero trailing units: 2m, not 2m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// tomlValue writes the field ptr points to as a TOML value.
func tomlValue(ptr any) string {
	switch p := ptr.(type) {
	case *string:
		return tomlString(*p)
	case *time.Duration:
		return tomlString(formatDuration(*p))
	}
	return formatValue(ptr)
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// settingValue is the flag.Value of a setting: the flag parses its value
// as the environment variable does, with the same messages.
type settingValue struct{ ptr any }

func (v settingValue) String() string {
	if v.ptr == nil { // the flag package's zero value, to find defaults
		return ""
	}
	return formatValue(v.ptr)
}

func (v settingValue) Set(text string) error { return parseText(v.ptr, text) }

// IsBoolFlag lets a boolean setting's flag stand alone: --demo.
func (v settingValue) IsBoolFlag() bool {
	_, ok := v.ptr.(*bool)
	return ok
}
