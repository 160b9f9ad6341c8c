// Package cors checks the API's Cross-Origin Resource Sharing policy
// (OWASP API8:2023 Security Misconfiguration, CWE-942). Its findings are
// in the data-exposure category: a bad policy lets another site read the
// API's responses (with the victim's cookies, when the API accepts them);
// it does not by itself leak Bearer tokens, which browsers never attach on
// their own. Allowed origins it sees join the host graph as cors-origin, so
// the DNS audit reports an allowed origin whose name dangles.
package cors

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

// Finding ids this check emits.
const (
	IDReflected       = "data-exposure.cors-origin-reflected"
	IDNullOrigin      = "data-exposure.cors-null-origin"
	IDBypass          = "data-exposure.cors-origin-validation-bypass"
	IDWildcardCreds   = "data-exposure.cors-wildcard-credentials"
	IDPreflightAuthz  = "data-exposure.cors-preflight-authorization"
	IDAnySubdomain    = "data-exposure.cors-any-subdomain"
	IDInsecureOrigin  = "data-exposure.cors-insecure-origin"
	maxEndpoints      = 32 // GET operations probed with a foreign Origin
	maxTrickEndpoints = 2  // endpoints also probed with null and look-alike origins
)

// probeSuffix is where probe origins live: a reserved TLD (RFC 6761) that
// never resolves on the internet; Origin headers cause no traffic anyway.
const probeSuffix = ".evil.test"

// Policy probes the CORS policy of the target and its GET operations.
type Policy struct{}

// Meta describes the check.
func (Policy) Meta() check.Meta {
	return check.Meta{
		ID: "data-exposure.cors", Title: "CORS policy lets other origins read responses", Category: finding.CatDataExposure,
		OWASP: "API8:2023", CWE: "CWE-942", Severity: finding.High, Phase: check.PhaseProbe,
		Description: "Sends GET requests with a foreign Origin and an OPTIONS preflight asking for the Authorization header; " +
			"then, on the two endpoints most likely to check an allow-list (a static allowed origin, else Vary: Origin), " +
			"origins derived from the target's host and the allowed origins seen: prefix (host.evil.test), suffix " +
			"(evil_domain), unescaped dots (api_example.com), plain http, a random subdomain and null. Attacker-side names " +
			"are under .test or carry an underscore, so no one can own them. Reports " + IDReflected + ", " + IDNullOrigin +
			" and " + IDBypass + " (high when the response allows credentials and the API accepts ambient credentials such " +
			"as cookies or Basic auth, else low), " + IDAnySubdomain + " and " + IDInsecureOrigin + " (medium / low), " +
			IDWildcardCreds + " and " + IDPreflightAuthz + " (low). Static allowed origins join the host graph as " +
			"cors-origin for the DNS audit.",
		Rules: rules,
	}
}

// rules are the findings the check emits; severities are the highest each
// reports (high needs credentials allowed and ambient credentials seen).
var rules = []check.Rule{
	{ID: IDReflected, Title: "CORS reflects any Origin", Severity: finding.High, Remediation: remediation, Group: finding.GroupHost,
		Description: "Access-Control-Allow-Origin echoes whatever Origin the request sends (checked with a second, different " +
			"origin), so every web site can read the response from a visitor's browser. High when credentials are allowed " +
			"and the API accepts ambient credentials (cookies, Basic auth), low otherwise."},
	{ID: IDNullOrigin, Title: "CORS allows Origin: null", Severity: finding.High, Remediation: remediation, Group: finding.GroupHost,
		Description: "Origin: null is allowed. Sandboxed iframes and data: URLs send it, so any site can claim it. High when " +
			"credentials are allowed and the API accepts ambient credentials, low otherwise."},
	{ID: IDBypass, Title: "CORS allow-list accepts look-alike origins", Severity: finding.High, Remediation: remediation, Group: finding.GroupHost,
		Description: "The origin allow-list accepts a look-alike of the target's or an allowed origin (target.evil.test, " +
			"evil_target, api_example.com for api.example.com): it is checked by prefix, suffix, substring or a regular " +
			"expression with an unescaped dot, and an attacker registers a matching name. High when credentials are " +
			"allowed and the API accepts ambient credentials, low otherwise."},
	{ID: IDAnySubdomain, Title: "CORS trusts every subdomain", Severity: finding.Medium, Remediation: remediation, Group: finding.GroupHost,
		Description: "An origin under the target's registrable domain that does not exist is allowed: every subdomain is " +
			"trusted, so a script injection or a takeover of any of them (a dangling CNAME, see the DNS audit) reads the " +
			"API's responses. Medium when credentials are allowed and the API accepts ambient credentials, low otherwise."},
	{ID: IDInsecureOrigin, Title: "CORS trusts a plain-http origin", Severity: finding.Medium, Remediation: remediation, Group: finding.GroupHost,
		Description: "The http:// twin of an allowed https origin is allowed too, so a network attacker who injects a " +
			"script into that unencrypted page reads the API's responses. Medium when credentials are allowed and the API " +
			"accepts ambient credentials, low otherwise."},
	{ID: IDWildcardCreds, Title: "CORS wildcard origin with credentials", Severity: finding.Low, Remediation: remediation, Group: finding.GroupHost,
		Description: "Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true. Browsers refuse the " +
			"combination, so it exposes nothing today, but a later switch to reflecting the Origin makes it exploitable."},
	{ID: IDPreflightAuthz, Title: "CORS preflight allows the Authorization header from any origin", Severity: finding.Low,
		Remediation: remediation, Group: finding.GroupHost,
		Description: "The OPTIONS preflight lets any origin send the Authorization header: a token kept in browser storage " +
			"becomes usable cross-origin after any script injection."},
}

