package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/plumbsec/plumb/internal/finding"
)

// JUnit renders the report as JUnit XML for CI test reports: one test case
// per check × location. A finding at or above the gate (--fail-on, default
// low) is a failure; suppressed findings are skipped; findings below the
// gate, and checks that ran without findings, pass.
type JUnit struct{ Opts Options }

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

type junitText struct {
	Text string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// Render writes the report.
func (j JUnit) Render(w io.Writer, r *result.Report) error {
	gate := finding.Low
	if j.Opts.FailOn != "" {
		s, err := finding.ParseSeverity(j.Opts.FailOn)
		if err != nil {
			return err
		}
		gate = s
	}
	suite := junitSuite{
		Name:      "plumb " + r.Target,
		Time:      fmt.Sprintf("%.3f", float64(r.DurationMS)/1000),
		Timestamp: r.StartedAt.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{"score", fmt.Sprint(r.Score)}, {"grade", r.Grade}, {"grade-basis", r.GradeBasis}, {"mode", r.Mode},
			{"fail-on", gate.String()}, {"partial", fmt.Sprint(r.Partial)},
		},
	}
	for _, why := range r.PartialReasons() {
		suite.Properties = append(suite.Properties, junitProperty{"partial-reason", why})
	}
	withFindings := map[string]bool{}
	for _, f := range r.Findings {
		withFindings[f.ID] = true
		suite.Cases = append(suite.Cases, j.findingCase(f, gate))
	}
	for _, c := range r.Checks {
		if withFindings[c.ID] {
			continue
		}
		tc := junitCase{Classname: c.ID, Name: hostOf(r.Target), Time: fmt.Sprintf("%.3f", float64(c.DurationMS)/1000)}
		switch c.Status {
		case "skipped":
			tc.Skipped = &junitSkipped{Message: c.Reason}
		case "not-assessed":
			tc.Skipped = &junitSkipped{Message: "not assessed: " + c.Reason}
		case "error":
			tc.Failure = &junitFailure{Message: "check failed: " + firstLine(c.Reason), Type: "error", Text: c.Reason}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	for _, c := range r.ChangesNotUndone {
		// A change plumb could not undo fails the run whatever the gate:
		// the target is not as the scan found it.
		suite.Cases = append(suite.Cases, junitCase{Classname: "plumb.changes-not-undone", Name: c.Object,
			Failure: &junitFailure{Message: "change not undone: " + c.Change, Type: "change-not-undone", Text: changeLine(c)}})
	}
	for _, c := range suite.Cases {
		suite.Tests++
		if c.Failure != nil {
			suite.Failures++
		}
		if c.Skipped != nil {
			suite.Skipped++
		}
	}
	doc := junitSuites{Name: "plumb", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func (j JUnit) findingCase(f finding.Finding, gate finding.Severity) junitCase {
	tc := junitCase{Classname: f.ID, Name: f.Location.String(), Time: "0.000"}
	var body strings.Builder
	fmt.Fprintf(&body, "%s (%s, %s confidence)\n", f.Title, f.Severity, f.Confidence)
	if len(f.Affected) > 0 {
		fmt.Fprintf(&body, "affects: %s\n", affectedList(f.Affected))
	}
	if f.Evidence.Summary != "" {
		fmt.Fprintf(&body, "evidence: %s\n", f.Evidence.Summary)
	}
	if f.Remediation.Summary != "" {
		fmt.Fprintf(&body, "fix: %s\n", f.Remediation.Summary)
	}
	fmt.Fprintf(&body, "fingerprint: %s\n", f.Fingerprint)
	switch {
	case f.Suppressed && f.Suppression != nil:
		tc.Skipped = &junitSkipped{Message: "suppressed (" + f.Suppression.Entry + "): " + f.Suppression.Reason}
	case f.Severity >= gate && gate > finding.Info && (!j.Opts.NewOnly || f.BaselineState != result.StateUnchanged):
		tc.Failure = &junitFailure{Message: f.Severity.String() + ": " + f.Title, Type: f.Severity.String(), Text: body.String()}
	default:
		tc.SystemOut = &junitText{body.String()}
	}
	return tc
}

func hostOf(target string) string {
	if _, rest, ok := strings.Cut(target, "://"); ok {
		target = rest
	}
	host, _, _ := strings.Cut(target, "/")
	return host
}
