package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// At width 80 no table line is wider than 80 visible columns, except a line
// holding a single word that cannot break (a URL).
func TestTableFits80Columns(t *testing.T) {
	t.Parallel()
	for _, color := range []bool{false, true} {
		out := render(t, "table", Options{Width: 80, Color: color, Written: []Written{{"sarif", "plumb.sarif"}}})
		for i, line := range strings.Split(string(out), "\n") {
			if n := visibleLen(line); n > 80 {
				longest := 0
				for _, w := range strings.Fields(line) {
					longest = max(longest, visibleLen(w))
				}
				if n-longest > 40 {
					t.Errorf("color=%v line %d is %d columns: %q", color, i+1, n, line)
				}
			}
		}
		if !bytes.Contains(out, []byte("plumb.sarif")) {
			t.Error("the table does not say where the SARIF output was written")
		}
	}
}

// The table groups findings by severity with counts, most severe first.
func TestTableGroupsBySeverity(t *testing.T) {
	t.Parallel()
	out := string(render(t, "table", Options{Width: 80}))
	crit, high, low := strings.Index(out, "CRITICAL (1)"), strings.Index(out, "HIGH (1)"), strings.Index(out, "LOW (2)")
	if crit < 0 || high < crit || low < high {
		t.Fatalf("severity groups missing or out of order:\n%s", out)
	}
}

// Attacker-controlled text cannot become markup in Markdown or HTML, and
// JUnit output is well-formed XML.
func TestUntrustedTextIsInert(t *testing.T) {
	t.Parallel()
	html := string(render(t, "html", Options{}))
	if strings.Contains(html, "<script>document.title") || strings.Contains(html, "<img src=x") {
		t.Error("HTML report contains the evidence's markup unescaped")
	}
	if !strings.Contains(html, "&lt;script&gt;document.title=") {
		t.Error("HTML report does not show the evidence, escaped")
	}
	if strings.Count(html, "<script") != 1 {
		t.Errorf("HTML report has %d script elements, want only its own", strings.Count(html, "<script"))
	}
	if !strings.Contains(html, `content="default-src &#39;none&#39;`) {
		t.Error("HTML report lacks its Content-Security-Policy")
	}
	for _, bad := range []string{"http://", "https://"} {
		for _, attr := range []string{`src="` + bad, `href="` + bad} {
			if strings.Contains(html, attr) {
				t.Errorf("HTML report references an external resource (%s)", attr)
			}
		}
	}

	md := mdEscape("<script>x</script> | [a](http://e) @team **b**")
	for _, bad := range []string{"<script", "[a]", "|", "@team", "**"} {
		if strings.Contains(strings.ReplaceAll(md, `\|`, ""), bad) {
			t.Errorf("mdEscape left %q in %q", bad, md)
		}
	}

	var v any
	for _, o := range []Options{{}, {FailOn: "critical"}, {NewOnly: true}} {
		if err := xml.Unmarshal(render(t, "junit", o), &v); err != nil {
			t.Errorf("JUnit output is not XML: %v", err)
		}
	}
}

// JUnit failures follow the gate: --fail-on critical fails only the
// critical finding; new-only leaves unchanged findings passing.
func TestJUnitGate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		o    Options
		want int
	}{{Options{}, 4}, {Options{FailOn: "critical"}, 1}, {Options{FailOn: "low", NewOnly: true}, 3}} {
		out := string(render(t, "junit", tc.o))
		if got := strings.Count(out, "<failure "); got != tc.want {
			t.Errorf("%+v: %d failures, want %d", tc.o, got, tc.want)
		}
		if !strings.Contains(out, "<skipped message=\"suppressed") {
			t.Errorf("%+v: the suppressed finding is not a skipped test", tc.o)
		}
	}
}
