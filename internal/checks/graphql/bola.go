package graphql

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	gql "github.com/plumbsec/plumb/internal/graphql"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
)

// ObjectAccess reads objects identity A owns through id arguments of
// GraphQL queries as identity B and without credentials (BOLA).
type ObjectAccess struct{}

// Meta describes the check.
func (ObjectAccess) Meta() check.Meta {
	return check.Meta{
		ID: "bola.graphql-object-level-authorization", Title: "GraphQL objects readable by users who do not own them",
		Category: finding.CatBOLA, OWASP: "API1:2023", CWE: "CWE-639", Severity: finding.High, Needs: check.NeedCredential, Phase: check.PhaseProbe,
		Description: "Learns who identity A (and B, with --header-b) is from a self query (me, viewer, currentUser, …), harvests " +
			"the ids of A's objects from up to 3 list queries, then asks up to 4 queries that take one id argument " +
			"(user(id:), order(id:), …) for an object A owns: as A, without credentials and as B. Confirmed when B gets A's " +
			"object unchanged while the anonymous request is refused, or when the anonymous request gets it.",
		Remediation: bolaRemedy,
	}
}

type owned struct {
	id      string
	ownedBy bool // A owns it
}

// bolaRun is one endpoint's probe state.
type bolaRun struct {
	in     *check.Input
	st     *state
	ep     *Endpoint
	s      *ast.Schema
	a, b   reqgen.Identity
	pool   map[string][]owned // type name → harvested objects
	meta   check.Meta
	result []finding.Finding
}

// Run probes every endpoint with a schema.
func (c ObjectAccess) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	return eachEndpoint(ctx, in, true, func(st *state, ep *Endpoint) ([]finding.Finding, error) {
		r := &bolaRun{in: in, st: st, ep: ep, s: ep.Schema.Schema, a: reqgen.Identity{Name: "A"}, b: reqgen.Identity{Name: "B"},
			pool: map[string][]owned{}, meta: c.Meta()}
		err := r.run(ctx)
		return r.result, err
	})
}

func (r *bolaRun) run(ctx context.Context) error {
	if err := r.identities(ctx); err != nil {
		return err
	}
	if err := r.harvest(ctx); err != nil {
		return err
	}
	n := 0
	for _, f := range gql.RootFields(r.s, ast.Query) {
		arg, ok := idArgument(r.s, f)
		if !ok || n >= maxDetails {
			continue
		}
		cand, ok := r.pick(f.Type.Name())
		if !ok {
			if op, known := r.ep.ops["query "+f.Name]; known {
				r.in.Coverage.Skip(op, "no object of identity A found to ask for")
			}
			continue
		}
		n++
		if err := r.probe(ctx, f, arg, cand); err != nil {
			return err
		}
	}
	return nil
}

// idArgument: the field takes exactly one required argument, an id of a
// scalar type, and returns a single object.
func idArgument(s *ast.Schema, f *ast.FieldDefinition) (*ast.ArgumentDefinition, bool) {
	if f.Type.Elem != nil || !composite(s, f) {
		return nil, false
	}
	var req []*ast.ArgumentDefinition
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			req = append(req, a)
		}
	}
	if len(req) != 1 || !gql.IDLike(req[0].Name) || req[0].Type.Elem != nil {
		return nil, false
	}
	switch req[0].Type.Name() {
	case "ID", "Int", "String":
		return req[0], true
	}
	return nil, false
}

// ask sends one field selection through c and returns the exchange and
// the field's value.
func (r *bolaRun) ask(ctx context.Context, c *netx.Client, creds bool, fl *ast.Field, coordinate string) (*exchange, json.RawMessage, error) {
	x, err := r.st.send(ctx, r.in, r.ep, groupBOLA, c, gql.Document(ast.Query, gql.Set(fl)), postJSON, creds)
	if err != nil {
		return nil, nil, err
	}
	if c == r.in.HTTP && creds {
		r.ep.record(r.in, coordinate, x, fl.Name)
	}
	if x.gql == nil {
		return x, nil, nil
	}
	return x, x.gql.Field(fl.Name), nil
}

// identities learns A (and B) from the first self query.
func (r *bolaRun) identities(ctx context.Context) error {
	for _, f := range gql.RootFields(r.s, ast.Query) {
		if !selfFields[strings.ToLower(f.Name)] || gql.RequiredArgs(f) || !composite(r.s, f) || f.Type.Elem != nil {
			continue
		}
		fl, _ := fieldSelection(r.s, f, nil)
		_, v, err := r.ask(ctx, r.in.HTTP, true, fl, "query "+f.Name)
		if err != nil {
			return err
		}
		r.a.LearnSelf(v)
		if obj := objects(v); len(obj) == 1 {
			if id, ok := objectID(obj[0]); ok {
				r.pool[f.Type.Name()] = append(r.pool[f.Type.Name()], owned{id, true})
			}
		}
		if r.in.HTTPB != nil {
			if _, v, err = r.ask(ctx, r.in.HTTPB, true, fl, ""); err != nil {
				return err
			}
			r.b.LearnSelf(v)
		}
		return nil
	}
	return nil
}

