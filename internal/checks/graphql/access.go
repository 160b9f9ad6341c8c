package graphql

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	gql "github.com/plumbsec/plumb/internal/graphql"
	"github.com/plumbsec/plumb/internal/result"

	"github.com/plumbsec/plumb/internal/words"
)

// Bounds of the access checks per endpoint.
const (
	maxOpenFields = 8 // query fields asked without credentials
	maxMutations  = 4 // mutations sent without credentials (--allow-writes)
	maxLists      = 3 // list fields harvested for identity A's objects
	maxDetails    = 4 // id-argument fields probed for BOLA
)

// Unauthenticated finds GraphQL queries (and, with --allow-writes,
// mutations) that answer without any credential while the API refuses
// others.
type Unauthenticated struct{}

// Meta describes the check.
func (Unauthenticated) Meta() check.Meta {
	return check.Meta{
		ID: "authentication.graphql-unauthenticated", Title: "GraphQL operation answers without credentials",
		Category: finding.CatAuthentication, OWASP: "API2:2023", CWE: "CWE-306", Severity: finding.Critical, Phase: check.PhaseProbe,
		Description: "Sends each query of the learned schema that needs no argument (up to 8) without any credential. Where the " +
			"API refuses at least one of them, every other that answers with personal data or secrets (e-mail, password, token, " +
			"phone, address, …) is reported. With --allow-writes, mutations (up to 4, placeholder arguments) are sent without " +
			"credentials too, and one that runs is critical; without it no mutation is ever sent.",
		Remediation: unauthFix,
	}
}

type openAnswer struct {
	f *ast.FieldDefinition
	x *exchange
}

// Run probes every endpoint with a schema.
func (c Unauthenticated) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	return eachEndpoint(ctx, in, true, func(st *state, ep *Endpoint) ([]finding.Finding, error) {
		return c.endpoint(ctx, in, st, ep)
	})
}

func (c Unauthenticated) endpoint(ctx context.Context, in *check.Input, st *state, ep *Endpoint) ([]finding.Finding, error) {
	s := ep.Schema.Schema
	var open []openAnswer
	var denied *exchange
	n := 0
	for _, f := range gql.RootFields(s, ast.Query) {
		if n >= maxOpenFields || gql.RequiredArgs(f) {
			continue
		}
		fl, ok := fieldSelection(s, f, nil)
		if !ok {
			continue
		}
		n++
		x, err := st.send(ctx, in, ep, groupUnauth, in.HTTP, gql.Document(ast.Query, gql.Set(fl)), postJSON, false)
		if err != nil {
			return nil, err
		}
		ep.record(in, "query "+f.Name, x, f.Name)
		switch {
		case x.gql != nil && x.gql.Field(f.Name) != nil:
			open = append(open, openAnswer{f, x})
		case authDenied(x) && denied == nil:
			denied = x
		}
	}
	var out []finding.Finding
	if denied != nil {
		for _, o := range open {
			if keys := personalKeys(o.x.gql.Field(o.f.Name)); len(keys) > 0 {
				out = append(out, c.openQuery(in, ep, o, keys, denied))
			}
		}
	}
	if !in.AllowWrites {
		return out, nil
	}
	fs, err := c.mutations(ctx, in, st, ep)
	return append(out, fs...), err
}

func (c Unauthenticated) openQuery(in *check.Input, ep *Endpoint, o openAnswer, keys []string, denied *exchange) finding.Finding {
	sort.Strings(keys)
	f := check.New(c.Meta(), fmt.Sprintf("GraphQL query %s answers without credentials", o.f.Name), location(in, ep, "query "+o.f.Name, ""))
	f.Severity, f.Confidence = finding.High, finding.Confirmed
	if slices.ContainsFunc(keys, func(k string) bool { _, ok := sensitive(k); return ok }) {
		f.Severity = finding.Critical
	}
	f.Evidence.Summary = fmt.Sprintf("Sent without any credential, %s answered with %s (%s), while the API refused the same "+
		"anonymous caller elsewhere (HTTP %d: %q), so it does authenticate; this field was left open.",
		excerpt(o.x.doc), o.f.Type.String(), strings.Join(keys, ", "), denied.status(), firstMessage(denied))
	f.Evidence.HTTP = []finding.HTTPExchange{o.x.evidence(), denied.evidence()}
	f.Remediation = unauthFix
	return f
}

// mutations sends each mutation without credentials (--allow-writes only).
func (c Unauthenticated) mutations(ctx context.Context, in *check.Input, st *state, ep *Endpoint) ([]finding.Finding, error) {
	s := ep.Schema.Schema
	var out []finding.Finding
	n := 0
	for _, f := range gql.RootFields(s, ast.Mutation) {
		if n >= maxMutations {
			break
		}
		fl, ok := fieldSelection(s, f, nil)
		if !ok {
			continue
		}
		n++
		// The ledger lists a mutation that ran: plumb cannot tell what it
		// changed, so it cannot undo it.
		pend := in.Changes.Made(result.Change{Check: c.Meta().ID, Operation: "POST " + ep.Path + " mutation " + f.Name,
			Object: "whatever mutation " + f.Name + " changes", Change: "ran it without credentials, with placeholder arguments"})
		x, err := st.send(ctx, in, ep, groupUnauth, in.HTTP, gql.Document(ast.Mutation, gql.Set(fl)), postJSON, false)
		if err != nil {
			return out, err
		}
		ep.record(in, "mutation "+f.Name, x, f.Name)
		// Refused, or not even valid: nothing ran. An answer with the
		// field set ran it; data without the field and without any error
		// means the resolver ran and found nothing to change.
		if x.gql == nil || x.status()/100 != 2 || authDenied(x) || !x.gql.HasData() {
			pend.Undone()
			continue
		}
		if x.gql.Field(f.Name) == nil {
			pend.Undone() // the resolver found nothing to change, or refused
		} else {
			pend.Failed("plumb cannot tell what the mutation changed; check " + f.Name + "'s data")
		}
		conf, what := finding.Confirmed, fmt.Sprintf("the answer carries %s and no error", words.A(f.Type.String()))
		switch {
		case x.gql.Field(f.Name) == nil && len(x.gql.Errors) == 0:
			conf, what = finding.Firm, "the resolver ran (null for the placeholder arguments) and nothing refused the anonymous caller"
		case x.gql.Field(f.Name) == nil || len(x.gql.Errors) > 0:
			continue
		}
		fd := check.New(c.Meta(), fmt.Sprintf("GraphQL mutation %s runs without credentials", f.Name), location(in, ep, "mutation "+f.Name, ""))
		fd.Confidence = conf
		fd.Evidence.Summary = fmt.Sprintf("With --allow-writes, %s was sent without any credential: %s.", excerpt(x.doc), what)
		fd.Evidence.HTTP = []finding.HTTPExchange{x.evidence()}
		fd.Remediation = mutationFix
		out = append(out, fd)
	}
	return out, nil
}

func firstMessage(x *exchange) string {
	if x == nil || x.gql == nil || len(x.gql.Errors) == 0 {
		return ""
	}
	m := x.gql.Errors[0].Message
	if len(m) > 120 {
		m = m[:120] + "…"
	}
	return m
}
