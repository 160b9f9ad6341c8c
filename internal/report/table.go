package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/safetext"
	"github.com/plumbsec/plumb/internal/score"

	"github.com/plumbsec/plumb/internal/words"
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
	w       io.Writer
	color   bool
	width   int
	written []Written
	err     error
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
func (tb Table) Render(w io.Writer, r *result.Report) error {
	t := &tw{w: w, color: tb.Opts.Color, width: tb.Opts.Width, written: tb.Opts.Written}
	if t.width <= 0 {
		t.width = 80
	}
	t.header(r)
	t.categories(r)
	t.findings(r)
	t.changes(r)
	t.diff(r)
	t.hosts(r)
	t.coverage(r)
	t.notes(r)
	t.errors(r)
	t.outputs()
	return t.err
}

func (t *tw) header(r *result.Report) {
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
		t.wrap("spec: ", fmt.Sprintf("%s (OpenAPI %s, %s, %s)", r.Spec.Source, r.Spec.Version, words.Count(r.Spec.Operations, "operation"), how), "")
	case len(r.Spec.Tried) > 0:
		t.printf("spec: none found (tried %d locations); pass --spec for a deeper scan\n", len(r.Spec.Tried))
	}
	if r.Partial {
		reasons := r.PartialReasons()
		if len(reasons) == 0 {
			reasons = []string{"see errors below"}
		}
		for i, why := range reasons {
			prefix := "                 "
			if i == 0 {
				prefix = "PARTIAL REPORT: "
			}
			t.wrap(t.c(ansiYel, prefix), firstLine(why), ansiYel)
		}
	}
	gcol := ansiGreen
	switch r.Grade {
	case "C", "D":
		gcol = ansiYel
	case "F":
		gcol = ansiRed
	}
	t.printf("\n  %s   score %d/100\n", t.c(ansiBold+gcol, "Grade "+r.Grade), r.Score)
	if r.CappedBy != "" {
		t.wrap("  ", "capped by a "+r.CappedBy, ansiDim)
	}
	if r.GradeBasis != "" {
		t.wrap("  ", "grade basis: "+r.GradeBasis, ansiDim)
	}
	t.printf("\n")
}

func (t *tw) categories(r *result.Report) {
	t.printf("  %-24s %5s  %-20s  %-5s %s\n", "CATEGORY", "SCORE", "", "GRADE", "FINDINGS")
	var skipped []score.Category
	for _, c := range r.Categories {
		if c.Reason != "" {
			skipped = append(skipped, c)
		}
		if !c.Assessed {
			continue
		}
		col := ansiGreen
		switch {
		case c.Score < 60:
			col = ansiRed
		case c.Score < 90:
			col = ansiYel
		}
		filled := (c.Score + 2) / 5
		bar := t.c(col, strings.Repeat("█", filled)) + t.c(ansiDim, strings.Repeat("░", 20-filled))
		t.printf("  %-24s %5d  %s  %-5s %d\n", c.ID, c.Score, bar, c.Grade, c.Findings)
	}
	if len(skipped) > 0 {
		t.printf("  %s\n", t.c(ansiDim, "not assessed (not in the grade), and why:"))
		for _, c := range skipped {
			t.wrap(fmt.Sprintf("    %-24s ", c.ID), c.Reason, ansiDim)
		}
	}
	t.printf("\n")
}

