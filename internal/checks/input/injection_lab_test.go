package input_test

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/checks/input"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/labtest"
)

// Vulnshop's ping runs a shell (the output marker comes back), its lookup
// too (only the sleep shows), and its e-mail validator backtracks;
// cleanshop validates the host and matches in linear time. Read-only: no
// write needed for any of it.
func TestInjectionChecksOnLab(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, input.CommandInjection{}, input.ReDoS{})
	wants := []want{
		{"input-validation.command-injection", "GET", "/api/v1/tools/ping", "host", finding.Critical, finding.Confirmed},
		{"input-validation.command-injection", "GET", "/api/v1/tools/lookup", "name", finding.Critical, finding.Firm},
		{"input-validation.redos", "GET", "/api/v1/validate/email", "email", finding.Medium, finding.Firm},
	}
	got := map[string]finding.Finding{}
	for _, f := range rep.Findings {
		got[f.ID+" "+f.Location.Path+" "+f.Location.Param] = f
	}
	for _, wt := range wants {
		f, ok := got[wt.id+" "+wt.path+" "+wt.param]
		switch {
		case !ok:
			t.Errorf("missing %s on %s [%s]; got %v", wt.id, wt.path, wt.param, rep.Findings)
		case f.Severity != wt.sev || f.Confidence != wt.conf:
			t.Errorf("%s on %s: %s/%s, want %s/%s: %s", wt.id, wt.path, f.Severity, f.Confidence, wt.sev, wt.conf, f.Evidence.Summary)
		case len(f.Evidence.HTTP) == 0 || len(f.Remediation.Snippets) < 3:
			t.Errorf("%s on %s lacks evidence or remediation", wt.id, wt.path)
		}
	}
	if len(rep.Findings) != len(wants) {
		t.Errorf("%d findings, want %d", len(rep.Findings), len(wants))
	}
	for _, r := range w.Vuln.Methods.Records() {
		if r.Method != "GET" {
			t.Errorf("a read-only check sent %s %s", r.Method, r.Path)
		}
	}
	clean := labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, nil, input.CommandInjection{}, input.ReDoS{})
	for _, f := range clean.Findings {
		t.Errorf("clean twin: %s %s: %s", f.ID, f.Location, f.Evidence.Summary)
	}
	ran := 0
	for _, r := range w.Clean.Methods.Records() {
		if strings.HasPrefix(r.Path, "/api/v1/tools/") || r.Path == "/api/v1/validate/email" {
			ran++
		}
	}
	if ran == 0 {
		t.Error("the checks never reached cleanshop's diagnostics and validator: the clean scan proves nothing")
	}
	t.Logf("vulnshop: %d requests, %d ms; cleanshop: %d requests, %d ms", rep.Requests.HTTP, rep.DurationMS, clean.Requests.HTTP, clean.DurationMS)
}
