package stix

import (
	"fmt"
	"strings"
	"time"
)

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
		marking, _ := m.(map[string]any)
		selectors, _ := marking["selectors"].([]any)
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
		if marking, ok := m.(map[string]any); ok && marking["marking_ref"] == c.id {
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
