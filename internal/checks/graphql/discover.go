package graphql

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/plumbsec/plumb/internal/check"
	gql "github.com/plumbsec/plumb/internal/graphql"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"
)

// CommonPaths are where GraphQL endpoints usually live, tried in order
// under the API's base URL until one answers as GraphQL.
var CommonPaths = []string{"/graphql", "/api/graphql", "/v1/graphql", "/graphql/v1", "/query", "/gql", "/graphiql"}

// specPathRE picks spec operations that look like GraphQL endpoints.
var specPathRE = regexp.MustCompile(`(?i)(?:^|/)(?:graphql|gql|graphiql)(?:/|$)`)

type candidate struct {
	url, path string
	fromSpec  bool
}

// discover finds the GraphQL endpoints of the target (spec operations
// first, then CommonPaths until one answers), then identifies each one's
// engine and learns its schema.
func discover(ctx context.Context, in *check.Input) (*state, error) {
	s := &state{hosts: &hostAdder{}}
	probe := &Endpoint{} // discovery has its own bound: maxCandidates requests
	for _, c := range candidates(in) {
		if len(s.endpoints) >= maxEndpoints {
			break
		}
		if !c.fromSpec && s.foundCommon() {
			continue
		}
		probe.URL = c.url
		x, err := s.sendReq(ctx, in, probe, groupDiscovery, in.HTTP, gql.Typename, build(c.url, gql.Typename, postJSON, true))
		if err != nil {
			if _, err := stop(err); err != nil {
				return s, err
			}
			break
		}
		if x.gql == nil && x.status() == http.StatusMethodNotAllowed {
			// A GET-only endpoint.
			if x, err = s.sendReq(ctx, in, probe, groupDiscovery, in.HTTP, gql.Typename, build(c.url, gql.Typename, getQuery, true)); err != nil {
				if _, err := stop(err); err != nil {
					return s, err
				}
				break
			}
		}
		if x.gql == nil || (!x.gql.HasData() && len(x.gql.Errors) == 0) {
			continue
		}
		ep := &Endpoint{URL: c.url, Path: c.path, Typename: x, fromSpec: c.fromSpec}
		s.endpoints = append(s.endpoints, ep)
		if err := s.learn(ctx, in, ep); err != nil {
			return s, err
		}
	}
	return s, nil
}

// foundCommon: one endpoint from CommonPaths is enough (/graphql and
// /graphiql are usually the same server).
func (s *state) foundCommon() bool {
	for _, ep := range s.endpoints {
		if !ep.fromSpec {
			return true
		}
	}
	return false
}

// candidates lists the URLs to probe, at most maxCandidates.
func candidates(in *check.Input) []candidate {
	var out []candidate
	seen := map[string]bool{}
	add := func(c candidate) {
		if !seen[c.url] && len(out) < maxCandidates {
			seen[c.url] = true
			out = append(out, c)
		}
	}
	if in.API != nil {
		for _, op := range in.API.Operations {
			if (op.Method == http.MethodPost || op.Method == http.MethodGet) && looksGraphQL(op) {
				if u, ok := in.OperationURL(op); ok {
					add(candidate{url: strings.SplitN(u, "?", 2)[0], path: op.Path, fromSpec: true})
				}
			}
		}
	}
	base := in.BaseURL()
	for _, p := range CommonPaths {
		u := *base
		u.Path = strings.TrimSuffix(u.Path, "/") + p
		u.RawQuery = ""
		add(candidate{url: u.String(), path: u.Path})
	}
	return out
}

// looksGraphQL: a GraphQL-ish path, or a JSON body with a query string
// next to variables or operationName.
func looksGraphQL(op spec.Operation) bool {
	if specPathRE.MatchString(op.Path) {
		return true
	}
	b := op.RequestBody
	if b == nil || b.Schema == nil || b.Schema.Properties == nil {
		return false
	}
	q := b.Schema.Properties["query"]
	_, vars := b.Schema.Properties["variables"]
	_, name := b.Schema.Properties["operationName"]
	return q != nil && q.Type == "string" && (vars || name)
}

