package stix

// validType reports whether s is a STIX type name: 3 to 250 characters of
// a-z, 0-9 and '-', starting with a letter, no "--" (STIX 2.1 §3.1). The
// deprecated custom prefix "x-" is allowed, as the rule is the same.
func validType(s string) bool {
	if len(s) < 3 || len(s) > 250 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if i > 0 && s[i-1] == '-' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// ValidType reports whether s is a well-formed STIX object type name.
func ValidType(s string) bool { return validType(s) }

// SplitID splits a STIX identifier "type--uuid" into its type and UUID and
// reports whether both parts are well formed: a valid type name and an RFC
// 4122 UUID in lowercase or uppercase hex (STIX 2.1 §2.9).
func SplitID(id string) (typ, uuid string, ok bool) {
	if len(id) < 36+2+3 {
		return "", "", false
	}
	typ, uuid = id[:len(id)-38], id[len(id)-36:]
	if id[len(id)-38:len(id)-36] != "--" || !validType(typ) || !validUUID(uuid) {
		return "", "", false
	}
	return typ, uuid, true
}

// ValidID reports whether id is a well-formed STIX identifier.
func ValidID(id string) bool {
	_, _, ok := SplitID(id)
	return ok
}

// validUUID checks the 8-4-4-4-12 hex layout, a version of 1 to 8 and the
// RFC 4122 variant (10xx).
func validUUID(u string) bool {
	if len(u) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := u[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
			continue
		}
		if !isHex(c) {
			return false
		}
	}
	if v := u[14]; v < '1' || v > '8' {
		return false
	}
	switch u[19] {
	case '8', '9', 'a', 'b', 'A', 'B':
		return true
	}
	return false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// ValidUUID reports whether s is an RFC 4122 UUID (as TAXII collection and
// status identifiers are).
func ValidUUID(s string) bool { return validUUID(s) }
