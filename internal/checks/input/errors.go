package input

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/rules"
	"github.com/plumbsec/plumb/internal/spec"
)

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
		if _, _, same := match(sigs, bresp.Body); same {
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
		Description: "Sends GET operations with a non-numeric value in a numeric, boolean, uuid or date parameter (type " +
			"confusion, read-only) and reports responses carrying a stack trace or debugger page (Werkzeug, Python, Java, " +
			"Go panic, Node.js, .NET, PHP, Ruby) that the same request with a valid value does not carry. Upstream host " +
			"names inside such traces are reported separately by inventory.upstream-in-errors.",
		Remediation: stackRemediation,
	}
}

// Run probes up to maxProbeOps operations and reports one finding per
// operation.
func (c StackTraces) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	hits, err := runProbes(ctx, in, errorProbes(in, func(p spec.Param) bool { return typed(p.Schema) }, typeConfusion), stackPack)
	out := make([]finding.Finding, 0, len(hits))
	for _, h := range hits {
		f := check.New(c.Meta(), fmt.Sprintf("%s returned to the client by %s %s", h.g.Family, h.p.op.Method, h.p.op.Path), h.location(in))
		f.Confidence = finding.Confirmed
		f.Evidence = h.evidence(in, "a "+h.g.Family)
		f.Remediation = stackRemediation
		out = append(out, f)
	}
	return out, err
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