func (t *tw) findings(r *result.Report) {
	counts := r.Counts()
	var parts []string
	for s := finding.Critical; s >= finding.Info; s-- {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	active := finding.Active(r.Findings)
	if len(active) == 0 {
		t.printf("%s\n\n", t.c(ansiGreen, "FINDINGS: none"))
	} else {
		t.wrap(t.c(ansiBold, "FINDINGS")+fmt.Sprintf(" (%d): ", len(active)), strings.Join(parts, ", "), "")
		t.printf("\n")
	}
	for s := finding.Critical; s >= finding.Info; s-- {
		if counts[s] == 0 {
			continue
		}
		t.printf("%s\n", t.c(sevColor[s]+ansiBold, fmt.Sprintf("%s (%d)", strings.ToUpper(s.String()), counts[s])))
		for _, f := range active {
			if f.Severity == s {
				t.finding(f)
			}
		}
	}
	t.suppressed(r)
}

func (t *tw) finding(f finding.Finding) {
	title := f.Title
	if f.BaselineState == result.StateNew {
		title = "[NEW] " + title
	}
	t.wrap("  "+t.c(sevColor[f.Severity], "■")+" ", title, "")
	t.wrap("    ", fmt.Sprintf("%s · %s · %s", f.ID, f.Confidence, f.Location), ansiDim)
	if len(f.Affected) > 0 {
		t.wrap("    affects: ", affectedList(f.Affected), ansiDim)
	}
	if len(f.Evidence.DNS) > 0 && f.Severity >= finding.High {
		t.wrap("    dns: ", dnsEvidenceLine(f.Evidence.DNS[0]), "")
	}
	if f.Remediation.Summary != "" {
		t.wrap("    fix: ", firstSentence(f.Remediation.Summary), "")
	}
	t.printf("\n")
}

func (t *tw) suppressed(r *result.Report) {
	n := len(r.Findings) - len(finding.Active(r.Findings))
	if n > 0 {
		t.printf("%s\n", t.c(ansiBold+ansiDim, fmt.Sprintf("SUPPRESSED (%d): not in the score or the gates", n)))
		for _, f := range r.Findings {
			if !f.Suppressed || f.Suppression == nil {
				continue
			}
			t.wrap("  "+t.c(ansiDim, "□")+" ", fmt.Sprintf("%s %s · %s", strings.ToUpper(f.Severity.String()), f.Title, f.Location), ansiDim)
			why := f.Suppression.Reason + " (" + f.Suppression.Entry
			if f.Suppression.Expires != "" {
				why += ", until " + f.Suppression.Expires
			}
			t.wrap("    reason: ", why+")", ansiDim)
		}
		t.printf("\n")
	}
	s := r.Suppressions
	if s == nil || len(s.Expired)+len(s.Unused) == 0 {
		return
	}
	t.printf("%s\n", t.c(ansiBold+ansiYel, fmt.Sprintf("IGNORE ENTRIES NEEDING ATTENTION (%s)", s.Config)))
	for _, e := range s.Expired {
		t.wrap("  expired "+e.Entry+": ", fmt.Sprintf("%s, expired %s; no longer suppresses (%d matching)", e.Match, e.Expires, e.Matches), "")
	}
	for _, e := range s.Unused {
		t.wrap("  unused "+e.Entry+": ", e.Match+"; matched no finding", "")
	}
	t.printf("\n")
}

func (t *tw) diff(r *result.Report) {
	d := r.Diff
	if d == nil {
		return
	}
	t.wrap(t.c(ansiBold, "DIFF")+" vs "+d.Baseline+": ", fmt.Sprintf("%d new, %d unchanged, %d fixed", d.New, d.Unchanged, d.Fixed), "")
	for _, f := range d.FixedFindings {
		t.wrap("  "+t.c(ansiGreen, "fixed")+" ", fmt.Sprintf("%s %s · %s", strings.ToUpper(f.Severity.String()), f.Title, f.Location), "")
	}
	t.printf("\n")
}

func (t *tw) hosts(r *result.Report) {
	if len(r.Hosts) == 0 {
		return
	}
	t.printf("%s\n", t.c(ansiBold, "HOSTS"))
	for _, h := range r.Hosts {
		creds := "      "
		if h.CarriesCredentials {
			creds = "tokens"
		}
		status, col, detail := "not audited", ansiDim, ""
		if h.DNS != nil {
			status, col, detail = string(h.DNS.Status), "", h.DNS.Detail
			switch {
			case h.DNS.Status.Broken():
				status, col = strings.ToUpper(status), ansiRed
			case h.DNS.Status == finding.DNSError:
				col = ansiYel
			}
		}
		var roles []string
		for _, ro := range h.Roles {
			roles = append(roles, string(ro))
		}
		t.printf("  %-30s %s  %s\n", h.Name, creds, t.c(col, status))
		if detail != "" {
			t.wrap("    ", detail, col)
		}
		t.wrap("    ", strings.Join(roles, ", "), ansiDim)
	}
	t.printf("\n")
}

func (t *tw) outputs() {
	if len(t.written) == 0 {
		return
	}
	t.printf("%s\n", t.c(ansiBold, "WRITTEN"))
	for _, w := range t.written {
		t.printf("  %-9s %s\n", w.Format, w.Path)
	}
	t.printf("\n")
}

func (t *tw) coverage(r *result.Report) {
	c := r.Coverage
	if c.Imported == 0 {
		return
	}
	t.wrap(t.c(ansiBold, "COVERAGE")+" ", fmt.Sprintf("%s: %d requested (%d 2xx, %d 401/403, %d 404, %d failed), %d not requested",
		words.Count(c.Imported, "operation"), c.Requested, c.Answered2x, c.Answered4x, c.Answered404, c.Failed, len(c.Skipped)), "")
	reasons := map[string]int{}
	var order []string
	for _, s := range c.Skipped {
		if reasons[s.Reason] == 0 {
			order = append(order, s.Reason)
		}
		reasons[s.Reason]++
	}
	for _, why := range order {
		t.wrap("  ", fmt.Sprintf("%d not requested: %s", reasons[why], why), ansiDim)
	}
	t.printf("\n")
}

func (t *tw) notes(r *result.Report) {
	if len(r.Notes) == 0 {
		return
	}
	t.printf("%s\n", t.c(ansiBold, "NOTES"))
	for _, n := range r.Notes {
		t.wrap("  "+n.Stage+": ", firstLine(n.Message), ansiDim)
	}
	t.printf("\n")
}

func (t *tw) errors(r *result.Report) {
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
	// The text may come from the target (a title quoting a header, a path
	// from its spec): nothing in it may drive the terminal.
	text = safetext.Quote(text, len(text)*4+1)
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
	for from := 0; ; {
		i := strings.Index(s[from:], ". ")
		if i < 0 {
			return s
		}
		end := from + i + 1
		if !endsWithAbbreviation(s[:end]) {
			return s[:end]
		}
		from = end
	}
}

// endsWithAbbreviation reports whether s ends with "e.g.", "i.e." or
// "etc.", whose period does not end a sentence.
func endsWithAbbreviation(s string) bool {
	for _, a := range []string{"e.g.", "i.e.", "etc.", "vs."} {
		if strings.HasSuffix(s, a) {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// dnsEvidenceLine shows the decisive DNS reply of a finding in one line.
func dnsEvidenceLine(a finding.DNSAnswer) string {
	var recs []string
	for _, rr := range a.Answer {
		recs = append(recs, strings.Join(strings.Fields(rr), " "))
	}
	line := fmt.Sprintf("%s %s → %s @%s", a.Name, a.Type, a.Rcode, a.Server)
	if len(recs) > 0 {
		line += ": " + strings.Join(recs, "; ")
	}
	return line
}
