package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
)

// Table renders the report for a terminal: grade, category scores,
// findings by severity with a one-line fix, hosts, coverage and errors.
type Table struct{ Opts Options }

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiYel   = "\x1b[33m"
	ansiBlue  = "\x1b[34m"
	ansiMag   = "\x1b[35m"
)

var sevColor = map[finding.Severity]string{
	finding.Critical: ansiBold + ansiMag, finding.High: ansiRed, finding.Medium: ansiYel, finding.Low: ansiBlue, finding.Info: ansiDim,
}

type tw struct {
	w     io.Writer
	color bool
	width int
	err   error
}

func (t *tw) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func (t *tw) c(code, s string) string {
	if !t.color || code == "" {
		return s
	}
	return code + s + ansiReset
}

// Render writes the report.
func (tb Table) Render(w io.Writer, r *engine.Report) error {
	t := &tw{w: w, color: tb.Opts.Color, width: tb.Opts.Width}
	if t.width <= 0 {
		t.width = 80
	}
	t.header(r)
	t.categories(r)
	t.findings(r)
	t.hosts(r)
	t.coverage(r)
	t.errors(r)
	return t.err
}

func (t *tw) header(r *engine.Report) {
	dur := (time.Duration(r.DurationMS) * time.Millisecond).Round(10 * time.Millisecond)
	t.printf("%s %s — %s\n", t.c(ansiBold, "plumb"), r.Tool.Version, r.Target)
	t.printf("%s mode, %s, %d requests", r.Mode, dur, r.Requests.HTTP)
	if r.Insecure {
		t.printf(", %s", t.c(ansiYel, "TLS verification OFF (--insecure)"))
	}
	t.printf("\n")
	t.identities(r)
	switch {
	case r.Spec.Source != "":
		how := "given"
		if r.Spec.Discovered {
			how = "discovered"
		}
		t.printf("spec: %s (OpenAPI %s, %d operations, %s)\n", r.Spec.Source, r.Spec.Version, r.Spec.Operations, how)
	case len(r.Spec.Tried) > 0:
		t.printf("spec: none found (tried %d locations); pass --spec for a deeper scan\n", len(r.Spec.Tried))
	}
	if r.Partial {
		t.printf("%s\n", t.c(ansiYel, "PARTIAL REPORT — see errors below"))
	}
	gcol := ansiGreen
	switch r.Grade {
	case "C", "D":
		gcol = ansiYel
	case "F":
		gcol = ansiRed
	}
	t.printf("\n  %s   score %d/100", t.c(ansiBold+gcol, "Grade "+r.Grade), r.Score)
	if r.CappedBy != "" {
		t.printf("  (capped by a %s)", r.CappedBy)
	}
	t.printf("\n\n")
}

func (t *tw) categories(r *engine.Report) {
	t.printf("  %-26s %5s  %-5s  %s\n", "CATEGORY", "SCORE", "GRADE", "FINDINGS")
	skipped := []string{}
	for _, c := range r.Categories {
		if !c.Assessed {
			skipped = append(skipped, string(c.ID))
			continue
		}
		t.printf("  %-26s %5d  %-5s  %d\n", c.ID, c.Score, c.Grade, c.Findings)
	}
	if len(skipped) > 0 {
		t.wrap("  not assessed: ", strings.Join(skipped, ", "), ansiDim)
	}
	t.printf("\n")
}

func (t *tw) findings(r *engine.Report) {
	counts := r.Counts()
	var parts []string
	for s := finding.Critical; s >= finding.Info; s-- {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if len(r.Findings) == 0 {
		t.printf("%s\n\n", t.c(ansiGreen, "FINDINGS: none"))
		return
	}
	t.printf("%s (%d): %s\n\n", t.c(ansiBold, "FINDINGS"), len(r.Findings), strings.Join(parts, ", "))
	for _, f := range r.Findings {
		label := fmt.Sprintf("%-8s", strings.ToUpper(f.Severity.String()))
		t.wrap("  "+t.c(sevColor[f.Severity], label)+"  ", f.Title, "")
		t.printf("            %s\n", t.c(ansiDim, fmt.Sprintf("%s · %s · %s", f.ID, f.Confidence, f.Location)))
		if f.Remediation.Summary != "" {
			t.wrap("            fix: ", firstSentence(f.Remediation.Summary), "")
		}
		t.printf("\n")
	}
}

func (t *tw) hosts(r *engine.Report) {
	if len(r.Hosts) == 0 {
		return
	}
	t.printf("%s\n", t.c(ansiBold, "HOSTS"))
	for _, h := range r.Hosts {
		creds := "      "
		if h.CarriesCredentials {
			creds = "tokens"
		}
		status, col := "not audited", ansiDim
		if h.DNS != nil {
			status, col = string(h.DNS.Status), ""
			switch h.DNS.Status {
			case hosts.DNSDangling, hosts.DNSNXDomain:
				status, col = strings.ToUpper(status), ansiRed
				if h.DNS.Detail != "" {
					status += ": " + h.DNS.Detail
				}
			case hosts.DNSError:
				status, col = "error: "+h.DNS.Detail, ansiYel
			}
		}
		var roles []string
		for _, ro := range h.Roles {
			roles = append(roles, string(ro))
		}
		t.printf("  %-30s %s  %s\n", h.Name, creds, t.c(col, status))
		t.printf("  %s\n", t.c(ansiDim, "  "+strings.Join(roles, ", ")))
	}
	t.printf("\n")
}

func (t *tw) coverage(r *engine.Report) {
	c := r.Coverage
	if c.Imported == 0 {
		return
	}
	t.printf("%s %d operations: %d requested (%d 2xx, %d 401/403, %d 404, %d failed), %d not requested\n",
		t.c(ansiBold, "COVERAGE"), c.Imported, c.Requested, c.Answered2x, c.Answered4x, c.Answered404, c.Failed, len(c.Skipped))
	reasons := map[string]int{}
	var order []string
	for _, s := range c.Skipped {
		if reasons[s.Reason] == 0 {
			order = append(order, s.Reason)
		}
		reasons[s.Reason]++
	}
	for _, why := range order {
		t.printf("  %s\n", t.c(ansiDim, fmt.Sprintf("%d not requested: %s", reasons[why], why)))
	}
	t.printf("\n")
}

func (t *tw) errors(r *engine.Report) {
	if len(r.Errors) == 0 {
		return
	}
	t.printf("%s\n", t.c(ansiBold+ansiYel, "ERRORS"))
	for _, e := range r.Errors {
		t.wrap("  "+e.Stage+": ", firstLine(e.Message), "")
	}
	t.printf("\n")
}

// wrap prints prefix+text, wrapping text at the width with the prefix's
// visible width as hanging indent.
func (t *tw) wrap(prefix, text, col string) {
	indent := visibleLen(prefix)
	avail := t.width - indent
	if avail < 20 {
		avail = 20
	}
	lines := wrapWords(text, avail)
	for i, l := range lines {
		if i == 0 {
			t.printf("%s%s\n", prefix, t.c(col, l))
		} else {
			t.printf("%s%s\n", strings.Repeat(" ", indent), t.c(col, l))
		}
	}
}

func wrapWords(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

func visibleLen(s string) int {
	n, esc := 0, false
	for _, r := range s {
		switch {
		case r == '\x1b':
			esc = true
		case esc && r == 'm':
			esc = false
		case !esc:
			n++
		}
	}
	return n
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