// harvest collects A's objects from list queries without arguments.
func (r *bolaRun) harvest(ctx context.Context) error {
	n := 0
	for _, f := range gql.RootFields(r.s, ast.Query) {
		if n >= maxLists || f.Type.Elem == nil || gql.RequiredArgs(f) || !composite(r.s, f) {
			continue
		}
		fl, _ := fieldSelection(r.s, f, nil)
		n++
		_, v, err := r.ask(ctx, r.in.HTTP, true, fl, "query "+f.Name)
		if err != nil {
			return err
		}
		for _, obj := range objects(v) {
			if id, ok := objectID(obj); ok {
				r.pool[f.Type.Name()] = append(r.pool[f.Type.Name()], owned{id, owns(r.a, obj)})
			}
		}
	}
	return nil
}

// pick returns an object of type t that A owns.
func (r *bolaRun) pick(t string) (owned, bool) {
	for _, o := range r.pool[t] {
		if o.ownedBy {
			return o, true
		}
	}
	return owned{}, false
}

// probe asks for A's object as A, anonymously and as B.
func (r *bolaRun) probe(ctx context.Context, f *ast.FieldDefinition, arg *ast.ArgumentDefinition, o owned) error {
	v := gql.StringValue(o.id)
	if arg.Type.Name() == "Int" {
		n, ok := intID(o.id)
		if !ok {
			return nil // not an integer id: this field cannot take it
		}
		v = gql.IntValue(n)
	}
	fl, ok := fieldSelection(r.s, f, map[string]*ast.Value{arg.Name: v})
	if !ok {
		return nil
	}
	coordinate := "query " + f.Name
	xa, va, err := r.ask(ctx, r.in.HTTP, true, fl, coordinate)
	if err != nil {
		return err
	}
	objs := objects(va)
	if len(objs) != 1 || !owns(r.a, objs[0]) {
		return nil // A cannot read it, or it is not shown to be A's
	}
	xn, vn, err := r.ask(ctx, r.in.HTTP, false, fl, coordinate)
	if err != nil {
		return err
	}
	loc := location(r.in, r.ep, coordinate, arg.Name)
	if sameJSON(va, vn) {
		f := check.New(r.meta, fmt.Sprintf("GraphQL query %s returns identity A's object without any credential", f.Name), loc)
		f.Confidence = finding.Confirmed
		f.Evidence.Summary = fmt.Sprintf("%s returns an object identity A owns (%s) to a request with no credential at all.", excerpt(xa.doc), ownerOf(objs[0]))
		f.Evidence.HTTP = []finding.HTTPExchange{xa.evidence(), xn.evidence()}
		f.Remediation = bolaRemedy
		r.result = append(r.result, f)
		return nil
	}
	if r.in.HTTPB == nil || !authDenied(xn) {
		return nil
	}
	xb, vb, err := r.ask(ctx, r.in.HTTPB, true, fl, "")
	if err != nil {
		return err
	}
	if !sameJSON(va, vb) || owns(r.b, objs[0]) {
		return nil
	}
	fd := check.New(r.meta, fmt.Sprintf("GraphQL query %s lets user B read user A's objects", f.Name), loc)
	fd.Confidence = finding.Confirmed
	fd.Evidence.Summary = fmt.Sprintf("%s asks for an object identity A owns (%s). Identity B, which does not own it, got it "+
		"back unchanged; without credentials the same query was refused (HTTP %d: %q), so the API authenticates but does not "+
		"check ownership of %s.", excerpt(xa.doc), ownerOf(objs[0]), xn.status(), firstMessage(xn), arg.Name)
	fd.Evidence.HTTP = []finding.HTTPExchange{xa.evidence(), xb.evidence(), xn.evidence()}
	fd.Remediation = bolaRemedy
	r.result = append(r.result, fd)
	return nil
}

func intID(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func ownerOf(obj map[string]any) string {
	if f, v, ok := reqgen.Owner(obj); ok {
		return fmt.Sprintf("%s %q", f, v)
	}
	for k, v := range obj {
		if m, ok := v.(map[string]any); ok && ownerFields[strings.ToLower(k)] {
			if f, val, ok := reqgen.Owner(m); ok {
				return fmt.Sprintf("%s.%s %q", k, f, val)
			}
		}
	}
	return "owner named in the object"
}

var bolaRemedy = finding.Remediation{
	Summary: "Check in every resolver that loads an object by id that the caller may see it (owner or role), e.g. " +
		"`if order.UserID != ctx.User.ID { return nil, ErrForbidden }`, or load through the caller " +
		"(viewer { order(id:) }) so ids of other users cannot be reached.",
	References: []string{"https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
		"https://cheatsheetseries.owasp.org/cheatsheets/GraphQL_Cheat_Sheet.html"},
}
