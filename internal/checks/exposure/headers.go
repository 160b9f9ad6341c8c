// Package exposure holds data-exposure checks (OWASP API3/API8:2023):
// response headers that disclose software versions, that let browsers
// sniff content types, and authenticated responses that caches may keep.
package exposure

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

var refMisconfig = []string{"https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/"}

// versionHeaders are response headers that commonly name software.
var versionHeaders = []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Runtime-Version", "X-Generator"}

// versionRE matches a product token with a version number, e.g.
// "Werkzeug/2.0.2", "PHP/8.1.2", "nginx/1.25.3", "Express 4.18".
var versionRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9._-]*[/ ]v?\d+(\.\d+)+`)

// VersionDisclosure reports headers that reveal software and versions.
type VersionDisclosure struct{}

// Meta describes the check.
func (VersionDisclosure) Meta() check.Meta {
	return check.Meta{
		ID: "data-exposure.version-disclosure", Title: "Software version disclosed in headers", Category: finding.CatDataExposure,
		OWASP: "API8:2023", CWE: "CWE-200", Severity: finding.Low, Phase: check.PhaseHosts, Group: finding.GroupHost,
		Description: "Server, X-Powered-By and similar headers that name software with its version tell an attacker which " +
			"known vulnerabilities to try (e.g. Werkzeug/2.0.2 Python/3.9.7). Reads every response the scan got from the " +
			"target, not only GET / (frameworks often add X-Powered-By to API routes only); one finding per host, listing " +
			"the operations that disclosed it.",
		Remediation: versionRemediation,
	}
}

// Run reads the headers of every response the scan got from the target
// (it runs after the probes), the root included.
func (c VersionDisclosure) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	if _, err := fetchRoot(ctx, in); err != nil {
		return nil, err
	}
	var values []string
	var where []netx.SeenAt
	for _, h := range seenOnTarget(in) {
		if !slices.Contains(versionHeaders, h.Name) || h.Value == netx.Absent || !versionRE.MatchString(h.Value) {
			continue
		}
		if v := h.Name + ": " + h.Value; !slices.Contains(values, v) && len(values) < maxValues {
			values = append(values, v)
		}
		where = append(where, h.Where...)
	}
	if len(values) == 0 {
		return nil, nil
	}
	f := check.New(c.Meta(), "Response headers disclose software versions: "+strings.Join(values, "; "), finding.Location{Host: in.Target.Host})
	f.Confidence = finding.Confirmed
	f.Affected = locationsOf(in, where)
	f.Evidence = finding.Evidence{Summary: strings.Join(values, "\n"), HTTP: seenExchanges(where, values)}
	f.Remediation = versionRemediation
	return []finding.Finding{f}, nil
}

// maxValues bounds the distinct header values one finding lists.
const maxValues = 8

// NoSniff reports responses without X-Content-Type-Options: nosniff.
type NoSniff struct{}

// Meta describes the check.
func (NoSniff) Meta() check.Meta {
	return check.Meta{
		ID: "data-exposure.content-type-sniffing", Title: "X-Content-Type-Options: nosniff missing", Category: finding.CatDataExposure,
		OWASP: "API8:2023", CWE: "CWE-693", Severity: finding.Low, Phase: check.PhaseHosts, Group: finding.GroupHost,
		Description: "Without X-Content-Type-Options: nosniff a browser may interpret an API response (e.g. JSON echoing user " +
			"input) as HTML or script. Reads every 2xx response with a body the scan got from the target; one finding per host.",
		Remediation: nosniffRemediation,
	}
}

// Run reads what every 2xx response with a body said (it runs after the
// probes), the root's included.
func (c NoSniff) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	if _, err := fetchRoot(ctx, in); err != nil {
		return nil, err
	}
	var where []netx.SeenAt
	for _, h := range seenOnTarget(in) {
		if h.Name == "X-Content-Type-Options" && !strings.EqualFold(h.Value, "nosniff") {
			where = append(where, h.Where...)
		}
	}
	if len(where) == 0 {
		return nil, nil
	}
	f := check.New(c.Meta(), "Responses lack X-Content-Type-Options: nosniff", finding.Location{Host: in.Target.Host})
	f.Confidence = finding.Confirmed
	f.Affected = locationsOf(in, where)
	f.Evidence = finding.Evidence{Summary: fmt.Sprintf("%d response(s) with a body had no X-Content-Type-Options: nosniff, e.g. %s %s (HTTP %d).",
		len(where), where[0].Method, where[0].URL, where[0].Status), HTTP: seenExchanges(where, nil)}
	f.Remediation = nosniffRemediation
	return []finding.Finding{f}, nil
}

// fetchRoot makes sure the target's root was asked (once per scan).
func fetchRoot(ctx context.Context, in *check.Input) (*netx.Response, error) {
	return in.Fetch(ctx, in.HTTP, &netx.Request{Method: http.MethodGet, URL: in.Target.String()}, nil)
}

// seenOnTarget is what the scan saw of the watched headers on the
// target's origin.
func seenOnTarget(in *check.Input) []netx.HeaderSeen {
	origin := netx.OriginOf(in.Target).String()
	var out []netx.HeaderSeen
	for _, h := range in.HTTP.HeadersSeen() {
		if h.Origin == origin {
			out = append(out, h)
		}
	}
	return out
}

// locationsOf names the operations requests went to (their path template
// when the spec has one, else the path), sorted, each once.
func locationsOf(in *check.Input, where []netx.SeenAt) []finding.Location {
	var out []finding.Location
	for _, w := range where {
		l := finding.Location{Host: in.Target.Host, Method: w.Method}
		if op, ok := in.OperationAt(w.Method, w.URL); ok {
			l.Method, l.Path = op.Method, op.Path
		} else if u, err := url.Parse(w.URL); err == nil {
			l.Path = u.Path
			if l.Path == "" {
				l.Path = "/"
			}
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b finding.Location) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// seenExchanges turns a few observations into evidence: what was asked and
// the headers that answered (the scan keeps header observations, not
// bodies).
func seenExchanges(where []netx.SeenAt, values []string) []finding.HTTPExchange {
	var out []finding.HTTPExchange
	for _, w := range where[:min(len(where), 3)] {
		ex := finding.HTTPExchange{Method: w.Method, URL: w.URL, Status: w.Status}
		for _, v := range values {
			name, val, _ := strings.Cut(v, ": ")
			if ex.Headers == nil {
				ex.Headers = map[string][]string{}
			}
			ex.Headers[name] = append(ex.Headers[name], val)
		}
		out = append(out, ex)
	}
	return out
}

// CacheControl reports authenticated responses that caches may store.
type CacheControl struct{}

// Meta describes the check.
func (CacheControl) Meta() check.Meta {
	return check.Meta{
		ID: "data-exposure.cacheable-authenticated-response", Title: "Authenticated response without Cache-Control: no-store",
		Category: finding.CatDataExposure, OWASP: "API8:2023", CWE: "CWE-525", Severity: finding.Low,
		Needs: check.NeedSpec | check.NeedCredential, Group: finding.GroupHost,
		Description: "Requests secured read-only operations with the user's credential; a 2xx answer without " +
			"Cache-Control: no-store may be kept by browsers, proxies and CDNs and served to the next user.",
		Remediation: cacheRemediation,
	}
}

// maxCacheProbes bounds how many operations the check requests.
const maxCacheProbes = 5

// Run requests up to a few secured GET operations with credentials.
func (c CacheControl) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	var fs []finding.Finding
	probed := 0
	for _, op := range in.API.Operations {
		if probed == maxCacheProbes {
			break
		}
		if !op.RequiresAuth() || op.Method != http.MethodGet {
			continue
		}
		target, ok := in.OperationURL(op)
		if !ok {
			continue
		}
		probed++
		req := &netx.Request{Method: op.Method, URL: target, WithCredentials: true}
		resp, err := in.Fetch(ctx, in.HTTP, req, &op) // usually the corpus's request
		if err != nil {
			if errors.Is(err, netx.ErrBudgetExhausted) || ctx.Err() != nil {
				return fs, err
			}
			continue
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 || !resp.CredentialsSent || noStore(resp.Header) || !isData(resp.Header) {
			continue
		}
		fs = append(fs, c.finding(in, op, req, resp))
	}
	return fs, nil
}

func (c CacheControl) finding(in *check.Input, op spec.Operation, req *netx.Request, resp *netx.Response) finding.Finding {
	f := check.New(c.Meta(), fmt.Sprintf("%s %s returns authenticated data without Cache-Control: no-store", op.Method, op.Path),
		finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path})
	f.Confidence = finding.Confirmed
	f.Evidence = finding.Evidence{Summary: fmt.Sprintf("Cache-Control: %q on an authenticated HTTP %d response.",
		resp.Header.Get("Cache-Control"), resp.StatusCode), HTTP: []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)}}
	f.Remediation = cacheRemediation
	return f
}

func noStore(h http.Header) bool {
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(d), "no-store") {
				return true
			}
		}
	}
	return false
}

func isData(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && (strings.Contains(mt, "json") || strings.Contains(mt, "xml") || strings.HasPrefix(mt, "text/"))
}

var versionRemediation = finding.Remediation{
	Summary: "Remove version numbers from Server and X-Powered-By (or drop the headers) at the application server or reverse proxy. " +
		"Never run the Werkzeug development server in production; use gunicorn or uWSGI behind a proxy.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `# gunicorn.conf.py — gunicorn sends "Server: gunicorn"; hide it at the proxy:
