package graphql_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/graphql"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/result"
)

var all = []check.Check{graphql.Schema{}, graphql.SensitiveFields{}, graphql.Unauthenticated{}, graphql.ObjectAccess{},
	graphql.Limits{}, graphql.CSRF{}, graphql.Errors{}}

func withB(tg lab.Target, writes bool) func(*engine.Options) {
	return func(o *engine.Options) {
		o.CredentialsB = http.Header{"Authorization": {"Bearer " + tg.TokenB}}
		o.AllowWrites = writes
	}
}

func dump(t *testing.T, rep *result.Report) {
	t.Helper()
	for _, f := range rep.Findings {
		t.Logf("%s %s %s %s: %s", f.Severity, f.Confidence, f.ID, f.Location, f.Title)
	}
	for _, e := range rep.Errors {
		t.Logf("error %s: %s", e.Stage, e.Message)
	}
}

type want struct {
	id, loc string // loc is Location.String() without the host
	sev     finding.Severity
}

// got indexes findings by "id location-without-host".
func got(rep *result.Report) map[string]finding.Finding {
	m := map[string]finding.Finding{}
	for _, f := range rep.Findings {
		m[f.ID+" "+strings.Replace(f.Location.String(), f.Location.Host, "", 1)] = f
	}
	return m
}

func expect(t *testing.T, rep *result.Report, token string, wants []want) {
	t.Helper()
	g := got(rep)
	for _, w := range wants {
		f, ok := g[w.id+" "+w.loc]
		if !ok {
			t.Errorf("missing %s at %s", w.id, w.loc)
			continue
		}
		if f.Severity != w.sev {
			t.Errorf("%s at %s: severity %s, want %s", w.id, w.loc, f.Severity, w.sev)
		}
		if f.Evidence.Summary == "" || len(f.Evidence.HTTP) == 0 || f.Remediation.Summary == "" {
			t.Errorf("%s at %s lacks evidence or remediation", w.id, w.loc)
		}
		if token != "" && strings.Contains(f.Evidence.Summary+strings.Join(f.Evidence.HTTP[0].RequestHeaders["Authorization"], ""), token) {
			t.Errorf("%s: token in evidence", w.id)
		}
	}
	if len(rep.Findings) != len(wants) {
		dump(t, rep)
		t.Errorf("%d findings, want %d", len(rep.Findings), len(wants))
	}
}

