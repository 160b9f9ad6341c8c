package catalog

import (
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
)

// CheckInfo is a check as `plumb checks --format json` lists it.
type CheckInfo struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Category    string     `json:"category"`
	OWASP       string     `json:"owasp,omitempty"`
	CWE         string     `json:"cwe,omitempty"`
	Severity    string     `json:"severity"`
	Needs       string     `json:"needs"`
	Description string     `json:"description"`
	Rules       []RuleInfo `json:"rules"` // the finding ids it reports; empty when it only feeds the host graph
}

// RuleInfo is a rule as `plumb checks --format json` and the MCP tool
// explain_finding give it.
type RuleInfo struct {
	ID          string              `json:"id"`
	Title       string              `json:"title"`
	Category    string              `json:"category"`
	OWASP       string              `json:"owasp,omitempty"`
	OWASPLLM    string              `json:"owasp_llm,omitempty"`
	CWE         string              `json:"cwe,omitempty"`
	Severity    string              `json:"severity"`
	Description string              `json:"description"`
	Formerly    []string            `json:"formerly,omitempty"`
	Remediation finding.Remediation `json:"remediation"`
	// Grouped says what one finding stands for when the problem shows at
	// several operations: "host" or "host-param" (finding.GroupBy).
	Grouped string `json:"grouped,omitempty"`
}

// Infos lists every check with its rules, in catalog order.
func (c *Catalog) Infos() []CheckInfo {
	out := make([]CheckInfo, 0, len(c.metas))
	for _, m := range c.metas {
		out = append(out, c.checkInfo(m))
	}
	return out
}

// CheckInfo returns a check's entry, found by its id or a former one.
func (c *Catalog) CheckInfo(id string) (CheckInfo, bool) {
	m, ok := c.Check(id)
	if !ok {
		return CheckInfo{}, false
	}
	return c.checkInfo(m), true
}

// RuleInfo returns a rule's entry, found by its id or a former one.
func (c *Catalog) RuleInfo(id string) (RuleInfo, bool) {
	r, ok := c.Rule(id)
	if !ok {
		return RuleInfo{}, false
	}
	return ruleInfo(r), true
}

func (c *Catalog) checkInfo(m check.Meta) CheckInfo {
	ci := CheckInfo{ID: m.ID, Title: m.Title, Category: string(m.Category), OWASP: m.OWASP, CWE: m.CWE,
		Severity: m.Severity.String(), Needs: m.Needs.String(), Description: m.Description, Rules: []RuleInfo{}}
	for _, r := range c.RulesOf(m.ID) {
		ci.Rules = append(ci.Rules, ruleInfo(r))
	}
	return ci
}

func ruleInfo(r check.Rule) RuleInfo {
	return RuleInfo{ID: r.ID, Title: r.Title, Category: string(r.Category), OWASP: r.OWASP,
		OWASPLLM: r.OWASPLLM, CWE: r.CWE, Severity: r.Severity.String(), Description: r.Description,
		Formerly: finding.FormerIDs(r.ID), Remediation: r.Remediation, Grouped: string(r.Group)}
}

// Single reports whether a check is its one rule (same id).
func (c CheckInfo) Single() bool { return len(c.Rules) == 1 && c.Rules[0].ID == c.ID }
