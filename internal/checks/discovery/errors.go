package discovery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/errintel"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/provoke"
	"github.com/plumbsec/plumb/internal/spec"
)

// UpstreamInErrors reads the error pages the scan provokes (internal/
// provoke: mistyped, out-of-range, empty, long and unicode parameter
// values, unexpected content negotiation) plus an unknown path, and
// extracts the upstream hosts they leak (client errors and stack traces of
// Python, Go, Java, Node, .NET, Ruby and libcurl, source lines of debug
// tracebacks, debug-page settings). A server-side client usually sends its
// own token upstream, so these hosts are marked as carrying credentials; a
// page whose failing line copies the caller's Authorization header onto
// the call records that the operation forwards callers' tokens there.
type UpstreamInErrors struct{}

// Meta describes the check.
func (UpstreamInErrors) Meta() check.Meta {
	return check.Meta{
		ID: "inventory.upstream-in-errors", Title: "Upstream hosts leaked in error responses", Category: finding.CatInventory,
		OWASP: "API8:2023", CWE: "CWE-209", Severity: finding.Low, Phase: check.PhaseProbe,
		Description: "Reads the responses to the scan's provocation probes (per parameter a few read-only values that break " +
			"naive validation: wrong type, out of range, empty, very long, unicode, a query parameter sent as an object; an " +
			"unexpected Accept) and to an unknown path, and extracts upstream host names from client errors and stack traces " +
			"(urllib3 HTTPSConnectionPool(host=…), Go dial/lookup, Java UnknownHostException, Node getaddrinfo ENOTFOUND, " +
			".NET, Ruby, libcurl), from URLs in the source lines of debug tracebacks and from debug-page settings. Each host " +
			"joins the host graph as upstream-seen-in-error, carrying credentials; when the failing line puts the caller's " +
			"Authorization header (or a bearer token) on the outbound call, the graph records which operation forwards " +
			"tokens there, so the DNS audit reports a claimable upstream as a critical token leak naming that operation.",
		Remediation: upstreamRemediation,
	}
}

// page is one error response to read: what was sent and what came back.
type page struct {
	req  *netx.Request
	resp *netx.Response
	op   *spec.Operation
	loc  finding.Location
	sent string // what the probe changed, for evidence ("" for the unknown path)
}

// Run reads the unknown path and every provoked response, and reports one
// finding per operation that leaks hosts.
func (c UpstreamInErrors) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	pages, err := errorPages(ctx, in)
	add := newAdder(in.Hosts, nil)
	target := strings.ToLower(in.Target.Hostname())
	red := in.HTTP.Redactor()
	var out []finding.Finding
	reports := make([]*errintel.Report, len(pages))
	sent, leaked := map[string]int{}, map[string]int{} // per operation: provoked pages, pages that leak
	for i, pg := range pages {
		rep, aerr := errintel.Analyze(pg.resp.Body)
		if aerr != nil {
			return out, aerr
		}
		reports[i] = rep
		if pg.op != nil {
			sent[check.OpKey(*pg.op)]++
			if len(leaksOf(rep, target)) > 0 {
				leaked[check.OpKey(*pg.op)]++
			}
		}
	}
	reported := map[string]bool{}
	for i, pg := range pages {
		rep := reports[i]
		leaks := leaksOf(rep, target)
		if len(leaks) == 0 {
			continue
		}
		if pg.op != nil && sent[check.OpKey(*pg.op)] > 1 && leaked[check.OpKey(*pg.op)] == sent[check.OpKey(*pg.op)] {
			// Every probe of the operation got the page: it does not
			// depend on the parameter that was changed.
			pg.loc.Param = ""
			pg.sent += "; every provocation of this operation got the same kind of page"
		}
		where := fmt.Sprintf("%d response of %s %s", pg.resp.StatusCode, pg.req.Method, pg.loc.Path)
		var fwd []string
		callerFwd := false
		for _, u := range leaks {
			if !add.add(u.Host, hosts.RoleUpstreamInError, fmt.Sprintf("%s (%s)", where, u.Stack), true) {
				continue
			}
			if f, ok := rep.ForwardsTo(u); ok && pg.op != nil {
				opName := pg.op.Method + " " + pg.op.Path
				in.Hosts.AddForward(u.Host, hosts.Forward{Operation: opName, Evidence: red.String(f.Line), CallerToken: f.Caller})
				fwd = append(fwd, fmt.Sprintf("%s: %s (%s)", u.Host, red.String(f.Line), f.Title))
				callerFwd = callerFwd || f.Caller
			}
		}
		key := pg.loc.String()
		if reported[key] {
			continue
		}
		reported[key] = true
		out = append(out, c.finding(in, pg, leaks, fwd, callerFwd))
	}
	return out, err
}

// leaksOf returns the upstreams a page names other than the target.
func leaksOf(rep *errintel.Report, target string) []errintel.Upstream {
	var out []errintel.Upstream
	for _, u := range rep.Upstreams {
		if u.Host != target {
			out = append(out, u)
		}
	}
	return out
}