// vulnshop's /graphql has every flaw; each finding is where the lab put it,
// with the location every report format shows.
func TestGraphQLOnVulnShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, withB(w.Vuln, false), all...)
	expect(t, rep, w.Vuln.Token, []want{
		{"inventory.graphql-endpoint", "POST /graphql", finding.Info},
		{"data-exposure.graphql-introspection", "POST /graphql", finding.Medium},
		{"data-exposure.graphql-field-suggestions", "POST /graphql", finding.Low},
		{"property-authorization.graphql-sensitive-field", "POST /graphql type User.passwordHash", finding.Medium},
		{"property-authorization.graphql-sensitive-field", "POST /graphql type User.apiToken", finding.Medium},
		{"authentication.graphql-unauthenticated", "POST /graphql query users", finding.Critical},
		{"bola.graphql-object-level-authorization", "POST /graphql query user(id)", finding.High},
		{"bola.graphql-object-level-authorization", "POST /graphql query order(id)", finding.High},
		{"rate-limiting.graphql-no-depth-limit", "POST /graphql", finding.Medium},
		{"rate-limiting.graphql-alias-batching", "POST /graphql", finding.Medium},
		{"rate-limiting.graphql-array-batching", "POST /graphql", finding.Medium},
		{"authentication.graphql-get-query", "GET /graphql", finding.Low},
		{"authentication.graphql-mutation-over-get", "GET /graphql", finding.Medium},
		{"authentication.graphql-form-post", "POST /graphql", finding.Low},
		{"input-validation.graphql-stack-trace", "POST /graphql", finding.Medium},
		{"input-validation.graphql-debug-extensions", "POST /graphql", finding.Low},
	})
	if ep := got(rep)["inventory.graphql-endpoint POST /graphql"]; !strings.Contains(ep.Title, "Apollo Server") {
		t.Errorf("engine not identified: %s", ep.Title)
	}
	// URLs in schema descriptions and answers joined the host graph.
	roles := map[string][]hosts.Role{}
	for _, h := range rep.Hosts {
		roles[h.Name] = h.Roles
	}
	if !slices.Contains(roles["docs.vulnshop.test"], hosts.RoleGraphQLSchema) || !slices.Contains(roles["avatars.vulnshop.test"], hosts.RoleBodyURL) {
		t.Errorf("host graph: %v", roles)
	}
	// The schema's operations are in the coverage table; mutations were not sent.
	rows := map[string]result.OperationCoverage{}
	for _, r := range rep.Coverage.Operations {
		rows[r.Operation] = r
	}
	if r := rows["POST /graphql query users"]; r.Outcome != "2xx" || r.Requests == 0 {
		t.Errorf("query users coverage: %+v", r)
	}
	if r := rows["POST /graphql mutation cancelOrder"]; r.Outcome != "skipped" || !strings.Contains(r.Reason, "--allow-writes") {
		t.Errorf("mutation coverage: %+v", r)
	}
	n := 0
	for op := range rows {
		if strings.HasPrefix(op, "POST /graphql ") {
			n++
		}
	}
	if n != 9 {
		t.Errorf("%d GraphQL operations in the coverage table, want 7 queries + 2 mutations", n)
	}
}

// cleanshop's /graphql fixes every flaw: only the endpoint itself (info)
// is reported.
func TestGraphQLOnCleanShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, withB(w.Clean, true), all...)
	expect(t, rep, w.Clean.Token, []want{{"inventory.graphql-endpoint", "POST /graphql", finding.Info}})
	if ep := got(rep)["inventory.graphql-endpoint POST /graphql"]; !strings.Contains(ep.Title, "gqlgen") {
		t.Errorf("engine not identified: %s", ep.Title)
	}
}

