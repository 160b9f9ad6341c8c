package bola

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/plumbsec/plumb/internal/accounts"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/spec"
	"github.com/plumbsec/plumb/internal/writes"
)

// Rule ids WriteAccess emits.
const (
	IDObjectWrite     = "bola.object-write"
	IDAccountTakeover = "bola.account-takeover"
)

// WriteAccess exercises the API's writes as identity B on what identity A
// (or a throw-away account) owns: objects A creates for the purpose are
// updated and deleted as B; A's e-mail address is changed through a user
// path parameter or a username in the body; a throw-away account's
// password is changed and the account deleted. Every change is read back,
// undone, or listed in the report as not undone.
type WriteAccess struct{}

var writeRules = []check.Rule{
	{ID: IDObjectWrite, Title: "Objects writable or deletable by users who do not own them", Severity: finding.High,
		Remediation: writeRemediation,
		Description: "Identity B changed (PUT/PATCH) or deleted (DELETE) an object identity A created, or closed another " +
			"user's (a throw-away) account; A's read-back shows the change. Confirmed by the read-back."},
	{ID: IDAccountTakeover, Title: "Another user's e-mail address or password can be changed", Severity: finding.Critical,
		CWE: "CWE-640", Remediation: writeRemediation,
		Description: "Identity B changed identity A's e-mail address (through a user path parameter or a username in the " +
			"body), or a throw-away account's password: a password reset to the new address, or the new password, takes " +
			"the account over. Confirmed by A's own record (e-mail) or a login with the new password."},
}

// Meta describes the check.
func (WriteAccess) Meta() check.Meta {
	return check.Meta{
		ID:       "bola.write-access",
		Title:    "Writes that skip object-level authorization",
		Category: finding.CatBOLA,
		OWASP:    "API1:2023",
		CWE:      "CWE-639",
		Severity: finding.Critical,
		Needs:    check.NeedSpec | check.NeedCredential | check.NeedWrites,
		Phase:    check.PhaseWrites,
		Description: "With --allow-writes and identity B (--header-b) only. (1) For each POST that creates objects of a " +
			"collection with a detail operation, creates an object as A; as B sends its PUT/PATCH with one property set to a " +
			"marker and its DELETE; A reads it back after each; A restores and deletes it. (2) Changes A's e-mail address as " +
			"B through each /users/{user}/… operation and each self operation whose body names the user, reads A's own " +
			"record, and restores it as A. (3) Registers a throw-away account; as B changes its password (confirmed by " +
			"logging in with it) and deletes it. Never changes a password of, or deletes, a real user. Reports " +
			IDObjectWrite + " and " + IDAccountTakeover + ".",
		Remediation: writeRemediation,
		Rules:       writeRules,
	}
}

type writer struct {
	c    WriteAccess
	in   *check.Input
	cp   *reqgen.Corpus
	nonc func() string
	fs   []finding.Finding
}

// Run probes objects, then accounts.
func (c WriteAccess) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	if in.HTTPB == nil {
		for _, op := range in.API.Operations {
			if op.Method != http.MethodGet && op.Method != http.MethodHead {
				in.Coverage.Skip(op, "write authorization needs identity B (--header-b)")
			}
		}
		return nil, nil
	}
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	if _, _, err := in.IdentityB(ctx); err != nil {
		return nil, err
	}
	w := &writer{c: c, in: in, cp: cp, nonc: func() string { return accounts.Nonce(4) }}
	if err := w.objects(ctx); err != nil {
		return w.fs, err
	}
	return w.fs, w.accounts(ctx)
}

// objects probes every create operation that has a detail operation and
// a write on it.
func (w *writer) objects(ctx context.Context) error {
	for _, op := range w.in.API.Operations {
		detail := writes.Detail(w.in.API, op)
		if detail == nil {
			continue
		}
		var ops []spec.Operation
		for _, m := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if o := writes.On(w.in.API, *detail, m); o != nil {
				ops = append(ops, *o)
			}
		}
		if len(ops) == 0 {
			continue
		}
		if err := w.object(ctx, op, *detail, ops); err != nil {
			return err
		}
	}
	return nil
}

