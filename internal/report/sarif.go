package report

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/plumbsec/plumb/internal/finding"
)

// SARIF renders the report as SARIF 2.1.0: one result per finding, one rule
// per finding id with its catalog help text and remediation, plumb's fingerprint as the
// stable partial fingerprint, suppressed findings kept with a suppression.
type SARIF struct{ Opts Options }

const informationURI = "https://github.com/plumbsec/plumb"

// securitySeverity maps severities onto GitHub code scanning's 0–10 scale
// (critical > 9, high 7–8.9, medium 4–6.9, low < 4).
var securitySeverity = map[finding.Severity]string{
	finding.Critical: "9.5", finding.High: "8.0", finding.Medium: "5.5", finding.Low: "3.0", finding.Info: "0.0",
}

func sarifLevel(s finding.Severity) string {
	switch s {
	case finding.Critical, finding.High:
		return "error"
	case finding.Medium:
		return "warning"
	case finding.Low:
		return "note"
	}
	return "none"
}

var precision = map[finding.Confidence]string{
	finding.Confirmed: "very-high", finding.Firm: "high", finding.Tentative: "medium",
}

// Render writes the SARIF log.
func (s SARIF) Render(w io.Writer, r *result.Report) error {
	props := [][2]any{{"target", r.Target}, {"score", r.Score}, {"grade", r.Grade}, {"grade_basis", r.GradeBasis}, {"partial", r.Partial}}
	var notAssessed []string
	for _, c := range r.Categories {
		if !c.Assessed {
			notAssessed = append(notAssessed, string(c.ID)+": "+c.Reason)
		}
	}
	if len(notAssessed) > 0 {
		props = append(props, [2]any{"not_assessed", notAssessed})
	}
	var notes []string
	for _, why := range r.PartialReasons() {
		notes = append(notes, "partial report: "+why)
	}
	for _, c := range r.ChangesNotUndone { // a writes scan's leftovers the user must undo
		notes = append(notes, "change not undone: "+changeLine(c))
	}
	return writeSARIF(w, sarifRun{
		version: r.Tool.Version, fullName: "plumb black-box API security scanner", ok: !r.Partial, start: r.StartedAt,
		props: props, notes: notes,
	}, r.Findings, s.Opts.Rule)
}

// sarifRun is what a SARIF run says about itself.
type sarifRun struct {
	version, fullName string
	ok                bool // the invocation ran to the end
	start             time.Time
	props             [][2]any // run properties, in order
	notes             []string // warnings about the invocation (why a report is partial)
}

// writeSARIF writes one SARIF 2.1.0 log of findings: the scan report and
// the plumb code report both go through it.
func writeSARIF(w io.Writer, info sarifRun, fs []finding.Finding, lookup func(string) (result.Rule, bool)) error {
	log := sarif.NewReport()
	log.Schema = "https://json.schemastore.org/sarif-2.1.0.json"
	run := sarif.NewRunWithInformationURI("plumb", informationURI)
	if info.version != "" {
		run.Tool.Driver.WithVersion(info.version)
	}
	run.Tool.Driver.WithFullName(info.fullName)
	inv := sarif.NewInvocation().WithExecutionSuccessful(info.ok).WithStartTimeUtc(info.start.UTC().Format(time.RFC3339))
	for _, n := range info.notes {
		inv.AddToolExecutionNotification(sarif.NewNotification().WithLevel("warning").
			WithMessage(sarif.NewMessage().WithText(n)))
	}
	run.AddInvocation(inv)
	props := sarif.NewPropertyBag()
	for _, kv := range info.props {
		props.Add(kv[0].(string), kv[1])
	}
	run.WithProperties(props)

	addRules(run, fs, lookup)
	for _, f := range fs {
		run.AddResult(sarifResult(run, f))
	}
	log.AddRun(run)
	return writeTidySARIF(w, log)
}

