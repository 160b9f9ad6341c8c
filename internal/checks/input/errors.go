package input

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/errintel"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/provoke"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/rules"
	"github.com/plumbsec/plumb/internal/spec"

	"github.com/plumbsec/plumb/internal/words"
)

// maxErrorPage is how much of a provoked page the stack-trace signatures
// read: a trace starts near the top, and a hostile page can be huge.
const maxErrorPage = 256 << 10

// maxProbeOps bounds the operations each error check probes (each costs a
// baseline and a probe request).
const maxProbeOps = 6

// Harmless values no parser should accept: a number field gets text (type
// confusion), a string field gets unbalanced quotes.
const (
	typeConfusion = "plumb-not-a-number"
	quoteProbe    = `plumb'")`
)

// errorProbe is one GET operation with one parameter replaced.
type errorProbe struct {
	op    spec.Operation
	param spec.Param
	base  string // the operation's URL with the spec's value
	probe string // the same URL with the probe value
}

// errorProbes picks up to maxProbeOps GET operations with a path or query
// parameter accepted by pick, replacing its value with value.
func errorProbes(in *check.Input, pick func(spec.Param) bool, value string) []errorProbe {
	if in.API == nil {
		return nil
	}
	var out []errorProbe
	for _, op := range in.API.Operations {
		if len(out) >= maxProbeOps {
			break
		}
		if op.Method != http.MethodGet {
			continue
		}
		for _, p := range op.Params {
			if (p.In != "path" && p.In != "query") || !pick(p) {
				continue
			}
			// Baseline and probe differ only in p's value (an optional query
			// parameter is sent in both).
			base, why := reqgen.Build(in.BaseURL(), op, map[string]string{p.Name: reqgen.ParamValue(p)}, nil)
			if why != "" {
				break
			}
			probe, _ := reqgen.Build(in.BaseURL(), op, map[string]string{p.Name: value}, nil)
			out = append(out, errorProbe{op: op, param: p, base: base.URL, probe: probe.URL})
			break
		}
	}
	return out
}

// hit is a probe whose response carries a signature its baseline lacks.
type hit struct {
	p         errorProbe
	g         sig
	match     string
	req, breq *netx.Request
	resp, bre *netx.Response
}

// runProbes sends each baseline and probe and keeps the probes whose
// response matches sigs while the baseline's does not: the malformed
// value, not the page itself, caused the message.
func runProbes(ctx context.Context, in *check.Input, probes []errorProbe, pack string) ([]hit, error) {
	sigs, err := rules.Load(pack)
	if err != nil {
		return nil, err
	}
	var out []hit
	for _, p := range probes {
		req := &netx.Request{Method: http.MethodGet, URL: p.probe, WithCredentials: true}
		resp, err := in.Fetch(ctx, in.HTTP, req, &p.op) // shared with the other error checks
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			continue
		}
		g, m, ok := match(sigs, resp.Body)
		if !ok {
			continue
		}
		breq := &netx.Request{Method: http.MethodGet, URL: p.base, WithCredentials: true}
		bresp, err := in.Fetch(ctx, in.HTTP, breq, &p.op)
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			continue
		}
		if _, _, same := match(sigs, bresp.Body[:min(len(bresp.Body), maxErrorPage)]); same {
			continue
		}
		out = append(out, hit{p: p, g: g, match: m, req: req, resp: resp, breq: breq, bre: bresp})
	}
	return out, nil
}

func (h hit) location(in *check.Input) finding.Location {
	return finding.Location{Host: in.Target.Host, Method: h.p.op.Method, Path: h.p.op.Path, Param: h.p.param.Name}
}

func (h hit) evidence(in *check.Input, what string) finding.Evidence {
	red := in.HTTP.Redactor()
	return finding.Evidence{
		Summary: fmt.Sprintf("GET %s (parameter %s = %q) answered %d with %s: %q. The same request with the spec's value "+
			"(GET %s, %d) did not.", red.URL(h.req.URL), h.p.param.Name, probeValue(h), h.resp.StatusCode, what,
			red.String(h.match), red.URL(h.breq.URL), h.bre.StatusCode),
		HTTP: []finding.HTTPExchange{in.HTTP.Evidence(h.req, h.resp, nil), in.HTTP.Evidence(h.breq, h.bre, nil)},
	}
}

