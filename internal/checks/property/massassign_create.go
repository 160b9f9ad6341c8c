package property

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"
	"github.com/plumbsec/plumb/internal/writes"
)

// createInjections chooses what to send when creating an object: every
// privilege field the schemas name (owners as identity B, prices at 0.01,
// balances high, verification true, roles at their top value) and every
// other readOnly property but the identity ones.
func (m *massRun) createInjections(ss []*spec.Schema) map[string]any {
	names := map[string]bool{}
	for _, s := range ss {
		for k := range s.Properties {
			names[k] = true
		}
	}
	inj := map[string]any{}
	for _, name := range sortedSet(names) {
		f := privilegeField(m.fields, name)
		s := propSchema(ss, name)
		var v any
		var ok bool
		switch {
		case f != nil && f.create:
			v, ok = valueFor(m.ranks, f, s, nil, m.other)
		case f == nil && s != nil && s.ReadOnly && !isIdentityKey(name):
			v, ok = readOnlyValue(s, nil)
		}
		if ok {
			inj[name] = v
		}
	}
	return inj
}

// create compares a plain creation with one carrying the injections.
func (m *massRun) create(ctx context.Context, op, detail spec.Operation) (*finding.Finding, error) {
	ss := append(recordSchemas(op), recordSchemas(detail)...)
	inj := m.createInjections(ss)
	if len(inj) == 0 {
		return nil, nil
	}
	in := m.in
	plain, err := writes.Create(ctx, in, IDMassAssignment, op, detail, nil)
	if err != nil || plain == nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	defer plain.Delete(ctx, in, in.HTTP, in.HTTPB)
	attacked, err := writes.Create(ctx, in, IDMassAssignment, op, detail, inj)
	if err != nil || attacked == nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	defer attacked.Delete(ctx, in, in.HTTP, in.HTTPB)
	var took []string
	for k, v := range inj {
		if equalJSON(attacked.Obj[k], v) && !equalJSON(plain.Obj[k], v) {
			took = append(took, fmt.Sprintf("%s=%v", k, v))
		}
	}
	if len(took) == 0 {
		return nil, nil
	}
	slices.Sort(took)
	f := check.New(m.c.Meta(), fmt.Sprintf("%s %s lets a client set properties the server owns (%s)", op.Method, op.Path, strings.Join(took, ", ")),
		finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path, Param: strings.SplitN(took[0], "=", 2)[0]})
	f.Severity, f.Confidence = finding.High, finding.Confirmed
	how := "the creation's answer"
	ex := []finding.HTTPExchange{in.HTTP.Evidence(plain.Req, plain.Resp, nil), in.HTTP.Evidence(attacked.Req, attacked.Resp, nil)}
	if attacked.ReadResp != nil && reqgen.OK2xx(attacked.ReadResp) {
		how = "GET " + detail.Path
		ex = append(ex, in.HTTP.Evidence(attacked.ReadReq, attacked.ReadResp, nil))
	}
	f.Evidence = finding.Evidence{Summary: fmt.Sprintf("plumb created two objects through %s %s as identity A: a plain one, and one with "+
		"%s. Read back through %s, the second holds %s, which the plain one does not: the API takes these properties from "+
		"the client. Both objects were then deleted (or the report lists them as not undone).",
		op.Method, op.Path, desc(inj), how, strings.Join(took, ", ")), HTTP: ex}
	f.Remediation = massRemediation
	return &f, nil
}
