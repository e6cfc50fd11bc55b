package stix

import (
	"strings"
)

// ---- references (STIX 2.1 §3.1, §3.3 and refs.go) ---------------------------

// checkRefs checks that every value of a property named *_ref, and every
// element of a *_refs list, at any depth, is a STIX identifier of a type
// the property allows (refRule), and never a bundle (§8.2); a custom
// property that holds something else gets a warning. External
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
		if _, defined := refRule(owner, top, prop); !defined {
			// A custom property: STIX gives it no type, and real feeds
			// carry such values (MITRE ATT&CK's x_mitre_data_source_ref:
			// ""), which the reference library python-stix2 accepts.
			c.warn(c.at(), "%q is not a STIX identifier: <type>--<RFC 4122 UUID> (STIX 2.1 §2.9), which a property named *_ref or *_refs should hold", truncate(s))
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
