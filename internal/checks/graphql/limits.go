package graphql

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	gql "github.com/plumbsec/plumb/internal/graphql"
	"github.com/plumbsec/plumb/internal/netx"
)

// Sizes of the limit probes: big enough that a limit configured for
// production refuses them, small enough to cost the server nothing.
const (
	probeDepth   = 12 // nested object levels
	probeAliases = 40 // aliased __typename fields in one query
	probeBatch   = 10 // operations in one JSON array
)

// Limits checks that a GraphQL endpoint bounds what one request may ask:
// nesting depth, aliases and batched operations.
type Limits struct{}

// Meta describes the check.
func (Limits) Meta() check.Meta {
	return check.Meta{
		ID: "rate-limiting.graphql-limits", Title: "GraphQL requests are not bounded (depth, aliases, batches)",
		Category: finding.CatRateLimiting, OWASP: "API4:2023", CWE: "CWE-770", Severity: finding.Medium, Phase: check.PhaseProbe,
		Description: fmt.Sprintf("Three requests per endpoint, each harmless: a query nested %d object levels deep along a cycle "+
			"of the schema (list fields only when they take a first/limit argument, set to 1, so at most %d objects resolve; "+
			"rate-limiting.graphql-no-depth-limit), one query with %d aliased __typename fields (rate-limiting.graphql-alias-batching) and a JSON array of %d "+
			"{__typename} operations (rate-limiting.graphql-array-batching). Answered in full, each shows that one HTTP request can carry "+
			"unbounded work, and that rate limits counting requests are bypassed.", probeDepth, probeDepth, probeAliases, probeBatch),
		Rules: []check.Rule{
			{ID: IDDepth, Title: "GraphQL queries have no depth limit", Severity: finding.Medium, Remediation: depthFix,
				Description: "A query nested 12 object levels deep along a cycle of the schema was answered in full."},
			{ID: IDAliases, Title: "GraphQL accepts unlimited aliases in one request", Severity: finding.Medium, CWE: "CWE-799",
				Remediation: batchRemedy, Description: "One query with 40 aliased fields was answered in full: one request can run " +
					"a field many times, past rate limits that count requests."},
			{ID: IDBatch, Title: "GraphQL accepts batches of operations in one request", Severity: finding.Medium, CWE: "CWE-799",
				Remediation: batchRemedy, Description: "A JSON array of 10 operations was answered with 10 results in one response."},
		},
	}
}

// Run probes every endpoint.
func (c Limits) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	return eachEndpoint(ctx, in, false, func(st *state, ep *Endpoint) ([]finding.Finding, error) {
		var out []finding.Finding
		for _, probe := range []func(context.Context, *check.Input, *state, *Endpoint) (*finding.Finding, error){c.depth, c.aliases, c.batch} {
			f, err := probe(ctx, in, st, ep)
			if f != nil {
				out = append(out, *f)
			}
			if _, err := stop(err); err != nil {
				return out, err
			}
		}
		return out, nil
	})
}

func (c Limits) finding(in *check.Input, ep *Endpoint, id, title string) finding.Finding {
	f := newFinding(c.Meta(), id, title, location(in, ep, "", ""))
	f.Confidence = finding.Confirmed
	return f
}

// depth sends one query nested probeDepth levels along a schema cycle.
func (c Limits) depth(ctx context.Context, in *check.Input, st *state, ep *Endpoint) (*finding.Finding, error) {
	if ep.Schema == nil {
		return nil, nil
	}
	root, chain, ok := cyclePath(ep.Schema.Schema, probeDepth)
	if !ok {
		return nil, nil
	}
	x, err := st.send(ctx, in, ep, groupLimits, in.HTTP, gql.Document(ast.Query, gql.Set(chain)), postJSON, true)
	if err != nil || x.gql == nil || len(x.gql.Errors) > 0 || !reachesBottom(x.gql.Data) {
		return nil, err
	}
	f := c.finding(in, ep, IDDepth, "GraphQL queries have no depth limit")
	f.Evidence.Summary = fmt.Sprintf("A query nested %d object levels deep (starting at query %s and looping through %s) was "+
		"answered in full, without an error. Each extra level of a list field multiplies the work one request asks for.",
		probeDepth, root, strings.Join(typesOf(ep.Schema.Schema, chain), " → "))
	f.Evidence.HTTP = []finding.HTTPExchange{x.evidence()}
	f.Remediation = depthFix
	return &f, nil
}

