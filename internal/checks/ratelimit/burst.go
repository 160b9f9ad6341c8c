// Package ratelimit holds the unrestricted-resource-consumption checks
// (OWASP API4:2023): no rate limit on a cheap operation, and page-size
// parameters the server does not bound.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
)

// Burst is the number of requests NoRateLimit sends.
const Burst = 30

var refAPI4 = []string{"https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
	"https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/"}

// limitHeader matches headers that announce a rate limit.
var limitHeader = regexp.MustCompile(`(?i)^(?:x-)?rate-?limit(?:-|$)|^retry-after$`)

// sensitiveOp names operations a burst must never hit without
// --allow-writes: logging in repeatedly can lock accounts.
var sensitiveOp = regexp.MustCompile(`(?i)log-?in|sign-?in|token|auth|session|password|otp|mfa`)

// rateHeaders returns the rate-limit headers of h, sorted.
func rateHeaders(h http.Header) []string {
	var out []string
	for k := range h {
		if limitHeader.MatchString(k) {
			out = append(out, k+": "+h.Get(k))
		}
	}
	sort.Strings(out)
	return out
}

// NoRateLimit sends a short burst to one cheap GET operation.
type NoRateLimit struct{}

// Meta describes the check.
func (NoRateLimit) Meta() check.Meta {
	return check.Meta{
		ID: "rate-limiting.no-rate-limit", Title: "No rate limiting", Category: finding.CatRateLimiting,
		Group: finding.GroupHost,
		OWASP: "API4:2023", CWE: "CWE-770", Severity: finding.Medium, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: fmt.Sprintf("Picks the cheapest parameterless GET operation that answered 2xx in the corpus (each GET "+
			"operation requested once as identity A), never a login, token or session operation, and, when its response announces no rate limit (RateLimit-*, X-RateLimit-*, "+
			"Retry-After), sends %d more requests to it at the scan's rate. No 429 and no limit header → finding. Skipped when "+
			"the request budget could not afford the burst twice over.", Burst),
		Remediation: burstRemediation,
	}
}

// Run picks the operation and sends the burst.
func (c NoRateLimit) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	s := cheapest(cp)
	if s == nil {
		return nil, nil
	}
	if hs := rateHeaders(s.Resp.Header); len(hs) > 0 {
		return nil, nil
	}
	if left, limited := in.HTTP.BudgetLeft(); limited && left < 2*Burst {
		return nil, nil
	}
	statuses := map[int]int{}
	var last *netx.Response
	for i := 0; i < Burst; i++ {
		resp, err := in.HTTP.Do(ctx, s.Req)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, netx.ErrBudgetExhausted) {
				return nil, ctx.Err() // inconclusive
			}
			continue
		}
		in.Coverage.Requested(s.Op, resp.StatusCode)
		statuses[resp.StatusCode]++
		if resp.StatusCode == http.StatusTooManyRequests || len(rateHeaders(resp.Header)) > 0 {
			return nil, nil // limited, or at least announcing a limit
		}
		last = resp
	}
	if last == nil || statuses[http.StatusServiceUnavailable] > 0 {
		return nil, nil // failures or 503s: something pushes back; not a clean "no limit"
	}
	f := check.New(c.Meta(), fmt.Sprintf("No rate limit on %s %s", s.Op.Method, s.Op.Path),
		finding.Location{Host: in.Target.Host, Method: s.Op.Method, Path: s.Op.Path})
	// A limit above the burst (or per IP range) would not show: firm.
	f.Confidence = finding.Firm
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("%d consecutive GET %s were all served (statuses %v): no 429, and no RateLimit-*, "+
			"X-RateLimit-* or Retry-After header on any response.", Burst+1, in.HTTP.Redactor().URL(s.Req.URL), statuses),
		HTTP: []finding.HTTPExchange{in.HTTP.Evidence(s.Req, last, nil)},
	}
	f.Remediation = burstRemediation
	return []finding.Finding{f}, nil
}

// cheapest returns the 2xx GET sample without path parameters to burst:
// operations open to anonymous callers first (so scans with and without a
// credential pick the same one), then the smallest body, then the path.
// Authentication-related operations are never picked.
func cheapest(cp *reqgen.Corpus) *reqgen.Sample {
	var best *reqgen.Sample
	better := func(a, b *reqgen.Sample) bool {
		if pa, pb := !a.Op.RequiresAuth(), !b.Op.RequiresAuth(); pa != pb {
			return pa
		}
		if len(a.Resp.Body) != len(b.Resp.Body) {
			return len(a.Resp.Body) < len(b.Resp.Body)
		}
		return a.Op.Path < b.Op.Path
	}
	for _, s := range cp.Samples {
		if !s.OK() || s.Op.Method != http.MethodGet || strings.Contains(s.Op.Path, "{") || sensitiveOp.MatchString(s.Op.Path) {
			continue
		}
		if best == nil || better(s, best) {
			best = s
		}
	}
	return best
}

var burstRemediation = finding.Remediation{
	Summary: "Rate-limit every operation per client (token, API key or IP), answer 429 with Retry-After when the limit " +
		"is hit, and announce the policy with RateLimit headers; apply stricter limits to expensive and authentication operations.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
limiter = Limiter(get_remote_address, app=app, default_limits=["100 per minute"], headers_enabled=True)`},
		{Lang: "go", Code: `lim := rate.NewLimiter(rate.Limit(10), 20) // golang.org/x/time/rate; one per client in practice
if !lim.Allow() {
	w.Header().Set("Retry-After", "1")
	http.Error(w, "too many requests", http.StatusTooManyRequests)
	return
}`},
		{Lang: "node-express", Code: `const rateLimit = require("express-rate-limit");
app.use(rateLimit({ windowMs: 60_000, limit: 100, standardHeaders: "draft-7" }));`},
	},
	References: refAPI4,
}
