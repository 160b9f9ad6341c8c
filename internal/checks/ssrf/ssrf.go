// Package ssrf holds the server-side request forgery check (OWASP
// API7:2023). URL-accepting parameters are pointed, in band, at addresses
// only the target can reach (its own origin and loopback port, closed
// loopback ports, the cloud metadata address) and the answers compared;
// and, with an out-of-band channel (plumb's own --callback-listen listener
// or an external --callback-url one), at a fresh callback URL, to see
// whether the API fetched it and whether it forwarded the scan's
// credential. The probing itself is internal/ssrfprobe, reusable for any
// URL-carrying input.
package ssrf

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
	"github.com/plumbsec/plumb/internal/ssrfprobe"
)

// Rule ids this check emits.
const (
	IDServerSideFetch = "ssrf.server-side-fetch"
	IDInBand          = "ssrf.in-band"
)

// Bounds: parameters probed out of band (a probe and a wait each) and in
// band (ssrfprobe.MaxRequests each).
const (
	maxProbes = 6
	maxInBand = 4
)

// pollDelay is how long the check waits for a callback, so asynchronous
// fetchers (queues, webhooks) have a moment to call. plumb's own listener
// returns as soon as one arrives.
var pollDelay = 300 * time.Millisecond

// urlParam matches parameter names that usually carry a URL.
var urlParam = regexp.MustCompile(`(?i)^(?:url|uri|link|href|src|source|target|dest|destination|callback|callback_?url|webhook|webhook_?url|redirect|redirect_?uri|redirect_?url|image_?url|feed|feed_?url|endpoint|proxy|fetch|site)$`)

var refSSRF = []string{"https://owasp.org/API-Security/editions/2023/en/0xa7-server-side-request-forgery/",
	"https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html"}

// ServerSideFetch is the SSRF check.
type ServerSideFetch struct{}

// Meta describes the check.
func (ServerSideFetch) Meta() check.Meta {
	return check.Meta{
		ID: IDServerSideFetch, Title: "Server-side request forgery", Category: finding.CatSSRF,
		OWASP: "API7:2023", CWE: "CWE-918", Severity: finding.Critical, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "For GET operations with a query parameter that takes a URL (format uri, or named url, callback, " +
			"webhook, target, image_url …): in band, without any outside service, sends the parameter pointed at an " +
			"unresolvable control name, the cloud metadata address 169.254.169.254, the API's own origin, its port on " +
			"loopback and two closed loopback ports, and compares the answers (" + IDInBand + "). With an out-of-band " +
			"channel — plumb's own listener (--callback-listen HOST:PORT, served for the scan only; --callback-url as its " +
			"public base behind a proxy) or an external listener (--callback-url alone, polled at CALLBACK/plumb/" +
			"interactions/ID) — it sends the parameter pointed at a fresh unguessable callback URL: a callback proves the " +
			"API fetches attacker-chosen URLs (" + IDServerSideFetch + ", high), and one carrying the scan's own credential " +
			"proves it forwards callers' tokens to them (critical, the credential shown redacted).",
		Remediation: remediation,
		Rules: []check.Rule{
			{ID: IDServerSideFetch, Title: "API fetches attacker-chosen URLs (callback received)", Severity: finding.Critical,
				Description: "A callback URL sent in a parameter was fetched by the API: high; critical when the fetch " +
					"carried the scan's own credential (the API forwards callers' tokens to any URL) or another Authorization header.",
				Remediation: remediation},
			{ID: IDInBand, Title: "API fetches internal addresses (in-band evidence)", Severity: finding.Critical,
				Description: "A URL parameter pointed at addresses only the target can reach returns their content or " +
					"answers differently by internal port: cloud metadata content (critical), the content the API serves on " +
					"its loopback port or own origin (high), or connection errors that differ by port (medium).",
				Remediation: remediation},
		},
	}
}

type candidate struct {
	op    spec.Operation
	param spec.Param
}

