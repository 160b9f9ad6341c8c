package property

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"
)

// MassAssignment sends privilege fields (role, is_admin) the API does not
// document as writable, in an update of identity A's own record and in a
// registration, then reads the record back. Only with --allow-writes.
type MassAssignment struct{}

// Meta describes the check.
func (MassAssignment) Meta() check.Meta {
	return check.Meta{
		ID:       "property-authorization.mass-assignment",
		Title:    "Client can set privilege properties (mass assignment)",
		Category: finding.CatPropertyAuthz,
		OWASP:    "API3:2023",
		CWE:      "CWE-915",
		Severity: finding.Critical,
		Needs:    check.NeedSpec | check.NeedCredential | check.NeedWrites,
		Phase:    check.PhaseWrites,
		Description: "With --allow-writes only. For each PATCH/PUT of a record identity A can read back (its own account or " +
			"profile), sends A's current values plus role=admin / is_admin=true, reads the record again, and restores the old " +
			"values. Confirmed when the read-back shows the escalation. For a registration operation, registers a throw-away " +
			"user with the same fields; firm when the answer echoes them (the account is left behind and named in the evidence).",
		Remediation: massRemediation,
	}
}

// Run tries the update operations, then the registrations.
func (c MassAssignment) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	var fs []finding.Finding
	for _, op := range in.API.Operations {
		if op.RequestBody == nil || op.RequestBody.Schema == nil {
			continue
		}
		var f *finding.Finding
		switch {
		case op.Method == http.MethodPatch || op.Method == http.MethodPut:
			self := selfSample(cp, op)
			if self == nil {
				in.Coverage.Skip(op, "no record of identity A to read back at this path")
				continue
			}
			f, err = c.update(ctx, in, cp, op, self)
		case op.Method == http.MethodPost && looksLikeRegistration(op):
			f, err = c.register(ctx, in, op)
		default:
			continue
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

// injection chooses the privilege values to try: the record's own
// privilege fields flipped to admin, else role and is_admin.
func injection(before map[string]any) map[string]any {
	inj := map[string]any{}
	for k, v := range before {
		switch strings.ToLower(strings.ReplaceAll(k, "_", "")) {
		case "isadmin", "admin", "issuperuser", "superuser", "isstaff":
			if b, ok := v.(bool); ok && !b {
				inj[k] = true
			}
		case "role":
			if s, ok := v.(string); ok && !strings.Contains(strings.ToLower(s), "admin") {
				inj[k] = "admin"
			}
		}
	}
	if len(inj) == 0 {
		if _, has := before["role"]; !has {
			inj["role"] = "admin"
		}
		if _, has := before["is_admin"]; !has {
			inj["is_admin"] = true
		}
	}
	return inj
}

func (c MassAssignment) update(ctx context.Context, in *check.Input, cp *reqgen.Corpus, op spec.Operation, self *reqgen.Sample) (*finding.Finding, error) {
	read := &netx.Request{Method: http.MethodGet, URL: self.Req.URL, WithCredentials: true}
	beforeResp, err := in.HTTP.Do(ctx, read)
	if err != nil || !reqgen.OK2xx(beforeResp) {
		return nil, ignorable(ctx, err)
	}
	before := reqgen.FirstObject(beforeResp.Body)
	if before == nil {
		return nil, nil
	}
	if p, ok := reqgen.PrivilegeOf(before); ok && p {
		in.Coverage.Skip(op, "identity A is already an admin; nothing to escalate")
		return nil, nil
	}
	inj := injection(before)
	body := map[string]any{}
	for k := range op.RequestBody.Schema.Properties {
		if v, ok := before[k]; ok {
			body[k] = v // documented fields keep their current values: the write is a no-op but for the injection
		}
	}
	for k, v := range inj {
		body[k] = v
	}
	wreq, wresp, err := sendJSON(ctx, in, op.Method, self.Req.URL, body)
	if err != nil {
		return nil, ignorable(ctx, err)
	}
	in.Coverage.Requested(op, wresp.StatusCode)
	afterResp, err := in.HTTP.Do(ctx, read)
	if err != nil || !reqgen.OK2xx(afterResp) {
		return nil, ignorable(ctx, err)
	}
	after := reqgen.FirstObject(afterResp.Body)
	var changed []string
	for k, v := range inj {
		if reflect.DeepEqual(after[k], v) && !reflect.DeepEqual(before[k], v) {
			changed = append(changed, fmt.Sprintf("%s=%v", k, v))
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	slices.Sort(changed)
	restored := c.restore(ctx, in, op, self.Req.URL, before, inj)
	f := check.New(c.Meta(), fmt.Sprintf("%s %s lets a user make itself an admin (%s)", op.Method, op.Path, strings.Join(changed, ", ")),
		finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path, Param: firstKey(inj)})
	f.Confidence = finding.Confirmed
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("Identity A's record read %s before; plumb sent %s %s with its current values plus %s, and the record "+
			"read back with %s. %s", privDesc(before, inj), op.Method, op.Path, desc(inj), strings.Join(changed, ", "), restored),
		HTTP: []finding.HTTPExchange{
			in.HTTP.Evidence(read, beforeResp, nil), in.HTTP.Evidence(wreq, wresp, nil), in.HTTP.Evidence(read, afterResp, nil),
		},
	}
	f.Remediation = massRemediation
	return &f, nil
}

// restore puts the privilege fields back; it says how that went.
func (c MassAssignment) restore(ctx context.Context, in *check.Input, op spec.Operation, u string, before, inj map[string]any) string {
	body := map[string]any{}
	for k := range inj {
		if v, ok := before[k]; ok {
			body[k] = v
		}
	}
	if len(body) == 0 {
		return "plumb could not restore the fields (they were not in the record before): fix them by hand."
	}
	_, resp, err := sendJSON(ctx, in, op.Method, u, body)
	if err != nil || !reqgen.OK2xx(resp) {
		return "Restoring the old values FAILED: fix identity A's record by hand."
	}
	return "plumb then restored the old values."
}

func (c MassAssignment) register(ctx context.Context, in *check.Input, op spec.Operation) (*finding.Finding, error) {
	u, ok := in.OperationURL(op)
	if !ok {
		in.Coverage.Skip(op, "required header or cookie parameter")
		return nil, nil
	}
	body, _ := reqgen.Value(op.RequestBody.Schema).(map[string]any)
	if body == nil {
		body = map[string]any{}
	}
	name := "plumb-" + randHex(4)
	password := "Pl-" + randHex(10)
	in.HTTP.Redactor().Add(password)
	for k := range op.RequestBody.Schema.Properties {
		switch l := strings.ToLower(k); {
		case strings.Contains(l, "password"):
			body[k] = password
		case strings.Contains(l, "email"):
			body[k] = name + "@example.com"
		case l == "username" || l == "login" || l == "name" || l == "user":
			body[k] = name
		}
	}
	inj := injection(map[string]any{})
	for k, v := range inj {
		body[k] = v
	}
	req, resp, err := sendJSON(ctx, in, http.MethodPost, u, body)
	if err != nil {
		return nil, ignorable(ctx, err)
	}
	in.Coverage.Requested(op, resp.StatusCode)
	echo := reqgen.FirstObject(resp.Body)
	if !reqgen.OK2xx(resp) || echo == nil {
		return nil, nil
	}
	var took []string
	for k, v := range inj {
		if reflect.DeepEqual(echo[k], v) {
			took = append(took, fmt.Sprintf("%s=%v", k, v))
		}
	}
	if len(took) == 0 {
		return nil, nil
	}
	slices.Sort(took)
	f := check.New(c.Meta(), fmt.Sprintf("%s %s accepts privilege fields at registration (%s)", op.Method, op.Path, strings.Join(took, ", ")),
		finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path, Param: firstKey(inj)})
	f.Severity, f.Confidence = finding.High, finding.Firm
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("plumb registered the throw-away user %q with %s; the created account came back with %s. "+
			"Firm, not confirmed: only the answer was read back. Delete the account %q.", name, desc(inj), strings.Join(took, ", "), name),
		HTTP: []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)},
	}
	f.Remediation = massRemediation
	return &f, nil
}

