package input

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/confdump"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/rules"

	"github.com/plumbsec/plumb/internal/words"
)

var refMisconfig = []string{
	"https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
	"https://cwe.mitre.org/data/definitions/489.html",
}

// DebugEndpoints reports well-known debug and admin endpoints that
// answer, and harvests the hosts that configuration dumps among them name
// into the host graph.
type DebugEndpoints struct{}

// Meta describes the check.
func (DebugEndpoints) Meta() check.Meta {
	return check.Meta{
		ID: "input-validation.debug-endpoint", Title: "Debug or admin endpoint exposed", Category: finding.CatInputValidation,
		OWASP: "API8:2023", CWE: "CWE-489", Severity: finding.High, Phase: check.PhaseProbe,
		Description: "Requests well-known debug, admin and configuration paths (Werkzeug /console, /debug/pprof/, /debug/vars, " +
			"/_debug, /debug, /__debug__, /config, /config.json, /env, /.env, /actuator, /actuator/env, /actuator/configprops, " +
			"/actuator/httptrace, /trace, /_profiler, /server-status, /phpinfo.php) without credentials — the application ones " +
			"also under the spec's base path — and reports those whose body is that resource: its own content signature, or " +
			"for configuration endpoints a dump recognised by content (JSON settings, actuator environment, dotenv, Java " +
			"properties, YAML), whatever the status code. A random path is requested first under each prefix: if the " +
			"catch-all page carries a signature, that signature is ignored. A dump's secrets are reported by setting name only " +
			"(masked), and every host it names joins the host graph with the role its setting gives it (upstream, cors-origin, " +
			"jwks, issuer, database, cache, queue, webhook), so the DNS audit judges each.",
		Remediation: debugRemediation,
	}
}

// Run probes each path under each prefix once, after one random-path
// baseline per prefix.
func (c DebugEndpoints) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	paths, err := rules.Load(pathPack)
	if err != nil {
		return nil, err
	}
	origin := *in.Target
	origin.RawQuery, origin.Fragment = "", ""
	root := strings.TrimSuffix(origin.String(), "/")
	var out []finding.Finding
	for i, prefix := range append([]string{""}, basePaths(in)...) {
		base := root + prefix
		baseline, err := in.HTTP.Do(ctx, &netx.Request{Method: http.MethodGet, URL: base + "/plumb-" + nonce()})
		if err != nil {
			if i == 0 {
				return nil, err
			}
			continue
		}
		for _, d := range paths.Rules {
			if i > 0 && !d.HasTag("app") {
				continue // server-level pages live at the root only
			}
			if d.Confirm(baseline.Body, baseline.Header.Get("Content-Type")) {
				continue // a catch-all page that looks like this endpoint proves nothing
			}
			f, err := c.probe(ctx, in, d, base, prefix)
			if err != nil {
				return out, err
			}
			if f != nil {
				out = append(out, *f)
			}
		}
	}
	return out, nil
}

// probe requests one path; a configuration dump is confirmed by content
// whatever its status, other endpoints only on 200.
func (c DebugEndpoints) probe(ctx context.Context, in *check.Input, d *rules.Rule, base, prefix string) (*finding.Finding, error) {
	req := &netx.Request{Method: http.MethodGet, URL: base + d.Path}
	resp, err := in.HTTP.Do(ctx, req)
	if err != nil {
		return nil, ctx.Err()
	}
	ok := resp.StatusCode == http.StatusOK || (d.HasTag("config") && resp.StatusCode < 500)
	if !ok || !d.Confirm(resp.Body, resp.Header.Get("Content-Type")) {
		return nil, nil
	}
	var h *confdump.Harvested
	if d.HasTag("config") {
		h = harvest(in, resp.Body, prefix+d.Path)
	}
	f := c.finding(in, d, prefix+d.Path, req, resp, h)
	return &f, nil
}