// object creates one object as A and tries each write on it as B.
func (w *writer) object(ctx context.Context, create, detail spec.Operation, ops []spec.Operation) error {
	in := w.in
	obj, err := writes.Create(ctx, in, IDObjectWrite, create, detail, nil)
	if err != nil || obj == nil {
		return reqgen.FatalOnly(ctx, err)
	}
	defer obj.Delete(ctx, in, in.HTTP)
	if obj.URL == "" || obj.ReadResp == nil || !reqgen.OK2xx(obj.ReadResp) {
		return nil // plumb cannot read it back, so it cannot tell what B did
	}
	for _, op := range ops {
		var err error
		if op.Method == http.MethodDelete {
			err = w.deleteAsB(ctx, obj, op)
		} else {
			err = w.updateAsB(ctx, obj, op)
		}
		if err != nil {
			return err
		}
		if op.Method == http.MethodDelete {
			break // the object is gone or still A's; nothing else to try on it
		}
	}
	return nil
}

// updateAsB sets one writable string property of A's object to a marker
// as B, reads it back as A, and restores it as A.
func (w *writer) updateAsB(ctx context.Context, obj *writes.Object, op spec.Operation) error {
	in := w.in
	field := markerField(op, obj.Obj)
	if field == "" {
		return nil
	}
	orig, marker := obj.Obj[field], writes.Marker(w.nonc())
	body := documented(op, obj.Obj)
	body[field] = marker
	pend := in.Changes.Made(result.Change{Check: IDObjectWrite, Operation: op.Method + " " + op.Path,
		Object: obj.Create.Path + "/" + obj.ID, Change: fmt.Sprintf("identity B set %s to %q", field, marker)})
	req, resp, err := w.writeAsB(ctx, op, obj.URL, body)
	if resp == nil {
		return err
	}
	after, rreq, rresp, err := obj.Read(ctx, in.HTTP)
	if err != nil {
		return reqgen.FatalOnly(ctx, err)
	}
	if after == nil || after[field] != marker {
		pend.Undone() // it did not land
		return nil
	}
	restored := w.restore(ctx, obj, op, body, field, orig, pend)
	w.report(IDObjectWrite, op, fmt.Sprintf("%s %s lets user B change user A's objects", op.Method, op.Path),
		fmt.Sprintf("Identity A created %s/%s; identity B sent %s %s setting %s to %q (answered %d), and A's read-back shows %s=%q. %s",
			obj.Create.Path, obj.ID, op.Method, op.Path, field, marker, resp.StatusCode, field, marker, restored),
		field, in.HTTP.Evidence(obj.ReadReq, obj.ReadResp, nil), in.HTTPB.Evidence(req, resp, nil), in.HTTP.Evidence(rreq, rresp, nil))
	return nil
}

// restore writes the original value back as A and settles the ledger.
func (w *writer) restore(ctx context.Context, obj *writes.Object, op spec.Operation, body map[string]any, field string, orig any, pend *check.Pending) string {
	in := w.in
	body[field] = orig
	req, err := reqgen.BodyRequest(op, op.Method, obj.URL, body, true)
	if err == nil {
		_, err = in.HTTP.Do(ctx, req)
	}
	now, _, _, rerr := obj.Read(ctx, in.HTTP)
	if err != nil || rerr != nil || now == nil || now[field] != orig {
		pend.Failed(fmt.Sprintf("restoring %s as identity A through %s %s failed", field, op.Method, op.Path))
		return "Restoring it as A FAILED (the report lists it as not undone; the object is plumb's own and is deleted after)."
	}
	pend.Undone()
	return "A then wrote the old value back."
}