// errorPages sends the unknown-path probe and gathers the provoked
// responses (sent once per scan, shared with the other checks that read
// error pages).
func errorPages(ctx context.Context, in *check.Input) ([]page, error) {
	base := in.BaseURL()
	unknown := *base
	unknown.Path = strings.TrimSuffix(unknown.Path, "/") + "/plumb-unknown-" + nonce()
	req := &netx.Request{Method: http.MethodGet, URL: unknown.String(), WithCredentials: true}
	var out []page
	resp, err := in.Fetch(ctx, in.HTTP, req, nil)
	if err == nil {
		out = append(out, page{req: req, resp: resp, loc: finding.Location{Host: in.Target.Host, Path: "(unknown path)"}})
	} else if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	res, err := provoke.Run(ctx, in)
	if res == nil {
		return out, err
	}
	for _, x := range res.Exchanges {
		if x.Resp == nil {
			continue
		}
		op := x.Op
		out = append(out, page{req: x.Req, resp: x.Resp, op: &op, sent: x.Describe(),
			loc: finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path, Param: x.Param}})
	}
	return out, err
}

func nonce() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (c UpstreamInErrors) finding(in *check.Input, pg page, leaks []errintel.Upstream, fwd []string, callerFwd bool) finding.Finding {
	names := make([]string, len(leaks))
	lines := make([]string, len(leaks))
	red := in.HTTP.Redactor()
	for i, l := range leaks {
		names[i] = l.Host
		lines[i] = fmt.Sprintf("%s — %s: %s", l.Host, l.Stack, red.String(l.Match))
	}
	f := check.New(c.Meta(), fmt.Sprintf("Error response reveals upstream host %s", strings.Join(names, ", ")), pg.loc)
	if len(fwd) > 0 {
		f.Title = fmt.Sprintf("Error response reveals that %s %s sends a Bearer token to upstream %s", pg.op.Method, pg.op.Path,
			strings.Join(names, ", "))
		if callerFwd {
			f.Title = fmt.Sprintf("Error response reveals that %s %s forwards callers' tokens to upstream %s", pg.op.Method, pg.op.Path,
				strings.Join(names, ", "))
		}
	}
	f.Confidence = finding.Confirmed
	sent := ""
	if pg.sent != "" {
		sent = " with " + pg.sent
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s%s answered %d and its body names the host(s) the API calls server-side:\n%s\n",
		pg.req.Method, red.URL(pg.req.URL), sent, pg.resp.StatusCode, strings.Join(lines, "\n"))
	if len(fwd) > 0 {
		fmt.Fprintf(&b, "The failing code puts a credential on that call:\n%s\n", strings.Join(fwd, "\n"))
	}
	b.WriteString("A server-side client usually sends its own credentials upstream; these hosts are now in the host graph " +
		"(role upstream-seen-in-error) and audited by the DNS checks.")
	f.Evidence = finding.Evidence{Summary: b.String(), HTTP: []finding.HTTPExchange{in.HTTP.Evidence(pg.req, pg.resp, nil)}}
	f.Remediation = upstreamRemediation
	return f
}

var upstreamRemediation = finding.Remediation{
	Summary: "Never return stack traces or client errors to callers: turn debug mode off and map upstream failures to a " +
		"generic 502/503 body, logging the details server-side. Keep upstream base URLs in reviewed configuration and " +
		"send outbound credentials only to an explicit allowlist of hosts, so a stale or hijacked name cannot receive them.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `# FLASK_DEBUG=0 in production; never run the Werkzeug debugger.
import requests
from urllib.parse import urlsplit

ALLOWED_UPSTREAMS = {"metrics.example.com"}

class AllowlistSession(requests.Session):
    def send(self, request, **kw):
        if urlsplit(request.url).hostname not in ALLOWED_UPSTREAMS:
            raise RuntimeError("upstream host not allowed")
        return super().send(request, allow_redirects=False, **kw)

@app.errorhandler(requests.RequestException)
def upstream_failed(e):
    app.logger.exception("upstream call failed")
    return {"error": "upstream_unavailable"}, 502`},
		{Lang: "go", Code: `allowed := map[string]bool{"metrics.example.com": true}
client := &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if !allowed[r.URL.Hostname()] {
			return nil, fmt.Errorf("upstream %q not allowed", r.URL.Hostname())
		}
		return http.DefaultTransport.RoundTrip(r)
	}),
}
// in handlers: log err, then http.Error(w, "upstream unavailable", http.StatusBadGateway)`},
		{Lang: "node-express", Code: `const ALLOWED = new Set(["metrics.example.com"]);
async function upstream(url, opts) {
  if (!ALLOWED.has(new URL(url).hostname)) throw new Error("upstream host not allowed");
  return fetch(url, { ...opts, redirect: "manual" });
}
app.use((err, req, res, next) => { console.error(err); res.status(502).json({ error: "upstream_unavailable" }); });`},
	},
	References: []string{
		"https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
		"https://cwe.mitre.org/data/definitions/209.html",
	},
}
