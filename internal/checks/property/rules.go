package property

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/plumbsec/plumb/internal/finding"
)

// keysJSON is the data-driven list of sensitive response properties; every
// rule carries positive and negative samples that rules_test.go executes.
//
//go:embed keys.json
var keysJSON []byte

// Rule says which JSON keys are sensitive and how much.
type Rule struct {
	Name           string   `json:"name"`
	Kind           string   `json:"kind"` // credential, privilege, internal-id
	Severity       string   `json:"severity"`
	SelfSeverity   string   `json:"self_severity,omitempty"` // on the caller's own record, if lower
	Keys           []string `json:"keys,omitempty"`          // whole keys, compared without case and separators
	Words          []string `json:"words,omitempty"`         // any word of the key (snake, camel, kebab)
	Exclude        []string `json:"exclude,omitempty"`       // words that make a key benign
	Value          string   `json:"value,omitempty"`         // the value must match this regexp
	CollectionOnly bool     `json:"collection_only,omitempty"`
	Positive       []string `json:"positive"`
	Negative       []string `json:"negative"`
	ValuePositive  []string `json:"value_positive,omitempty"`
	ValueNegative  []string `json:"value_negative,omitempty"`

	sev, selfSev finding.Severity
	keys         map[string]bool
	words        map[string]bool
	exclude      map[string]bool
	value        *regexp.Regexp
}

// LoadRules parses and compiles a rule list.
func LoadRules(b []byte) ([]*Rule, error) {
	var rules []*Rule
	if err := json.Unmarshal(b, &rules); err != nil {
		return nil, fmt.Errorf("property rules: %w", err)
	}
	for _, r := range rules {
		if err := r.compile(); err != nil {
			return nil, fmt.Errorf("property rule %s: %w", r.Name, err)
		}
	}
	return rules, nil
}

func (r *Rule) compile() error {
	var err error
	if r.sev, err = finding.ParseSeverity(r.Severity); err != nil {
		return err
	}
	r.selfSev = r.sev
	if r.SelfSeverity != "" {
		if r.selfSev, err = finding.ParseSeverity(r.SelfSeverity); err != nil {
			return err
		}
	}
	if len(r.Keys) == 0 && len(r.Words) == 0 {
		return fmt.Errorf("no keys or words")
	}
	if len(r.Positive) == 0 || len(r.Negative) == 0 {
		return fmt.Errorf("needs positive and negative samples")
	}
	r.keys, r.words, r.exclude = set(r.Keys, squash), set(r.Words, strings.ToLower), set(r.Exclude, strings.ToLower)
	if r.Value != "" {
		if r.value, err = regexp.Compile(r.Value); err != nil {
			return err
		}
	}
	return nil
}

func set(list []string, f func(string) string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[f(s)] = true
	}
	return m
}

// squash lower-cases a key and drops separators: API-Key → apikey.
func squash(s string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == ' ' || r == '.' {
			return -1
		}
		return r
	}, s))
}

// words splits a key into lower-case words: snake_case, kebab-case and
// camelCase (dbPassword → db, password).
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
		case r == '_' || r == '-' || r == ' ' || r == '.':
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

// MatchKey reports whether the rule covers a JSON key.
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

// MatchValue reports whether a value is a real, unmasked secret of the
// kind (privilege fields only need to be present).
func (r *Rule) MatchValue(v any) bool {
	if r.Kind == "privilege" {
		return v != nil
	}
	s, ok := v.(string)
	if !ok {
		_, num := v.(float64)
		return num && r.Kind == "internal-id"
	}
	s = strings.TrimSpace(s)
	if len(s) < 4 || masked(s) {
		return false
	}
	return r.value == nil || r.value.MatchString(s)
}

// masked recognises placeholder values an API returns instead of a secret.
func masked(s string) bool {
	l := strings.ToLower(s)
	switch l {
	case "null", "none", "redacted", "<redacted>", "[redacted]", "hidden", "<hidden>", "[filtered]", "n/a":
		return true
	}
	return strings.Trim(s, "*•xX#.-") == ""
}

// classify returns the first rule covering key with value v.
func classify(rules []*Rule, key string, v any) *Rule {
	for _, r := range rules {
		if r.MatchKey(key) {
			if r.MatchValue(v) {
				return r
			}
			return nil // the first rule that names the key decides
		}
	}
	return nil
}
