// Package pattern parses and checks STIX 2.1 patterns, the language of an
// indicator whose pattern_type is "stix" (STIX 2.1 §9, "STIX Patterning").
//
// Parse turns the text into a tree or returns a *SyntaxError that gives the
// 1-based line and column (in runes) and what was expected:
//
//	line 1 col 18: expected ']'
//
// Check then reports what the grammar cannot: unknown object types and
// properties (warnings), MATCHES regular expressions that do not compile,
// invalid timestamp, hex and binary constants, AND between comparisons of
// different object types, and impossible qualifiers (errors). String renders a tree in canonical syntax that parses back to
// the same tree.
//
// # Grammar
//
// The package follows the normative text of STIX 2.1 §9 and, where the text
// is silent, the formal ANTLR grammar STIXPattern.g4 published with the
// OASIS STIX JSON schemas:
//
//	pattern      = obs { "FOLLOWEDBY" obs }            lowest precedence
//	obs          = obsAnd { "OR" obsAnd }
//	obsAnd       = qualified { "AND" qualified }
//	qualified    = ( "[" cmp "]" | "(" pattern ")" ) { qualifier }
//	qualifier    = "WITHIN" number "SECONDS" | "REPEATS" int "TIMES"
//	             | "START" timestamp "STOP" timestamp
//	cmp          = cmpAnd { "OR" cmpAnd }
//	cmpAnd       = test { "AND" test }
//	test         = "(" cmp ")" | [ "NOT" ] "EXISTS" path
//	             | path [ "NOT" ] ( ("=" | "!=") constant
//	                             | ("<" | "<=" | ">" | ">=") constant-but-bool
//	                             | "IN" "(" [ constant { "," constant } ] ")"
//	                             | ("LIKE" | "MATCHES" | "ISSUBSET" | "ISSUPERSET") string )
//	path         = type ":" key { "." key | "[" int "]" | "[" "*" "]" }
//	key          = name | string
//	constant     = string | int | float | "true" | "false"
//	             | "h'" hex "'" | "b'" base64 "'" | "t'" timestamp "'"
//
// Keywords are case-sensitive and upper case; true and false are lower
// case. Object types are [A-Za-z_][A-Za-z0-9_-]*; property names are the
// same without hyphens, and any other name is quoted ('SHA-256'). Strings
// escape only \' and \\. White space is any Unicode White_Space character;
// /* */ and // comments are skipped as in the formal grammar.
//
// Where the text and the formal grammar differ, the package decides so:
//
//   - Only the comparison symbols of §9.6.1 are accepted: =, !=, <, <=, >,
//     >=. The grammar's "==" and "<>" are syntax errors that name the
//     STIX 2.1 spelling.
//   - START and STOP take t'...' timestamps as §9.5.1 and its examples do.
//     Plain strings, which the grammar has, are accepted with a warning.
//   - WITHIN takes an integer or a float and REPEATS an integer, of any
//     sign; Check reports values that are not positive.
//   - Integers have no leading zeros and fit in 64 bits; a plus sign is
//     accepted as in the grammar, and dropped by String.
//
// # Regular expressions
//
// STIX requires MATCHES to use PCRE. Check compiles each regular expression
// with Go's regexp package (RE2 syntax) in DOTALL mode and reports an error
// when it does not compile. RE2 cannot check these PCRE features, so a
// regular expression that uses them cannot be verified; where RE2 fails on
// an unsupported construct (a Perl group, an escape such as a backreference,
// a possessive or nested repetition) the report is a warning, since PCRE may
// well accept it, and other failures are errors:
//
//   - backreferences: \1, \g{1}, \g{-1}, \k<name>, (?P=name);
//   - lookahead and lookbehind: (?=...), (?!...), (?<=...), (?<!...);
//   - atomic groups (?>...) and possessive quantifiers a*+, a++, a?+, {n,m}+;
//   - recursion and subroutine calls: (?R), (?1), (?&name), (?P>name);
//   - conditionals (?(1)yes|no), callouts (?C), comments (?#...) and verbs
//     such as (*SKIP), (*FAIL), (*UTF);
//   - the escapes \G, \K, \R, \X, \h, \H, \V, \N, \e, \cX, \Z and \o{...},
//     and Unicode properties that RE2 lacks (\p{Xan}, \p{L&});
//   - the option letters x, J, X and n in (?x) and friends (RE2 knows
//     i, m, s and U).
//
// RE2 also accepts some expressions with a different meaning (for example
// $ does not match before a final newline), which no syntax check can see.
//
// # Object model
//
// Check resolves each object path against the 18 cyber-observable object
// types of STIX 2.1 §6 with their predefined extensions (model.go). A path
// may follow a reference property: email-message:from_ref.value continues
// in email-addr, network-traffic:dst_ref.value in any of the types dst_ref
// may point to. Paths behind references whose target type the
// specification leaves open, dictionary keys (hashes, header fields),
// custom types (x-...), custom properties (x_...) and custom extensions
// (extension-definition--... or x-...) are accepted unchecked.
package pattern