// addRules adds one rule per finding id, sorted by id so the rule indexes
// are stable. Ids the lookup does not know take the finding's fields.
func addRules(run *sarif.Run, fs []finding.Finding, lookup func(string) (result.Rule, bool)) {
	first := map[string]finding.Finding{}
	var ids []string
	for _, f := range fs {
		if _, ok := first[f.ID]; !ok {
			first[f.ID] = f
			ids = append(ids, f.ID)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		f := first[id]
		m, known := result.Rule{}, false
		if lookup != nil {
			m, known = lookup(id)
		}
		if !known {
			m = result.Rule{ID: id, Title: f.Title, Category: f.Category, OWASP: f.OWASP, OWASPLLM: f.OWASPLLM, CWE: f.CWE, Severity: f.Severity}
		}
		fix := m.Remediation
		if fix.Summary == "" {
			fix = f.Remediation
		}
		rule := run.AddRule(id).WithName(ruleName(id)).WithDescription(m.Title)
		full := m.Description
		if full == "" {
			full = m.Title
		}
		rule.WithFullDescription(sarif.NewMultiformatMessageString().WithText(full))
		help := ruleHelp(m, fix)
		rule.WithHelp(sarif.NewMultiformatMessageString().WithText(help.text).WithMarkdown(help.markdown))
		if len(fix.References) > 0 {
			rule.WithHelpURI(fix.References[0])
		}
		rule.WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(m.Severity)))
		props := sarif.NewPropertyBag().Add("security-severity", securitySeverity[m.Severity]).
			Add("precision", "high").Add("problem.severity", problemSeverity(m.Severity))
		props.AddTag("security").AddTag(string(m.Category))
		if m.OWASP != "" {
			props.AddTag("owasp-" + m.OWASP)
		}
		if m.OWASPLLM != "" {
			props.AddTag("owasp-" + m.OWASPLLM)
		}
		if m.CWE != "" {
			props.AddTag("external/cwe/" + strings.ToLower(m.CWE))
		}
		rule.WithProperties(props)
	}
}

// ruleName turns "dns.dangling-cname" into "DnsDanglingCname", the
// PascalCase name SARIF viewers expect.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '.' || r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func problemSeverity(s finding.Severity) string {
	switch s {
	case finding.Critical, finding.High:
		return "error"
	case finding.Medium:
		return "warning"
	}
	return "recommendation"
}

type helpText struct{ text, markdown string }

func ruleHelp(m result.Rule, rem finding.Remediation) helpText {
	var t, md strings.Builder
	fmt.Fprintf(&t, "%s\n\n", m.Title)
	fmt.Fprintf(&md, "## %s\n\n", m.Title)
	if m.Description != "" {
		fmt.Fprintf(&t, "%s\n\n", m.Description)
		fmt.Fprintf(&md, "%s\n\n", m.Description)
	}
	var meta []string
	for _, kv := range [][2]string{{"Category", string(m.Category)}, {"OWASP API Top 10", m.OWASP}, {"OWASP LLM Top 10", m.OWASPLLM}, {"CWE", m.CWE}} {
		if kv[1] != "" {
			meta = append(meta, kv[0]+": "+kv[1])
		}
	}
	fmt.Fprintf(&t, "%s\n\n", strings.Join(meta, "; "))
	fmt.Fprintf(&md, "%s\n\n", strings.Join(meta, " · "))
	if rem.Summary != "" {
		fmt.Fprintf(&t, "Remediation: %s\n", rem.Summary)
		fmt.Fprintf(&md, "### Remediation\n\n%s\n", rem.Summary)
	}
	for _, s := range rem.Snippets {
		fmt.Fprintf(&t, "\n%s:\n%s\n", s.Lang, s.Code)
		fmt.Fprintf(&md, "\n**%s**\n\n```\n%s\n```\n", s.Lang, strings.TrimRight(s.Code, "\n"))
	}
	if len(rem.References) > 0 {
		t.WriteString("\nReferences:\n")
		md.WriteString("\n### References\n\n")
		for _, ref := range rem.References {
			fmt.Fprintf(&t, "- %s\n", ref)
			fmt.Fprintf(&md, "- <%s>\n", ref)
		}
	}
	return helpText{strings.TrimSpace(t.String()), strings.TrimSpace(md.String())}
}