// deleteAsB deletes A's object as B and reads it back as A.
func (w *writer) deleteAsB(ctx context.Context, obj *writes.Object, op spec.Operation) error {
	in := w.in
	req := &netx.Request{Method: http.MethodDelete, URL: obj.URL, WithCredentials: true}
	resp, err := w.asB(ctx, op, req)
	if resp == nil {
		return err
	}
	after, rreq, rresp, err := obj.Read(ctx, in.HTTP)
	if err != nil {
		return reqgen.FatalOnly(ctx, err)
	}
	if after != nil || rresp == nil || (rresp.StatusCode != http.StatusNotFound && rresp.StatusCode != http.StatusGone) {
		return nil // still there for A
	}
	obj.Gone()
	w.report(IDObjectWrite, op, fmt.Sprintf("%s %s lets user B delete user A's objects", op.Method, op.Path),
		fmt.Sprintf("Identity A created %s/%s (plumb's own object); identity B's %s answered %d, and A's read-back then answered %d.",
			obj.Create.Path, obj.ID, op.Method, resp.StatusCode, rresp.StatusCode),
		"", in.HTTP.Evidence(obj.ReadReq, obj.ReadResp, nil), in.HTTPB.Evidence(req, resp, nil), in.HTTP.Evidence(rreq, rresp, nil))
	return nil
}

// asB sends req for op as identity B and notes the answer for coverage.
// The answer is nil when the request failed; the error is not nil only
// when the failure ends the scan.
func (w *writer) asB(ctx context.Context, op spec.Operation, req *netx.Request) (*netx.Response, error) {
	resp, err := w.in.HTTPB.Do(ctx, req)
	if err != nil {
		return nil, reqgen.FatalOnly(ctx, err)
	}
	w.in.Coverage.Requested(op, resp.StatusCode)
	return resp, nil
}

// writeAsB sends op with body to u as identity B (see asB).
func (w *writer) writeAsB(ctx context.Context, op spec.Operation, u string, body map[string]any) (*netx.Request, *netx.Response, error) {
	req, err := reqgen.BodyRequest(op, op.Method, u, body, true)
	if err != nil {
		return nil, nil, err
	}
	resp, err := w.asB(ctx, op, req)
	return req, resp, err
}

// markerField picks the property B sets: a string the write operation
// documents, the object has, and that names nothing (no id, owner or
// privilege).
func markerField(op spec.Operation, obj map[string]any) string {
	if op.RequestBody == nil || op.RequestBody.Schema == nil {
		return ""
	}
	var names []string
	for k, s := range op.RequestBody.Schema.Properties {
		if s == nil || s.ReadOnly || (s.Type != "" && s.Type != "string") || len(s.Enum) > 0 || s.Format != "" {
			continue
		}
		if _, isString := obj[k].(string); !isString || identityLike(k) {
			continue
		}
		names = append(names, k)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// documented copies the properties of obj that op's request documents
// (and are not readOnly): a write that changes nothing but the marker.
func documented(op spec.Operation, obj map[string]any) map[string]any {
	out := map[string]any{}
	if op.RequestBody == nil || op.RequestBody.Schema == nil {
		return out
	}
	for k, s := range op.RequestBody.Schema.Properties {
		if v, ok := obj[k]; ok && (s == nil || !s.ReadOnly) {
			out[k] = v
		}
	}
	return out
}

// identityLike names properties that say whose an object is or what it is.
func identityLike(k string) bool {
	switch squash(k) {
	case "id", "uuid", "user", "userid", "username", "owner", "ownerid", "account", "accountid", "customer",
		"customerid", "email", "role", "status", "type", "createdby", "tenant", "tenantid":
		return true
	}
	return false
}

func squash(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || c == '-':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

// report adds one finding per rule and operation (the first proof wins).
func (w *writer) report(id string, op spec.Operation, title, summary, param string, ex ...finding.HTTPExchange) {
	loc := finding.Location{Host: w.in.Target.Host, Method: op.Method, Path: op.Path, Param: param}
	for _, f := range w.fs {
		if f.ID == id && f.Location == loc {
			return
		}
	}
	f := check.New(w.c.Meta(), title, loc)
	f.ID, f.Confidence = id, finding.Confirmed
	for _, r := range writeRules {
		if r.ID == id {
			f.Severity = r.Severity
			if r.CWE != "" {
				f.CWE = r.CWE
			}
		}
	}
	f.Evidence = finding.Evidence{Summary: summary, HTTP: ex}
	f.Remediation = writeRemediation
	w.fs = append(w.fs, f)
}
