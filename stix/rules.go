package stix

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Problem is one finding about an object: Property is the JSON path of the
// property at fault ("" for the object itself); Message names the rule in
// words a sender can act on.
type Problem struct {
	Property string
	Message  string
	// Warning marks a departure from a SHOULD of the specification: it is
	// reported, but does not make the object invalid.
	Warning bool
}

// String returns "property: message", or the message alone when the
// problem is about the object itself.
func (p Problem) String() string {
	if p.Property == "" {
		return p.Message
	}
	return p.Property + ": " + p.Message
}

const (
	// ruleMaxProblems bounds the problems reported for one object, so that a
	// hostile object cannot make the report larger than the object.
	ruleMaxProblems = 64
	// ruleMaxDepth bounds how deep the rules walk nested properties.
	ruleMaxDepth = 32
)

// checkRules checks the rules of STIX 2.1 that a JSON Schema cannot
// express, on one object decoded with json.Decoder.UseNumber
// (map[string]any). It never panics whatever the input: properties of the
// wrong JSON type are the schema's business and are skipped silently. The
// problems are sorted by property. Revoked objects are checked like any
// other: revocation does not make an object invalid (STIX 2.1 §3.6).
func checkRules(obj map[string]any) []Problem {
	c := ruleChecker{obj: obj}
	c.typ, _ = obj["type"].(string)
	c.id, _ = obj["id"].(string)
	// The rules, in order. They are called directly rather than through a
	// table of funcs: an indirect call would make c escape to the heap.
	checkID(&c)             // id prefix and UUID version (§2.9)
	checkTimestamps(&c)     // real dates and times (§2.16)
	checkTimestampOrder(&c) // modified >= created, time windows
	checkRefs(&c)           // identifiers of the allowed types (refs.go)
	checkMarkings(&c)       // selectors, self-marking, TLP 1.0 (§7.2)
	checkLangTags(&c)       // RFC 5646 language tags
	if len(c.problems) > 1 {
		slices.SortStableFunc(c.problems, func(a, b Problem) int {
			return cmp.Or(cmp.Compare(a.Property, b.Property), cmp.Compare(a.Message, b.Message))
		})
	}
	if c.dropped > 0 {
		c.problems = append(c.problems, Problem{Message: fmt.Sprintf("%d more problems not shown", c.dropped)})
	}
	return c.problems
}

// ruleChecker holds the state of one checkRules call.
type ruleChecker struct {
	obj      map[string]any
	typ, id  string // the object's type and id, "" when absent or not strings
	problems []Problem
	dropped  int
	// path is the JSON path of the property being walked, for messages;
	// it is turned into a string only when there is a problem to report.
	path  [ruleMaxDepth]rulePathStep
	depth int
	// local is the deprecated observed-data objects container while its
	// objects are walked: their references are keys of it (STIX 2.1 §2.13).
	local map[string]any
}

// rulePathStep is a property name, or a list index when index >= 0.
type rulePathStep struct {
	key   string
	index int
}

func (c *ruleChecker) report(property, format string, args ...any) {
	c.add(Problem{Property: property, Message: fmt.Sprintf(format, args...)})
}

// warn reports a departure from a SHOULD.
func (c *ruleChecker) warn(property, format string, args ...any) {
	c.add(Problem{Property: property, Message: fmt.Sprintf(format, args...), Warning: true})
}

func (c *ruleChecker) add(p Problem) {
	if len(c.problems) == ruleMaxProblems {
		c.dropped++
		return
	}
	c.problems = append(c.problems, p)
}

// push enters a property (index < 0) or a list element; it reports false,
// and enters nothing, when the walk is already ruleMaxDepth deep.
func (c *ruleChecker) push(key string, index int) bool {
	if c.depth == ruleMaxDepth {
		return false
	}
	c.path[c.depth] = rulePathStep{key, index}
	c.depth++
	return true
}

func (c *ruleChecker) pop() { c.depth-- }

// at returns the current path, e.g. "granular_markings[0].marking_ref".
func (c *ruleChecker) at() string {
	var b strings.Builder
	for i, s := range c.path[:c.depth] {
		switch {
		case s.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		case i > 0:
			b.WriteByte('.')
			fallthrough
		default:
			b.WriteString(truncate(s.key))
		}
	}
	return b.String()
}

// ---- identifier (STIX 2.1 §2.9) --------------------------------------------