type endpoint struct {
	url string
	loc finding.Location
}

type result struct {
	req  *netx.Request
	resp *netx.Response
}

func (r result) acao() string {
	return strings.TrimSpace(r.resp.Header.Get("Access-Control-Allow-Origin"))
}
func (r result) creds() bool {
	return strings.EqualFold(strings.TrimSpace(r.resp.Header.Get("Access-Control-Allow-Credentials")), "true")
}

type run struct {
	c       Policy
	in      *check.Input
	ambient []string // why the API is believed to accept ambient credentials
	out     []finding.Finding
}

// Run probes the endpoints sequentially (rate limits make parallelism
// moot): each with a foreign Origin, then the allow-list variants on the
// endpoints most likely to have an allow-list.
func (c Policy) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	r := &run{c: c, in: in, ambient: specAmbient(in.API)}
	eps := endpoints(in)
	probe := "https://plumb-cors" + probeSuffix
	var seen []string
	var cands []trickCand
	for _, ep := range eps {
		res, err := r.get(ctx, ep, probe)
		if err != nil {
			if ctx.Err() != nil {
				return r.out, ctx.Err()
			}
			continue
		}
		reflected := res.acao() == probe
		switch {
		case reflected:
			r.reflected(ctx, ep, res)
		case res.acao() == "*" && res.creds():
			r.report(IDWildcardCreds, finding.Low, finding.Confirmed, ep, res,
				"Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true",
				"Browsers refuse this combination, so it exposes nothing today, but it shows the policy was written to allow "+
					"every origin with credentials: a later switch to reflecting the Origin makes it exploitable.")
		case res.acao() != "" && res.acao() != "*":
			r.allowedOrigin(ep, res.acao())
			if h := staticHost(res.acao(), in.Target.Hostname()); h != "" && !contains(seen, h) {
				seen = append(seen, h)
			}
		}
		if !reflected {
			cands = append(cands, trickCand{ep, rank(res)})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].rank < cands[j].rank })
	vs := variants(in.Target.Hostname(), seen, nonce())
	for _, cd := range cands[:min(len(cands), maxTrickEndpoints)] {
		if err := r.tricks(ctx, cd.ep, vs); err != nil {
			return r.out, err
		}
	}
	return r.out, nil
}

// trickCand is an endpoint the variants may be sent to.
type trickCand struct {
	ep   endpoint
	rank int
}

// rank orders endpoints by how likely they check Origin against a list:
// a static allowed origin first, then an answer that varies by Origin,
// then the rest in catalog order.
func rank(res result) int {
	switch {
	case res.acao() != "" && res.acao() != "*":
		return 0
	case slices.ContainsFunc(res.resp.Header.Values("Vary"), func(v string) bool {
		return strings.Contains(strings.ToLower(v), "origin")
	}):
		return 1
	}
	return 2
}

// endpoints returns the base URL and up to maxEndpoints GET operations,
// secured ones first: CORS matters where responses carry user data.
func endpoints(in *check.Input) []endpoint {
	var secured, open []endpoint
	if in.API != nil {
		for _, op := range in.API.Operations {
			if op.Method != http.MethodGet {
				continue
			}
			u, ok := in.OperationURL(op)
			if !ok {
				continue
			}
			ep := endpoint{u, finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path}}
			if op.RequiresAuth() {
				secured = append(secured, ep)
			} else {
				open = append(open, ep)
			}
		}
	}
	secured = append(secured, open...)
	all := secured
	all = all[:min(len(all), maxEndpoints)]
	base := endpoint{in.BaseURL().String(), finding.Location{Host: in.Target.Host, Method: http.MethodGet, Path: in.BaseURL().Path}}
	return append(all, base)
}

