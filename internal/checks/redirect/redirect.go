// Package redirect finds redirects that send clients, and the credentials
// some clients forward, to other hosts: open redirects driven by a
// parameter, and fixed redirects to another origin (OWASP API2:2023; the
// category is authentication because the harm is credential leakage).
// The scanner never follows these redirects: it reads Location only.
package redirect

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

// Finding ids this check emits.
const (
	IDOpen        = "authentication.open-redirect"
	IDCrossOrigin = "authentication.cross-origin-redirect"
)

// maxOps bounds the operations probed (one request each, plus one to
// confirm each open redirect).
const maxOps = 12

// probeZone holds the attacker hosts put in parameters; the first label
// names the parameter, so one request tests them all. Reserved TLD: never
// resolves publicly, and the scanner never connects to it.
const probeZone = ".plumb-redirect.evil.test"

// commonParams are parameter names that commonly carry a redirect target.
var commonParams = []string{"next", "url", "redirect", "redirect_uri", "redirect_url", "return_to", "returnTo", "return", "continue", "dest", "destination", "goto", "target"}

var redirectName = regexp.MustCompile(`(?i)^(next|url|uri|redirect.*|return.*|continue|dest.*|goto|target|callback|forward|to|out|link)$`)

var redirectPath = regexp.MustCompile(`(?i)(redirect|return|callback|login|logout|sso|auth|continue|goto|out|export|legacy|link)`)

// Redirects probes GET operations for open and cross-origin redirects.
type Redirects struct{}

// Meta describes the check.
func (Redirects) Meta() check.Meta {
	return check.Meta{
		ID: "authentication.redirects", Title: "Redirects to other hosts", Category: finding.CatAuthentication,
		OWASP: "API2:2023", CWE: "CWE-601", Severity: finding.High, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "Requests GET operations that may redirect (a declared 3xx, a redirect-like parameter or path) with every " +
			"redirect-like parameter (next, url, redirect, return_to, continue, …) set to a distinct attacker URL, without " +
			"following the answer. Reports " + IDOpen + " when a parameter controls Location (confirmed with a second " +
			"request; high on authenticated operations, medium otherwise) and " + IDCrossOrigin + " for fixed redirects to " +
			"another origin (low; medium for an https→http downgrade), whose targets join the host graph as redirect-target.",
		Rules: []check.Rule{
			{ID: IDOpen, Title: "Open redirect", Severity: finding.High, Remediation: openRemediation,
				Description: "A parameter of a GET operation controls the Location of its redirect (confirmed with a second " +
					"attacker URL). Clients that follow redirects with credentials attached hand them to the attacker's host; " +
					"browsers and OAuth flows land users on a page the attacker controls. High on authenticated operations, " +
					"medium otherwise."},
			{ID: IDCrossOrigin, Title: "Redirect to another origin", Severity: finding.Medium, CWE: "CWE-522",
				Remediation: crossRemediation,
				Description: "A GET operation redirects to a fixed URL on another origin. Clients that follow redirects decide " +
					"per library whether Authorization goes along, and the target host joins the host graph for the DNS " +
					"audit. Low; medium for an https→http downgrade; info for another host of the same site."},
		},
	}
}

type target struct {
	op     spec.Operation
	params []string // parameter names to inject
}

// Run sends one request per candidate operation, sequentially.
func (c Redirects) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	var out []finding.Finding
	for _, t := range candidates(in.API) {
		u, ok := in.OperationURL(t.op)
		if !ok {
			continue
		}
		req := &netx.Request{Method: http.MethodGet, URL: inject(u, t.params, nil), WithCredentials: true}
		resp, err := in.HTTP.Do(ctx, req)
		st := 0
		if resp != nil {
			st = resp.StatusCode
		}
		in.Coverage.Requested(t.op, st)
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			continue
		}
		loc := location(resp, req.URL)
		if loc == nil {
			continue
		}
		if p, ok := probedParam(loc, t.params); ok {
			out = append(out, c.open(ctx, in, t.op, u, p, req, resp))
			continue
		}
		if f, ok := c.crossOrigin(in, t.op, req, resp, loc); ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// candidates picks GET operations that may redirect and the parameters to
// inject into each.
func candidates(api *spec.API) []target {
	var out []target
	for _, op := range api.Operations {
		if op.Method != http.MethodGet || len(out) >= maxOps {
			continue
		}
		var declared []string
		for _, p := range op.Params {
			if p.In == "query" && redirectName.MatchString(p.Name) {
				declared = append(declared, p.Name)
			}
		}
		if len(declared) == 0 && !declares3xx(op) && !redirectPath.MatchString(op.Path) {
			continue
		}
		params := declared
		for _, n := range commonParams {
			if !containsFold(params, n) {
				params = append(params, n)
			}
		}
		out = append(out, target{op, params})
	}
	return out
}

func declares3xx(op spec.Operation) bool {
	for _, r := range op.Responses {
		if strings.HasPrefix(r, "3") {
			return true
		}
	}
	return false
}