func sarifResult(run *sarif.Run, f finding.Finding) *sarif.Result {
	msg := f.Title
	if f.Evidence.Summary != "" {
		msg += ". " + strings.TrimSuffix(f.Evidence.Summary, ".") + "."
	}
	res := sarif.NewRuleResult(f.ID).WithRuleIndex(run.GetRuleIndex(f.ID)).
		WithLevel(sarifLevel(f.Severity)).
		WithMessage(sarif.NewTextMessage(msg)).
		WithPartialFingerprints(map[string]string{"plumb/v1": f.Fingerprint})
	res.AddLocation(sarifLocation(f))
	for _, l := range f.Affected {
		g := f
		g.Location, g.Source = l, nil
		res.AddRelatedLocation(sarifLocation(g))
	}
	props := sarif.NewPropertyBag().Add("security-severity", securitySeverity[f.Severity]).
		Add("severity", f.Severity.String()).Add("confidence", f.Confidence.String()).
		Add("precision", precision[f.Confidence]).Add("category", string(f.Category))
	if f.OWASP != "" {
		props.Add("owasp", f.OWASP)
	}
	if f.CWE != "" {
		props.Add("cwe", f.CWE)
	}
	res.WithProperties(props)
	if f.BaselineState != "" {
		res.WithBaselineState(f.BaselineState)
	}
	if f.Suppressed && f.Suppression != nil {
		s := sarif.NewSuppression().WithKind("external").WithStatus("accepted").WithJustification(f.Suppression.Reason)
		sp := sarif.NewPropertyBag().Add("entry", f.Suppression.Entry).Add("by", f.Suppression.By)
		if f.Suppression.Expires != "" {
			sp.Add("expires", f.Suppression.Expires)
		}
		s.WithProperties(sp)
		res.AddSuppression(s)
	}
	return res
}

// sarifLocation places a finding: the file and line of a finding in source
// code (plumb code), or the operation's line in the spec file when there
// is one, and always a logical location (the operation, or the host for
// host-level findings such as DNS).
func sarifLocation(f finding.Finding) *sarif.Location {
	loc := sarif.NewLocation()
	switch {
	case f.Location.File != "":
		loc.WithPhysicalLocation(physicalLocation(f.Location.File, f.Location.Line))
	case f.Source != nil && f.Source.File != "" && !strings.Contains(f.Source.File, "://"):
		loc.WithPhysicalLocation(physicalLocation(f.Source.File, f.Source.Line))
	}
	if f.Location.Host == "" && f.Location.Symbol != "" {
		ll := sarif.NewLogicalLocation().WithName(f.Location.Symbol).WithFullyQualifiedName(f.Location.File + ":" + f.Location.Symbol).WithKind("variable")
		loc.AddLogicalLocation(ll)
		return loc
	}
	l := f.Location
	ll := sarif.NewLogicalLocation()
	if l.Method != "" || l.Path != "" {
		name := strings.TrimSpace(l.Method + " " + l.Path + l.Operation())
		ll.WithName(name).WithFullyQualifiedName(l.Host + " " + name).WithKind("resource")
	} else {
		ll.WithName(l.Host).WithFullyQualifiedName(l.Host).WithKind("module")
	}
	if l.Param != "" && l.GraphQL == "" {
		ll.WithDecoratedName(*ll.FullyQualifiedName + " [" + l.Param + "]")
	}
	loc.AddLogicalLocation(ll)
	return loc
}

// physicalLocation is a file and line; relative paths stay relative so
// GitHub code scanning resolves them against the checkout.
func physicalLocation(file string, line int) *sarif.PhysicalLocation {
	uri := filepath.ToSlash(file)
	if filepath.IsAbs(file) {
		uri = "file://" + uri
	}
	pl := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(uri))
	if line > 0 {
		pl.WithRegion(sarif.NewRegion().WithStartLine(line))
	}
	return pl
}