func (r *run) get(ctx context.Context, ep endpoint, origin string) (result, error) {
	req := &netx.Request{Method: http.MethodGet, URL: ep.url, Header: http.Header{"Origin": {origin}}, WithCredentials: true}
	resp, err := r.in.HTTP.Do(ctx, req)
	if err != nil {
		return result{}, err
	}
	r.noteAmbient(resp)
	return result{req, resp}, nil
}

// noteAmbient records signs that the API accepts credentials a browser
// attaches by itself: cookies it sets, or a Basic/Negotiate challenge.
func (r *run) noteAmbient(resp *netx.Response) {
	if len(resp.Header.Values("Set-Cookie")) > 0 && !contains(r.ambient, "it sets cookies") {
		r.ambient = append(r.ambient, "it sets cookies")
	}
	for _, v := range resp.Header.Values("WWW-Authenticate") {
		s := strings.ToLower(strings.Fields(v + " x")[0])
		if (s == "basic" || s == "negotiate" || s == "ntlm") && !contains(r.ambient, "it challenges for "+s) {
			r.ambient = append(r.ambient, "it challenges for "+s)
		}
	}
}

func specAmbient(api *spec.API) []string {
	if api == nil {
		return nil
	}
	var out []string
	for _, s := range api.SecuritySchemes {
		switch {
		case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"):
			out = append(out, "the spec declares Basic auth ("+s.Name+")")
		case s.Type == "apiKey" && s.In == "cookie":
			out = append(out, "the spec declares a cookie credential ("+s.Name+")")
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// reflected confirms an arbitrary-origin reflection with a second, random
// origin, then checks null and the preflight on the same endpoint.
func (r *run) reflected(ctx context.Context, ep endpoint, first result) {
	second := "https://plumb-" + nonce() + probeSuffix
	conf, detail := finding.Firm, "A second request with another origin was not reflected (a cache may be involved)."
	if res, err := r.get(ctx, ep, second); err == nil && res.acao() == second {
		conf, detail = finding.Confirmed, "A second request with Origin "+second+" was reflected too."
	}
	r.report(IDReflected, r.severity(first), conf, ep, first,
		"Any origin is allowed: the Origin header is reflected in Access-Control-Allow-Origin", detail)
	if res, err := r.get(ctx, ep, "null"); err == nil && res.acao() == "null" {
		r.report(IDNullOrigin, r.severity(res), finding.Confirmed, ep, res, "Origin: null is allowed",
			"Sandboxed iframes and data: URLs send Origin: null, so any site can claim it.")
	}
	r.preflight(ctx, ep)
}

// tricks sends the variants to one endpoint and reports, per rule, every
// variant the endpoint reflects.
func (r *run) tricks(ctx context.Context, ep endpoint, vs []variant) error {
	hits := map[string][]string{}
	first := map[string]result{}
	var ids []string
	for _, v := range vs {
		res, err := r.get(ctx, ep, v.origin)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		if res.acao() != v.origin {
			continue
		}
		if _, ok := first[v.id]; !ok {
			first[v.id] = res
			ids = append(ids, v.id)
		}
		creds := "without"
		if res.creds() {
			creds = "with"
		}
		hits[v.id] = append(hits[v.id], fmt.Sprintf("%s (%s; reflected %s Access-Control-Allow-Credentials: true)", v.origin, v.trick, creds))
	}
	for _, id := range ids {
		res := first[id]
		detail := "Reflected: " + strings.Join(hits[id], "; ") + "."
		switch id {
		case IDNullOrigin:
			r.report(id, r.severity(res), finding.Confirmed, ep, res, "Origin: null is allowed",
				"Sandboxed iframes and data: URLs send Origin: null, so any site can claim it.")
		case IDBypass:
			r.report(id, r.severity(res), finding.Confirmed, ep, res,
				fmt.Sprintf("The origin allow-list accepts %d look-alike origin(s)", len(hits[id])),
				"The allow-list is checked by prefix, suffix, substring or an unescaped regular expression; an attacker "+
					"registers a matching name. "+detail)
		default:
			r.report(id, r.capped(res), finding.Confirmed, ep, res, ruleTitle(id), detail)
		}
	}
	return nil
}

// capped is the severity of the weaker trust rules (any subdomain, plain
// http): medium at most, since they need a second flaw (a subdomain
// takeover or XSS, a network attacker) to exploit.
func (r *run) capped(res result) finding.Severity {
	if r.severity(res) == finding.High {
		return finding.Medium
	}
	return finding.Low
}

func ruleTitle(id string) string {
	for _, ru := range rules {
		if ru.ID == id {
			return ru.Title
		}
	}
	return id
}

func (r *run) preflight(ctx context.Context, ep endpoint) {
	origin := "https://plumb-cors" + probeSuffix
	req := &netx.Request{Method: http.MethodOptions, URL: ep.url, Header: http.Header{
		"Origin": {origin}, "Access-Control-Request-Method": {"GET"}, "Access-Control-Request-Headers": {"authorization"},
	}}
	resp, err := r.in.HTTP.Do(ctx, req)
	if err != nil || strings.TrimSpace(resp.Header.Get("Access-Control-Allow-Origin")) != origin {
		return
	}
	if !strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "authorization") {
		return
	}
	r.report(IDPreflightAuthz, finding.Low, finding.Confirmed, ep, result{req, resp},
		"The preflight lets any origin send the Authorization header",
		"Any site may send requests with an Authorization header it holds; combined with a token kept in browser storage "+
			"and any script injection, the token is usable cross-origin.")
}

// allowedOrigin adds a static allowed origin to the host graph: if its
// name dangles, whoever claims it reads the API's responses.
func (r *run) allowedOrigin(ep endpoint, acao string) {
	if strings.HasSuffix(strings.ToLower(hostOf(acao)), probeSuffix) {
		return
	}
	if h := hostOf(acao); h != "" {
		r.in.Hosts.Add(h, hosts.RoleCORSOrigin, "Access-Control-Allow-Origin of GET "+ep.loc.Path, false)
	}
}

func hostOf(origin string) string {
	o, err := netx.ParseOrigin(origin)
	if err != nil {
		return ""
	}
	return o.Host
}

// severity is high when the response allows credentials and the API
// accepts ambient credentials, low otherwise (browsers never attach a
// Bearer token by themselves).
func (r *run) severity(res result) finding.Severity {
	if res.creds() && len(r.ambient) > 0 {
		return finding.High
	}
	return finding.Low
}

func (r *run) report(id string, sev finding.Severity, conf finding.Confidence, ep endpoint, res result, title, detail string) {
	for _, f := range r.out {
		if f.ID == id && f.Location == ep.loc {
			return
		}
	}
	f := check.New(r.c.Meta(), title, ep.loc)
	f.ID, f.Severity, f.Confidence = id, sev, conf
	why := "no ambient credentials were seen, so only what an anonymous browser could fetch is exposed"
	if len(r.ambient) > 0 {
		why = "the API accepts ambient credentials (" + strings.Join(r.ambient, "; ") + ")"
	}
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("%s %s with Origin %s answered Access-Control-Allow-Origin: %q, Access-Control-Allow-Credentials: %q. %s "+
			"Severity: %s; %s.", res.req.Method, r.in.HTTP.Redactor().URL(ep.url), res.req.Header.Get("Origin"), res.acao(),
			res.resp.Header.Get("Access-Control-Allow-Credentials"), detail, sev, why),
		HTTP: []finding.HTTPExchange{r.in.HTTP.Evidence(res.req, res.resp, nil)},
	}
	f.Remediation = remediation
	r.out = append(r.out, f)
}

func nonce() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var remediation = finding.Remediation{
	Summary: "Allow an explicit list of origins compared exactly (scheme, host and port), never reflect the Origin header, " +
		"never allow null, and only send Access-Control-Allow-Credentials: true to those exact origins. Send Vary: Origin. " +
		"Remove origins whose sites no longer exist: a dangling allowed origin can be claimed.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `from flask_cors import CORS
# Exact origins only; never origins="*" with supports_credentials=True.
CORS(app, origins=["https://app.example.com"], supports_credentials=True,
     allow_headers=["Authorization", "Content-Type"], vary_header=True)`},
		{Lang: "go", Code: `var allowed = map[string]bool{"https://app.example.com": true}

func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if o := r.Header.Get("Origin"); allowed[o] { // exact match, "null" never allowed
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
		next.ServeHTTP(w, r)
	})
}`},
		{Lang: "node-express", Code: `const cors = require("cors");
const allowed = new Set(["https://app.example.com"]);
app.use(cors({ origin: (o, cb) => cb(null, allowed.has(o)), credentials: true }));`},
	},
	References: []string{
		"https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
		"https://portswigger.net/web-security/cors",
		"https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Headers",
	},
}