// checkID checks that the id is "<type>--<RFC 4122 UUID>" with the object's
// own type as prefix, and the UUID version §2.9 asks for: version 4 for
// SDOs, SROs and meta objects (SHOULD); version 5 or 4 for SCOs (SHOULD),
// and version 4 when none of the SCO's ID Contributing Properties is
// present (MUST).
func checkID(c *ruleChecker) {
	if c.id == "" {
		return // missing or not a string: the schema's business
	}
	prefix, uuid, ok := SplitID(c.id)
	if !ok {
		c.report("id", "%q is not a STIX identifier: <type>--<RFC 4122 UUID> (STIX 2.1 §2.9)", truncate(c.id))
		return
	}
	typ := c.typ
	if typ == "" {
		typ = prefix
	} else if prefix != typ {
		c.report("id", "the prefix %q must be the object's type %q (STIX 2.1 §2.9)", prefix, truncate(typ))
	}
	version := uuid[14]
	if !c.isSCO(typ) {
		if version != '4' {
			c.warn("id", "UUID version %c: SDOs, SROs and meta objects should use a version 4 UUID (STIX 2.1 §2.9)", version)
		}
		return
	}
	switch version {
	case '4':
	case '5':
		props, known := idContributing(typ)
		if !known {
			return
		}
		for rest := props; rest != ""; {
			var name string
			name, rest, _ = strings.Cut(rest, " ")
			if _, ok := c.obj[name]; ok {
				return
			}
		}
		if props == "" {
			c.report("id", "a %s has no ID Contributing Properties, so its id must use a version 4 UUID, not version 5 (STIX 2.1 §2.9, §6.13)", typ)
			return
		}
		c.report("id", "none of the ID Contributing Properties of %s (%s) is present, so the id must use a version 4 UUID, not version 5 (STIX 2.1 §2.9)",
			typ, strings.ReplaceAll(props, " ", ", "))
	default:
		c.warn("id", "UUID version %c: SCOs should use a version 5 (deterministic) or version 4 UUID (STIX 2.1 §2.9)", version)
	}
}

// isSCO reports whether typ is an SCO type, counting a custom type as one
// when the object has no created property (SCOs are not versioned).
func (c *ruleChecker) isSCO(typ string) bool {
	if t := knownType(typ); t != 0 {
		return t&scoTypes != 0
	}
	_, versioned := c.obj["created"]
	return !versioned
}

// ---- timestamps (STIX 2.1 §2.16) -------------------------------------------

// timestampProps returns the timestamp properties of an object type other
// than created and modified, separated by spaces (one entry per property
// table of STIX 2.1 that has a timestamp).
func timestampProps(typ string) string {
	switch typ {
	case "indicator":
		return "valid_from valid_until"
	case "campaign", "intrusion-set", "infrastructure", "malware", "threat-actor", "sighting":
		return "first_seen last_seen"
	case "observed-data":
		return "first_observed last_observed"
	case "report":
		return "published"
	case "relationship":
		return "start_time stop_time"
	case "malware-analysis":
		return "submitted analysis_started analysis_ended"
	case "language-content":
		return "object_modified"
	case "directory", "file":
		return "ctime mtime atime"
	case "email-message":
		return "date"
	case "network-traffic":
		return "start end"
	case "process":
		return "created_time"
	case "user-account":
		return "account_created account_expires credential_last_changed account_first_login account_last_login"
	case "windows-registry-key":
		return "modified_time"
	case "x509-certificate":
		return "validity_not_before validity_not_after"
	}
	return ""
}

// checkTimestamps checks that every timestamp property STIX defines on the
// object, its predefined extensions and the objects of a deprecated
// observed-data container, is a valid timestamp of a date and time that
// exist (no 2023-02-30).
func checkTimestamps(c *ruleChecker) {
	c.checkTimestampsOf(c.obj, c.typ)
	if c.typ == "observed-data" {
		c.eachContained(c.checkTimestampsOf)
	}
}

