package property

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
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

// MassAssignment sends properties a client must not set (the spec's own
// readOnly ones, and the privilege-fields pack: admin flags, roles at the
// highest value of their enum, owners, prices, balances, verification
// states) in an update of identity A's own record, in the creation of an
// object and in a registration, then reads the result back. Only with
// --allow-writes; every change is undone or listed in the report.
type MassAssignment struct{}

// IDMassAssignment is the rule the check emits.
const IDMassAssignment = "property-authorization.mass-assignment"

// Meta describes the check.
func (MassAssignment) Meta() check.Meta {
	return check.Meta{
		ID:       IDMassAssignment,
		Title:    "Client can set privilege properties (mass assignment)",
		Category: finding.CatPropertyAuthz,
		OWASP:    "API3:2023",
		CWE:      "CWE-915",
		Severity: finding.Critical,
		Needs:    check.NeedSpec | check.NeedCredential | check.NeedWrites,
		Phase:    check.PhaseWrites,
		Description: "With --allow-writes only. Chooses what to send from the API's own schemas: readOnly properties, and " +
			"properties the privilege-fields pack names (admin flags, roles, owners, tenants, verification states, prices, " +
			"balances), a role at the highest-ranked value of its enum (the privilege-values pack: Chef of Chef|Employee|" +
			"Customer). (1) For each PATCH/PUT of a record identity A reads back (its account or profile), sends A's current " +
			"values plus the injections, reads the record again and restores the old values; a write that leaves A's record " +
			"unreadable is detected, restored if the API lets it, and otherwise listed as not undone. (2) For each POST that " +
			"creates objects of a collection with a detail operation, creates a plain object and one with the injections " +
			"(a price of 0.01, identity B as owner, …), compares what reads back, and deletes both. (3) Registers a throw-away " +
			"account with the privilege fields, logs it in, reads its record, and deletes it. Confirmed when a read-back shows " +
			"the injected value where the plain request did not.",
		Remediation: massRemediation,
	}
}

// massRun is one run of the check.
type massRun struct {
	c      MassAssignment
	in     *check.Input
	cp     *reqgen.Corpus
	fields []*privField
	ranks  writes.Ranks
	other  string // another user's name, for ownership fields (identity B's)
}

// Run tries updates of A's record, creations and registrations.
func (c MassAssignment) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	fields, err := privFields()
	if err != nil {
		return nil, err
	}
	ranks, err := writes.LoadRanks()
	if err != nil {
		return nil, err
	}
	m := &massRun{c: c, in: in, cp: cp, fields: fields, ranks: ranks}
	if idB, ok, err := in.IdentityB(ctx); err != nil {
		return nil, err
	} else if ok {
		for _, mk := range idB.Markers { // a name, not an e-mail address
			if !strings.Contains(mk, "@") {
				m.other = mk
				break
			}
		}
	}
	var fs []finding.Finding
	for _, op := range in.API.Operations {
		if op.RequestBody == nil || op.RequestBody.Schema == nil || op.GraphQL != "" {
			continue
		}
		var f *finding.Finding
		switch {
		case op.Method == http.MethodPatch || op.Method == http.MethodPut:
			self := selfSample(cp, op)
			if self == nil {
				continue
			}
			f, err = m.update(ctx, op, self)
		case op.Method == http.MethodPost && accounts.IsRegistration(op):
			f, err = m.register(ctx, op)
		case op.Method == http.MethodPost:
			if detail := writes.Detail(in.API, op); detail != nil {
				f, err = m.create(ctx, op, *detail)
			}
		}
		if err != nil {
			return fs, err
		}
		if f != nil {
			fs = append(fs, *f)
		}
	}
	return fs, nil
}

// selfSample is A's GET of the record op writes: same path, answered 2xx,
// and either a self path (/me, /account) or an object A owns.
func selfSample(cp *reqgen.Corpus, op spec.Operation) *reqgen.Sample {
	for _, s := range cp.Samples {
		if s.Op.Path != op.Path || !s.OK() {
			continue
		}
		if obj := reqgen.FirstObject(s.Resp.Body); obj != nil && (reqgen.IsSelf(op.Path) || cp.A.Owns(obj)) {
			return s
		}
	}
	return nil
}

