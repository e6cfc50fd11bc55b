package stix

import (
	"strings"
)

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