// Run probes up to maxInBand parameters in band and, with a callback
// channel, up to maxProbes out of band.
func (c ServerSideFetch) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cands := candidates(in.API)
	if len(cands) == 0 {
		return nil, nil
	}
	targets := ownTargets(ctx, in)
	var out []finding.Finding
	for i, cd := range cands {
		send := sender(in, cd)
		if i < maxInBand {
			r, err := ssrfprobe.InBand(ctx, send, targets)
			if err != nil {
				return out, err
			}
			if r != nil {
				out = append(out, c.inBandFinding(in, cd, r))
			}
		}
		if in.Callback != nil && i < maxProbes {
			cb, err := ssrfprobe.OutOfBand(ctx, send, in.Callback, pollDelay)
			if err != nil && ctx.Err() != nil {
				return out, ctx.Err()
			}
			if cb != nil && len(cb.Hits) > 0 {
				out = append(out, c.callbackFinding(in, cd, cb))
			}
		}
	}
	return out, nil
}

// candidates are GET operations with a URL-taking query parameter.
func candidates(api *spec.API) []candidate {
	var out []candidate
	for _, op := range api.Operations {
		if op.Method != http.MethodGet {
			continue
		}
		for _, p := range op.Params {
			if p.In != "query" {
				continue
			}
			isURL := p.Schema != nil && (p.Schema.Format == "uri" || p.Schema.Format == "url")
			if isURL || urlParam.MatchString(p.Name) {
				out = append(out, candidate{op: op, param: p})
				break
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].op.Path < out[j].op.Path })
	return out
}

// sender puts a value into the candidate's parameter and sends the
// operation with the scan's credential (it is in scope: the target).
func sender(in *check.Input, cd candidate) ssrfprobe.Sender {
	return func(ctx context.Context, value string) (*netx.Request, *netx.Response, error) {
		base, ok := in.OperationURL(cd.op)
		if !ok {
			return nil, nil, fmt.Errorf("%s %s: no concrete URL", cd.op.Method, cd.op.Path)
		}
		u, err := url.Parse(base)
		if err != nil {
			return nil, nil, err
		}
		q := u.Query()
		q.Set(cd.param.Name, value)
		u.RawQuery = q.Encode()
		req := &netx.Request{Method: http.MethodGet, URL: u.String(), WithCredentials: true}
		op := cd.op
		resp, err := in.Fetch(ctx, in.HTTP, req, &op)
		return req, resp, err
	}
}

// ownTargets: the API's own origin, what it serves there (fetched without
// credentials, as a server-side fetch would), and its port.
func ownTargets(ctx context.Context, in *check.Input) ssrfprobe.Targets {
	t := ssrfprobe.Targets{Own: in.Target.String(), Port: 443}
	if in.Target.Scheme == "http" {
		t.Port = 80
	}
	if p, err := strconv.Atoi(in.Target.Port()); err == nil {
		t.Port = p
	}
	if resp, err := in.Fetch(ctx, in.HTTP, &netx.Request{Method: http.MethodGet, URL: t.Own}, nil); err == nil {
		t.OwnBody = resp.Body
	}
	return t
}

func (c ServerSideFetch) inBandFinding(in *check.Input, cd candidate, r *ssrfprobe.Result) finding.Finding {
	loc := finding.Location{Host: in.Target.Host, Method: cd.op.Method, Path: cd.op.Path, Param: cd.param.Name}
	f := check.New(c.Meta(), "", loc)
	f.ID, f.Confidence = IDInBand, finding.Confirmed
	switch r.Kind {
	case ssrfprobe.Metadata:
		f.Severity = finding.Critical
		f.Title = fmt.Sprintf("%s %s returns the cloud metadata service's content (parameter %s)", cd.op.Method, cd.op.Path, cd.param.Name)
	case ssrfprobe.LoopbackContent, ssrfprobe.OwnContent:
		f.Severity = finding.High
		f.Title = fmt.Sprintf("%s %s fetches URLs server-side and returns their content (parameter %s)", cd.op.Method, cd.op.Path, cd.param.Name)
	default:
		f.Severity, f.Confidence = finding.Medium, finding.Firm
		f.Title = fmt.Sprintf("%s %s connects to internal addresses it is given (parameter %s)", cd.op.Method, cd.op.Path, cd.param.Name)
	}
	red := in.HTTP.Redactor()
	var lines []string
	var exs []finding.HTTPExchange
	for _, e := range r.Evidence {
		if e.Req == nil {
			continue
		}
		st := "no answer"
		if e.Resp != nil {
			st = fmt.Sprintf("%d", e.Resp.StatusCode)
		}
		lines = append(lines, fmt.Sprintf("%s = %s (%s) → %s", cd.param.Name, e.Value, e.Label, st))
		ex := in.HTTP.Evidence(e.Req, e.Resp, nil)
		if r.Kind == ssrfprobe.Metadata && e.Value != r.Evidence[0].Value {
			ex.Body = "(withheld by plumb: instance metadata can hold cloud credentials)"
		}
		exs = append(exs, ex)
	}
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("%s %s with parameter %s pointed at addresses only the server can reach:\n%s\nIn band: %s.",
			cd.op.Method, red.URL(cd.op.Path), cd.param.Name, strings.Join(lines, "\n"), red.String(r.Detail)),
		HTTP: exs,
	}
	f.Remediation = remediation
	return f
}

