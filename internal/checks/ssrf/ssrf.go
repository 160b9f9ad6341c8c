// Package ssrf holds the server-side request forgery check (OWASP
// API7:2023): URL-accepting parameters are pointed at an out-of-band
// listener (--callback-url) and the listener is asked whether the API
// fetched it — and whether it forwarded an Authorization header.
package ssrf

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

// maxProbes bounds the parameters probed (each costs a probe and a poll).
const maxProbes = 6

// pollDelay is how long the check waits before polling, so asynchronous
// fetchers (queues, webhooks) have a moment to call.
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
		ID: "ssrf.server-side-fetch", Title: "Server-side request forgery", Category: finding.CatSSRF,
		OWASP: "API7:2023", CWE: "CWE-918", Severity: finding.Critical, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "Needs --callback-url, an out-of-band listener. For GET operations with a query parameter that takes a " +
			"URL (format uri, or named url, callback, webhook, target, image_url …), sends the operation with the parameter " +
			"set to CALLBACK/plumb/ssrf-ID, then polls CALLBACK/plumb/interactions/ID. A recorded request proves the API " +
			"fetched an attacker-chosen URL (high); an Authorization header on it means the API forwards credentials to any " +
			"host (critical). The listener contract: GET /plumb/interactions/ID answers " +
			`{"interactions":[{"method":"GET","path":"…","headers":{…}}]}` + " for requests whose path contained ID.",
		Remediation: remediation,
	}
}

type candidate struct {
	op    spec.Operation
	param spec.Param
}

// Run probes up to maxProbes parameters.
func (c ServerSideFetch) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	if in.CallbackURL == "" {
		return nil, nil
	}
	var out []finding.Finding
	for i, cd := range candidates(in.API) {
		if i >= maxProbes {
			break
		}
		f, err := c.probe(ctx, in, cd)
		if err != nil {
			return out, err
		}
		if f != nil {
			out = append(out, *f)
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

func (c ServerSideFetch) probe(ctx context.Context, in *check.Input, cd candidate) (*finding.Finding, error) {
	id := "plumb-ssrf-" + nonce()
	base, ok := in.OperationURL(cd.op)
	if !ok {
		return nil, nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, nil //nolint:nilerr // OperationURL builds valid URLs; skip if not
	}
	q := u.Query()
	q.Set(cd.param.Name, in.CallbackURL+"/plumb/"+id)
	u.RawQuery = q.Encode()
	req := &netx.Request{Method: http.MethodGet, URL: u.String(), WithCredentials: true}
	resp, err := in.HTTP.Do(ctx, req)
	in.Coverage.Requested(cd.op, status(resp))
	if err != nil {
		return nil, ctx.Err()
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(pollDelay):
	}
	hits, poll, presp, err := interactions(ctx, in, id)
	if err != nil || len(hits) == 0 {
		return nil, ctx.Err()
	}
	return c.finding(in, cd, req, resp, poll, presp, hits), nil
}

type interaction struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Headers map[string][]string `json:"headers"`
}

// interactions polls the listener for requests carrying id. The poll
// never carries the user's credential (the listener is out of scope).
func interactions(ctx context.Context, in *check.Input, id string) ([]interaction, *netx.Request, *netx.Response, error) {
	req := &netx.Request{Method: http.MethodGet, URL: in.CallbackURL + "/plumb/interactions/" + id}
	resp, err := in.HTTP.Do(ctx, req)
	if err != nil {
		return nil, req, nil, err
	}
	var doc struct {
		Interactions []interaction `json:"interactions"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(resp.Body, &doc) != nil {
		return nil, req, resp, fmt.Errorf("callback listener %s: unexpected answer %d", in.CallbackURL, resp.StatusCode)
	}
	var out []interaction
	for _, it := range doc.Interactions {
		if strings.Contains(it.Path, id) {
			out = append(out, it)
		}
	}
	return out, req, resp, nil
}

func (c ServerSideFetch) finding(in *check.Input, cd candidate, req *netx.Request, resp *netx.Response,
	poll *netx.Request, presp *netx.Response, hits []interaction) *finding.Finding {
	forwarded := false
	var lines []string
	for _, h := range hits {
		auth := ""
		for k := range h.Headers {
			if strings.EqualFold(k, "Authorization") {
				forwarded = true
				auth = " with an Authorization header"
			}
		}
		ua := ""
		for k, v := range h.Headers {
			if strings.EqualFold(k, "User-Agent") && len(v) > 0 {
				ua = " (User-Agent " + v[0] + ")"
			}
		}
		lines = append(lines, fmt.Sprintf("%s %s%s%s", h.Method, h.Path, ua, auth))
	}
	f := check.New(c.Meta(), fmt.Sprintf("%s %s fetches attacker-chosen URLs (parameter %s)", cd.op.Method, cd.op.Path, cd.param.Name),
		finding.Location{Host: in.Target.Host, Method: cd.op.Method, Path: cd.op.Path, Param: cd.param.Name})
	f.Severity = finding.High
	if forwarded {
		f.Severity = finding.Critical
		f.Title = fmt.Sprintf("%s %s fetches attacker-chosen URLs and forwards the Authorization header", cd.op.Method, cd.op.Path)
	}
	f.Confidence = finding.Confirmed
	red := in.HTTP.Redactor()
	ex := in.HTTP.Evidence(poll, presp, nil)
	ex.Body = "(withheld by plumb: it repeats the recorded headers, summarised above)"
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("GET %s answered %d, and the callback listener then recorded %d request(s) for this probe:\n%s",
			red.URL(req.URL), status(resp), len(hits), strings.Join(lines, "\n")),
		HTTP: []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil), ex},
	}
	f.Remediation = remediation
	return &f
}

func status(r *netx.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

func nonce() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
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