# nginx: server_tokens off; proxy_hide_header Server;
@app.after_request
def strip_server(resp):
    resp.headers.pop("Server", None)
    return resp`},
		{Lang: "go", Code: `// net/http sends no Server header by default; do not add one with a version.`},
		{Lang: "node-express", Code: `app.disable("x-powered-by");`},
	},
	References: refMisconfig,
}

var nosniffRemediation = finding.Remediation{
	Summary: "Send X-Content-Type-Options: nosniff on every response.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.after_request
def nosniff(resp):
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp`},
		{Lang: "go", Code: `w.Header().Set("X-Content-Type-Options", "nosniff")`},
		{Lang: "node-express", Code: `app.use(require("helmet").noSniff());`},
	},
	References: refMisconfig,
}

var cacheRemediation = finding.Remediation{
	Summary: "Send Cache-Control: no-store on every response to an authenticated request, and on token responses (RFC 6749 §5.1).",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.after_request
def no_store(resp):
    if request.headers.get("Authorization"):
        resp.headers["Cache-Control"] = "no-store"
    return resp`},
		{Lang: "go", Code: `w.Header().Set("Cache-Control", "no-store")`},
		{Lang: "node-express", Code: `app.use((req, res, next) => { if (req.headers.authorization) res.set("Cache-Control", "no-store"); next(); });`},
	},
	References: refMisconfig,
}
