package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/plumbsec/plumb/internal/finding"

	"github.com/plumbsec/plumb/internal/words"
)

// Markdown renders a compact report for a pull-request comment or a CI job
// summary: a summary table, the top findings, and collapsible details.
// Every string from the scan is escaped: evidence is attacker-controlled.
type Markdown struct{ Opts Options }

// topFindings is how many findings the summary lists before the details.
const topFindings = 10

// Render writes the report.
func (m Markdown) Render(w io.Writer, r *result.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## plumb: grade %s (%d/100) for %s\n\n", r.Grade, r.Score, mdEscape(r.Target))
	meta := []string{r.Mode, fmt.Sprintf("%d requests", r.Requests.HTTP)}
	if r.Spec.Source != "" {
		meta = append(meta, fmt.Sprintf("spec %s (%s)", mdCode(r.Spec.Source), words.Count(r.Spec.Operations, "operation")))
	}
	if r.CappedBy != "" {
		meta = append(meta, "score capped by a "+r.CappedBy)
	}
	if r.Partial {
		meta = append(meta, "**partial report**")
	}
	b.WriteString(strings.Join(meta, " · ") + "\n\n")
	for _, why := range r.PartialReasons() {
		b.WriteString("> ⚠️ partial: " + mdEscape(firstLine(why)) + "\n")
	}
	if r.Partial {
		b.WriteString("\n")
	}
	if r.GradeBasis != "" {
		b.WriteString("Grade basis: " + mdEscape(r.GradeBasis) + ".\n\n")
	}
	mdSummary(&b, r)
	mdCategories(&b, r)
	active := finding.Active(r.Findings)
	if len(active) > 0 {
		n := min(len(active), topFindings)
		fmt.Fprintf(&b, "### Top findings\n\n| severity | finding | location | check |\n|---|---|---|---|\n")
		for _, f := range active[:n] {
			title := mdEscape(f.Title)
			if f.BaselineState == result.StateNew {
				title = "🆕 " + title
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", sevBadge(f.Severity), title, mdCode(f.Location.String()), mdCode(f.ID))
		}
		b.WriteString("\n")
		mdDetails(&b, fmt.Sprintf("All %d findings: evidence and fixes", len(active)), active)
	} else {
		b.WriteString("No findings.\n\n")
	}
	mdChanges(&b, r)
	mdDiff(&b, r)
	mdSuppressions(&b, r)
	mdHosts(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

func sevBadge(s finding.Severity) string {
	icon := map[finding.Severity]string{finding.Critical: "🟣", finding.High: "🔴", finding.Medium: "🟠", finding.Low: "🔵", finding.Info: "⚪"}[s]
	return icon + " " + s.String()
}

func mdSummary(b *strings.Builder, r *result.Report) {
	counts := r.Counts()
	newCounts := map[finding.Severity]int{}
	for _, f := range finding.Active(r.Findings) {
		if f.BaselineState == result.StateNew {
			newCounts[f.Severity]++
		}
	}
	if r.Diff != nil {
		b.WriteString("| severity | findings | new |\n|---|---:|---:|\n")
	} else {
		b.WriteString("| severity | findings |\n|---|---:|\n")
	}
	for s := finding.Critical; s >= finding.Info; s-- {
		if r.Diff != nil {
			fmt.Fprintf(b, "| %s | %d | %d |\n", sevBadge(s), counts[s], newCounts[s])
		} else {
			fmt.Fprintf(b, "| %s | %d |\n", sevBadge(s), counts[s])
		}
	}
	b.WriteString("\n")
}

func mdCategories(b *strings.Builder, r *result.Report) {
	var parts []string
	for _, c := range r.Categories {
		if c.Assessed {
			parts = append(parts, fmt.Sprintf("%s **%s** (%d)", c.ID, c.Grade, c.Score))
		}
	}
	if len(parts) > 0 {
		b.WriteString("Categories: " + strings.Join(parts, " · ") + "\n\n")
	}
	var why []string
	for _, c := range r.Categories {
		if c.Reason != "" {
			why = append(why, fmt.Sprintf("| %s | %s |", c.ID, mdEscape(c.Reason)))
		}
	}
	if len(why) > 0 {
		fmt.Fprintf(b, "<details><summary>Not assessed (%d): not in the grade</summary>\n\n| category | why |\n|---|---|\n%s\n\n</details>\n\n", len(why), strings.Join(why, "\n"))
	}
}

func mdDetails(b *strings.Builder, summary string, fs []finding.Finding) {
	fmt.Fprintf(b, "<details><summary>%s</summary>\n\n", mdEscape(summary))
	for _, f := range fs {
		fmt.Fprintf(b, "#### %s: %s\n\n", f.Severity, mdEscape(f.Title))
		fmt.Fprintf(b, "- check %s · %s confidence · %s", mdCode(f.ID), f.Confidence, f.Category)
		for _, x := range []string{f.OWASP, f.CWE} {
			if x != "" {
				b.WriteString(" · " + mdEscape(x))
			}
		}
		fmt.Fprintf(b, "\n- location %s", mdCode(f.Location.String()))
		if f.Source != nil {
			fmt.Fprintf(b, " (%s)", mdCode(fmt.Sprintf("%s:%d", f.Source.File, f.Source.Line)))
		}
		if len(f.Affected) > 0 {
			names := make([]string, len(f.Affected))
			for i, l := range f.Affected {
				names[i] = mdCode(l.OpName())
			}
			fmt.Fprintf(b, "\n- affects %d operations: %s", len(f.Affected), strings.Join(names, ", "))
		}
		fmt.Fprintf(b, "\n- fingerprint %s\n", mdCode(f.Fingerprint))
		if f.Evidence.Summary != "" {
			fmt.Fprintf(b, "- evidence: %s\n", mdEscape(f.Evidence.Summary))
		}
		if f.Remediation.Summary != "" {
			fmt.Fprintf(b, "- fix: %s\n", mdEscape(f.Remediation.Summary))
		}
		b.WriteString("\n")
	}
	b.WriteString("</details>\n\n")
}

func mdDiff(b *strings.Builder, r *result.Report) {
	d := r.Diff
	if d == nil {
		return
	}
	fmt.Fprintf(b, "**Compared with %s:** %d new, %d unchanged, %d fixed.\n\n", mdCode(d.Baseline), d.New, d.Unchanged, d.Fixed)
	if len(d.FixedFindings) > 0 {
		fmt.Fprintf(b, "<details><summary>%d fixed since the baseline</summary>\n\n", len(d.FixedFindings))
		for _, f := range d.FixedFindings {
			fmt.Fprintf(b, "- ✅ %s: %s %s\n", f.Severity, mdEscape(f.Title), mdCode(f.Location.String()))
		}
		b.WriteString("\n</details>\n\n")
	}
}

func mdSuppressions(b *strings.Builder, r *result.Report) {
	s := r.Suppressions
	if s == nil {
		return
	}
	fmt.Fprintf(b, "<details><summary>%s: %d suppressed, %d expired, %d unused ignore entries</summary>\n\n",
		mdEscape(s.Config), s.Suppressed, len(s.Expired), len(s.Unused))
	for _, f := range r.Findings {
		if f.Suppressed && f.Suppression != nil {
			fmt.Fprintf(b, "- suppressed: %s %s: %s\n", mdCode(f.ID), mdCode(f.Location.String()), mdEscape(f.Suppression.Reason))
		}
	}
	for _, e := range s.Expired {
		fmt.Fprintf(b, "- ⚠️ expired %s (%s), %s: no longer suppresses\n", mdCode(e.Entry), mdEscape(e.Expires), mdEscape(e.Match))
	}
	for _, e := range s.Unused {
		fmt.Fprintf(b, "- unused %s, %s: matched no finding\n", mdCode(e.Entry), mdEscape(e.Match))
	}
	b.WriteString("\n</details>\n\n")
}

func mdHosts(b *strings.Builder, r *result.Report) {
	if len(r.Hosts) == 0 {
		return
	}
	fmt.Fprintf(b, "<details><summary>%d hosts</summary>\n\n| host | tokens | DNS | roles |\n|---|---|---|---|\n", len(r.Hosts))
	for _, h := range r.Hosts {
		tok := ""
		if h.CarriesCredentials {
			tok = "yes"
		}
		st := "not audited"
		if h.DNS != nil {
			st = string(h.DNS.Status)
			if h.DNS.Detail != "" {
				st += ": " + h.DNS.Detail
			}
		}
		var roles []string
		for _, ro := range h.Roles {
			roles = append(roles, string(ro))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdCode(h.Name), tok, mdEscape(st), mdEscape(strings.Join(roles, ", ")))
	}
	b.WriteString("\n</details>\n")
}

var mdReplacer = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "\\|", "`", "\\`", "*", "\\*", "_", "\\_",
	"[", "\\[", "]", "\\]", "#", "\\#", "@", "@\u200b", "\r", " ", "\n", " ",
)

// mdEscape makes untrusted text inert in GitHub Markdown: no HTML, no
// links, no emphasis, no table breaks, no @mentions.
func mdEscape(s string) string { return mdReplacer.Replace(s) }

// mdCode renders s as inline code, safe in a table cell.
func mdCode(s string) string {
	s = strings.NewReplacer("`", "'", "|", "¦", "\n", " ", "\r", " ").Replace(s)
	return "`" + s + "`"
}