func containsFold(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// inject sets each parameter to https://<param>.plumb-redirect.evil.test/,
// or all of them to one fixed URL when to is set.
func inject(raw string, params []string, to *string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for _, p := range params {
		v := "https://" + strings.ToLower(strings.ReplaceAll(p, "_", "-")) + probeZone + "/"
		if to != nil {
			v = *to
		}
		q.Set(p, v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func location(resp *netx.Response, base string) *url.URL {
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return nil
	}
	raw := resp.Header.Get("Location")
	b, err := url.Parse(base)
	if raw == "" || err != nil {
		return nil
	}
	u, err := b.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return nil
	}
	return u
}

// probedParam maps a Location back to the parameter that produced it.
func probedParam(loc *url.URL, params []string) (string, bool) {
	h := strings.ToLower(loc.Hostname())
	if !strings.HasSuffix(h, probeZone) {
		return "", false
	}
	label := strings.TrimSuffix(h, probeZone)
	for _, p := range params {
		if strings.ToLower(strings.ReplaceAll(p, "_", "-")) == label {
			return p, true
		}
	}
	return "", false
}

// open confirms the open redirect with only that parameter set to another
// attacker URL, and builds the finding.
func (c Redirects) open(ctx context.Context, in *check.Input, op spec.Operation, base, param string, req *netx.Request, resp *netx.Response) finding.Finding {
	evil := "https://plumb-confirm" + strings.TrimPrefix(probeZone, ".plumb-redirect") + "/landing"
	conf := finding.Firm
	confirm := &netx.Request{Method: http.MethodGet, URL: inject(base, []string{param}, &evil), WithCredentials: true}
	exchanges := []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)}
	if r2, err := in.HTTP.Do(ctx, confirm); err == nil {
		exchanges = append(exchanges, in.HTTP.Evidence(confirm, r2, nil))
		if l := location(r2, confirm.URL); l != nil && strings.EqualFold(l.Hostname(), "plumb-confirm.evil.test") {
			conf = finding.Confirmed
		}
	}
	sev, authn := finding.Medium, "anonymous"
	if op.RequiresAuth() {
		sev, authn = finding.High, "authenticated"
	}
	f := check.New(c.Meta(), fmt.Sprintf("Open redirect: parameter %q of GET %s sends clients to any host", param, op.Path),
		finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path, Param: param})
	f.ID, f.Severity, f.Confidence = IDOpen, sev, conf
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("GET %s (%s) answered %d with Location: %s. The redirect was not followed. A client that "+
			"follows redirects and forwards Authorization or a custom key header (curl --location-trusted, Go http.Client "+
			"for X-API-Key, older requests/node-fetch/follow-redirects) hands its credential to the attacker's host; "+
			"browsers and OAuth flows land users on a page the attacker controls.",
			op.Path, authn, resp.StatusCode, in.HTTP.Redactor().URL(resp.Header.Get("Location"))),
		HTTP: exchanges,
	}
	f.Remediation = openRemediation
	return f
}

// crossOrigin reports a fixed redirect to another origin and adds its host
// to the graph.
func (c Redirects) crossOrigin(in *check.Input, op spec.Operation, req *netx.Request, resp *netx.Response, loc *url.URL) (finding.Finding, bool) {
	from, to := netx.OriginOf(in.Target), netx.OriginOf(loc)
	upgrade := from.Host == to.Host && from.Scheme == "http" && to.Scheme == "https"
	if from == to || upgrade || (loc.Scheme != "http" && loc.Scheme != "https") {
		return finding.Finding{}, false
	}
	if to.Host != from.Host {
		in.Hosts.Add(to.Host, hosts.RoleRedirectTarget, "Location of GET "+op.Path, false)
	}
	sev, what := finding.Low, "another site"
	switch {
	case from.Scheme == "https" && to.Scheme == "http":
		sev, what = finding.Medium, "plain http (a downgrade)"
	case sameSite(from.Host, to.Host):
		sev, what = finding.Info, "another host of the same site"
	}
	f := check.New(c.Meta(), fmt.Sprintf("GET %s redirects to %s (%s)", op.Path, to, what),
		finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path})
	f.ID, f.Severity, f.Confidence, f.CWE = IDCrossOrigin, sev, finding.Confirmed, "CWE-522"
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("GET %s answered %d with Location: %s, another origin than %s. The scanner did not follow it and "+
			"its credential stays on the target. Clients that follow redirects decide per library whether Authorization "+
			"goes along: Go keeps it for subdomains and same-host scheme changes and always forwards custom headers; "+
			"curl --location-trusted and older client versions forward it everywhere.",
			op.Path, resp.StatusCode, in.HTTP.Redactor().URL(loc.String()), from),
		HTTP: []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)},
	}
	f.Remediation = crossRemediation
	return f, true
}

func sameSite(a, b string) bool {
	ra, err1 := publicsuffix.EffectiveTLDPlusOne(a)
	rb, err2 := publicsuffix.EffectiveTLDPlusOne(b)
	return err1 == nil && err2 == nil && ra == rb
}
