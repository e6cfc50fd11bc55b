package pattern

import "strings"

// path resolves an object path against the object model (model.go) and
// warns about what the model does not know. Custom object types ("x-"),
// custom properties ("x_"), custom extensions, dictionary keys and
// everything behind a reference whose target type the spec leaves open are
// accepted unchecked.
func (c *checker) path(op ObjectPath) {
	for _, s := range op.Steps {
		if s.Kind == StepIndex && s.Index < 0 {
			c.warnf(s.Pos, "list index %d never matches: indexes run from 0 to N-1", s.Index)
		}
	}
	if strings.HasPrefix(op.Type, "x-") {
		return
	}
	if c.m == nil {
		c.m = model()
	}
	def := c.m.types[op.Type]
	if def == nil {
		c.warnf(op.TypePos, "unknown object type %q: not a STIX 2.1 cyber-observable object (custom types start with \"x-\")", op.Type)
		return
	}
	var buf [4]*objDef
	objs := append(buf[:0], def) // the objects the next key is looked up in
	var prop *propDef            // the property the previous step selected
	unindexed := false           // prop is a list not yet indexed
	for _, s := range op.Steps {
		if prop != nil {
			if s.Kind != StepKey {
				if !unindexed {
					c.warnf(s.Pos, "property %q is not a list", prop.name)
					return
				}
				unindexed = false
				continue
			}
			if unindexed {
				c.warnf(s.Pos, "property %q is a list: select elements with [n] or [*] before %q", prop.name, s.Key)
				return
			}
			switch prop.kind {
			case propScalar:
				c.warnf(s.Pos, "property %q has no property %q", prop.name, s.Key)
				return
			case propDict:
				return
			case propObject:
				objs = append(objs[:0], prop.obj)
			case propRef:
				if prop.refs == nil {
					return
				}
				objs = objs[:0]
				for _, t := range prop.refs {
					objs = append(objs, c.m.types[t])
				}
			case propExtensions:
				if ext := prop.exts.exts[s.Key]; ext != nil {
					objs, prop = append(objs[:0], ext), nil
					continue
				}
				if !customExtension(s.Key) {
					c.warnf(s.Pos, "unknown extension %q of %s", s.Key, prop.exts.name)
				}
				return
			}
			prop = nil
		}
		if s.Kind != StepKey {
			c.warnf(s.Pos, "%s is not a list", objNames(objs))
			return
		}
		if strings.HasPrefix(s.Key, "x_") {
			return
		}
		for _, o := range objs {
			if prop = o.props[s.Key]; prop != nil {
				break
			}
		}
		if prop == nil {
			c.warnf(s.Pos, "unknown property %q of %s", s.Key, objNames(objs))
			return
		}
		unindexed = prop.list
	}
}

// customExtension reports whether an extensions key names an extension
// that STIX does not predefine: the id of an extension-definition (STIX 2.1
// §7.3) or a deprecated custom "x-" extension.
func customExtension(key string) bool {
	return strings.HasPrefix(key, "extension-definition--") || strings.HasPrefix(key, "x-")
}

func objNames(objs []*objDef) string {
	names := make([]string, len(objs))
	for i, o := range objs {
		names[i] = o.name
	}
	return strings.Join(names, " or ")
}
