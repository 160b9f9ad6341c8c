package code

import (
	"context"
	"errors"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
)

// Check is plumb code's entry in the check catalog: it declares the rules
// `plumb code` reports, so `plumb checks`, `plumb explain` and SARIF rule
// help describe them like every other rule. The engine never runs it
// (it needs source, which a scan does not have); Scan does the work.
type Check struct{}

// ErrNotAScanCheck is Check.Run's answer: the rules run under plumb code.
var ErrNotAScanCheck = errors.New("the code.* rules run under plumb code, not in a scan")

// Meta declares the rules of plumb code.
func (Check) Meta() check.Meta {
	m := check.Meta{ID: "code", Title: "Outbound hosts, credential links and remediation patterns in source and configuration",
		Category: finding.CatUnsafeConsumption, OWASP: "API10:2023", Severity: finding.Critical, Needs: check.NeedSource,
		Description: "plumb code reads an application's source (Python, JavaScript/TypeScript, Go) and configuration, links outbound " +
			"hosts to the credentials sent to them (confirmed, likely, possible), audits their DNS and reports remediation patterns with file:line " +
			"(docs/code.md)."}
	for _, r := range ruleTable {
		m.Rules = append(m.Rules, check.Rule{ID: r.ID, Title: r.Title, Category: r.Category, OWASP: r.OWASP, CWE: r.CWE,
			Severity: r.Severity, Description: r.Description, Remediation: r.Remediation})
	}
	return m
}

// Run reports ErrNotAScanCheck.
func (Check) Run(context.Context, *check.Input) ([]finding.Finding, error) {
	return nil, ErrNotAScanCheck
}
