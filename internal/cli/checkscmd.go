package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/code"
	"github.com/plumbsec/plumb/internal/finding"
)

// fullCatalog is the scan's catalog plus the rules of plumb code, which
// the engine never runs: what plumb checks, plumb explain and the docs list.
var fullCatalog = sync.OnceValue(func() *catalog.Catalog {
	return catalog.New(append(catalog.Checks(), code.Check{}))
})

type checkInfo struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Category    string     `json:"category"`
	OWASP       string     `json:"owasp,omitempty"`
	CWE         string     `json:"cwe,omitempty"`
	Severity    string     `json:"severity"`
	Needs       string     `json:"needs"`
	Description string     `json:"description"`
	Rules       []ruleInfo `json:"rules"` // the finding ids it reports; empty when it only feeds the host graph
}

type ruleInfo struct {
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
}

func checkInfos(cat *catalog.Catalog) []checkInfo {
	var out []checkInfo
	for _, m := range cat.Metas() {
		c := checkInfo{ID: m.ID, Title: m.Title, Category: string(m.Category), OWASP: m.OWASP, CWE: m.CWE,
			Severity: m.Severity.String(), Needs: m.Needs.String(), Description: m.Description, Rules: []ruleInfo{}}
		for _, r := range cat.RulesOf(m.ID) {
			c.Rules = append(c.Rules, ruleInfo{ID: r.ID, Title: r.Title, Category: string(r.Category), OWASP: r.OWASP,
				OWASPLLM: r.OWASPLLM, CWE: r.CWE, Severity: r.Severity.String(), Description: r.Description,
				Formerly: finding.FormerIDs(r.ID), Remediation: r.Remediation})
		}
		out = append(out, c)
	}
	return out
}

// single reports whether a check is its one rule (same id).
func (c checkInfo) single() bool { return len(c.Rules) == 1 && c.Rules[0].ID == c.ID }

func newChecksCmd(st *Streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List every check and the rules (finding ids) it reports: category, OWASP id, default severity, needs",
		Long: `List every check plumb runs and, under it, every rule it reports: the id a
finding carries, which --only, --skip, suppression entries and 'plumb explain'
take. A check that is its only rule is one line.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cat := fullCatalog()
			switch format {
			case "table":
				return checksTable(st.Out, cat)
			case "json":
				enc := json.NewEncoder(st.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(checkInfos(cat))
			case "markdown":
				return CatalogMarkdown(st.Out)
			}
			return usagef("--format %q: want table, json or markdown", format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output `FORMAT`: table, json, markdown")
	return cmd
}

func newExplainCmd(st *Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "explain ID",
		Short: "Explain a rule (a finding id): what it finds, why it matters, how to fix it",
		Long: `Explain a rule: what it finds, why it matters, how plumb tests it and how to fix
it, as Markdown. ID is a finding id from a report (ids of earlier versions
work too) or a check id from 'plumb checks'.`,
		Example: "  plumb explain dns.dangling-cname",
		Args:    exactArgs(1, "a rule or check id"),
		RunE: func(_ *cobra.Command, args []string) error {
			err := fullCatalog().Explain(st.Out, args[0])
			if ue := (*catalog.UnknownIDError)(nil); errors.As(err, &ue) {
				return usagef("%v", err)
			}
			return err
		},
	}
}

func checksTable(w io.Writer, cat *catalog.Catalog) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK / RULE\tCATEGORY\tOWASP\tSEVERITY\tNEEDS")
	for _, c := range checkInfos(cat) {
		if c.single() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Category, c.OWASP, c.Severity, c.Needs)
			continue
		}
		sev := c.Severity
		if len(c.Rules) == 0 {
			sev = "(no findings)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Category, c.OWASP, sev, c.Needs)
		for _, r := range c.Rules {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.ID, r.Category, owasp(r), r.Severity)
		}
	}
	return tw.Flush()
}

func owasp(r ruleInfo) string {
	return strings.TrimSpace(r.OWASP + " " + r.OWASPLLM)
}

// CatalogMarkdown writes docs/checks.md (generated; a test keeps it fresh).
func CatalogMarkdown(w io.Writer) error {
	cat := fullCatalog()
	cs := checkInfos(cat)
	var b strings.Builder
	b.WriteString("# Check catalog\n\n<!-- Generated by `plumb checks --format markdown`; do not edit. -->\n\n")
	fmt.Fprintf(&b, "plumb runs %d checks that report %d rules. A finding's `id` is its rule id: `plumb explain ID` "+
		"explains one, and `--only`/`--skip` select rules by rule id, check id or category (globs such as `dns.*`).\n\n",
		len(cs), len(cat.Rules()))
	b.WriteString("| rule | check | category | OWASP | CWE | severity |\n|---|---|---|---|---|---|\n")
	for _, c := range cs {
		for _, r := range c.Rules {
			fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s | %s | %s |\n", r.ID, anchor(r.ID), checkRef(c), r.Category, owasp(r), r.CWE, r.Severity)
		}
	}
	writeRenamed(&b)
	for _, c := range cs {
		needs := c.Needs
		if needs == "-" {
			needs = "only the target URL"
		}
		fmt.Fprintf(&b, "\n## %s\n\n**%s.** Needs: %s. %s\n", c.ID, c.Title, needs, c.Description)
		if c.single() {
			writeFixSummary(&b, c.Rules[0])
			continue
		}
		if len(c.Rules) == 0 {
			b.WriteString("\nIt reports no finding itself.\n")
		}
		for _, r := range c.Rules {
			fmt.Fprintf(&b, "\n### %s\n\n**%s.** Severity up to %s. %s\n", r.ID, r.Title, r.Severity, r.Description)
			writeFixSummary(&b, r)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func checkRef(c checkInfo) string {
	if c.single() {
		return "(itself)"
	}
	return fmt.Sprintf("[`%s`](#%s)", c.ID, anchor(c.ID))
}

func writeFixSummary(b *strings.Builder, r ruleInfo) {
	if len(r.Formerly) > 0 {
		fmt.Fprintf(b, "\nFormerly `%s`.\n", strings.Join(r.Formerly, "`, `"))
	}
	if r.Remediation.Summary != "" {
		fmt.Fprintf(b, "\n*Fix:* %s\n", r.Remediation.Summary)
	}
}

func writeRenamed(b *strings.Builder) {
	old := catalog.Aliases()
	b.WriteString("\n## Renamed ids\n\nThese ids were renamed so that every id starts with its category. The old ids still " +
		"work in `.plumb.yaml` entries (by check id and by fingerprint), in `--baseline-report` files and in `--only`/`--skip`.\n\n" +
		"| old id | current id |\n|---|---|\n")
	for _, k := range slices.Sorted(maps.Keys(old)) {
		fmt.Fprintf(b, "| `%s` | [`%s`](#%s) |\n", k, old[k], anchor(old[k]))
	}
}

func anchor(id string) string {
	return strings.NewReplacer(".", "", "/", "").Replace(id)
}
