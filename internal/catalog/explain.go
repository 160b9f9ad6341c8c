package catalog

import (
	"fmt"
	"io"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
)

// UnknownIDError is an id that names no rule and no check.
type UnknownIDError struct{ ID string }

func (e *UnknownIDError) Error() string {
	return fmt.Sprintf("%q is not a rule or check id (plumb checks lists them)", e.ID)
}

// Explain writes, as Markdown, what a rule finds, why it matters, how plumb
// tests it and how to fix it. id is a rule id, a former one, or a check id
// (a check that emits several rules is explained with the list of them).
// `plumb explain` and the MCP tool explain_finding print it.
func (c *Catalog) Explain(w io.Writer, id string) error {
	var b strings.Builder
	if r, ok := c.Rule(id); ok {
		m, _ := c.Check(r.Check)
		explainRule(&b, r, m)
	} else if m, ok := c.Check(id); ok {
		explainCheck(&b, m, c.RulesOf(m.ID))
	} else {
		return &UnknownIDError{ID: id}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func explainRule(b *strings.Builder, r check.Rule, m check.Meta) {
	fmt.Fprintf(b, "# %s: %s\n\n", r.ID, r.Title)
	fmt.Fprintf(b, "Severity: up to %s · Category: %s · Check: %s (needs: %s)\n", r.Severity, r.Category, r.Check, m.Needs)
	if old := finding.FormerIDs(r.ID); len(old) > 0 {
		fmt.Fprintf(b, "Formerly: %s\n", strings.Join(old, ", "))
	}
	fmt.Fprintf(b, "\n## What it finds\n\n%s\n\n## Why it matters\n\n%s\n", r.Description, why(r))
	if m.Description != "" && m.Description != r.Description {
		fmt.Fprintf(b, "\n## How plumb tests it\n\n%s\n", m.Description)
	}
	writeFix(b, r.Remediation)
}

// why states the risk a rule belongs to.
func why(r check.Rule) string {
	var parts []string
	for _, id := range []string{r.OWASP, r.OWASPLLM} {
		if id != "" {
			parts = append(parts, fmt.Sprintf("OWASP %s %s", id, OWASPName(id)))
		}
	}
	if r.CWE != "" {
		parts = append(parts, fmt.Sprintf("%s (https://cwe.mitre.org/data/definitions/%s.html)", r.CWE, strings.TrimPrefix(r.CWE, "CWE-")))
	}
	s := fmt.Sprintf("plumb rates it up to %s", r.Severity)
	if len(parts) > 0 {
		s += "; it is an instance of " + strings.Join(parts, " and ")
	}
	return s + "."
}

func writeFix(b *strings.Builder, fix finding.Remediation) {
	if fix.Summary == "" && len(fix.Snippets) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## How to fix\n\n%s\n", fix.Summary)
	for _, s := range fix.Snippets {
		fmt.Fprintf(b, "\n%s:\n\n```%s\n%s\n```\n", s.Lang, fenceLang(s.Lang), strings.TrimRight(s.Code, "\n"))
	}
	if len(fix.References) > 0 {
		b.WriteString("\nReferences:\n\n")
		for _, ref := range fix.References {
			fmt.Fprintf(b, "- %s\n", ref)
		}
	}
}

// fenceLang turns a snippet's stack ("python-flask") into a code fence
// language ("python").
func fenceLang(stack string) string {
	lang, _, _ := strings.Cut(stack, "-")
	if lang == "node" {
		return "javascript"
	}
	return lang
}

func explainCheck(b *strings.Builder, m check.Meta, rules []check.Rule) {
	fmt.Fprintf(b, "# %s: %s (check)\n\n", m.ID, m.Title)
	fmt.Fprintf(b, "Category: %s · Needs: %s\n\n%s\n\n", m.Category, m.Needs, m.Description)
	if len(rules) == 0 {
		b.WriteString("It reports no finding itself: it adds hosts to the host graph that other checks audit.\n")
		return
	}
	b.WriteString("## Rules it reports\n\n")
	for _, r := range rules {
		fmt.Fprintf(b, "- %s (%s): %s\n", r.ID, r.Severity, r.Title)
	}
	b.WriteString("\nplumb explain RULE-ID explains one of them.\n")
}
