package mcp

import (
	"context"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/plumbsec/plumb/internal/catalog"
)

// ExplainInput is explain_finding's input.
type ExplainInput struct {
	ID string `json:"id" jsonschema:"a finding id from a report (a rule id such as dns.dangling-cname; ids of earlier versions work too) or a check id"`
}

// ExplainOutput is explain_finding's result: the rule (absent when the id
// names a check), the check that reports it, and the Markdown plumb
// explain prints.
type ExplainOutput struct {
	ID       string             `json:"id"`   // the current id
	Kind     string             `json:"kind"` // "rule" or "check"
	Rule     *catalog.RuleInfo  `json:"rule,omitempty"`
	Check    *catalog.CheckInfo `json:"check"`
	Markdown string             `json:"markdown"`
}

func (t *tools) addExplain(s *sdk.Server) error {
	in, err := inputSchema[ExplainInput](nil)
	if err != nil {
		return err
	}
	out, err := outputSchema(&ExplainOutput{}, schemaBase+"explain_finding.schema.json", "explain_finding result",
		"A rule as plumb checks --format json lists it (description, severity, OWASP and CWE ids, remediation with code snippets), the check that reports it, and the Markdown plumb explain prints.")
	if err != nil {
		return err
	}
	addTool(s, &sdk.Tool{
		Name: "explain_finding",
		Description: "Explain a plumb finding id (a rule): what it finds, why it matters (OWASP API Top 10, CWE), how plumb tests it " +
			"and how to fix it, with remediation snippets per stack. Needs no network.",
		Annotations: annotations("Explain a finding", false),
	}, in, out, t.explain)
	return nil
}

func (t *tools) explain(_ context.Context, _ *sdk.CallToolRequest, in ExplainInput) (*sdk.CallToolResult, *ExplainOutput, error) {
	cat := t.cfg.Catalog
	id := strings.TrimSpace(in.ID)
	var md strings.Builder
	if err := cat.Explain(&md, id); err != nil {
		return nil, nil, err
	}
	out := &ExplainOutput{Kind: "check", Markdown: md.String()}
	if r, ok := cat.RuleInfo(id); ok {
		rule, _ := cat.Rule(id)
		c, _ := cat.CheckInfo(rule.Check)
		out.ID, out.Kind, out.Rule, out.Check = r.ID, "rule", &r, &c
	} else if c, ok := cat.CheckInfo(id); ok {
		out.ID, out.Check = c.ID, &c
	}
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: out.Markdown}}}, out, nil
}