func probeValue(h hit) string {
	if strings.Contains(h.p.probe, url.QueryEscape(quoteProbe)) || strings.Contains(h.p.probe, url.PathEscape(quoteProbe)) {
		return quoteProbe
	}
	return typeConfusion
}

// StackTraces reports stack traces and debugger pages in error responses.
type StackTraces struct{}

// Meta describes the check.
func (StackTraces) Meta() check.Meta {
	return check.Meta{
		ID: "input-validation.stack-trace", Title: "Stack trace in error response", Category: finding.CatInputValidation,
		Group: finding.GroupHost, // one debug setting, however many operations show it
		OWASP: "API8:2023", CWE: "CWE-209", Severity: finding.Medium, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "Reads the responses to the scan's provocation probes (per parameter a few read-only values that break " +
			"naive validation: wrong type such as 5m for an integer, out of range, empty, very long, unicode, a query parameter " +
			"sent as an object; an unexpected Accept) and reports operations whose response carries a stack trace or debug " +
			"page (Werkzeug, Django, Starlette/FastAPI, Python, Java and Spring, Go panic, Node.js and Express, ASP.NET, PHP, " +
			"Laravel, Rails, Ruby) that the same request with the spec's value does not carry. The evidence lists what the " +
			"page gives away: file paths, framework versions and environment variable names. Upstream host names inside " +
			"such pages are reported separately by inventory.upstream-in-errors.",
		Remediation: stackRemediation,
	}
}

// Run reports one finding per operation whose provoked response carries
// a stack trace its baseline lacks.
func (c StackTraces) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	sigs, err := rules.Load(stackPack)
	if err != nil {
		return nil, err
	}
	res, perr := provoke.Run(ctx, in)
	if res == nil {
		return nil, perr
	}
	var out []finding.Finding
	done := map[string]bool{}
	for _, x := range res.Exchanges {
		key := check.OpKey(x.Op)
		if x.Resp == nil || done[key] {
			continue
		}
		g, m, ok := match(sigs, x.Resp.Body[:min(len(x.Resp.Body), maxErrorPage)])
		if !ok {
			continue
		}
		op := x.Op
		base, ok := in.OperationURL(op)
		if !ok {
			continue
		}
		breq := &netx.Request{Method: http.MethodGet, URL: base, WithCredentials: true}
		bresp, err := in.Fetch(ctx, in.HTTP, breq, &op)
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			continue
		}
		if _, _, same := match(sigs, bresp.Body[:min(len(bresp.Body), maxErrorPage)]); same {
			continue // the page shows a trace whatever it is sent: not provoked (and not this check's to judge)
		}
		done[key] = true
		out = append(out, c.finding(in, x, g, m, breq, bresp))
	}
	return out, perr
}

func (c StackTraces) finding(in *check.Input, x provoke.Exchange, g sig, m string, breq *netx.Request, bresp *netx.Response) finding.Finding {
	loc := finding.Location{Host: in.Target.Host, Method: x.Op.Method, Path: x.Op.Path, Param: x.Param}
	f := check.New(c.Meta(), fmt.Sprintf("%s returned to the client by %s %s", g.Family, x.Op.Method, x.Op.Path), loc)
	f.Confidence = finding.Confirmed
	red := in.HTTP.Redactor()
	summary := fmt.Sprintf("%s %s with %s answered %d with %s: %q. The same request with the spec's value (GET %s, %d) "+
		"did not.", x.Req.Method, red.URL(x.Req.URL), x.Describe(), x.Resp.StatusCode, words.A(g.Family), red.String(m),
		red.URL(breq.URL), bresp.StatusCode)
	if rep, err := errintel.Analyze(x.Resp.Body); err == nil {
		summary += disclosed(rep, red)
	}
	f.Evidence = finding.Evidence{
		Summary: summary,
		HTTP:    []finding.HTTPExchange{in.HTTP.Evidence(x.Req, x.Resp, nil), in.HTTP.Evidence(breq, bresp, nil)},
	}
	f.Remediation = stackRemediation
	return f
}

