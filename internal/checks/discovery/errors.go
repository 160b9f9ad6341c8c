package discovery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/rules"
	"github.com/plumbsec/plumb/internal/spec"
)

// maxErrorProbes bounds the malformed requests UpstreamInErrors sends.
const maxErrorProbes = 8

// malformed is the value sent where the spec wants a number, boolean,
// uuid or date: harmless, but no parser accepts it.
const malformed = "plumb-not-a-number"

// UpstreamInErrors provokes error pages safely and extracts the upstream
// hosts they leak (client errors and stack traces of Python, Go, Java,
// Node, .NET and libcurl). A server-side client usually sends its own
// token upstream, so these hosts are marked as carrying credentials.
type UpstreamInErrors struct{}

// Meta describes the check.
func (UpstreamInErrors) Meta() check.Meta {
	return check.Meta{
		ID: "inventory.upstream-in-errors", Title: "Upstream hosts leaked in error responses", Category: finding.CatInventory,
		OWASP: "API8:2023", CWE: "CWE-209", Severity: finding.Low, Phase: check.PhaseProbe,
		Description: "Sends read-only requests that should fail (an unknown path; GET operations with a non-numeric value " +
			"for a numeric, boolean, uuid or date parameter) and reads the error bodies for upstream host names in client " +
			"errors and stack traces (urllib3 HTTPSConnectionPool(host=…), Go dial/lookup, Java UnknownHostException, Node " +
			"getaddrinfo ENOTFOUND, .NET, libcurl). Each host joins the host graph as upstream-seen-in-error, carrying " +
			"credentials, so the DNS audit reports a dangling upstream as a critical token leak.",
		Remediation: upstreamRemediation,
	}
}

type probe struct {
	url string
	op  *spec.Operation
	loc finding.Location
}

// Run sends the probes sequentially and reports one finding per
// operation that leaks hosts.
func (c UpstreamInErrors) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	pack, err := rules.Load(errorPack)
	if err != nil {
		return nil, err
	}
	probes := errorProbes(in)
	add := newAdder(in.Hosts, nil)
	target := strings.ToLower(in.Target.Hostname())
	var out []finding.Finding
	for _, p := range probes {
		req := &netx.Request{Method: http.MethodGet, URL: p.url, WithCredentials: true}
		resp, err := in.Fetch(ctx, in.HTTP, req, p.op) // input's error checks send the same probes
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			continue
		}
		var leaks []leak
		for _, l := range upstreamHosts(pack, resp.Body) {
			if l.Host != target {
				leaks = append(leaks, l)
			}
		}
		if len(leaks) == 0 {
			continue
		}
		where := fmt.Sprintf("%d response of GET %s", resp.StatusCode, p.loc.Path)
		for _, l := range leaks {
			add.add(l.Host, hosts.RoleUpstreamInError, fmt.Sprintf("%s (%s)", where, l.Stack), true)
		}
		out = append(out, c.finding(in, req, resp, p, leaks))
	}
	return out, nil
}

// errorProbes builds the unknown-path probe and up to maxErrorProbes-1
// malformed-parameter probes on GET operations.
func errorProbes(in *check.Input) []probe {
	base := in.BaseURL()
	unknown := *base
	unknown.Path = strings.TrimSuffix(unknown.Path, "/") + "/plumb-unknown-" + nonce()
	out := []probe{{url: unknown.String(), loc: finding.Location{Host: in.Target.Host, Path: "(unknown path)"}}}
	if in.API == nil {
		return out
	}
	for _, op := range in.API.Operations {
		if len(out) >= maxErrorProbes {
			break
		}
		if op.Method != http.MethodGet {
			continue
		}
		u, name, ok := malformedURL(in, op)
		if !ok {
			continue
		}
		op := op
		out = append(out, probe{url: u, op: &op, loc: finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path, Param: name}})
	}
	return out
}

// malformedURL builds op's URL with one typed path or query parameter
// replaced by a value its parser must reject.
func malformedURL(in *check.Input, op spec.Operation) (string, string, bool) {
	for _, p := range op.Params {
		if (p.In != "path" && p.In != "query") || !typed(p.Schema) {
			continue
		}
		b, why := reqgen.Build(in.BaseURL(), op, map[string]string{p.Name: malformed}, nil)
		if why != "" {
			return "", "", false
		}
		return b.URL, p.Name, true
	}
	return "", "", false
}

func typed(s *spec.Schema) bool {
	if s == nil {
		return false
	}
	switch s.Type {
	case "integer", "number", "boolean":
		return true
	}
	switch s.Format {
	case "uuid", "date", "date-time", "int32", "int64":
		return true
	}
	return false
}

func nonce() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (c UpstreamInErrors) finding(in *check.Input, req *netx.Request, resp *netx.Response, p probe, leaks []leak) finding.Finding {
	names := make([]string, len(leaks))
	lines := make([]string, len(leaks))
	red := in.HTTP.Redactor()
	for i, l := range leaks {
		names[i] = l.Host
		lines[i] = fmt.Sprintf("%s — %s error: %s", l.Host, l.Stack, red.String(l.Match))
	}
	f := check.New(c.Meta(), fmt.Sprintf("Error response reveals upstream host %s", strings.Join(names, ", ")), p.loc)
	f.Confidence = finding.Confirmed
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("GET %s answered %d and its body names the host(s) the API calls server-side:\n%s\n"+
			"A server-side client usually sends its own credentials upstream; these hosts are now in the host graph "+
			"(role upstream-seen-in-error) and audited by the DNS checks.", red.URL(req.URL), resp.StatusCode, strings.Join(lines, "\n")),
		HTTP: []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)},
	}
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
