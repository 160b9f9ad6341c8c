package ratelimit_test

import (
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/ratelimit"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
)

var all = []check.Check{ratelimit.NoRateLimit{}, ratelimit.PageSize{}}

func TestVulnShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, all...)
	rl := labtest.WithID(rep, "rate-limiting.no-rate-limit")
	// One finding for the host's limiter, naming the operation the burst hit.
	if len(rl) != 1 || rl[0].Confidence != finding.Firm || len(rl[0].Affected) != 1 || rl[0].Affected[0].Method != "GET" || rl[0].Evidence.Summary == "" {
		t.Errorf("no-rate-limit: %+v", rl)
	} else if rl[0].Affected[0].Path == "/api/v1/login" {
		t.Error("burst hit the login operation")
	}
	ps := labtest.WithID(rep, "rate-limiting.unbounded-page-size")
	if len(ps) != 1 || ps[0].Location.Path != "/api/v1/catalog" || ps[0].Location.Param != "limit" || ps[0].Severity != finding.Medium {
		t.Errorf("unbounded-page-size: %+v", ps)
	}
	if len(rep.Findings) != 2 {
		t.Errorf("%d findings, want 2", len(rep.Findings))
	}
}

func TestCleanShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, nil, all...)
	for _, f := range rep.Findings {
		t.Errorf("clean twin: %s %s: %s", f.ID, f.Location.Path, f.Title)
	}
}

// The burst respects the scan's request budget: with too little budget
// left it is not sent at all.
func TestBurstRespectsBudget(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	w.Vuln.Methods.Reset()
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, func(o *engine.Options) { o.MaxRequests = 40 }, ratelimit.NoRateLimit{})
	if n := len(labtest.WithID(rep, "rate-limiting.no-rate-limit")); n != 0 {
		t.Errorf("burst ran on a 40-request budget (%d findings)", n)
	}
	if n := len(w.Vuln.Methods.Records()); n > 40 {
		t.Errorf("%d requests on a budget of 40", n)
	}
	w.Vuln.Methods.Reset()
	labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, ratelimit.NoRateLimit{})
	t.Logf("no-rate-limit sent %d requests to vulnshop (spec + corpus + burst)", len(w.Vuln.Methods.Records()))
}