func (c *ruleChecker) checkTimestampsOf(o map[string]any, typ string) {
	c.checkTimestampList(o, "created modified")
	c.checkTimestampList(o, timestampProps(typ))
	switch typ {
	case "file":
		if ext, ok := nestedObject(o, "extensions", "windows-pebinary-ext"); ok && c.push("extensions", -1) {
			if c.push("windows-pebinary-ext", -1) {
				c.checkTimestampList(ext, "time_date_stamp") // §6.7.6
				c.pop()
			}
			c.pop()
		}
	case "x509-certificate":
		if ext, ok := o["x509_v3_extensions"].(map[string]any); ok && c.push("x509_v3_extensions", -1) {
			c.checkTimestampList(ext, "private_key_usage_period_not_before private_key_usage_period_not_after") // §6.18.2
			c.pop()
		}
	}
}

// checkTimestampList checks the properties of o named in names (separated
// by spaces) that are strings.
func (c *ruleChecker) checkTimestampList(o map[string]any, names string) {
	for names != "" {
		var name string
		name, names, _ = strings.Cut(names, " ")
		s, ok := o[name].(string)
		if !ok {
			continue
		}
		if _, err := parseSTIXTime(s); err != nil {
			if c.push(name, -1) {
				c.report(c.at(), "%s (STIX 2.1 §2.16)", timestampError(s, err))
				c.pop()
			}
		}
	}
}

// timestampError words a ParseTimestamp error for a sender.
func timestampError(s string, err error) string {
	_, detail, _ := strings.Cut(err.Error(), ErrBadTimestamp.Error())
	return fmt.Sprintf("%q is %s%s", truncate(s), ErrBadTimestamp, detail)
}

// parseSTIXTime parses a STIX timestamp with ParseTimestamp. STIX allows any
// number of fractional digits (§2.16) where ParseTimestamp keeps nine, the
// precision of time.Time, so the excess digits are dropped first.
func parseSTIXTime(s string) (time.Time, error) {
	t, err := ParseTimestamp(s)
	if err == nil || len(s) < 30 || s[19] != '.' {
		return t, err
	}
	i := 20
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i <= 29 {
		return t, err
	}
	return ParseTimestamp(s[:29] + s[i:])
}

// timeOrder returns the pair of timestamp properties of typ whose order
// STIX 2.1 fixes, besides created and modified: second must be later than
// first, or equal to it unless strict.
func timeOrder(typ string) (first, second string, strict bool, section string) {
	switch typ {
	case "indicator":
		return "valid_from", "valid_until", true, "§4.7"
	case "campaign":
		return "first_seen", "last_seen", false, "§4.2"
	case "infrastructure":
		return "first_seen", "last_seen", false, "§4.8"
	case "intrusion-set":
		return "first_seen", "last_seen", false, "§4.9"
	case "malware":
		return "first_seen", "last_seen", false, "§4.11"
	case "threat-actor":
		return "first_seen", "last_seen", false, "§4.17"
	case "sighting":
		return "first_seen", "last_seen", false, "§5.2"
	case "observed-data":
		return "first_observed", "last_observed", false, "§4.14"
	case "relationship":
		return "start_time", "stop_time", true, "§5.1"
	case "network-traffic":
		return "start", "end", false, "§6.12"
	}
	return "", "", false, ""
}

// checkTimestampOrder checks modified >= created (§3.2) and the order of
// the time windows of the object (and of the objects of a deprecated
// observed-data container). Timestamps that do not parse are left to
// checkTimestamps.
func checkTimestampOrder(c *ruleChecker) {
	c.checkOrder(c.obj, "created", "modified", false, "§3.2")
	c.checkOrderOf(c.obj, c.typ)
	if c.typ == "observed-data" {
		c.eachContained(c.checkOrderOf)
	}
}

// checkOrderOf checks the time window of an object of type typ.
func (c *ruleChecker) checkOrderOf(o map[string]any, typ string) {
	first, second, strict, section := timeOrder(typ)
	c.checkOrder(o, first, second, strict, section)
}

func (c *ruleChecker) checkOrder(o map[string]any, first, second string, strict bool, section string) {
	if first == "" {
		return
	}
	t1, ok1 := timestampInstant(o, first)
	t2, ok2 := timestampInstant(o, second)
	if !ok1 || !ok2 {
		return
	}
	switch {
	case strict && !t2.After(t1):
		if c.push(second, -1) {
			c.report(c.at(), "must be later than %s, %s (STIX 2.1 %s)", first, o[first], section)
			c.pop()
		}
	case t2.Before(t1):
		if c.push(second, -1) {
			c.report(c.at(), "must be later than or equal to %s, %s (STIX 2.1 %s)", first, o[first], section)
			c.pop()
		}
	}
}

