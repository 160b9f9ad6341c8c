package ssrf_test

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/checks/ssrf"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
)

const callback = "https://collector.evil.test"

func withCallback(o *engine.Options) { o.CallbackURL = callback }

// vulnshop's preview fetches the collector and forwards the caller's
// token: critical, confirmed by the collector's own record.
func TestVulnShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, withCallback, ssrf.ServerSideFetch{})
	fs := labtest.WithID(rep, "ssrf.server-side-fetch")
	if len(fs) != 1 {
		t.Fatalf("%d findings: %+v", len(fs), rep.Findings)
	}
	f := fs[0]
	if f.Location.Path != "/api/v1/preview" || f.Location.Param != "url" || f.Severity != finding.Critical || f.Confidence != finding.Confirmed {
		t.Errorf("finding %+v", f)
	}
	if !strings.Contains(f.Evidence.Summary, "Authorization") {
		t.Errorf("evidence does not mention the forwarded header: %s", f.Evidence.Summary)
	}
	for _, h := range f.Evidence.HTTP {
		if strings.Contains(h.Body, w.Vuln.Token) || strings.Contains(h.URL, w.Vuln.Token) {
			t.Error("token in evidence")
		}
	}
	// The only requests at the collector are the API's fetch (which the
	// API sent, with the token: the flaw) — plumb's own poll is not
	// recorded and carries nothing.
	for _, r := range w.Collector.Requests() {
		if !strings.HasPrefix(r.Path, "/plumb/plumb-ssrf-") {
			t.Errorf("unexpected collector request %s %s", r.Method, r.Path)
		}
	}
}

func TestCleanShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, withCallback, ssrf.ServerSideFetch{})
	for _, f := range rep.Findings {
		t.Errorf("clean twin: %s %s", f.ID, f.Title)
	}
	if n := len(w.Collector.Requests()); n != 0 {
		t.Errorf("collector saw %d requests from the clean twin", n)
	}
}

// Without --callback-url the check sends nothing.
func TestNoCallbackNoProbe(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, ssrf.ServerSideFetch{})
	if len(rep.Findings) != 0 || len(w.Collector.Requests()) != 0 {
		t.Errorf("findings %d, collector requests %d", len(rep.Findings), len(w.Collector.Requests()))
	}
}