// disclosed lists what a page gives away besides the trace itself.
func disclosed(rep *errintel.Report, red *netx.Redactor) string {
	var parts []string
	if len(rep.Paths) > 0 {
		parts = append(parts, "server paths "+strings.Join(rep.Paths, ", "))
	}
	if len(rep.Versions) > 0 {
		vs := make([]string, len(rep.Versions))
		for i, v := range rep.Versions {
			vs[i] = v.Product + " " + v.Version
		}
		parts = append(parts, "versions "+strings.Join(vs, ", "))
	}
	if len(rep.Env) > 0 {
		parts = append(parts, "environment variables "+strings.Join(rep.Env, ", "))
	}
	if len(rep.Forwarding) > 0 {
		parts = append(parts, "code that puts a credential on an outbound call ("+red.String(rep.Forwarding[0].Line)+")")
	}
	if len(parts) == 0 {
		return ""
	}
	return " The page also gives away " + strings.Join(parts, "; ") + "."
}

var stackRemediation = finding.Remediation{
	Summary: "Validate parameters before use and answer malformed input with a 400 and a generic body; turn debug mode " +
		"off and install a catch-all error handler that logs the trace server-side and returns a generic 500.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.get("/api/v1/books/<int:book_id>")   # the converter rejects non-integers with 404
def get_book(book_id): ...

@app.errorhandler(Exception)
def internal_error(e):
    app.logger.exception("unhandled")
    return {"error": "internal_error"}, 500`},
		{Lang: "go", Code: `id, err := strconv.Atoi(r.PathValue("id"))
if err != nil {
	http.Error(w, ` + "`" + `{"error":"invalid_id"}` + "`" + `, http.StatusBadRequest)
	return
}`},
		{Lang: "node-express", Code: `app.use((err, req, res, next) => {
  console.error(err);
  res.status(500).json({ error: "internal_error" }); // never err.stack
});`},
	},
	References: refMisconfig,
}

// SQLErrors reports database error messages provoked by a quote.
type SQLErrors struct{}

// Meta describes the check.
func (SQLErrors) Meta() check.Meta {
	return check.Meta{
		ID: "input-validation.sql-error", Title: "Database error provoked by a quote (possible injection)", Category: finding.CatInputValidation,
		OWASP: "API8:2023", CWE: "CWE-89", Severity: finding.High, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "Sends GET operations with unbalanced quotes in a string parameter (read-only; no injection payload) " +
			"and reports responses carrying a database error (MySQL, PostgreSQL, SQLite, SQL Server, Oracle, MongoDB) that " +
			"the same request with the spec's value does not: the value reached a query unescaped.",
		Remediation: sqlRemediation,
	}
}

// Run probes up to maxProbeOps operations with string parameters.
func (c SQLErrors) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	pick := func(p spec.Param) bool {
		return !typed(p.Schema) && (p.Schema == nil || p.Schema.Type == "" || p.Schema.Type == "string") && (p.Schema == nil || len(p.Schema.Enum) == 0)
	}
	hits, err := runProbes(ctx, in, errorProbes(in, pick, quoteProbe), sqlPack)
	out := make([]finding.Finding, 0, len(hits))
	for _, h := range hits {
		f := check.New(c.Meta(), fmt.Sprintf("%s error from a quote in %s of %s %s", h.g.Family, h.p.param.Name, h.p.op.Method, h.p.op.Path), h.location(in))
		// An error proves unescaped input reached the database; whether it
		// is exploitable is not tested (no injection payloads are sent).
		f.Confidence = finding.Firm
		f.Evidence = h.evidence(in, "a "+h.g.Family+" error")
		f.Remediation = sqlRemediation
		out = append(out, f)
	}
	return out, err
}

var sqlRemediation = finding.Remediation{
	Summary: "Pass every value to the database as a bound parameter, never by string concatenation; validate input " +
		"against the spec; return generic errors and log database errors server-side.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `rows = db.execute("SELECT id, title FROM books WHERE title LIKE ?", (f"%{q}%",)).fetchall()`},
		{Lang: "go", Code: `rows, err := db.QueryContext(ctx, "SELECT id, title FROM books WHERE title LIKE ?", "%"+q+"%")`},
		{Lang: "node-express", Code: `const rows = await db.all("SELECT id, title FROM books WHERE title LIKE ?", ["%" + q + "%"]);`},
	},
	References: []string{"https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
		"https://cheatsheetseries.owasp.org/cheatsheets/Query_Parameterization_Cheat_Sheet.html"},
}

// typed says whether a parameter's schema rejects free text.
func typed(sc *spec.Schema) bool {
	if sc == nil {
		return false
	}
	switch sc.Type {
	case "integer", "number", "boolean":
		return true
	}
	switch sc.Format {
	case "uuid", "date", "date-time", "int32", "int64":
		return true
	}
	return false
}
