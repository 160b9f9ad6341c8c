package bfla

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/accounts"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/spec"
	"github.com/plumbsec/plumb/internal/writes"
)

// IDPrivilegedWrite is the rule PrivilegedWrite emits.
const IDPrivilegedWrite = "bfla.privileged-write"

// PrivilegedWrite tries the operations that change a user's role or
// permissions as the identity without privileges, on itself: a user who
// can promote itself owns the API.
type PrivilegedWrite struct{}

// Meta describes the check.
func (PrivilegedWrite) Meta() check.Meta {
	return check.Meta{
		ID:       IDPrivilegedWrite,
		Title:    "Users can grant themselves privileges",
		Category: finding.CatBFLA,
		OWASP:    "API5:2023",
		CWE:      "CWE-269",
		Severity: finding.Critical,
		Needs:    check.NeedSpec | check.NeedCredential | check.NeedWrites,
		Phase:    check.PhaseWrites,
		Description: "With --allow-writes only. For each PUT/PATCH/POST on a user (/users/{user}/…) whose path ends in role, " +
			"roles, permissions, privileges, promote or grant, or whose body carries a role or admin flag, sends it as the " +
			"identity without privileges (A, or B when A is an admin) naming itself, with the highest-ranked value of the " +
			"role's enum (the privilege-values pack) or admin=true; reads its own record back; and restores the old value " +
			"(as itself, else as the other identity), listing it in the report when it cannot. Confirmed by the read-back.",
		Remediation: writeRemediation,
	}
}

// roleSegments end the path of an operation that changes privileges.
var roleSegments = map[string]bool{"role": true, "roles": true, "permissions": true, "privileges": true,
	"promote": true, "grant": true, "grants": true, "admin": true, "access": true, "scopes": true}

// privilegeProp is the body property that carries the privilege: a role
// (or permissions, groups) or an admin flag.
func privilegeProp(op spec.Operation) (string, *spec.Schema) {
	if op.RequestBody == nil || op.RequestBody.Schema == nil {
		return "", nil
	}
	for _, want := range []string{"role", "roles", "permissions", "privileges", "group", "groups", "isadmin", "admin", "accesslevel"} {
		for k, s := range op.RequestBody.Schema.Properties {
			if strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k)) == want {
				return k, s
			}
		}
	}
	return "", nil
}

// Run tries each privilege-changing operation once.
func (c PrivilegedWrite) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	low, lowName, _, err := lowIdentity(ctx, in, cp)
	if err != nil || low == nil {
		return nil, err
	}
	other := in.HTTPB
	if lowName == "B" {
		other = in.HTTP
	}
	ranks, err := writes.LoadRanks()
	if err != nil {
		return nil, err
	}
	var fs []finding.Finding
	for _, op := range in.API.Operations {
		if op.Method != http.MethodPut && op.Method != http.MethodPatch && op.Method != http.MethodPost {
			continue
		}
		param := accounts.UserParam(op)
		prop, ps := privilegeProp(op)
		last := strings.ToLower(op.Path[strings.LastIndex(op.Path, "/")+1:])
		if param == "" || prop == "" || (!roleSegments[last] && !strings.HasSuffix(op.Path, "}")) {
			continue
		}
		p := &promotion{c: c, in: in, cp: cp, op: op, param: param, prop: prop, schema: ps, low: low, lowName: lowName, other: other, ranks: ranks}
		f, err := p.run(ctx)
		if err != nil {
			return fs, err
		}
		if f != nil {
			fs = append(fs, *f)
		}
	}
	return fs, nil
}

// promotion is one self-promotion attempt.
type promotion struct {
	c            PrivilegedWrite
	in           *check.Input
	cp           *reqgen.Corpus
	op           spec.Operation
	param, prop  string
	schema       *spec.Schema
	low, other   *netx.Client
	lowName      string
	ranks        writes.Ranks
	before, want any
}

