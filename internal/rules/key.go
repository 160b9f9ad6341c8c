package rules

import (
	"strings"
	"unicode"
)

// MatchKey reports whether a key rule covers the property name key: one
// of its keys compared without case and separators (API-Key is apikey),
// or one of its words among the name's words, none of them excluded.
func (r *Rule) MatchKey(key string) bool {
	if r.keys[squash(key)] {
		return true
	}
	if len(r.words) == 0 {
		return false
	}
	hit := false
	for _, w := range words(key) {
		if r.exclude[w] {
			return false
		}
		hit = hit || r.words[w]
	}
	return hit
}

// HasValue reports whether a key rule also constrains the value.
func (r *Rule) HasValue() bool { return r.value != nil }

// MatchValue reports whether v matches a key rule's value pattern (any v
// does when the rule has none).
func (r *Rule) MatchValue(v string) bool { return r.value == nil || r.value.MatchString(v) }

// squash lower-cases a name and drops separators: API-Key → apikey.
func squash(s string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if separator(r) {
			return -1
		}
		return r
	}, s))
}

func separator(r rune) bool { return r == '_' || r == '-' || r == ' ' || r == '.' }

// words splits a name into lower-case words: snake_case, kebab-case and
// camelCase (dbPassword → db, password; APIKey → api, key).
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case separator(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}