// reachesBottom reports whether the nested answer is non-null all the way
// down (its innermost __typename is present).
func reachesBottom(data json.RawMessage) bool {
	return strings.Count(string(data), `"__typename"`) == 1
}

func (c Limits) aliases(ctx context.Context, in *check.Input, st *state, ep *Endpoint) (*finding.Finding, error) {
	var sel ast.SelectionSet
	for i := range probeAliases {
		sel = append(sel, gql.Field(fmt.Sprintf("a%d", i), "__typename", nil))
	}
	x, err := st.send(ctx, in, ep, groupLimits, in.HTTP, gql.Document(ast.Query, sel), postJSON, true)
	if err != nil || x.gql == nil || x.gql.FieldCount() != probeAliases {
		return nil, err
	}
	f := c.finding(in, ep, IDAliases, "GraphQL accepts unlimited aliases in one request")
	f.Evidence.Summary = fmt.Sprintf("One query with %d aliased copies of a field was answered with all %d results. Aliases "+
		"let one HTTP request run a field (a login, a coupon check, an OTP check) as many times as the attacker likes, "+
		"so rate limits that count requests never see the attempts.", probeAliases, probeAliases)
	f.Evidence.HTTP = []finding.HTTPExchange{x.evidence()}
	f.Remediation = batchRemedy
	return &f, nil
}

func (c Limits) batch(ctx context.Context, in *check.Input, st *state, ep *Endpoint) (*finding.Finding, error) {
	ops := make([]map[string]string, probeBatch)
	for i := range ops {
		ops[i] = map[string]string{"query": gql.Typename}
	}
	body, _ := json.Marshal(ops)
	req := &netx.Request{Method: http.MethodPost, URL: ep.URL, Body: body, WithCredentials: true,
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}}
	x, err := st.sendReq(ctx, in, ep, groupLimits, in.HTTP, string(body), req)
	if err != nil || len(x.batch) != probeBatch {
		return nil, err
	}
	for _, r := range x.batch {
		if _, ok := r.Typename(""); !ok {
			return nil, nil
		}
	}
	f := c.finding(in, ep, IDBatch, "GraphQL accepts batches of operations in one request")
	f.Evidence.Summary = fmt.Sprintf("A JSON array of %d operations was answered with %d results in one HTTP response. "+
		"Batching multiplies what one request may do and lets brute force slip under per-request rate limits.", probeBatch, probeBatch)
	f.Evidence.HTTP = []finding.HTTPExchange{x.evidence()}
	f.Remediation = batchRemedy
	return &f, nil
}

var batchRemedy = finding.Remediation{
	Summary: "Turn array batching off unless a client needs it (Apollo Server: allowBatchedHttpRequests: false), cap aliases " +
		"and batch size (graphql-armor maxAliases, a cost limit), and rate-limit sensitive fields per operation, not per request.",
	References: []string{"https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
		"https://cheatsheetseries.owasp.org/cheatsheets/GraphQL_Cheat_Sheet.html"},
}

// pageArgs are integer arguments that bound a list.
var pageArgs = map[string]bool{"first": true, "last": true, "limit": true, "take": true, "top": true, "size": true, "pagesize": true, "perpage": true, "count": true}

// edge is one step of a nested query: a field and the type it leads to.
type edge struct {
	f    *ast.FieldDefinition
	to   string
	page string // pagination argument to set to 1, for list fields
}

