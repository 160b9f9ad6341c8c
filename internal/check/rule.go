package check

import "github.com/plumbsec/plumb/internal/finding"

// Rule is one kind of finding: the id a finding carries names a rule. A
// check is the unit that runs; it can emit several rules (the DNS audit
// reports dangling CNAMEs, lame delegations, …), or none when it only feeds
// the host graph. internal/catalog indexes every check's rules.
type Rule struct {
	ID          string // category.kebab-name, e.g. "dns.dangling-cname"
	Title       string
	Category    finding.Category
	Severity    finding.Severity // default: the highest severity the rule reports
	OWASP       string           // OWASP API Security Top 10 2023 id, e.g. "API2:2023"
	OWASPLLM    string           // OWASP Top 10 for LLM Applications 2025 id, e.g. "LLM01:2025"
	CWE         string
	Description string
	// Remediation is the fix as the catalog states it; a finding's own
	// remediation may name its host or parameter.
	Remediation finding.Remediation
	// Check is the id of the check that emits the rule (set by Meta.Emits).
	Check string
}

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
			CWE: m.CWE, Description: m.Description, Remediation: m.Remediation, Check: m.ID}}
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