// twin serves a stand-alone lab GraphQL API with chosen flaws.
func twin(t *testing.T, f lab.GraphQLFlaws) (*lab.World, lab.Target) {
	t.Helper()
	zone, err := lab.ParseZone("gqltwin.test.", "@ 300 IN SOA ns1.gqltwin.test. h.gqltwin.test. 1 3600 600 86400 60",
		"@ NS ns1.gqltwin.test.", "ns1 A 127.0.0.1", "api A 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	tw, err := lab.NewGraphQLTwin("api.gqltwin.test", f, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w := labtest.Start(t, lab.Options{ExtraZones: []lab.Zone{zone}, ExtraSites: []lab.Site{tw.Site}})
	return w, tw.Target
}

// With introspection on and every other flaw fixed, the checks that need
// a schema (unauthenticated queries, BOLA, depth) run and stay quiet.
func TestGraphQLIntrospectableTwin(t *testing.T) {
	t.Parallel()
	w, tg := twin(t, lab.GraphQLFlaws{Introspection: true})
	rep := labtest.Scan(t, w, tg.BaseURL, tg.Token, withB(tg, true), all...)
	expect(t, rep, tg.Token, []want{
		{"inventory.graphql-endpoint", "POST /graphql", finding.Info},
		{"data-exposure.graphql-introspection", "POST /graphql", finding.Medium},
	})
	sent := map[string]bool{}
	for _, r := range tg.GraphQL.Records() {
		for _, f := range r.Fields {
			sent[r.Operation+" "+f] = true
		}
	}
	for _, op := range []string{"query users", "query user", "query order", "query me", "query books", "mutation cancelOrder"} {
		if !sent[op] {
			t.Errorf("the checks never asked %s: the quiet result proves nothing", op)
		}
	}
}

// With introspection off but suggestions on, plumb rebuilds the schema
// from "Did you mean" and finds the same authorization flaws.
func TestGraphQLSchemaFromSuggestions(t *testing.T) {
	t.Parallel()
	f := lab.AllGraphQLFlaws()
	f.Introspection = false
	w, tg := twin(t, f)
	rep := labtest.Scan(t, w, tg.BaseURL, tg.Token, withB(tg, false), all...)
	g := got(rep)
	for _, k := range []string{
		"data-exposure.graphql-field-suggestions POST /graphql",
		"authentication.graphql-unauthenticated POST /graphql query users",
		"bola.graphql-object-level-authorization POST /graphql query order(id)",
		"bola.graphql-object-level-authorization POST /graphql query user(id)",
		"property-authorization.graphql-sensitive-field POST /graphql type User.passwordHash",
	} {
		if _, ok := g[k]; !ok {
			dump(t, rep)
			t.Errorf("missing %s", k)
		}
	}
	if _, ok := g["data-exposure.graphql-introspection POST /graphql"]; ok {
		t.Error("introspection reported although it is off")
	}
	if s := g["data-exposure.graphql-field-suggestions POST /graphql"].Evidence.Summary; !strings.Contains(s, "rebuilt") {
		t.Errorf("suggestions summary: %s", s)
	}
}

// Read-only mode never sends a mutation except mutation{__typename}
// (which runs no mutation field); --allow-writes sends the schema's
// mutations without credentials and finds the open one.
func TestGraphQLMutationsNeedAllowWrites(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	w.Vuln.GraphQL.Reset()
	labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, withB(w.Vuln, false), all...)
	recs := w.Vuln.GraphQL.Records()
	if len(recs) < 20 {
		t.Fatalf("the lab logged only %d GraphQL documents", len(recs))
	}
	probes := 0
	for _, r := range recs {
		if r.Operation != "mutation" {
			continue
		}
		if !slices.Equal(r.Fields, []string{"__typename"}) || r.HTTPMethod != http.MethodGet {
			t.Errorf("read-only scan sent a mutation: %+v", r)
		}
		probes++
	}
	if probes != 1 {
		t.Errorf("%d mutation{__typename} probes, want 1", probes)
	}

	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, withB(w.Vuln, true), graphql.Schema{}, graphql.Unauthenticated{})
	f, ok := got(rep)["authentication.graphql-unauthenticated POST /graphql mutation cancelOrder"]
	if !ok || f.Severity != finding.Critical {
		dump(t, rep)
		t.Fatal("the anonymous mutation was not found with --allow-writes")
	}
	if _, ok := got(rep)["authentication.graphql-unauthenticated POST /graphql mutation updateEmail"]; ok {
		t.Error("updateEmail requires a credential and must not be reported")
	}
}

// Every request the GraphQL checks send stays within the documented
// per-endpoint budget.
func TestGraphQLRequestBudget(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	total := 0
	for g, n := range graphql.Budget {
		if g != "discovery" {
			total += n
		}
	}
	for _, tg := range []lab.Target{w.Vuln, w.Clean} {
		tg.Methods.Reset()
		labtest.Scan(t, w, tg.BaseURL, tg.Token, withB(tg, true), all...)
		n, other := 0, 0
		for _, r := range tg.Methods.Records() {
			switch {
			case r.Path == "/graphql":
				n++
			case slices.Contains(graphql.CommonPaths, r.Path):
				other++
			}
		}
		t.Logf("%s: %d requests to /graphql (budget %d), %d elsewhere (discovery)", tg.Name, n, total, other)
		if n > total || n < 5 {
			t.Errorf("%s: %d requests to /graphql, budget %d", tg.Name, n, total)
		}
		if other > 0 {
			t.Errorf("%s: discovery probed %d other paths although /graphql answered first", tg.Name, other)
		}
	}
}