func (p *promotion) run(ctx context.Context) (*finding.Finding, error) {
	in := p.in
	recs, err := writes.Self(ctx, p.low, p.cp)
	if err != nil {
		return nil, err
	}
	who := writes.NamesOf(recs).For(p.param)
	cur, rec := writes.Field(recs, p.prop)
	if who == "" || rec == nil {
		in.Coverage.Skip(p.op, "plumb cannot read the identity's own "+p.prop+" back")
		return nil, nil
	}
	p.before = cur
	if p.want = p.value(cur); p.want == nil {
		return nil, nil // already at the top
	}
	b, why := reqgen.Build(in.BaseURL(), p.op, map[string]string{p.param: who}, nil)
	if why != "" {
		return nil, nil
	}
	body := reqgen.BodyFields(p.op)
	body[p.prop] = p.want
	pend := in.Changes.Made(result.Change{Check: IDPrivilegedWrite, Operation: p.op.Method + " " + p.op.Path,
		Object: "identity " + p.lowName + "'s account (" + who + ")", Change: fmt.Sprintf("set %s to %v", p.prop, p.want)})
	req, err := reqgen.BodyRequest(p.op, p.op.Method, b.URL, body, true)
	if err != nil {
		return nil, err
	}
	resp, err := p.low.Do(ctx, req)
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	in.Coverage.Requested(p.op, resp.StatusCode)
	after, err := writes.Self(ctx, p.low, p.cp)
	if err != nil {
		return nil, err
	}
	now, nrec := writes.Field(after, p.prop)
	if !sameJSON(now, p.want) || sameJSON(now, cur) {
		pend.Undone()
		return nil, nil
	}
	restored := p.restore(ctx, b.URL, body, pend)
	f := check.New(p.c.Meta(), fmt.Sprintf("%s %s lets a user without privileges set its own %s to %v", p.op.Method, p.op.Path, p.prop, p.want),
		finding.Location{Host: in.Target.Host, Method: p.op.Method, Path: p.op.Path, Param: p.prop})
	f.Confidence = finding.Confirmed
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("Identity %s (%s=%v, not an administrator) sent %s %s naming itself (%s) with %s=%v; the API answered "+
			"%d and %s's own record (%s) then read %s=%v. %s", p.lowName, p.prop, cur, p.op.Method, p.op.Path, who, p.prop, p.want,
			resp.StatusCode, p.lowName, writes.Path(nrec.URL), p.prop, now, restored),
		HTTP: []finding.HTTPExchange{p.low.Evidence(rec.Req, rec.Resp, nil), p.low.Evidence(req, resp, nil), p.low.Evidence(nrec.Req, nrec.Resp, nil)},
	}
	f.Remediation = writeRemediation
	return &f, nil
}

// value is what the promotion sends: the top of the role's enum, an
// admin flag's true, else "admin".
func (p *promotion) value(cur any) any {
	s := p.schema
	if s != nil && len(s.Enum) > 0 {
		if v, ok := p.ranks.Top(s.Enum); ok && !sameJSON(v, cur) {
			return v
		}
		return nil
	}
	switch {
	case s != nil && s.Type == "boolean":
		if cur == true {
			return nil
		}
		return true
	case s != nil && s.Type == "array":
		return []any{"admin"}
	}
	if c, ok := cur.(string); ok && p.ranks.Rank(c) >= 90 {
		return nil
	}
	return "admin"
}

// restore sets the old value back, as the identity itself and else as
// the other identity, and settles the ledger.
func (p *promotion) restore(ctx context.Context, u string, body map[string]any, pend *check.Pending) string {
	body[p.prop] = p.before
	for _, c := range []*netx.Client{p.low, p.other} {
		if c == nil {
			continue
		}
		req, err := reqgen.BodyRequest(p.op, p.op.Method, u, body, true)
		if err != nil {
			break
		}
		if resp, err := c.Do(ctx, req); err != nil || !reqgen.OK2xx(resp) {
			continue
		}
		recs, err := writes.Self(ctx, p.low, p.cp)
		if now, _ := writes.Field(recs, p.prop); err == nil && sameJSON(now, p.before) {
			pend.Undone()
			return fmt.Sprintf("plumb then set %s back to %v.", p.prop, p.before)
		}
	}
	pend.Failed(fmt.Sprintf("setting %s back to %v failed", p.prop, p.before))
	return fmt.Sprintf("Setting %s back to %v FAILED: the report lists the change as not undone.", p.prop, p.before)
}

func sameJSON(a, b any) bool { return fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b) }
