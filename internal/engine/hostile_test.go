package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/check"
	dnscheck "github.com/plumbsec/plumb/internal/checks/dns"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/score"
)

// A discovered document cut at the body cap is not parsed as if whole: a
// YAML prefix is a valid, smaller document.
func TestDiscoveredSpecCutAtBodyCapIsNotParsed(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Run(t, "https://"+lab.BigSpecHost, labtest.Options(t, w, ""))
	if rep.Spec.Operations != 0 || rep.Spec.Source != "" {
		t.Fatalf("a prefix of the document was loaded: %d of %d operations", rep.Spec.Operations, lab.BigSpecOperations)
	}
	var tried string
	for _, a := range rep.Spec.Tried {
		if strings.HasSuffix(a.URL, "/openapi.yaml") {
			tried = a.Result
		}
	}
	if !strings.Contains(tried, "larger than the response size cap") {
		t.Errorf("attempt at /openapi.yaml: %q", tried)
	}
	var msgs []string
	for _, e := range rep.Errors {
		msgs = append(msgs, e.Message)
	}
	if all := strings.Join(msgs, "\n"); !strings.Contains(all, "--max-body") {
		t.Errorf("no error tells how to load it:\n%s", all)
	}
}

// waitForEnd is a probe-phase check that returns when the scan's context
// ends: whatever runs after it runs out of time.
type waitForEnd struct{}

func (waitForEnd) Meta() check.Meta {
	return check.Meta{ID: "test.wait-for-end", Category: finding.CatInventory, Severity: finding.Info}
}

func (waitForEnd) Run(ctx context.Context, _ *check.Input) ([]finding.Finding, error) {
	<-ctx.Done()
	return nil, nil
}

func errorsText(rep *result.Report) string {
	var b strings.Builder
	for _, e := range rep.Errors {
		b.WriteString(e.Stage + ": " + e.Message + "\n")
	}
	return b.String()
}

// Case 2: a scan cut by --max-time or an interrupt says it is partial, and
// why.
func TestCutScansArePartial(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	t.Run("max-time", func(t *testing.T) {
		t.Parallel()
		o := labtest.Options(t, w, "", waitForEnd{})
		o.MaxDuration = time.Second
		rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Clean.BaseURL}, o)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Partial || !strings.Contains(errorsText(rep), "time limit") || !strings.Contains(errorsText(rep), "--max-time 1s") {
			t.Errorf("partial=%v, errors:\n%s", rep.Partial, errorsText(rep))
		}
	})
	t.Run("interrupt", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		o := labtest.Options(t, w, "", waitForEnd{})
		o.Progress = func(p engine.Progress) {
			if p.Stage == "checks" || p.Stage == "spec" {
				cancel()
			}
		}
		rep, err := engine.Scan(ctx, engine.Target{URL: w.Clean.BaseURL}, o)
		cancel()
		if rep == nil {
			t.Fatalf("no report: %v", err)
		}
		if !rep.Partial || !strings.Contains(errorsText(rep), "interrupted") {
			t.Errorf("partial=%v, errors:\n%s", rep.Partial, errorsText(rep))
		}
	})
}

// scanHang scans the lab API whose operations never answer, with every
// check.
func scanHang(t *testing.T) (*lab.World, *result.Report) {
	t.Helper()
	w := labtest.Start(t)
	o := labtest.Options(t, w, w.Hang.Token, catalog.Checks()...)
	o.Timeout = 3 * time.Second // long enough for the spec on a loaded machine; the hang never answers anyway
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Hang.BaseURL}, o)
	if err != nil {
		t.Fatal(err)
	}
	return w, rep
}

