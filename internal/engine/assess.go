package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/safetext"
)

// Check run statuses (result.CheckRun.Status).
const (
	statusRan         = "ran"
	statusSkipped     = "skipped"
	statusError       = "error"
	statusNotAssessed = "not-assessed"
)

// maxReason bounds a check's error in the report (a panic's stack fits).
const maxReason = 8 << 10

// judge decides what a check's run showed, from what it returned and what
// its requests and DNS questions became (its tally), so no check needs code
// of its own to say it could not assess anything:
//   - stopped by the time limit or an interrupt while failing: not assessed;
//   - it tried the network and nothing answered: not assessed, with what
//     became of its attempts;
//   - it returned an error anyway: error;
//   - otherwise it ran (a check that needed no network ran on what it had).
func (s *scanner) judge(ctx context.Context, run *result.CheckRun, err error, t netx.TallyCounts) {
	noAnswer := t.Attempts() > 0 && !t.Observed()
	var na *check.NotAssessedError
	switch {
	case errors.As(err, &na) && ctx.Err() == nil:
		run.Status, run.Reason = statusNotAssessed, safetext.Lines(na.Reason, maxReason)
	case ctx.Err() != nil && (err != nil || noAnswer):
		run.Status, run.Reason = statusNotAssessed, "stopped: "+stopReason(ctx)
	case noAnswer:
		run.Status, run.Reason = statusNotAssessed, s.unanswered(t)
	case err != nil:
		// A check's error may quote what the target said.
		run.Status, run.Reason = statusError, safetext.Lines(err.Error(), maxReason)
	default:
		run.Status = statusRan
	}
}

// unanswered says what became of the attempts of a check that got no
// answer at all.
func (s *scanner) unanswered(t netx.TallyCounts) string {
	var parts []string
	add := func(n int, format string, args ...any) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d "+format, append([]any{n}, args...)...))
		}
	}
	add(t.TimedOut, "timed out after %s", s.opts.Timeout)
	add(t.Failed, "failed to connect or read")
	if t.HostDown > 0 {
		var hs []string
		for _, h := range s.http.DownHosts() {
			hs = append(hs, h.Host)
		}
		add(t.HostDown, "not sent: %s stopped answering", strings.Join(hs, ", "))
	}
	add(t.OverBudget, "not sent: the request budget (--max-requests %d) was spent", s.opts.MaxRequests)
	add(t.Stopped, "cut short")
	add(t.DNSFailed, "DNS question(s) unanswered")
	n := t.Attempts() - t.DNSFailed
	what := fmt.Sprintf("none of its %d request(s) was answered", n)
	if n == 0 {
		what = "no DNS server answered it"
	}
	return what + ": " + strings.Join(parts, ", ")
}

// categoryCoverage says which categories the checks assessed and, for the
// others, why not. A category is assessed when at least one of its checks
// ran and none was cut off (not assessed): a grade must not stand for
// checks that could not look. The reason is the most telling check's: not
// assessed, then error, then skipped.
func categoryCoverage(runs []result.CheckRun, checks []check.Check) (map[finding.Category]bool, map[finding.Category]string) {
	cat := map[string]finding.Category{}
	for _, c := range checks {
		cat[c.Meta().ID] = c.Meta().Category
	}
	rank := map[string]int{statusNotAssessed: 3, statusError: 2, statusSkipped: 1}
	ran := map[finding.Category]bool{}
	best := map[finding.Category]result.CheckRun{}
	for _, r := range runs {
		c := cat[r.ID]
		if r.Status == statusRan {
			ran[c] = true
			continue
		}
		if b, ok := best[c]; !ok || rank[r.Status] > rank[b.Status] {
			best[c] = r
		}
	}
	assessed := map[finding.Category]bool{}
	why := map[finding.Category]string{}
	for _, c := range finding.Categories {
		b, hasOther := best[c]
		switch {
		case ran[c] && (!hasOther || b.Status != statusNotAssessed):
			assessed[c] = true
		case hasOther:
			why[c] = b.ID + " " + b.Status + ": " + firstLine(b.Reason)
		}
	}
	return assessed, why
}
