package property

import (
	"fmt"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/rules"
)

// keyPack is the internal/rules pack of sensitive response properties;
// every rule carries positive and negative samples that its test runs.
const keyPack = "sensitive-keys"

// Rule is a sensitive-keys rule with the meta this package reads: its
// class (credential, privilege, internal-id), the lower severity on the
// caller's own record, and whether the key only counts inside lists.
type Rule struct {
	*rules.Rule
	Class          string
	CollectionOnly bool

	selfSev finding.Severity
}

var keyRules = sync.OnceValues(func() ([]*Rule, error) { return loadRules(keyPack) })

// loadRules loads a key pack and checks the meta of each rule.
func loadRules(pack string) ([]*Rule, error) {
	p, err := rules.Load(pack)
	if err != nil {
		return nil, err
	}
	var out []*Rule
	for _, r := range p.Rules {
		kr, err := newRule(r)
		if err != nil {
			return nil, &rules.Error{Pack: p.Name, Rule: r.ID, Field: "meta", Err: err}
		}
		out = append(out, kr)
	}
	return out, nil
}

func newRule(r *rules.Rule) (*Rule, error) {
	kr := &Rule{Rule: r, Class: r.Meta["class"], selfSev: r.Level()}
	switch kr.Class {
	case "credential", "privilege", "internal-id":
	default:
		return nil, fmt.Errorf("class %q: want credential, privilege or internal-id", kr.Class)
	}
	for k, v := range r.Meta {
		var err error
		switch k {
		case "class":
		case "self_severity":
			kr.selfSev, err = finding.ParseSeverity(v)
		case "collection_only":
			kr.CollectionOnly = v == "true"
			if v != "true" && v != "false" {
				err = fmt.Errorf("collection_only %q: want true or false", v)
			}
		default:
			err = fmt.Errorf("unknown key %q", k)
		}
		if err != nil {
			return nil, err
		}
	}
	return kr, nil
}

// MatchValue reports whether a value is a real, unmasked secret of the
// class (privilege fields only need to be present).
func (r *Rule) MatchValue(v any) bool {
	if r.Class == "privilege" {
		return v != nil
	}
	s, ok := v.(string)
	if !ok {
		_, num := v.(float64)
		return num && r.Class == "internal-id"
	}
	s = strings.TrimSpace(s)
	if len(s) < 4 || masked(s) {
		return false
	}
	return r.Rule.MatchValue(s)
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
func classify(rs []*Rule, key string, v any) *Rule {
	for _, r := range rs {
		if r.MatchKey(key) {
			if r.MatchValue(v) {
				return r
			}
			return nil // the first rule that names the key decides
		}
	}
	return nil
}
