package graphql

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	gql "github.com/plumbsec/plumb/internal/graphql"
	"github.com/plumbsec/plumb/internal/rules"

	"github.com/plumbsec/plumb/internal/words"
)

// Errors reports GraphQL answers that carry stack traces or debug and
// tracing extensions.
type Errors struct{}

// Meta describes the check.
func (Errors) Meta() check.Meta {
	return check.Meta{
		ID: "input-validation.graphql-errors", Title: "GraphQL answers leak stack traces or debug data",
		Category: finding.CatInputValidation, OWASP: "API8:2023", CWE: "CWE-209", Severity: finding.Medium, Phase: check.PhaseProbe,
		Description: "Reads the answers discovery got ({__typename}, a misspelt keyword, introspection, suggestion probes) and " +
			"sends one more with a malformed argument value. Reports errors whose stacktrace/exception/trace members or messages " +
			"hold a stack trace (the stack-traces rule pack; input-validation.graphql-stack-trace) and answers whose extensions " +
			"carry tracing, debug or SQL data (input-validation.graphql-debug-extensions).",
		Rules: []check.Rule{
			{ID: IDStackTrace, Title: "GraphQL errors carry stack traces", Severity: finding.Medium, Remediation: traceFix,
				Description: "An error in a GraphQL answer holds stack frames (Node.js, Python, Java, Go, .NET, Ruby, PHP) in its " +
					"stacktrace/exception members or its message."},
			{ID: IDDebug, Title: "GraphQL answers carry debug or tracing extensions", Severity: finding.Medium, Remediation: debugFix,
				Description: "An answer's extensions carry tracing, debug or SQL data (low; medium when they hold SQL)."},
		},
	}
}

// tracePack is the internal/rules pack of stack-trace signatures (the one
// input-validation.stack-trace uses); the first rule that matches names
// the runtime.
const tracePack = "stack-traces"

var (
	stackKeyRE = regexp.MustCompile(`(?i)^(?:stack|stacktrace|stack_trace|trace|traceback|backtrace|exception|originalerror|internal)$`)
	debugExtRE = regexp.MustCompile(`(?i)^(?:tracing|debug|debugger|profiler|profile|queries|sql|sqlqueries|sql_queries|queryplan|logs|timings|__debug|clockwork)$`)
	sqlRE      = regexp.MustCompile(`(?is)\bselect\b.{1,200}\bfrom\b|\binsert into\b|\bupdate\b.{1,100}\bset\b`)
)

// traceIn looks for a stack trace in an answer's errors: the strings
// under stack-like members of each error (and its extensions) and the
// messages, one per line, matched against the stack-traces pack.
func traceIn(body []byte) (family, frame string, ok bool) {
	var top struct {
		Errors []any `json:"errors"`
	}
	pack, err := rules.Load(tracePack)
	if err != nil || json.Unmarshal(body, &top) != nil {
		return "", "", false
	}
	var lines []string
	var walk func(v any, underStack bool, depth int)
	walk = func(v any, underStack bool, depth int) {
		if depth > 12 || len(lines) > 500 {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(t)) {
				walk(t[k], underStack || stackKeyRE.MatchString(k) || k == "message", depth+1)
			}
		case []any:
			for _, e := range t {
				walk(e, underStack, depth+1)
			}
		case string:
			if underStack {
				lines = append(lines, t)
			}
		}
	}
	for _, e := range top.Errors {
		walk(e, false, 0)
	}
	m, ok := pack.First(rules.NewText("\n" + strings.Join(lines, "\n")))
	if !ok {
		return "", "", false
	}
	return m.Rule().Title, strings.TrimSpace(m.Text()), true
}

// debugIn returns the debug-like members of an answer's extensions, and
// whether any of them holds SQL.
func debugIn(body []byte) (keys []string, sql bool) {
	var top struct {
		Extensions map[string]json.RawMessage `json:"extensions"`
	}
	if json.Unmarshal(body, &top) != nil {
		return nil, false
	}
	for k, v := range top.Extensions {
		if debugExtRE.MatchString(k) {
			keys = append(keys, k)
			sql = sql || sqlRE.Match(v)
		}
	}
	sort.Strings(keys)
	return keys, sql
}

// Run reads every endpoint's answers and sends one malformed argument.
func (c Errors) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	return eachEndpoint(ctx, in, false, func(st *state, ep *Endpoint) ([]finding.Finding, error) {
		xs := []*exchange{ep.Typename, ep.Syntax, ep.Introspection, ep.ReconEx}
		x, err := c.malformed(ctx, in, st, ep)
		if _, err := stop(err); err != nil {
			return nil, err
		}
		return c.judge(in, ep, append(xs, x)), nil
	})
}

// malformed sends a query whose first argument gets a quote-laden string
// (a type error for numbers, odd input for strings): the errors servers
// answer it with are where debug modes show their traces.
func (c Errors) malformed(ctx context.Context, in *check.Input, st *state, ep *Endpoint) (*exchange, error) {
	if ep.Schema == nil {
		return nil, nil
	}
	for _, f := range gql.RootFields(ep.Schema.Schema, ast.Query) {
		if len(f.Arguments) == 0 {
			continue
		}
		a := f.Arguments[0]
		fl, ok := fieldSelection(ep.Schema.Schema, f, map[string]*ast.Value{a.Name: gql.StringValue(`plumb'")`)})
		if !ok {
			continue
		}
		return st.send(ctx, in, ep, groupErrors, in.HTTP, gql.Document(ast.Query, gql.Set(fl)), postJSON, true)
	}
	return nil, nil
}

func (c Errors) judge(in *check.Input, ep *Endpoint, xs []*exchange) []finding.Finding {
	var out []finding.Finding
	var traced, debugged bool
	for _, x := range xs {
		if x == nil || x.resp == nil || x.gql == nil {
			continue
		}
		if family, frame, ok := traceIn(x.resp.Body); ok && !traced {
			traced = true
			f := newFinding(c.Meta(), IDStackTrace, "GraphQL errors carry stack traces", location(in, ep, "", ""))
			f.Confidence = finding.Confirmed
			f.Evidence.Summary = in.HTTP.Redactor().String(fmt.Sprintf("The answer to %s carries %s (%q): "+
				"source paths, library versions and code structure for anyone who sends a bad query.", excerpt(x.doc), words.A(family+" stack trace"), frame))
			f.Evidence.HTTP = []finding.HTTPExchange{x.evidence()}
			f.Remediation = traceFix
			out = append(out, f)
		}
		if keys, sql := debugIn(x.resp.Body); len(keys) > 0 && !debugged {
			debugged = true
			f := newFinding(c.Meta(), IDDebug, "GraphQL answers carry debug or tracing extensions", location(in, ep, "", ""))
			f.Severity, f.Confidence = finding.Low, finding.Confirmed
			what := "resolver timings and the schema's execution paths"
			if sql {
				f.Severity, what = finding.Medium, "the SQL the server ran"
			}
			f.Evidence.Summary = fmt.Sprintf("The answer to %s has extensions %s, which show %s to every caller.",
				excerpt(x.doc), strings.Join(keys, ", "), what)
			f.Evidence.HTTP = []finding.HTTPExchange{x.evidence()}
			f.Remediation = debugFix
			out = append(out, f)
		}
	}
	return out
}
