package taxii

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"liaison/stix"
	"liaison/store"
)

// Query parameter names (TAXII 2.1 §3.4).
const (
	paramAddedAfter       = "added_after"
	paramLimit            = "limit"
	paramNext             = "next"
	paramMatchID          = "match[id]"
	paramMatchType        = "match[type]"
	paramMatchVersion     = "match[version]"
	paramMatchSpecVersion = "match[spec_version]"
	maxListItems          = 1000 // values in one comma list
)

// The parameters each endpoint accepts (TAXII 2.1 §5.3-§5.8). Get an Object
// and Delete an Object take match[version] and match[spec_version], as their
// endpoint tables list (the prose names only version).
var (
	paramsList     = []string{paramAddedAfter, paramLimit, paramNext, paramMatchID, paramMatchType, paramMatchVersion, paramMatchSpecVersion}
	paramsObject   = []string{paramAddedAfter, paramLimit, paramNext, paramMatchVersion, paramMatchSpecVersion}
	paramsVersions = []string{paramAddedAfter, paramLimit, paramNext, paramMatchSpecVersion}
	paramsDelete   = []string{paramMatchVersion, paramMatchSpecVersion}
	paramsNone     = []string{}
)

// filter holds the filtering parameters of a request, normalised so that
// two requests asking the same thing compare equal. It is what a cursor
// binds to.
type filter struct {
	AddedAfter   string   `json:"aa,omitempty"` // RFC 3339 with nanoseconds
	IDs          []string `json:"id,omitempty"`
	Types        []string `json:"ty,omitempty"`
	Versions     []string `json:"ve,omitempty"`
	SpecVersions []string `json:"sv,omitempty"`
}

func (f *filter) empty() bool {
	return f.AddedAfter == "" && len(f.IDs) == 0 && len(f.Types) == 0 && len(f.Versions) == 0 && len(f.SpecVersions) == 0
}

func (f *filter) equal(g *filter) bool {
	return f.AddedAfter == g.AddedAfter && slices.Equal(f.IDs, g.IDs) && slices.Equal(f.Types, g.Types) &&
		slices.Equal(f.Versions, g.Versions) && slices.Equal(f.SpecVersions, g.SpecVersions)
}

// params is a parsed query string.
type params struct {
	filter filter
	limit  int // 0: not given
	next   string
}

// parseParams parses a raw query string, accepting only the named
// parameters. Every problem is a 400 *Error naming the parameter: an
// unknown parameter, a repeated one (TAXII 2.1 §3.4: each at most once), an
// empty or malformed value.
func parseParams(rawQuery string, allowed []string) (params, error) {
	var p params
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return p, paramError("query string", "cannot be decoded: %v", err)
	}
	for name, vs := range values {
		if name == "" {
			return p, paramError("query string", "has a value without a parameter name")
		}
		// Percent-decoded text must be UTF-8 (RFC 3986 §2.5): anything
		// else could not be quoted back in a JSON error or a next token.
		if !utf8.ValidString(name) {
			return p, paramError(strings.ToValidUTF8(name, "\uFFFD"), "the name holds bytes that are not UTF-8 once percent-decoded; percent-encode UTF-8 text")
		}
		if i := slices.IndexFunc(vs, func(v string) bool { return !utf8.ValidString(v) }); i >= 0 {
			return p, paramError(name, "the value holds bytes that are not UTF-8 once percent-decoded; percent-encode UTF-8 text")
		}
		if !slices.Contains(allowed, name) {
			if len(allowed) == 0 {
				return p, paramError(name, "this endpoint takes no query parameters")
			}
			return p, paramError(name, "unknown parameter; this endpoint accepts %s", strings.Join(allowed, ", "))
		}
		if len(vs) > 1 {
			return p, paramError(name, "given %d times; give it once, with a comma-separated list where lists are allowed", len(vs))
		}
		v := vs[0]
		if v == "" {
			return p, paramError(name, "is empty")
		}
		switch name {
		case paramAddedAfter:
			t, err := stix.ParseTimestamp(v)
			if err != nil {
				return p, paramError(name, "%q is not a timestamp such as 2024-01-31T12:00:00.000000Z", truncate(v))
			}
			p.filter.AddedAfter = t.Format(time.RFC3339Nano)
		case paramLimit:
			n, err := strconv.ParseUint(v, 10, 64)
			if errors.Is(err, strconv.ErrRange) {
				n, err = 1<<31-1, nil // huge: the API root's maximum applies
			}
			if err != nil || n == 0 {
				return p, paramError(name, "%q is not a positive integer", truncate(v))
			}
			p.limit = int(min(n, 1<<31-1))
		case paramNext:
			p.next = v
		case paramMatchID:
			if p.filter.IDs, err = parseList(name, v, func(s string) bool { return stix.ValidID(s) },
				"is not a STIX identifier (<type>--<UUID>)"); err != nil {
				return p, err
			}
		case paramMatchType:
			if p.filter.Types, err = parseList(name, v, stix.ValidType, "is not a STIX type name"); err != nil {
				return p, err
			}
		case paramMatchSpecVersion:
			if p.filter.SpecVersions, err = parseList(name, v, validSpecVersion, "is not a spec version such as 2.1"); err != nil {
				return p, err
			}
		case paramMatchVersion:
			if p.filter.Versions, err = parseVersions(v); err != nil {
				return p, err
			}
		}
	}
	return p, nil
}