// looksLikeRegistration: a POST that creates users (register/signup, or a
// users collection) with a body naming a username, email or password.
func looksLikeRegistration(op spec.Operation) bool {
	seg := strings.ToLower(op.Path[strings.LastIndex(op.Path, "/")+1:])
	switch seg {
	case "register", "signup", "sign-up", "registration", "users", "accounts":
	default:
		return false
	}
	for k := range op.RequestBody.Schema.Properties {
		l := strings.ToLower(k)
		if l == "username" || strings.Contains(l, "email") || strings.Contains(l, "password") {
			return true
		}
	}
	return false
}

func sendJSON(ctx context.Context, in *check.Input, method, u string, body map[string]any) (*netx.Request, *netx.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, nil, err
	}
	req := &netx.Request{Method: method, URL: u, Body: b, WithCredentials: true,
		Header: http.Header{"Content-Type": {"application/json"}}}
	resp, err := in.HTTP.Do(ctx, req)
	return req, resp, err
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

func desc(m map[string]any) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func firstKey(m map[string]any) string {
	ks := sortedKeys(m)
	if len(ks) == 0 {
		return ""
	}
	return ks[0]
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func ignorable(ctx context.Context, err error) error {
	if err != nil && reqgen.Fatal(ctx, err) {
		return err
	}
	return nil
}