// Case 3: checks of an API whose operations never answer did not assess
// anything: their categories are not assessed, with the reason, and the
// grade does not count them.
func TestNoAnswerIsNotAssessed(t *testing.T) {
	t.Parallel()
	_, rep := scanHang(t)
	if rep.Spec.Operations != lab.HangOperations {
		t.Fatalf("spec: %+v", rep.Spec)
	}
	byCat := map[finding.Category]score.Category{}
	for _, c := range rep.Categories {
		byCat[c.ID] = c
	}
	for _, c := range []finding.Category{finding.CatAuthentication, finding.CatBOLA, finding.CatBFLA, finding.CatRateLimiting} {
		got := byCat[c]
		if got.Assessed || got.Grade != score.NotAssessed || got.Reason == "" {
			t.Errorf("%s: assessed=%v grade=%s reason=%q; want not assessed with a reason", c, got.Assessed, got.Grade, got.Reason)
		}
	}
	if !strings.Contains(rep.GradeBasis, "not assessed") {
		t.Errorf("grade basis %q does not say what was left out", rep.GradeBasis)
	}
}

// Case 4: a host that stops answering is given up on after a few
// consecutive timeouts (defaults otherwise), and the report says so.
func TestCircuitBreakerStopsHammering(t *testing.T) {
	t.Parallel()
	w, rep := scanHang(t)
	hung := 0
	for _, r := range w.Hang.Methods.Records() {
		if r.Path != "/" && r.Path != "/openapi.json" {
			hung++
		}
	}
	// Consecutive failures trip the breaker at 10; up to Concurrency more
	// may be in flight when it trips.
	if limit := netx.DefaultMaxHostFailures + 4; hung > limit { // 4: the default per-host concurrency
		t.Errorf("the hanging host received %d requests, want at most %d", hung, limit)
	}
	if !rep.Partial || !strings.Contains(errorsText(rep), lab.HangHost+":443 stopped answering") {
		t.Errorf("partial=%v, errors:\n%s", rep.Partial, errorsText(rep))
	}
	reasons := 0
	for _, c := range rep.Checks {
		if c.Status == "not-assessed" && strings.Contains(c.Reason, "stopped answering") {
			reasons++
		}
	}
	if reasons == 0 {
		t.Errorf("no check says the host stopped answering: %+v", rep.Checks)
	}
}

// Case 11: a check the time limit stopped says so; it does not blame the
// resolver.
func TestTimeLimitIsNotBlamedOnTheResolver(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	o := labtest.Options(t, w, "", waitForEnd{}, dnscheck.Resolution{})
	o.MaxDuration = time.Second
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Clean.BaseURL}, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Checks {
		if c.ID != "dns.resolution" {
			continue
		}
		if c.Status != "not-assessed" || !strings.Contains(c.Reason, "time limit") || strings.Contains(c.Reason, "resolver") {
			t.Errorf("dns.resolution: %s: %s", c.Status, c.Reason)
		}
	}
	if strings.Contains(errorsText(rep), "resolver") {
		t.Errorf("errors blame the resolver:\n%s", errorsText(rep))
	}
}

// Bytes a target sends come back in a report escaped and cut: no terminal
// escape, NUL, invalid UTF-8 or bidi override reaches a message, and no
// message carries kilobytes of what the target said.
func TestGarbageIsEscapedAndCutInMessages(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep, err := engine.Scan(context.Background(), engine.Target{URL: "https://" + lab.GarbageHost}, labtest.Options(t, w, "", catalog.Checks()...))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, e := range rep.Errors {
		msgs = append(msgs, e.Message)
	}
	for _, a := range rep.Spec.Tried {
		msgs = append(msgs, a.Result)
	}
	msgs = append(msgs, rep.Spec.Warnings...)
	for _, c := range rep.Checks {
		msgs = append(msgs, c.Reason)
	}
	for _, m := range msgs {
		if strings.ContainsFunc(m, func(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError || r == '\u202e' }) {
			t.Errorf("raw bytes in %q", m)
		}
		if len(m) > 1200 {
			t.Errorf("%d-byte message: %.200q…", len(m), m)
		}
	}
	if !strings.Contains(strings.Join(msgs, "\n"), `\x1b[2J`) {
		t.Errorf("the garbage is not shown escaped anywhere:\n%s", strings.Join(msgs, "\n"))
	}
}