// learn identifies ep's engine and learns its schema: introspection, else
// suggestions. Both go out with identity A's credential (in scope).
func (s *state) learn(ctx context.Context, in *check.Input, ep *Endpoint) error {
	var err error
	if ep.Syntax, err = s.send(ctx, in, ep, groupSchema, in.HTTP, gql.SyntaxProbe, postJSON, true); err != nil {
		return ignoreStop(err)
	}
	answers := map[gql.Probe]*gql.Response{gql.ProbeTypename: ep.Typename.gql, gql.ProbeSyntax: ep.Syntax.gql}
	ep.Engine, _, _ = gql.Identify(answers)

	if ep.Introspection, err = s.send(ctx, in, ep, groupSchema, in.HTTP, gql.IntrospectionQuery, postJSON, true); err != nil {
		return ignoreStop(err)
	}
	if r := ep.Introspection.gql; r != nil && r.HasData() {
		if sc, err := gql.FromIntrospection(r.Data); err == nil {
			ep.Schema, ep.Source = sc, "introspection"
			for _, d := range sc.Descriptions {
				s.hosts.fromText(in, d, hosts.RoleGraphQLSchema, "GraphQL schema description at "+ep.Path)
			}
		}
	}
	// Suggestions are probed even when introspection answered (one
	// request then): they are a finding of their own.
	budget := Budget[groupSchema] - 2
	if ep.Schema != nil {
		budget = 1
	}
	send := func(ctx context.Context, doc string) (*gql.Response, error) {
		x, err := s.send(ctx, in, ep, groupSchema, in.HTTP, doc, postJSON, true)
		if err != nil {
			return nil, err
		}
		if ep.ReconEx == nil {
			ep.ReconEx = x
		}
		if x.gql == nil {
			return &gql.Response{}, nil
		}
		return x.gql, nil
	}
	rc, err := gql.Reconstruct(ctx, send, budget)
	if err != nil && !errors.Is(err, gql.ErrNoSuggestions) {
		if fatal, e := stop(err); fatal && e != nil {
			return e
		}
	}
	if rc != nil && len(rc.Suggested) > 0 {
		ep.Recon = rc
		if ep.Schema == nil {
			if sc, err := rc.Schema(); err == nil {
				ep.Schema, ep.Source = sc, "suggestions"
			}
		}
	}
	ep.registerOps(in)
	return nil
}

func ignoreStop(err error) error {
	_, e := stop(err)
	return e
}

// registerOps lists the schema's queries and mutations in the coverage
// table; mutations are skipped unless --allow-writes.
func (ep *Endpoint) registerOps(in *check.Input) {
	if ep.Schema == nil || in.Coverage == nil {
		return
	}
	ep.ops = map[string]spec.Operation{}
	for _, kind := range []ast.Operation{ast.Query, ast.Mutation} {
		for _, f := range gql.RootFields(ep.Schema.Schema, kind) {
			op := spec.Operation{Method: http.MethodPost, Path: ep.Path, GraphQL: string(kind) + " " + f.Name}
			for _, a := range f.Arguments {
				op.Params = append(op.Params, spec.Param{Name: a.Name, In: "graphql", Required: a.Type.NonNull})
			}
			ep.ops[op.GraphQL] = op
			in.Coverage.Add(op)
			if kind == ast.Mutation && !in.AllowWrites {
				in.Coverage.Skip(op, "GraphQL mutation; needs --allow-writes")
			}
		}
	}
}

// record tells coverage what one field's request got: the HTTP status, or
// 403 when the answer denied the field although HTTP said 200.
func (ep *Endpoint) record(in *check.Input, coordinate string, x *exchange, alias string) {
	op, ok := ep.ops[coordinate]
	if !ok || in.Coverage == nil || x == nil {
		return
	}
	st := x.status()
	if x.gql != nil && st/100 == 2 && x.gql.Field(alias) == nil && authDenied(x) {
		st = http.StatusForbidden
	}
	in.Coverage.Requested(op, st)
}

// authDeniedRE recognises GraphQL errors that refuse a caller.
var authDeniedRE = regexp.MustCompile(`(?i)unauthenticated|not authenticated|unauthori[sz]ed|not authori[sz]ed|must be (?:signed|logged) in|sign in|log in|login required|authentication required|forbidden|not allowed|access denied|permission|invalid[ -]?(?:jwt|token)`)

// authDenied reports an answer that refused the caller: HTTP 401/403 or
// an error coded or worded as an authentication or authorization failure.
func authDenied(x *exchange) bool {
	if x == nil || x.resp == nil {
		return false
	}
	if reqgen.Denied(x.resp) {
		return true
	}
	if x.gql == nil {
		return false
	}
	for _, e := range x.gql.Errors {
		if authDeniedRE.MatchString(e.Code()) || authDeniedRE.MatchString(e.Message) {
			return true
		}
	}
	return false
}
