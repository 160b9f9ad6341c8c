package check

import "github.com/plumbsec/plumb/internal/result"

// Rule is one kind of finding: the id a finding carries names a rule. A
// check is the unit that runs; it can emit several rules (the DNS audit
// reports dangling CNAMEs, lame delegations, …), or none when it only feeds
// the host graph. internal/catalog indexes every check's rules; the report
// model (result.Rule) is the same type, so renderers need not import checks.
type Rule = result.Rule

// NoRules is Meta.Rules of a check that reports no finding itself (it
// feeds the host graph other checks read).
var NoRules = []Rule{}

// Emits returns the rules the check can emit. A Meta without Rules emits
// one rule with the check's own id, title, severity, description and
// remediation. Listed rules inherit the category, OWASP id and CWE of the
// check when they leave them empty.
func (m Meta) Emits() []Rule {
	if m.Rules == nil {
		return []Rule{{ID: m.ID, Title: m.Title, Category: m.Category, Severity: m.Severity, OWASP: m.OWASP,
			CWE: m.CWE, Description: m.Description, Remediation: m.Remediation, Check: m.ID, Group: m.Group}}
	}
	out := make([]Rule, len(m.Rules))
	for i, r := range m.Rules {
		if r.Category == "" {
			r.Category = m.Category
		}
		if r.OWASP == "" {
			r.OWASP = m.OWASP
		}
		if r.CWE == "" {
			r.CWE = m.CWE
		}
		r.Check = m.ID
		out[i] = r
	}
	return out
}
