package engine_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labcatalog"
	"github.com/plumbsec/plumb/internal/labscan"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/report"
)

func startLab(t *testing.T) *lab.World { return labtest.Start(t) }

func labOptions(t testing.TB, w *lab.World, token string) engine.Options {
	t.Helper()
	o, err := labscan.Options(w, token)
	if err != nil {
		t.Fatal(err)
	}
	o.Version, o.Checks = "test", labcatalog.Checks()
	return o
}

func ids(r *result.Report) map[string]finding.Finding {
	m := map[string]finding.Finding{}
	for _, f := range r.Findings {
		m[f.ID+" "+f.Location.String()] = f
	}
	return m
}

func hasID(r *result.Report, id string) bool {
	for _, f := range r.Findings {
		if f.ID == id {
			return true
		}
	}
	return false
}

func TestVulnerableLabFindings(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Vuln.BaseURL}, labOptions(t, w, w.Vuln.Token))
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	for _, id := range []string{
		"authentication.unauthenticated-access",
		"encryption.http-no-redirect",
		"encryption.hsts-missing",
		"data-exposure.version-disclosure",
		"data-exposure.content-type-sniffing",
		"data-exposure.cacheable-authenticated-response",
		"dns.dangling-cname",
		"authentication.jwt-weak-secret",
		"authentication.jwt-forgery",
		"authentication.bearer-token-in-query",
	} {
		if !hasID(rep, id) {
			t.Errorf("missing finding %s; got %v", id, keys(ids(rep)))
		}
	}
	cats := map[finding.Category]bool{}
	for _, f := range rep.Findings {
		cats[f.Category] = true
		if f.Fingerprint == "" || f.Evidence.Summary == "" {
			t.Errorf("finding %s lacks fingerprint or evidence", f.ID)
		}
	}
	if len(cats) < 4 {
		t.Errorf("findings span %d categories, want ≥ 4", len(cats))
	}
	// The dangling token URL is critical because credentials flow there.
	var danglingLogin *finding.Finding
	for i, f := range rep.Findings {
		if f.ID == "dns.dangling-cname" && f.Location.Host == "login.vulnshop.test" {
			danglingLogin = &rep.Findings[i]
		}
	}
	if danglingLogin == nil || danglingLogin.Severity != finding.Critical {
		t.Errorf("dangling OAuth token host should be critical: %+v", danglingLogin)
	}
	if rep.Grade != "F" {
		t.Errorf("grade %s, want F (confirmed critical)", rep.Grade)
	}
	if !rep.Spec.Discovered || rep.Spec.Operations == 0 {
		t.Errorf("spec should be discovered on the target: %+v", rep.Spec)
	}
}

func TestCleanTwinScoresA(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Clean.BaseURL}, labOptions(t, w, w.Clean.Token))
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	if rep.Grade != "A" {
		t.Errorf("clean twin grade %s (score %d), want A", rep.Grade, rep.Score)
	}
	for _, f := range rep.Findings {
		if f.Severity > finding.Low {
			t.Errorf("clean twin has %s finding %s: %s", f.Severity, f.ID, f.Title)
		}
	}
	if rep.Coverage.Requested == 0 {
		t.Errorf("clean scan requested no operation: %+v", rep.Coverage)
	}
}

// followAll is a test check that follows every redirect with the
// credential attached, as hard as any check ever could.
type followAll struct{ paths []string }

func (followAll) Meta() check.Meta {
	return check.Meta{ID: "test.follow-all", Category: finding.CatInventory, Severity: finding.Info}
}

func (c followAll) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	var errs []error
	for _, p := range c.paths {
		u := *in.Target
		u.Path = p
		_, err := in.HTTP.Do(ctx, &netx.Request{Method: http.MethodGet, URL: u.String(), WithCredentials: true, FollowRedirects: true})
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// Invariant 1: a lab endpoint that redirects to another origin never
// receives the credential.
func TestCredentialNeverFollowsRedirectToAnotherOrigin(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	o := labOptions(t, w, w.Vuln.Token)
	o.Checks = []check.Check{followAll{paths: []string{"/api/v1/export", "/api/v1/legacy"}}}
	if _, err := engine.Scan(context.Background(), engine.Target{URL: w.Vuln.BaseURL}, o); err != nil {
		t.Fatalf("scan: %v", err)
	}
	reqs := w.Collector.Requests()
	if len(reqs) == 0 {
		t.Fatal("the redirect to the collector was not followed; the test proves nothing")
	}
	for _, r := range reqs {
		for name, vals := range r.Header {
			for _, v := range vals {
				if strings.Contains(v, w.Vuln.Token) || strings.EqualFold(name, "Authorization") {
					t.Errorf("collector received %s: %s", name, v)
				}
			}
		}
	}
}

// probeAll requests every GET operation of the spec without credentials.
type probeAll struct{}

func (probeAll) Meta() check.Meta {
	return check.Meta{ID: "test.probe-all", Category: finding.CatInventory, Severity: finding.Info, Needs: check.NeedSpec}
}

func (probeAll) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	var errs []error
	for _, op := range in.API.Operations {
		u, _ := in.OperationURL(op)
		resp, err := in.HTTP.Do(ctx, &netx.Request{Method: op.Method, URL: u, FollowRedirects: true})
		if err == nil && len(resp.Body) > 4<<20 {
			errs = append(errs, errors.New("body cap not applied"))
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// Invariant 4: slow, trickling, huge, gzip-bomb and looping endpoints end
// inside the timeout with a report that says what happened.
func TestHostileTargetIsBounded(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	o := labOptions(t, w, "")
	o.Timeout = time.Second
	o.MaxDuration = 20 * time.Second
	o.Checks = append(labcatalog.Checks(), probeAll{})
	start := time.Now()
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Hostile.BaseURL}, o)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	if el := time.Since(start); el > 15*time.Second {
		t.Errorf("hostile scan took %s", el)
	}
	var msgs []string
	for _, e := range rep.Errors {
		msgs = append(msgs, e.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"/slow", "/trickle", "/loop"} {
		if !strings.Contains(all, want) {
			t.Errorf("report errors do not mention %s:\n%s", want, all)
		}
	}
}

func TestBudgetGivesPartialReport(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	o := labOptions(t, w, w.Vuln.Token)
	o.MaxRequests = 3
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Vuln.BaseURL}, o)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	if !rep.Partial || !rep.Requests.BudgetReached || rep.Requests.HTTP > 3 {
		t.Errorf("want a partial report within budget, got partial=%v reached=%v http=%d", rep.Partial, rep.Requests.BudgetReached, rep.Requests.HTTP)
	}
}

// Invariant 5: the token never appears in any rendering of the report,
// raw, URL-encoded or base64-encoded.
func TestTokenNeverInOutput(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Vuln.BaseURL}, labOptions(t, w, w.Vuln.Token))
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	for _, f := range report.Formats() {
		var buf bytes.Buffer
		if err := f.New(report.Options{Color: true}).Render(&buf, rep); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		for _, form := range []string{w.Vuln.Token, base64.StdEncoding.EncodeToString([]byte(w.Vuln.Token))} {
			if strings.Contains(buf.String(), form) {
				t.Errorf("%s output contains the token", f.Name)
			}
		}
	}
	b, _ := json.Marshal(rep)
	if !strings.Contains(string(b), "****(sha256:") {
		t.Error("evidence shows no redacted credential; is the Authorization header recorded at all?")
	}
}

func keys(m map[string]finding.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