// step returns the fields of type t that can continue a nested query:
// object-valued, no required argument, lists only with a page argument.
func step(s *ast.Schema, t string) []edge {
	def := s.Types[t]
	if def == nil || def.Kind != ast.Object {
		return nil
	}
	var single, lists []edge
	for _, f := range def.Fields {
		to := s.Types[f.Type.Name()]
		if to == nil || to.Kind != ast.Object || gql.RequiredArgs(f) || strings.HasPrefix(f.Name, "__") {
			continue
		}
		if f.Type.Elem == nil {
			single = append(single, edge{f: f, to: to.Name})
			continue
		}
		for _, a := range f.Arguments {
			if pageArgs[strings.ToLower(a.Name)] && a.Type.Name() == "Int" && a.Type.Elem == nil {
				lists = append(lists, edge{f: f, to: to.Name, page: a.Name})
				break
			}
		}
	}
	return append(single, lists...)
}

// cyclePath builds a selection depth levels deep: a root query field, then
// fields that loop back through a cycle of object types, __typename at
// the bottom. ok is false when the schema has no usable cycle.
func cyclePath(s *ast.Schema, depth int) (string, *ast.Field, bool) {
	for _, root := range gql.RootFields(s, ast.Query) {
		if gql.RequiredArgs(root) || !composite(s, root) {
			continue
		}
		start := edge{f: root, to: root.Type.Name()}
		if root.Type.Elem != nil {
			page := ""
			for _, a := range root.Arguments {
				if pageArgs[strings.ToLower(a.Name)] && a.Type.Name() == "Int" {
					page = a.Name
				}
			}
			if page == "" {
				continue
			}
			start.page = page
		}
		path, ok := findCycle(s, start.to, depth-1)
		if !ok {
			continue
		}
		chain := append([]edge{start}, path...)
		return root.Name, nest(chain), true
	}
	return "", nil, false
}

// findCycle returns depth edges from t: the path to the first cycle a
// depth-first search meets, then that cycle repeated. The search is
// bounded (maxVisits) so a huge schema costs little.
func findCycle(s *ast.Schema, t string, depth int) ([]edge, bool) {
	const maxVisits = 5000
	types := []string{t}
	var stack, prefix, loop []edge
	dead := map[string]bool{}
	visits := 0
	var dfs func(cur string) bool
	dfs = func(cur string) bool {
		if len(stack) > 16 || dead[cur] {
			return false
		}
		for _, e := range step(s, cur) {
			if visits++; visits > maxVisits {
				return false
			}
			if i := slices.Index(types, e.to); i >= 0 {
				prefix = slices.Clone(stack[:i])
				loop = append(slices.Clone(stack[i:]), e)
				return true
			}
			types, stack = append(types, e.to), append(stack, e)
			if dfs(e.to) {
				return true
			}
			types, stack = types[:len(types)-1], stack[:len(stack)-1]
		}
		dead[cur] = true
		return false
	}
	if !dfs(t) {
		return nil, false
	}
	out := prefix
	for i := 0; len(out) < depth; i++ {
		out = append(out, loop[i%len(loop)])
	}
	return out[:depth], true
}

// nest turns a chain of edges into nested fields with __typename at the
// bottom.
func nest(chain []edge) *ast.Field {
	inner := gql.Set(gql.Field("", "__typename", nil))
	for i := len(chain) - 1; i >= 0; i-- {
		e := chain[i]
		var args ast.ArgumentList
		if e.page != "" {
			args = gql.Args(gql.Arg(e.page, gql.IntValue(1)))
		}
		inner = gql.Set(gql.Field("", e.f.Name, args, inner...))
	}
	return inner[0].(*ast.Field)
}

// typesOf names the types a nested selection passes through (first loop).
func typesOf(s *ast.Schema, f *ast.Field) []string {
	var out []string
	seen := map[string]bool{}
	parent := s.Query
	for f != nil && parent != nil {
		fd := parent.Fields.ForName(f.Name)
		if fd == nil {
			break
		}
		t := fd.Type.Name()
		if seen[t] {
			out = append(out, t)
			break
		}
		seen[t] = true
		out = append(out, t)
		parent = s.Types[t]
		var next *ast.Field
		for _, sel := range f.SelectionSet {
			if g, ok := sel.(*ast.Field); ok && g.Name != "__typename" {
				next = g
			}
		}
		f = next
	}
	return out
}