// timestampInstant returns the instant of the timestamp property name of o,
// and false when it is absent or not a valid timestamp.
func timestampInstant(o map[string]any, name string) (time.Time, bool) {
	s, ok := o[name].(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := parseSTIXTime(s)
	return t, err == nil
}

// eachContained calls f with each object of the deprecated objects
// container of an observed-data (STIX 2.1 §2.13), and its type, with the
// path set to the object.
func (c *ruleChecker) eachContained(f func(o map[string]any, typ string)) {
	container, ok := c.obj["objects"].(map[string]any)
	if !ok || !c.push("objects", -1) {
		return
	}
	for key, v := range container {
		if o, ok := v.(map[string]any); ok && c.push(key, -1) {
			typ, _ := o["type"].(string)
			f(o, typ)
			c.pop()
		}
	}
	c.pop()
}

// nestedObject returns o[k1][k2] when both levels are JSON objects.
func nestedObject(o map[string]any, k1, k2 string) (map[string]any, bool) {
	m, ok := o[k1].(map[string]any)
	if !ok {
		return nil, false
	}
	m, ok = m[k2].(map[string]any)
	return m, ok
}

// ---- references (STIX 2.1 §3.1, §3.3 and refs.go) ---------------------------

// checkRefs checks that every value of a property named *_ref, and every
// element of a *_refs list, at any depth, is a STIX identifier of a type
// the property allows (refRule), and never a bundle (§8.2). External
// references are not STIX references, and the keys of free-form
// dictionaries are not property names, so neither is walked. An
// observed-data object_refs must hold at least one SCO (§4.14).
func checkRefs(c *ruleChecker) {
	c.walkRefs(c.obj, c.typ, true)
	if c.typ == "observed-data" {
		c.checkObservedSCO()
	}
}

// walkRefs checks the references of m, the properties of owner (an object
// type when top, else an extension or embedded type, or "").
func (c *ruleChecker) walkRefs(m map[string]any, owner string, top bool) {
	for k, v := range m {
		if !c.push(k, -1) {
			return
		}
		switch {
		case strings.HasSuffix(k, "_ref"):
			if s, ok := v.(string); ok {
				c.checkRef(owner, top, k, s)
			}
		case strings.HasSuffix(k, "_refs"):
			if list, ok := v.([]any); ok {
				for i, e := range list {
					if s, ok := e.(string); ok && c.push("", i) {
						c.checkRef(owner, top, k, s)
						c.pop()
					}
				}
			}
		case refFreeForm(k, owner):
		case top && k == "extensions":
			if exts, ok := v.(map[string]any); ok {
				for name, e := range exts {
					if ext, ok := e.(map[string]any); ok && c.push(name, -1) {
						c.walkRefs(ext, name, false)
						c.pop()
					}
				}
			}
		case top && k == "granular_markings":
			c.walkList(v, ownerGranularMarking)
		case top && k == "body_multipart" && owner == "email-message":
			c.walkList(v, ownerMIMEPart)
		case top && k == "objects" && owner == "observed-data" && c.local == nil:
			if container, ok := v.(map[string]any); ok {
				c.local = container
				for key, e := range container {
					if o, ok := e.(map[string]any); ok && c.push(key, -1) {
						typ, _ := o["type"].(string)
						c.walkRefs(o, typ, true)
						c.pop()
					}
				}
				c.local = nil
			}
		default:
			c.walkValue(v)
		}
		c.pop()
	}
}

// walkList walks the JSON objects of a list as instances of owner.
func (c *ruleChecker) walkList(v any, owner string) {
	list, _ := v.([]any)
	for i, e := range list {
		if o, ok := e.(map[string]any); ok && c.push("", i) {
			c.walkRefs(o, owner, false)
			c.pop()
		}
	}
}

// walkValue walks a nested value that STIX gives no reference rules for.
func (c *ruleChecker) walkValue(v any) {
	switch v := v.(type) {
	case map[string]any:
		c.walkRefs(v, "", false)
	case []any:
		for i, e := range v {
			switch e.(type) {
			case map[string]any, []any:
				if c.push("", i) {
					c.walkValue(e)
					c.pop()
				}
			}
		}
	}
}

// refFreeForm reports whether property k holds something whose keys are not
// STIX property names: external references (§2.5), hashes (§2.7) and the
// dictionaries of free-form keys of §6 and §7.1.
func refFreeForm(k, owner string) bool {
	switch k {
	case "external_references", "hashes",
		"additional_header_fields", // email-message
		"environment_variables",    // process
		"ipfix",                    // network-traffic
		"request_header",           // http-request-ext
		"options",                  // socket-ext
		"startup_info",             // windows-process-ext
		"document_info_dict",       // pdf-ext
		"exif_tags":                // raster-image-ext
		return true
	case "contents":
		return owner == "language-content"
	}
	return false
}

// checkRef checks one reference s held by property prop of owner; the
// path is at the reference.
func (c *ruleChecker) checkRef(owner string, top bool, prop, s string) {
	if c.local != nil {
		if o, ok := c.local[s].(map[string]any); ok {
			typ, _ := o["type"].(string)
			c.checkTarget(owner, top, prop, typ, s)
			return
		}
	}
	typ, _, ok := SplitID(s)
	if !ok {
		if c.local != nil {
			c.report(c.at(), "%q is neither a key of the observed-data objects container nor a STIX identifier (STIX 2.1 §2.13)", truncate(s))
			return
		}
		c.report(c.at(), "%q is not a STIX identifier: <type>--<RFC 4122 UUID> (STIX 2.1 §2.9)", truncate(s))
		return
	}
	c.checkTarget(owner, top, prop, typ, s)
}

func (c *ruleChecker) checkTarget(owner string, top bool, prop, typ, s string) {
	if typ == "bundle" {
		c.report(c.at(), "must not reference a bundle: a bundle is not a STIX Object (STIX 2.1 §8.2)")
		return
	}
	target, ok := refRule(owner, top, prop)
	if !ok || typ == "" {
		return
	}
	t := knownType(typ)
	if t&target.types != 0 || t == 0 && target.custom {
		return
	}
	c.report(c.at(), "must reference %s, but %q is of type %q", target.what, truncate(s), truncate(typ))
}

// checkObservedSCO checks that a non-empty object_refs of an observed-data
// holds at least one SCO, counting custom types as possible SCOs.
func (c *ruleChecker) checkObservedSCO() {
	list, _ := c.obj["object_refs"].([]any)
	identifiers := 0
	for _, e := range list {
		s, _ := e.(string)
		typ, _, ok := SplitID(s)
		if !ok {
			continue
		}
		identifiers++
		if t := knownType(typ); t == 0 || t&scoTypes != 0 {
			return
		}
	}
	if identifiers > 0 {
		c.report("object_refs", "must contain at least one SCO reference (STIX 2.1 §4.14)")
	}
}

// ---- markings (STIX 2.1 §7.2) -----------------------------------------------

// checkMarkings checks the selectors of granular markings (§7.2.3), that a
// marking definition does not mark itself (§3.2), and the fixed TLP 1.0
// marking definitions (§7.2.1.4).
func checkMarkings(c *ruleChecker) {
	c.checkSelectors()
	if c.typ == "marking-definition" {
		c.checkSelfMarking()
		c.checkTLP()
	}
}

// checkSelectors checks that each selector of each granular marking
// selects content present in the object: "Selectors MUST refer to
// properties or list items that are actually present on the marked object."
func (c *ruleChecker) checkSelectors() {
	markings, _ := c.obj["granular_markings"].([]any)
	for i, m := range markings {
		gm, _ := m.(map[string]any)
		selectors, _ := gm["selectors"].([]any)
		for j, s := range selectors {
			if sel, ok := s.(string); ok && !selectorSelects(c.obj, sel) {
				c.report(fmt.Sprintf("granular_markings[%d].selectors[%d]", i, j),
					"%q does not select anything present in this object (STIX 2.1 §7.2.3)", truncate(sel))
			}
		}
	}
}

// selectorSelects reports whether selector (components separated by '.', each a
// property name or dictionary key, or a list index in brackets) selects
// content of obj.
func selectorSelects(obj map[string]any, selector string) bool {
	var cur any = obj
	for {
		comp, rest, more := strings.Cut(selector, ".")
		if comp == "" {
			return false
		}
		if comp[0] == '[' {
			list, ok := cur.([]any)
			n, isIndex := selectorIndex(comp)
			if !ok || !isIndex || n >= len(list) {
				return false
			}
			cur = list[n]
		} else {
			m, ok := cur.(map[string]any)
			if !ok {
				return false
			}
			if cur, ok = m[comp]; !ok {
				return false
			}
		}
		if !more {
			return true
		}
		selector = rest
	}
}

// selectorIndex parses a selector component "[N]", N a non-negative integer.
func selectorIndex(comp string) (int, bool) {
	if len(comp) < 3 || comp[len(comp)-1] != ']' {
		return 0, false
	}
	n := 0
	for _, ch := range []byte(comp[1 : len(comp)-1]) {
		if ch < '0' || ch > '9' || n > 1<<40 {
			return 0, false
		}
		n = n*10 + int(ch-'0')
	}
	return n, true
}

// checkSelfMarking checks that a marking definition is not marked by
// itself: its markings "MUST NOT contain any references to the same Marking
// Definition object" (§3.2).
func (c *ruleChecker) checkSelfMarking() {
	if c.id == "" {
		return
	}
	refs, _ := c.obj["object_marking_refs"].([]any)
	for i, r := range refs {
		if r == c.id {
			c.report(fmt.Sprintf("object_marking_refs[%d]", i), "a marking definition must not be marked by itself (STIX 2.1 §3.2)")
		}
	}
	markings, _ := c.obj["granular_markings"].([]any)
	for i, m := range markings {
		if gm, ok := m.(map[string]any); ok && gm["marking_ref"] == c.id {
			c.report(fmt.Sprintf("granular_markings[%d].marking_ref", i), "a marking definition must not be marked by itself (STIX 2.1 §3.2)")
		}
	}
}

// tlp1Created is the created timestamp of the TLP 1.0 marking definitions.
const tlp1Created = "2017-01-20T00:00:00.000Z"

// tlpLevel returns the TLP level of the fixed TLP 1.0 marking definition
// with the given id (§7.2.1.4), or "".
func tlpLevel(id string) string {
	switch strings.ToLower(id) {
	case "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9":
		return "white"
	case "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da":
		return "green"
	case "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82":
		return "amber"
	case "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed":
		return "red"
	}
	return ""
}

// checkTLP checks a marking definition against the TLP 1.0 rules of
// §7.2.1.4: the four fixed marking definitions "MUST be used to reference
// or represent TLP markings. Other instances of tlp-marking MUST NOT be
// used or created". An object with one of their ids must therefore be the
// fixed object, and definition_type tlp is for those four only.
func (c *ruleChecker) checkTLP() {
	level := tlpLevel(c.id)
	if level == "" {
		if c.obj["definition_type"] == "tlp" {
			c.report("definition_type", "tlp is reserved for the four fixed TLP 1.0 marking definitions of STIX 2.1 §7.2.1.4, and this id is not one of them; reference those instead")
		}
		return
	}
	name := "TLP:" + strings.ToUpper(level)
	marking := "the TLP 1.0 marking definition " + name
	fixed := marking + " is fixed by STIX 2.1 §7.2.1.4"
	for k, v := range c.obj {
		switch k {
		case "type", "id", "spec_version":
		case "created":
			s, _ := v.(string)
			if t, err := parseSTIXTime(s); err == nil && !t.Equal(time.Date(2017, 1, 20, 0, 0, 0, 0, time.UTC)) {
				c.report(k, "must be %s: %s", tlp1Created, fixed)
			}
		case "definition_type":
			if v != "tlp" {
				c.report(k, "must be \"tlp\": %s", fixed)
			}
		case "name":
			if v != name {
				c.report(k, "must be %q: %s", name, fixed)
			}
		case "definition":
			d, _ := v.(map[string]any)
			if len(d) != 1 || d["tlp"] != level {
				c.report(k, "must be {\"tlp\": %q}: %s", level, fixed)
			}
		default:
			c.report(k, "is not part of %s, which STIX 2.1 §7.2.1.4 fixes", marking)
		}
	}
	for _, k := range [...]string{"definition_type", "definition"} {
		if _, ok := c.obj[k]; !ok {
			c.report(k, "is missing: %s", fixed)
		}
	}
	// STIX 2.0 defined the same objects without a name.
	if _, ok := c.obj["name"]; !ok && c.obj["spec_version"] == SpecVersion21 {
		c.report("name", "is missing: %s", fixed)
	}
}

// ---- language tags (RFC 5646) ------------------------------------------------

// checkLangTags checks that language codes are RFC 5646 language tags: the
// lang common property (§3.2), the lang of granular markings (§7.2.3.1),
// the keys of language-content contents (§7.1) and the languages of
// software (§6.14).
func checkLangTags(c *ruleChecker) {
	if s, ok := c.obj["lang"].(string); ok && !validLangTag(s) {
		c.report("lang", "%q is not an RFC 5646 language tag such as \"en\" or \"pt-BR\" (STIX 2.1 §3.2)", truncate(s))
	}
	markings, _ := c.obj["granular_markings"].([]any)
	for i, m := range markings {
		gm, _ := m.(map[string]any)
		if s, ok := gm["lang"].(string); ok && !validLangTag(s) {
			c.report(fmt.Sprintf("granular_markings[%d].lang", i), "%q is not an RFC 5646 language tag (STIX 2.1 §7.2.3)", truncate(s))
		}
	}
	switch c.typ {
	case "language-content":
		contents, _ := c.obj["contents"].(map[string]any)
		for k := range contents {
			if !validLangTag(k) {
				c.report("contents."+truncate(k), "the key %q is not an RFC 5646 language tag (STIX 2.1 §7.1)", truncate(k))
			}
		}
	case "software":
		languages, _ := c.obj["languages"].([]any)
		for i, l := range languages {
			if s, ok := l.(string); ok && !validLangTag(s) {
				c.report(fmt.Sprintf("languages[%d]", i), "%q is not an RFC 5646 language tag (STIX 2.1 §6.14)", truncate(s))
			}
		}
	}
}

// validLangTag reports whether s has the syntax of an RFC 5646 language
// tag (§2.1): langtag, privateuse or grandfathered, case-insensitively. It
// checks the shape of each subtag, not the IANA registry.
func validLangTag(s string) bool {
	if irregularLangTag(s) {
		return true
	}
	// The position reached in langtag = language ["-" script] ["-" region]
	// *("-" variant) *("-" extension) ["-" privateuse].
	const (
		atLanguage = iota // nothing yet
		atExtlang         // after a 2-3 letter language or an extlang
		atLangOnly        // after a 4-8 letter language
		atScript
		atRegion
		atVariant
		atExtension // after a singleton
		atExtValue  // after an extension subtag
	)
	state, extlangs := atLanguage, 0
	for rest := s; ; {
		sub, more, found := strings.Cut(rest, "-")
		n := len(sub)
		if n == 0 || n > 8 || !langAlnum(sub) {
			return false
		}
		switch {
		case state == atLanguage:
			switch {
			case (sub == "x" || sub == "X") && found:
				return langPrivateUse(more)
			case !langAlpha(sub) || n == 1:
				return false
			case n <= 3:
				state = atExtlang
			default:
				state = atLangOnly
			}
		case state == atExtension:
			if n < 2 {
				return false
			}
			state = atExtValue
		case n == 1:
			if sub == "x" || sub == "X" {
				return found && langPrivateUse(more)
			}
			if !found {
				return false // a singleton needs a subtag after it
			}
			state = atExtension
		case state == atExtValue:
			// Another subtag of the same extension.
		case state == atExtlang && n == 3 && langAlpha(sub) && extlangs < 3:
			extlangs++
		case state <= atLangOnly && n == 4 && langAlpha(sub):
			state = atScript
		case state <= atScript && (n == 2 && langAlpha(sub) || n == 3 && langDigits(sub)):
			state = atRegion
		case state <= atVariant && (n >= 5 || n == 4 && sub[0] >= '0' && sub[0] <= '9'):
			state = atVariant
		default:
			return false
		}
		if !found {
			return state != atExtension
		}
		rest = more
	}
}

// langPrivateUse checks the subtags after "x-": one or more of 1 to 8
// alphanumerics.
func langPrivateUse(s string) bool {
	for {
		sub, more, found := strings.Cut(s, "-")
		if len(sub) == 0 || len(sub) > 8 || !langAlnum(sub) {
			return false
		}
		if !found {
			return true
		}
		s = more
	}
}

// irregularLangTag reports whether s is one of the irregular grandfathered
// tags of RFC 5646 §2.2.8, which do not follow the langtag syntax. (The
// regular ones, such as "zh-min-nan", do.)
func irregularLangTag(s string) bool {
	switch strings.ToLower(s) {
	case "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux",
		"i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de":
		return true
	}
	return false
}

func langAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func langDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func langAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9') && !langAlpha(s[i:i+1]) {
			return false
		}
	}
	return true
}
