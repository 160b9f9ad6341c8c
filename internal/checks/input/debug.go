package input

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/rules"
)

var refMisconfig = []string{
	"https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
	"https://cwe.mitre.org/data/definitions/489.html",
}

// DebugEndpoints reports well-known debug and admin endpoints that answer.
type DebugEndpoints struct{}

// Meta describes the check.
func (DebugEndpoints) Meta() check.Meta {
	return check.Meta{
		ID: "input-validation.debug-endpoint", Title: "Debug or admin endpoint exposed", Category: finding.CatInputValidation,
		OWASP: "API8:2023", CWE: "CWE-489", Severity: finding.High, Phase: check.PhaseProbe,
		Description: "Requests well-known debug and admin paths (Werkzeug /console, /debug/pprof/, /debug/vars, /actuator, " +
			"/actuator/env, /.env, /server-status, /phpinfo.php) without credentials and reports those whose body carries the " +
			"endpoint's own content signature. A random path is requested first: if the catch-all page carries a signature, " +
			"that signature is ignored.",
		Remediation: debugRemediation,
	}
}

// Run probes each path once, plus one random-path baseline.
func (c DebugEndpoints) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	base := strings.TrimSuffix(in.Target.String(), "/")
	if in.Target.RawQuery != "" || in.Target.Fragment != "" {
		u := *in.Target
		u.RawQuery, u.Fragment = "", ""
		base = strings.TrimSuffix(u.String(), "/")
	}
	paths, err := rules.Load(pathPack)
	if err != nil {
		return nil, err
	}
	baseline, err := in.HTTP.Do(ctx, &netx.Request{Method: http.MethodGet, URL: base + "/plumb-" + nonce()})
	if err != nil {
		return nil, err
	}
	var out []finding.Finding
	for _, d := range paths.Rules {
		if baseline.StatusCode == http.StatusOK && d.Confirm(baseline.Body, baseline.Header.Get("Content-Type")) {
			continue // a catch-all page that looks like this endpoint proves nothing
		}
		req := &netx.Request{Method: http.MethodGet, URL: base + d.Path}
		resp, err := in.HTTP.Do(ctx, req)
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			continue
		}
		if resp.StatusCode != http.StatusOK || !d.Confirm(resp.Body, resp.Header.Get("Content-Type")) {
			continue
		}
		out = append(out, c.finding(in, d, req, resp))
	}
	return out, nil
}

// finding reports path rule d; a rule tagged secret keeps the body out of
// the evidence.
func (c DebugEndpoints) finding(in *check.Input, d *rules.Rule, req *netx.Request, resp *netx.Response) finding.Finding {
	f := check.New(c.Meta(), fmt.Sprintf("%s exposed at %s", d.Title, d.Path), finding.Location{Host: in.Target.Host, Method: http.MethodGet, Path: d.Path})
	f.Severity = d.Level()
	f.Confidence = finding.Confirmed
	ex := in.HTTP.Evidence(req, resp, nil)
	if d.HasTag("secret") {
		ex.Body = "(withheld by plumb: this file holds configuration secrets)"
	}
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("GET %s answered 200 with the content of a %s (a random path did not), without credentials.",
			in.HTTP.Redactor().URL(req.URL), d.Title),
		HTTP: []finding.HTTPExchange{ex},
	}
	f.Remediation = debugRemediation
	return f
}

var debugRemediation = finding.Remediation{
	Summary: "Turn debug tooling off in production and never serve it on the public listener: run Flask without debug=True " +
		"behind gunicorn, mount pprof/expvar on a separate admin port, expose only the actuator health endpoint, keep .env " +
		"files outside the web root, and restrict status pages to localhost or an admin network.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `# never app.run(debug=True) in production; serve with gunicorn:
#   gunicorn "app:create_app()" --bind 0.0.0.0:8000
app.config["DEBUG"] = False`},
		{Lang: "go", Code: `// serve pprof on a loopback-only admin listener, not on the API mux
go func() { _ = http.ListenAndServe("127.0.0.1:6060", http.DefaultServeMux) }() // imports net/http/pprof
_ = http.ListenAndServe(":8080", apiMux) // apiMux is a fresh http.NewServeMux()`},
		{Lang: "node-express", Code: `// serve static files from a dedicated folder only, never the project root
app.use(express.static(path.join(__dirname, "public"), { dotfiles: "deny" }));`},
	},
	References: refMisconfig,
}

func nonce() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