// harvest parses a dump, registers its secrets with the scan's redactor
// (so no output ever shows them) and adds the hosts it names to the graph.
func harvest(in *check.Input, body []byte, path string) *confdump.Harvested {
	format, _, ok := confdump.Recognise(body)
	if !ok {
		format = "env" // the dotenv path rule confirmed it by its own pattern
	}
	h, err := confdump.Harvest(confdump.Parse(body, format))
	if err != nil {
		return nil
	}
	red := in.HTTP.Redactor()
	for _, s := range h.Secrets {
		red.Add(s.Value)
	}
	target := strings.ToLower(in.Target.Hostname())
	for _, x := range h.Hosts {
		if x.Name == target {
			continue
		}
		in.Hosts.Add(x.Name, x.Role, fmt.Sprintf("GET %s (setting %s)", path, red.String(x.Key)), x.Creds)
	}
	return h
}

// finding reports path rule d; a rule tagged secret keeps the body out of
// the evidence.
func (c DebugEndpoints) finding(in *check.Input, d *rules.Rule, path string, req *netx.Request, resp *netx.Response, h *confdump.Harvested) finding.Finding {
	f := check.New(c.Meta(), fmt.Sprintf("%s exposed at %s", d.Title, path), finding.Location{Host: in.Target.Host, Method: http.MethodGet, Path: path})
	f.Severity = d.Level()
	f.Confidence = finding.Confirmed
	ex := in.HTTP.Evidence(req, resp, nil)
	if d.HasTag("secret") {
		ex.Body = "(withheld by plumb: this resource holds configuration secrets)"
	}
	summary := fmt.Sprintf("GET %s answered %d with the content of %s (a random path did not), without credentials.",
		in.HTTP.Redactor().URL(req.URL), resp.StatusCode, words.A(d.Title))
	if h != nil {
		summary += dumpSummary(h, in.HTTP.Redactor())
	}
	f.Evidence = finding.Evidence{Summary: summary, HTTP: []finding.HTTPExchange{ex}}
	f.Remediation = debugRemediation
	return f
}

// dumpSummary says what a dump exposes: how many settings, which hold
// secrets (names and masked values only) and which hosts it names.
func dumpSummary(h *confdump.Harvested, red *netx.Redactor) string {
	var b strings.Builder
	fmt.Fprintf(&b, " It exposes %d settings.", h.Entries)
	if len(h.Secrets) > 0 {
		list := make([]string, 0, len(h.Secrets))
		for _, s := range h.Secrets {
			list = append(list, fmt.Sprintf("%s = %s (%s)", red.String(s.Key), netx.Mask(s.Value), s.Why))
		}
		fmt.Fprintf(&b, " Secrets: %s.", strings.Join(list, "; "))
	}
	if len(h.Hosts) > 0 {
		list := make([]string, 0, len(h.Hosts))
		for _, x := range h.Hosts {
			list = append(list, fmt.Sprintf("%s (%s, setting %s)", x.Name, x.Role, red.String(x.Key)))
		}
		fmt.Fprintf(&b, " Hosts (now in the host graph and audited by the DNS checks): %s.", strings.Join(list, "; "))
	}
	return b.String()
}

// basePaths are the prefixes an application mounted below the root serves
// its own debug routes under: the path of the spec's server on the
// target's origin, and the literal prefix most operations share (/api/v1
// for paths like /api/v1/books) when at least half of them do.
func basePaths(in *check.Input) []string {
	var out []string
	add := func(p string) {
		p = "/" + strings.Trim(p, "/")
		if p != "/" && !slices.Contains(out, p) && len(out) < 2 {
			out = append(out, p)
		}
	}
	if b := in.BaseURL().Path; strings.Trim(b, "/") != strings.Trim(in.Target.Path, "/") {
		add(strings.TrimPrefix(b, strings.TrimSuffix(in.Target.Path, "/")))
	}
	if in.API == nil || len(in.API.Operations) == 0 {
		return out
	}
	count := map[string]int{}
	for _, op := range in.API.Operations {
		segs := strings.Split(strings.Trim(op.Path, "/"), "/")
		if len(segs) >= 3 && !strings.Contains(segs[0]+segs[1], "{") {
			count["/"+segs[0]+"/"+segs[1]]++
		}
	}
	best, n := "", 0
	for p, c := range count {
		if c > n || (c == n && p < best) {
			best, n = p, c
		}
	}
	if 2*n >= len(in.API.Operations) {
		add(best)
	}
	return out
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
