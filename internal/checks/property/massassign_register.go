package property

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/accounts"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"
)

// registerInjections are the privilege fields sent with a registration:
// admin flags and roles at their top value, from the registration's and
// the account's schemas, else the common spellings.
func (m *massRun) registerInjections(op spec.Operation) map[string]any {
	ss := recordSchemas(op)
	for _, s := range m.cp.Samples { // the account record's schema (GET /me, /account)
		if reqgen.IsSelf(s.Op.Path) && s.Op.Response != nil {
			ss = append(ss, s.Op.Response)
		}
	}
	inj := map[string]any{}
	hasAdmin, hasRole := false, false
	for _, s := range ss {
		for name, ps := range s.Properties {
			f := privilegeField(m.fields, name)
			if f == nil || (f.class != "admin" && f.class != "role") {
				continue
			}
			if _, done := inj[name]; done {
				continue
			}
			if v, ok := valueFor(m.ranks, f, ps, nil, ""); ok {
				inj[name] = v
				hasAdmin = hasAdmin || f.class == "admin"
				hasRole = hasRole || f.class == "role"
			}
		}
	}
	if !hasAdmin {
		inj["is_admin"], inj["admin"] = true, true
	}
	if !hasRole {
		inj["role"] = "admin"
	}
	return inj
}

// register registers a throw-away account with privilege fields, reads
// its own record as itself, and deletes it.
func (m *massRun) register(ctx context.Context, op spec.Operation) (*finding.Finding, error) {
	in := m.in
	inj := m.registerInjections(op)
	a, err := accounts.RegisterIfAble(ctx, in, IDMassAssignment, inj)
	if err != nil || a == nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	defer a.Close(ctx, in)
	ex := []finding.HTTPExchange{in.HTTP.Evidence(a.Reg, a.RegResp, nil)}
	took := map[string]any{}
	if echo := reqgen.FirstObject(a.RegResp.Body); echo != nil {
		for k, v := range inj {
			if equalJSON(echo[k], v) {
				took[k] = v
			}
		}
	}
	conf, how := finding.Firm, "the registration's answer echoed"
	if rec, req, resp := m.ownRecord(ctx, a); rec != nil {
		read := map[string]any{}
		for k, v := range inj {
			if equalJSON(rec[k], v) {
				read[k] = v
			}
		}
		if len(read) > 0 {
			took, conf, how = read, finding.Confirmed, "logged in as the new account, its own record ("+pathOf(req.URL)+") reads"
			ex = append(ex, in.HTTP.Evidence(req, resp, nil))
		}
	}
	if len(took) == 0 {
		return nil, nil
	}
	var kv []string
	for k, v := range took {
		kv = append(kv, fmt.Sprintf("%s=%v", k, v))
	}
	slices.Sort(kv)
	f := check.New(m.c.Meta(), fmt.Sprintf("%s %s accepts privilege fields at registration (%s)", op.Method, op.Path, strings.Join(kv, ", ")),
		finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path, Param: firstKey(took)})
	f.Severity, f.Confidence = finding.High, conf
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("plumb registered the throw-away account %q with %s; %s %s. plumb then deleted the account "+
			"(or the report lists it as not undone).", a.Username, desc(inj), how, strings.Join(kv, ", ")),
		HTTP: ex,
	}
	f.Remediation = massRemediation
	return &f, nil
}

// ownRecord reads the throw-away account's own record through the self
// operations of A's corpus (GET /me, /account), as the account.
func (m *massRun) ownRecord(ctx context.Context, a *accounts.Account) (map[string]any, *netx.Request, *netx.Response) {
	if a.Client == nil {
		return nil, nil, nil
	}
	for _, s := range m.cp.Samples {
		if !reqgen.IsSelf(s.Op.Path) || !s.OK() {
			continue
		}
		req := &netx.Request{Method: http.MethodGet, URL: s.Req.URL, WithCredentials: true}
		resp, err := a.Client.Do(ctx, req)
		if err != nil || !reqgen.OK2xx(resp) {
			continue
		}
		if obj := reqgen.FirstObject(resp.Body); obj != nil {
			if _, ok := reqgen.PrivilegeOf(obj); ok {
				return obj, req, resp
			}
		}
	}
	return nil, nil, nil
}