func (c ServerSideFetch) callbackFinding(in *check.Input, cd candidate, cb *ssrfprobe.Callback) finding.Finding {
	red := in.HTTP.Redactor()
	fw := cb.Credentials(in.HTTP.ContainsCredential)
	var lines []string
	for _, h := range cb.Hits {
		ua := ""
		if v := h.Header.Get("User-Agent"); v != "" {
			ua = " (User-Agent " + red.String(v) + ")"
		}
		auth := ""
		if h.Header.Get("Authorization") != "" {
			auth = " with an Authorization header"
		}
		lines = append(lines, fmt.Sprintf("%s %s%s%s", h.Method, red.String(h.Path), ua, auth))
	}
	loc := finding.Location{Host: in.Target.Host, Method: cd.op.Method, Path: cd.op.Path, Param: cd.param.Name}
	f := check.New(c.Meta(), fmt.Sprintf("%s %s fetches attacker-chosen URLs (parameter %s)", cd.op.Method, cd.op.Path, cd.param.Name), loc)
	f.Severity, f.Confidence = finding.High, finding.Confirmed
	var cred string
	switch {
	case fw.ScanCredential:
		f.Severity = finding.Critical
		f.Title = fmt.Sprintf("%s %s forwards the caller's token to attacker-chosen URLs (parameter %s)", cd.op.Method, cd.op.Path, cd.param.Name)
		cred = fmt.Sprintf("\nThe callback carried the scan's own credential in its %s header: %s. The API forwards the "+
			"caller's Authorization header to any URL it is given.", fw.Header, red.String(fw.Value))
	case fw.Authorization:
		f.Severity = finding.Critical
		f.Title = fmt.Sprintf("%s %s fetches attacker-chosen URLs and forwards the Authorization header", cd.op.Method, cd.op.Path)
		cred = fmt.Sprintf("\nThe callback carried an Authorization header that is not the scan's credential (%s): "+
			"likely the API's own service credential.", netx.Mask(fw.Value))
	}
	st := 0
	if cb.Resp != nil {
		st = cb.Resp.StatusCode
	}
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("GET %s answered %d, and %s then received %d request(s) for this probe:\n%s%s",
			red.URL(cb.Req.URL), st, in.Callback.Describe(), len(cb.Hits), strings.Join(lines, "\n"), cred),
		HTTP: []finding.HTTPExchange{in.HTTP.Evidence(cb.Req, cb.Resp, nil)},
	}
	f.Remediation = remediation
	return f
}

var remediation = finding.Remediation{
	Summary: "Fetch only from an allow-list of hosts (resolve once, reject private and link-local addresses, no " +
		"redirects), and never forward the caller's Authorization header or the service's own credentials to fetched URLs.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `ALLOWED = {"images.example.com"}
u = urllib.parse.urlsplit(request.args["url"])
if u.scheme != "https" or u.hostname not in ALLOWED:
    abort(400)
r = requests.get(u.geturl(), timeout=5, allow_redirects=False)  # no Authorization header`},
		{Lang: "go", Code: `u, err := url.Parse(r.URL.Query().Get("url"))
if err != nil || u.Scheme != "https" || !allowed[u.Hostname()] {
	http.Error(w, "url not allowed", http.StatusBadRequest)
	return
}
req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil) // fresh request: no caller headers`},
		{Lang: "node-express", Code: `const u = new URL(req.query.url);
if (u.protocol !== "https:" || !ALLOWED.has(u.hostname)) return res.status(400).end();
const page = await fetch(u, { redirect: "error" }); // no Authorization forwarded`},
	},
	References: refSSRF,
}