// selfInjections chooses what to send in an update of A's own record: the
// privilege fields the schemas or the record name (never an identity
// field, an owner or a tenant: those can lock A out), readOnly properties
// (unless the request documents them as writable), and, when nothing names
// an admin flag or a role, the common spellings.
func (m *massRun) selfInjections(op spec.Operation, ss []*spec.Schema, before map[string]any) map[string]any {
	names := map[string]bool{}
	for _, s := range ss {
		for k := range s.Properties {
			names[k] = true
		}
	}
	for k := range before {
		names[k] = true
	}
	inj := map[string]any{}
	hasAdmin, hasRole := false, false
	for _, name := range sortedSet(names) {
		f := privilegeField(m.fields, name)
		s := propSchema(ss, name)
		if f != nil {
			hasAdmin = hasAdmin || f.class == "admin"
			hasRole = hasRole || f.class == "role"
		}
		if isIdentityKey(name) || (f != nil && (!f.self || f.class == "ownership" || f.class == "tenant")) {
			continue
		}
		var v any
		var ok bool
		switch {
		case f != nil:
			v, ok = valueFor(m.ranks, f, s, before[name], "")
		case s != nil && s.ReadOnly:
			v, ok = readOnlyValue(s, before[name])
		}
		if ok {
			inj[name] = v
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

// update tries the injections on A's own record through op.
func (m *massRun) update(ctx context.Context, op spec.Operation, self *reqgen.Sample) (*finding.Finding, error) {
	in := m.in
	read := &netx.Request{Method: http.MethodGet, URL: self.Req.URL, WithCredentials: true}
	beforeResp, err := in.HTTP.Do(ctx, read)
	if err != nil || !reqgen.OK2xx(beforeResp) {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	before := reqgen.FirstObject(beforeResp.Body)
	if before == nil {
		return nil, nil
	}
	if p, ok := reqgen.PrivilegeOf(before); ok && p {
		in.Coverage.Skip(op, "identity A is already an admin; nothing to escalate")
		return nil, nil
	}
	inj := m.selfInjections(op, append(recordSchemas(op), recordSchemas(self.Op)...), before)
	body := map[string]any{}
	for k := range op.RequestBody.Schema.Properties {
		if v, ok := before[k]; ok {
			body[k] = v // documented fields keep their current values: the write is a no-op but for the injection
		}
	}
	for k, v := range inj {
		body[k] = v
	}
	pend := in.Changes.Made(result.Change{Check: IDMassAssignment, Operation: op.Method + " " + op.Path,
		Object: "identity A's record at " + pathOf(self.Req.URL), Change: "sent " + desc(inj)})
	wreq, wresp, err := sendJSON(ctx, in, in.HTTP, op.Method, self.Req.URL, body)
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	in.Coverage.Requested(op, wresp.StatusCode)
	afterResp, err := in.HTTP.Do(ctx, read)
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	after := reqgen.FirstObject(afterResp.Body)
	broken := !reqgen.OK2xx(afterResp) || after == nil
	changed := taken(inj, before, after)
	if !broken && !differs(inj, before, after) {
		pend.Undone() // nothing stuck
		return nil, nil
	}
	restored := m.restore(ctx, op, self.Req.URL, read, before, inj, pend)
	if len(changed) == 0 && !broken {
		return nil, nil // the record changed, but not to what plumb sent (restored above)
	}
	f := check.New(m.c.Meta(), fmt.Sprintf("%s %s lets a user set privilege properties on its own record (%s)", op.Method, op.Path, strings.Join(changed, ", ")),
		finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path, Param: firstKey(inj)})
	f.Confidence = finding.Confirmed
	summary := fmt.Sprintf("Identity A's record read %s before; plumb sent %s %s with its current values plus %s, and the record "+
		"read back with %s. %s", privDesc(before, inj), op.Method, op.Path, desc(inj), strings.Join(changed, ", "), restored)
	if broken {
		f.Title = fmt.Sprintf("%s %s stores privilege properties a client sends, and the record broke", op.Method, op.Path)
		f.Severity, f.Confidence = finding.High, finding.Firm
		summary = fmt.Sprintf("plumb sent %s %s with identity A's current values plus %s (answered %d); afterwards A's record "+
			"no longer loads (GET answered %d): the API stored a value it cannot handle. %s", op.Method, op.Path, desc(inj),
			wresp.StatusCode, afterResp.StatusCode, restored)
	}
	f.Evidence = finding.Evidence{Summary: summary, HTTP: []finding.HTTPExchange{
		in.HTTP.Evidence(read, beforeResp, nil), in.HTTP.Evidence(wreq, wresp, nil), in.HTTP.Evidence(read, afterResp, nil)}}
	f.Remediation = massRemediation
	return &f, nil
}

// restore writes the old values of the injected properties back, reads
// the record again and settles the ledger. It says how that went.
func (m *massRun) restore(ctx context.Context, op spec.Operation, u string, read *netx.Request, before, inj map[string]any, pend *check.Pending) string {
	in := m.in
	body := map[string]any{}
	var absent []string
	for k := range inj {
		if v, ok := before[k]; ok {
			body[k] = v
		} else {
			absent = append(absent, k)
		}
	}
	slices.Sort(absent)
	if len(body) > 0 {
		if _, resp, err := sendJSON(ctx, in, in.HTTP, op.Method, u, body); err != nil || !reqgen.OK2xx(resp) {
			pend.Failed(fmt.Sprintf("restoring the old values through %s %s failed", op.Method, op.Path))
			return "Restoring the old values FAILED: the report lists the change as not undone; fix identity A's record by hand."
		}
	}
	resp, err := in.HTTP.Do(ctx, read)
	now := reqgen.FirstObject(respBody(resp))
	if err != nil || !reqgen.OK2xx(resp) || now == nil {
		pend.Failed("after the restore, identity A's record still does not load")
		return "plumb wrote the old values back, but A's record still does not load: the report lists the change as not undone."
	}
	var left []string
	for k, v := range inj {
		if _, had := before[k]; (had && !equalJSON(now[k], before[k])) || (!had && equalJSON(now[k], v)) {
			left = append(left, k)
		}
	}
	if len(left) > 0 {
		slices.Sort(left)
		pend.Failed("after the restore the record still holds " + strings.Join(left, ", "))
		return "plumb could not restore " + strings.Join(left, ", ") + ": the report lists the change as not undone."
	}
	pend.Undone()
	if len(absent) > 0 {
		return "plumb then restored the old values (" + strings.Join(absent, ", ") + " did not stick)."
	}
	return "plumb then restored the old values."
}

// taken lists the injections the record now shows, as k=v, sorted.
func taken(inj, before, after map[string]any) []string {
	var out []string
	for k, v := range inj {
		if after != nil && equalJSON(after[k], v) && !equalJSON(before[k], v) {
			out = append(out, fmt.Sprintf("%s=%v", k, v))
		}
	}
	slices.Sort(out)
	return out
}

// differs reports whether any injected property reads differently now.
func differs(inj, before, after map[string]any) bool {
	for k := range inj {
		if !equalJSON(after[k], before[k]) {
			return true
		}
	}
	return false
}

func sendJSON(ctx context.Context, in *check.Input, c *netx.Client, method, u string, body map[string]any) (*netx.Request, *netx.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, nil, err
	}
	req := &netx.Request{Method: method, URL: u, Body: b, WithCredentials: true,
		Header: http.Header{"Content-Type": {"application/json"}}}
	resp, err := c.Do(ctx, req)
	return req, resp, err
}

func respBody(r *netx.Response) []byte {
	if r == nil {
		return nil
	}
	return r.Body
}

// equalJSON compares decoded JSON values (numbers as float64).
func equalJSON(a, b any) bool {
	if x, ok := a.(int); ok {
		a = float64(x)
	}
	if x, ok := b.(int); ok {
		b = float64(x)
	}
	return reflect.DeepEqual(a, b)
}

func privDesc(before, inj map[string]any) string {
	var parts []string
	for _, k := range sortedKeys(inj) {
		if v, ok := before[k]; ok {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		} else {
			parts = append(parts, k+" (absent)")
		}
	}
	return strings.Join(parts, ", ")
}

func desc(m map[string]any) string { return writes.Describe(m) }

func firstKey(m map[string]any) string {
	ks := sortedKeys(m)
	if len(ks) == 0 {
		return ""
	}
	return ks[0]
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// pathOf is the path of a URL (writes.Path).
func pathOf(u string) string { return writes.Path(u) }
