package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/result"
)

// docs/scoring.md, rule 2: what a check's run shows.
func TestJudge(t *testing.T) {
	t.Parallel()
	client, err := netx.NewClient(netx.Config{Resolver: mustResolver(t)})
	if err != nil {
		t.Fatal(err)
	}
	s := &scanner{opts: Options{Timeout: time.Second, MaxRequests: 100}, http: client}
	live := context.Background()
	limited, cancel := context.WithTimeoutCause(live, time.Nanosecond, &timeLimit{d: time.Minute})
	defer cancel()
	<-limited.Done()
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		err    error
		tally  netx.TallyCounts
		status string
		reason string
	}{
		{"no network needed: ran", live, nil, netx.TallyCounts{}, statusRan, ""},
		{"one answer is enough: ran", live, nil, netx.TallyCounts{Answered: 1, TimedOut: 9}, statusRan, ""},
		{"a DNS reply is an answer", live, nil, netx.TallyCounts{DNSAnswered: 1, DNSFailed: 3}, statusRan, ""},
		{"nothing answered: not assessed", live, nil, netx.TallyCounts{TimedOut: 3, OverBudget: 2}, statusNotAssessed,
			"none of its 5 request(s) was answered: 3 timed out after 1s, 2 not sent: the request budget (--max-requests 100) was spent"},
		{"nothing answered, with an error: not assessed", live, errors.New("boom"), netx.TallyCounts{Failed: 1}, statusNotAssessed, "1 failed to connect"},
		{"an error after answers: error", live, errors.New("boom"), netx.TallyCounts{Answered: 1}, statusError, "boom"},
		{"the time limit stopped it: not assessed", limited, errors.New("dns: no resolver answered"), netx.TallyCounts{}, statusNotAssessed, "stopped: the scan's time limit (--max-time 1m0s) ran out"},
		{"the time limit, nothing answered", limited, nil, netx.TallyCounts{Stopped: 2}, statusNotAssessed, "stopped:"},
		{"the time limit after answers: ran (the report is partial)", limited, nil, netx.TallyCounts{Answered: 2, Stopped: 1}, statusRan, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var run result.CheckRun
			s.judge(tc.ctx, &run, tc.err, tc.tally)
			if run.Status != tc.status || !strings.Contains(run.Reason, tc.reason) || (tc.reason == "" && run.Reason != "") {
				t.Errorf("got %s %q, want %s %q", run.Status, run.Reason, tc.status, tc.reason)
			}
		})
	}
}

type metaCheck check.Meta

func (m metaCheck) Meta() check.Meta { return check.Meta(m) }
func (metaCheck) Run(context.Context, *check.Input) ([]finding.Finding, error) {
	return nil, nil
}

// docs/scoring.md, rule 2: when a category is assessed.
func TestCategoryCoverage(t *testing.T) {
	t.Parallel()
	checks := []check.Check{
		metaCheck{ID: "a.one", Category: finding.CatAuthentication}, metaCheck{ID: "a.two", Category: finding.CatAuthentication},
		metaCheck{ID: "b.one", Category: finding.CatBOLA}, metaCheck{ID: "b.two", Category: finding.CatBOLA},
		metaCheck{ID: "e.one", Category: finding.CatEncryption}, metaCheck{ID: "e.two", Category: finding.CatEncryption},
		metaCheck{ID: "r.one", Category: finding.CatRateLimiting},
	}
	runs := []result.CheckRun{
		{ID: "a.one", Status: statusRan}, {ID: "a.two", Status: statusSkipped, Reason: "needs a credential"},
		{ID: "b.one", Status: statusRan}, {ID: "b.two", Status: statusNotAssessed, Reason: "none of its 3 request(s) was answered"},
		{ID: "e.one", Status: statusError, Reason: "boom\nstack"}, {ID: "e.two", Status: statusSkipped, Reason: "needs a spec"},
		{ID: "r.one", Status: statusSkipped, Reason: "needs a spec"},
	}
	assessed, why := categoryCoverage(runs, checks)
	want := map[finding.Category]string{
		finding.CatAuthentication: "",
		finding.CatBOLA:           "b.two not-assessed: none of its 3 request(s) was answered",
		finding.CatEncryption:     "e.one error: boom",
		finding.CatRateLimiting:   "r.one skipped: needs a spec",
	}
	for c, w := range want {
		if assessed[c] != (w == "") || why[c] != w {
			t.Errorf("%s: assessed=%v why=%q, want %q", c, assessed[c], why[c], w)
		}
	}
}

func mustResolver(t *testing.T) *netx.Resolver {
	t.Helper()
	r, err := netx.NewResolver(netx.ResolverConfig{Servers: []string{"127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
