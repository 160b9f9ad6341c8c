package consumption_test

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/checks/consumption"
	"github.com/plumbsec/plumb/internal/finding"
)

func TestPlainHTTPUpstream(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, "", nil, consumption.PlainHTTPUpstream{})
	fs := labtest.WithID(rep, "unsafe-consumption.plain-http-upstream")
	if len(fs) != 1 || fs[0].Location.Host != "metrics.vulnshop.test" || fs[0].Severity != finding.Low ||
		!strings.Contains(fs[0].Evidence.Summary, "http://metrics.vulnshop.test/v1/preview-stats") {
		t.Errorf("vulnshop: %+v", rep.Findings)
	}
	// The same host over https (x-upstream in the base document) is not reported.
	if strings.Contains(fs[0].Evidence.Summary, "https://") {
		t.Errorf("https URL reported: %s", fs[0].Evidence.Summary)
	}
	rep = labtest.Scan(t, w, w.Clean.BaseURL, "", nil, consumption.PlainHTTPUpstream{})
	for _, f := range rep.Findings {
		t.Errorf("clean twin: %s %s", f.ID, f.Title)
	}
}