// parseList splits a comma list, checks each item, and returns it sorted
// without duplicates.
func parseList(name, v string, ok func(string) bool, problem string) ([]string, error) {
	items := strings.Split(v, ",")
	if len(items) > maxListItems {
		return nil, paramError(name, "lists %d values; at most %d are allowed", len(items), maxListItems)
	}
	for _, it := range items {
		if it == "" {
			return nil, paramError(name, "has an empty value in its comma-separated list")
		}
		if !ok(it) {
			return nil, paramError(name, "%q %s", truncate(it), problem)
		}
	}
	slices.Sort(items)
	return slices.Compact(items), nil
}

func validSpecVersion(s string) bool {
	major, minor, ok := strings.Cut(s, ".")
	return ok && isDigits(major) && isDigits(minor) && len(s) <= 7
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseVersions parses match[version]: first, last, all or timestamps. Each
// may appear once and all stands alone (TAXII 2.1 §3.4.1). Timestamps are
// normalised so that .000Z and Z compare equal.
func parseVersions(v string) ([]string, error) {
	items := strings.Split(v, ",")
	if len(items) > maxListItems {
		return nil, paramError(paramMatchVersion, "lists %d values; at most %d are allowed", len(items), maxListItems)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		switch it {
		case "":
			return nil, paramError(paramMatchVersion, "has an empty value in its comma-separated list")
		case "first", "last", "all":
		default:
			t, err := stix.ParseTimestamp(it)
			if err != nil {
				return nil, paramError(paramMatchVersion, "%q is neither first, last, all nor a timestamp", truncate(it))
			}
			it = t.Format(time.RFC3339Nano)
		}
		if slices.Contains(out, it) {
			return nil, paramError(paramMatchVersion, "lists %q twice; each value may appear once", it)
		}
		out = append(out, it)
	}
	if len(out) > 1 && slices.Contains(out, "all") {
		return nil, paramError(paramMatchVersion, "all cannot be combined with other values")
	}
	slices.Sort(out)
	return out, nil
}

// versionSelect converts normalised match[version] values for the store.
func versionSelect(vs []string) (store.VersionSelect, error) {
	var sel store.VersionSelect
	for _, v := range vs {
		switch v {
		case "all":
			sel.All = true
		case "first":
			sel.First = true
		case "last":
			sel.Last = true
		default:
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return sel, paramError(paramMatchVersion, "%q is not a timestamp", truncate(v))
			}
			sel.At = append(sel.At, t)
		}
	}
	return sel, nil
}

// storeQuery builds the store query of a filter. The filter comes from
// parseParams or a signed cursor, so errors are not expected; they are
// reported rather than ignored all the same.
func (f *filter) storeQuery() (store.Query, error) {
	vs, err := versionSelect(f.Versions)
	if err != nil {
		return store.Query{}, err
	}
	q := store.Query{IDs: f.IDs, Types: f.Types, Versions: vs, SpecVersions: f.SpecVersions}
	if f.AddedAfter != "" {
		if q.AddedAfter, err = time.Parse(time.RFC3339Nano, f.AddedAfter); err != nil {
			return q, paramError(paramAddedAfter, "%q is not a timestamp", truncate(f.AddedAfter))
		}
	}
	return q, nil
}

// truncate bounds the client's text that a message echoes to 80 bytes,
// cut at a character boundary.
func truncate(s string) string {
	if len(s) <= 80 {
		return s
	}
	n := 80
	for n > 0 && !utf8.RuneStart(s[n]) {
		n-- // not inside a character
	}
	return s[:n] + "..."
}
