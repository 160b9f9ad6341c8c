package exposure

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/plumbsec/plumb/internal/finding"
)

//go:embed values.json
var valuesJSON []byte

// ValueRule is one pattern of sensitive data in response values, with
// the samples its test proves.
type ValueRule struct {
	Name     string   `json:"name"`
	Kind     string   `json:"kind"` // secret, pii, internal
	Severity string   `json:"severity"`
	Title    string   `json:"title"`
	Pattern  string   `json:"re"`
	Luhn     bool     `json:"luhn"`     // the match must pass the Luhn checksum
	Isolated bool     `json:"isolated"` // not part of a longer dotted number (1.10.0.0.1.5)
	Hints    []string `json:"hints"`    // lower-case literals one of which a match contains: a cheap prefilter
	Positive []string `json:"positive"`
	Negative []string `json:"negative"`

	re  *regexp.Regexp
	sev finding.Severity
}

// LoadValueRules parses and compiles a rule pack.
func LoadValueRules(b []byte) ([]*ValueRule, error) {
	var rs []*ValueRule
	if err := json.Unmarshal(b, &rs); err != nil {
		return nil, fmt.Errorf("value rules: %w", err)
	}
	for _, r := range rs {
		re, err := regexp.Compile(r.Pattern)
		if err != nil {
			return nil, fmt.Errorf("value rule %s: %w", r.Name, err)
		}
		r.re = re
		sev, err := finding.ParseSeverity(r.Severity)
		if err != nil {
			return nil, fmt.Errorf("value rule %s: %w", r.Name, err)
		}
		r.sev = sev
		switch r.Kind {
		case "secret", "pii", "internal":
		default:
			return nil, fmt.Errorf("value rule %s: unknown kind %q", r.Name, r.Kind)
		}
	}
	return rs, nil
}

var valueRules = mustValueRules()

func mustValueRules() []*ValueRule {
	rs, err := LoadValueRules(valuesJSON)
	if err != nil {
		panic(err) // embedded data, proven by TestValueRuleSamples
	}
	return rs
}

// Find returns the first match of r in s, or "".
func (r *ValueRule) Find(s string) string { return r.FindLower(s, strings.ToLower(s)) }

// FindLower is Find with s already lower-cased in lower (computed once
// for the whole pack): rules whose hints are absent skip the regexp.
func (r *ValueRule) FindLower(s, lower string) string {
	if len(r.Hints) > 0 {
		hit := false
		for _, h := range r.Hints {
			if strings.Contains(lower, h) {
				hit = true
				break
			}
		}
		if !hit {
			return ""
		}
	}
	if r.Luhn && !digitRun(s, 13) {
		return ""
	}
	for _, ix := range r.re.FindAllStringIndex(s, 8) {
		m := s[ix[0]:ix[1]]
		if r.Luhn && !luhn(m) {
			continue
		}
		if r.Isolated && !isolated(s, ix[0], ix[1]) {
			continue
		}
		return m
	}
	return ""
}

// isolated says whether s[i:j] is not glued to more digits or dotted
// digits on either side.
func isolated(s string, i, j int) bool {
	digit := func(k int) bool { return k >= 0 && k < len(s) && s[k] >= '0' && s[k] <= '9' }
	if i > 0 && (digit(i-1) || (s[i-1] == '.' && digit(i-2))) {
		return false
	}
	dotted := j < len(s) && s[j] == '.' && digit(j+1)
	return !digit(j) && !dotted
}

// digitRun says whether s has n digits in a row, allowing one space or
// dash between them (the shape card numbers are written in).
func digitRun(s string, n int) bool {
	run, sep := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if run++; run >= n {
				return true
			}
			sep = false
		case (c == ' ' || c == '-') && run > 0 && !sep:
			sep = true
		default:
			run, sep = 0, false
		}
	}
	return false
}

// luhn checks the Luhn checksum of the digits in s.
func luhn(s string) bool {
	sum, n, double := 0, 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
		double = !double
	}
	return n >= 13 && sum%10 == 0
}

// redactMatch keeps enough of a match to recognise it and hides the rest:
// the first 4 and last 2 characters of secrets, the last 4 digits of
// numbers.
func redactMatch(kind, m string) string {
	switch {
	case kind == "internal":
		return m
	case len(m) <= 8:
		return strings.Repeat("*", len(m))
	case kind == "pii":
		return strings.Repeat("*", len(m)-4) + m[len(m)-4:]
	default:
		return m[:4] + strings.Repeat("*", min(len(m)-6, 24)) + m[len(m)-2:]
	}
}

var emailRE = regexp.MustCompile(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b`)

// redactEmail keeps the first letter and the domain.
func redactEmail(e string) string {
	at := strings.IndexByte(e, '@')
	if at < 1 {
		return "***"
	}
	return e[:1] + "***" + e[at:]
}
