package graphql

import (
	"context"
	"fmt"
	"net/http"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	gql "github.com/plumbsec/plumb/internal/graphql"
)

// MutationProbe is the only mutation document plumb sends in read-only
// mode: it selects nothing but the root type's name, so no mutation field
// (no resolver) runs; it only shows whether a mutation operation is
// accepted over GET.
const MutationProbe = "mutation{__typename}"

// CSRF checks the transports a browser can use cross-site without a CORS
// preflight: GET, and form-encoded POST.
type CSRF struct{}

// Meta describes the check.
func (CSRF) Meta() check.Meta {
	return check.Meta{
		ID: "authentication.graphql-csrf", Title: "GraphQL operations accepted in cross-site-request form",
		Category: finding.CatAuthentication, OWASP: "API8:2023", CWE: "CWE-352", Severity: finding.Medium, Phase: check.PhaseProbe,
		Description: "Three requests per endpoint: GET ?query={__typename} (authentication.graphql-get-query), GET ?query=mutation{__typename} " +
			"(authentication.graphql-mutation-over-get) and a form-encoded POST of {__typename} (authentication.graphql-form-post). A browser sends all three " +
			"cross-site without a CORS preflight, with the user's cookies. The mutation probe selects only __typename, so it " +
			"runs no mutation field and changes nothing: it is the one mutation document plumb sends without --allow-writes.",
		Rules: []check.Rule{
			{ID: IDGetQuery, Title: "GraphQL queries are accepted over GET", Severity: finding.Low, Remediation: csrfFix,
				Description: "A GET request ran a query: browsers send it cross-site with cookies and no preflight."},
			{ID: IDMutationGet, Title: "GraphQL mutations are accepted over GET", Severity: finding.Medium, Remediation: csrfFix,
				Description: "A GET request ran a mutation operation (plumb's probe selects only __typename, so nothing changed): " +
					"with cookie sessions a link makes a signed-in user run any mutation."},
			{ID: IDFormPost, Title: "GraphQL accepts form-encoded POST requests", Severity: finding.Low, Remediation: csrfFix,
				Description: "A form-encoded POST ran a query: such forms go cross-site without a CORS preflight."},
		},
	}
}

// Run probes every endpoint.
func (c CSRF) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	return eachEndpoint(ctx, in, false, func(st *state, ep *Endpoint) ([]finding.Finding, error) {
		return c.endpoint(ctx, in, st, ep)
	})
}

type csrfProbe struct {
	id, title, doc string
	how            transport
	summary        string
}

var csrfProbes = []csrfProbe{
	{IDGetQuery, "GraphQL queries are accepted over GET", gql.Typename, getQuery,
		"A GET request answered the query. Browsers send GET cross-site with cookies and no preflight, and GET URLs end up " +
			"in logs, caches and Referer headers; with cookie sessions, any page can make a signed-in user run queries."},
	{IDMutationGet, "GraphQL mutations are accepted over GET", MutationProbe, getQuery,
		"A GET request carrying a mutation operation was executed (the probe selected only __typename, so nothing changed). " +
			"With cookie sessions, a link or an <img> tag on any site makes a signed-in user run any mutation."},
	{IDFormPost, "GraphQL accepts form-encoded POST requests", gql.Typename, postForm,
		"A POST with Content-Type application/x-www-form-urlencoded was answered. Browsers send such forms cross-site " +
			"without a CORS preflight, so with cookie sessions any page can submit operations as a signed-in user."},
}

func (c CSRF) endpoint(ctx context.Context, in *check.Input, st *state, ep *Endpoint) ([]finding.Finding, error) {
	var out []finding.Finding
	for _, p := range csrfProbes {
		if p.doc == MutationProbe && ep.Schema != nil && ep.Schema.Mutation == nil {
			continue // no mutations to worry about
		}
		x, err := st.send(ctx, in, ep, groupCSRF, in.HTTP, p.doc, p.how, true)
		if err != nil {
			return out, err
		}
		if x.gql == nil || x.status()/100 != 2 {
			continue
		}
		if _, ok := x.gql.Typename(""); !ok {
			continue
		}
		loc := location(in, ep, "", "")
		if p.how == getQuery {
			loc.Method = http.MethodGet
		}
		f := newFinding(c.Meta(), p.id, p.title, loc)
		f.Confidence = finding.Confirmed
		f.Evidence.Summary = fmt.Sprintf("Sent %s: %s", p.doc, p.summary)
		f.Evidence.HTTP = []finding.HTTPExchange{x.evidence()}
		f.Remediation = csrfFix
		out = append(out, f)
	}
	return out, nil
}
