package stix

import (
	"fmt"
	"strings"
)

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
		marking, _ := m.(map[string]any)
		if s, ok := marking["lang"].(string); ok && !validLangTag(s) {
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
