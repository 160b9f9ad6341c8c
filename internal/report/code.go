package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/code"
	"github.com/plumbsec/plumb/internal/finding"
)

// CodeFormats are the formats of the plumb code report.
var CodeFormats = []string{"table", "json", "sarif", "markdown"}

// RenderCode writes a plumb code report in format.
func RenderCode(w io.Writer, format string, r *code.Report, o Options) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	case "sarif":
		return writeSARIF(w, sarifRun{
			version: r.Tool.Version, fullName: "plumb code: outbound hosts, credential links and DNS truth", ok: !r.Partial, start: r.StartedAt,
			props: [][2]any{{"paths", r.Paths}, {"files", r.Files.Scanned}, {"hosts", len(r.Hosts)}, {"partial", r.Partial}},
			notes: partialNotes(r.PartialReasons),
		}, r.Findings, o.Rule)
	case "markdown":
		return codeMarkdown(w, r)
	case "table":
		return codeTable(w, r, o)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(CodeFormats, ", "))
}

func codeTable(w io.Writer, r *code.Report, o Options) error {
	t := &tw{w: w, color: o.Color, width: o.Width}
	if t.width <= 0 {
		t.width = 80
	}
	t.printf("%s %d files (%s), %d hosts", t.c(ansiBold, "plumb code:"), r.Files.Scanned, byteSize(r.Files.Bytes), len(r.Hosts))
	if !r.DNSAudited {
		t.printf(", DNS not audited")
	}
	if r.Partial {
		t.printf(", %s", t.c(ansiRed, "partial"))
	}
	t.printf("\n")
	for _, why := range r.PartialReasons {
		t.printf("%s %s\n", t.c(ansiRed, "PARTIAL REPORT:"), firstLine(why))
	}
	t.printf("\n")
	creds := 0
	for _, h := range r.Hosts {
		if h.Link != "" {
			creds++
		}
	}
	if creds > 0 {
		t.printf("%s\n", t.c(ansiBold, "Hosts that receive credentials"))
		for _, h := range r.Hosts {
			if h.Link == "" {
				continue
			}
			loc := h.Locations[0]
			for _, l := range h.Locations {
				if l.Link == h.Link {
					loc = l
					break
				}
			}
			t.printf("  %-10s %-9s %s  %s\n", dnsStatusColor(t, string(h.DNS.Status)), h.Link, h.Name, t.c(ansiDim, fmt.Sprintf("%s:%d", loc.File, loc.Line)))
		}
		t.printf("\n")
	}
	if len(r.Findings) == 0 {
		t.printf("No findings.\n")
	} else {
		t.printf("%s\n", t.c(ansiBold, fmt.Sprintf("Findings (%d)", len(r.Findings))))
		for _, f := range r.Findings {
			t.printf("  %s %s\n", t.c(sevColor[f.Severity], fmt.Sprintf("%-8s", strings.ToUpper(f.Severity.String()))), f.Title)
			t.printf("           %s  %s\n", t.c(ansiDim, fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line)), t.c(ansiDim, f.ID))
			if f.Evidence.Summary != "" {
				t.wrap("           ", f.Evidence.Summary, "")
			}
		}
	}
	if len(r.Errors) > 0 {
		t.printf("\n%s\n", t.c(ansiBold, fmt.Sprintf("Files read in part (%d)", len(r.Errors))))
		for _, e := range r.Errors[:min(len(r.Errors), 10)] {
			t.printf("  %s: %s\n", e.File, e.Message)
		}
	}
	return t.err
}

func dnsStatusColor(t *tw, s string) string {
	col := ""
	switch s {
	case "vulnerable":
		col = ansiBold + ansiMag
	case "dangling":
		col = ansiRed
	case "ok":
		col = ansiGreen
	case "error", "unresolved":
		col = ansiYel
	}
	return t.c(col, fmt.Sprintf("%-10s", s))
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// codeMarkdown writes a pull-request comment or job summary. Every string
// from the scanned files is escaped.
func codeMarkdown(w io.Writer, r *code.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## plumb code: %d findings, %d hosts in %d files\n\n", len(r.Findings), len(r.Hosts), r.Files.Scanned)
	if !r.DNSAudited {
		b.WriteString("DNS not audited (`--no-dns`).\n\n")
	}
	if r.Partial {
		b.WriteString("**partial report**\n\n")
		for _, why := range r.PartialReasons {
			b.WriteString("> ⚠️ partial: " + mdEscape(firstLine(why)) + "\n")
		}
		if len(r.PartialReasons) > 0 {
			b.WriteString("\n")
		}
	}
	counts := map[finding.Severity]int{}
	for _, f := range r.Findings {
		counts[f.Severity]++
	}
	b.WriteString("| critical | high | medium | low | info |\n|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d |\n\n", counts[finding.Critical], counts[finding.High], counts[finding.Medium], counts[finding.Low], counts[finding.Info])
	if len(r.Findings) > 0 {
		b.WriteString("### Findings\n\n| severity | finding | location | rule |\n|---|---|---|---|\n")
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", sevBadge(f.Severity), mdEscape(f.Title), mdCode(fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line)), mdCode(f.ID))
		}
		b.WriteString("\n")
		mdDetails(&b, fmt.Sprintf("All %d findings: evidence and fixes", len(r.Findings)), r.Findings)
	}
	var linked []code.Host
	for _, h := range r.Hosts {
		if h.Link != "" {
			linked = append(linked, h)
		}
	}
	sort.SliceStable(linked, func(i, j int) bool { return linkRank(linked[i].Link) > linkRank(linked[j].Link) })
	if len(linked) > 0 {
		b.WriteString("### Hosts that receive credentials\n\n| host | link | DNS | where |\n|---|---|---|---|\n")
		for _, h := range linked {
			l := h.Locations[0]
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCode(h.Name), h.Link, mdEscape(string(h.DNS.Status)), mdCode(fmt.Sprintf("%s:%d", l.File, l.Line)))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func linkRank(l string) int {
	switch l {
	case "confirmed":
		return 3
	case "likely":
		return 2
	case "possible":
		return 1
	}
	return 0
}

// partialNotes are SARIF invocation notes saying why a report is partial.
func partialNotes(reasons []string) []string {
	out := make([]string, 0, len(reasons))
	for _, why := range reasons {
		out = append(out, "partial report: "+why)
	}
	return out
}
