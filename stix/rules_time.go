package stix

import (
	"fmt"
	"strings"
	"time"
)

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
