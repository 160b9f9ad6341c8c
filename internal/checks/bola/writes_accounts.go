package bola

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/accounts"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/spec"
	"github.com/plumbsec/plumb/internal/writes"
)

// accountOp is a write on accounts and what it changes.
type accountOp struct {
	op       spec.Operation
	param    string // the user path parameter, or "" for a self path with a selector in the body
	selector string // the body property naming the account (self paths)
	kind     string // "email", "password" or "delete"
}

// accountOps lists the account writes of the spec: PUT/PATCH/POST on
// /users/{user}/email|password (or a body with that field), self
// operations whose body names a user and an e-mail address, and DELETE
// of /users/{user}. Role changes are the BFLA check's.
func accountOps(api *spec.API) []accountOp {
	var out []accountOp
	for _, op := range api.Operations {
		param := accounts.UserParam(op)
		switch op.Method {
		case http.MethodDelete:
			if param != "" && strings.HasSuffix(op.Path, "}") {
				out = append(out, accountOp{op: op, param: param, kind: "delete"})
			}
			continue
		case http.MethodPut, http.MethodPatch, http.MethodPost:
		default:
			continue
		}
		props := bodyProps(op)
		last := strings.ToLower(op.Path[strings.LastIndex(op.Path, "/")+1:])
		switch {
		case param != "" && (last == "password" || hasKind(props, "password")):
			out = append(out, accountOp{op: op, param: param, kind: "password"})
		case param != "" && (last == "email" || hasKind(props, "email")):
			out = append(out, accountOp{op: op, param: param, kind: "email"})
		case param == "" && reqgen.IsSelf(op.Path) && hasKind(props, "email"):
			if sel := selectorOf(props); sel != "" {
				out = append(out, accountOp{op: op, selector: sel, kind: "email"})
			}
		}
	}
	// Deletions last: the throw-away account serves the password probe first.
	slices.SortStableFunc(out, func(a, b accountOp) int {
		return cmp.Compare(b2i(a.kind == "delete"), b2i(b.kind == "delete"))
	})
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func bodyProps(op spec.Operation) map[string]*spec.Schema {
	if op.RequestBody == nil || op.RequestBody.Schema == nil {
		return nil
	}
	return op.RequestBody.Schema.Properties
}

func hasKind(props map[string]*spec.Schema, kind string) bool {
	for k := range props {
		if strings.Contains(squash(k), kind) && !strings.Contains(squash(k), "old") && !strings.Contains(squash(k), "current") {
			return true
		}
	}
	return false
}

// selectorOf is the body property of a self operation that names whose
// record it is (username, user_id, …).
func selectorOf(props map[string]*spec.Schema) string {
	for k := range props {
		switch squash(k) {
		case "username", "user", "userid", "login", "accountid", "account", "handle":
			return k
		}
	}
	return ""
}

// accounts probes the account writes.
func (w *writer) accounts(ctx context.Context) error {
	ops := accountOps(w.in.API)
	if len(ops) == 0 {
		return nil
	}
	recs, err := writes.Self(ctx, w.in.HTTP, w.cp)
	if err != nil {
		return err
	}
	names := writes.NamesOf(recs)
	var tw *accounts.Account // the throw-away account, registered on first need
	defer func() {
		if tw != nil {
			tw.Close(ctx, w.in)
		}
	}()
	for _, ao := range ops {
		var err error
		switch ao.kind {
		case "email":
			err = w.takeEmail(ctx, ao, recs, names)
		case "password", "delete":
			if tw == nil {
				if tw, err = accounts.RegisterIfAble(ctx, w.in, IDAccountTakeover, nil); err != nil || tw == nil || tw.Client == nil {
					w.in.Coverage.Skip(ao.op, "needs a throw-away account (a registration and a login operation)")
					tw = nil
					if err = reqgen.FatalOnly(ctx, err); err != nil {
						return err
					}
					continue
				}
			}
			if ao.kind == "password" {
				err = w.takePassword(ctx, ao, tw)
			} else if err = w.deleteAccount(ctx, ao, tw); err == nil && !tw.Registered() {
				tw = nil
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// takeEmail sets A's e-mail address as B, reads A's records, and restores
// the address as A.
func (w *writer) takeEmail(ctx context.Context, ao accountOp, recs []writes.Record, names writes.Names) error {
	in := w.in
	orig, rec := writes.Field(recs, "email")
	origS, ok := orig.(string)
	if !ok || rec == nil {
		return nil // plumb cannot read A's address back
	}
	who := names.Username
	if ao.param != "" {
		who = names.For(ao.param)
	}
	if who == "" {
		return nil
	}
	marker := writes.Marker(w.nonc()) + "@example.com"
	u, body := w.accountRequest(ao, rec.Obj, who, "email", marker)
	if u == "" {
		return nil
	}
	pend := in.Changes.Made(result.Change{Check: IDAccountTakeover, Operation: ao.op.Method + " " + ao.op.Path,
		Object: "identity A's account (" + who + ")", Change: "identity B set its e-mail address to " + marker})
	req, resp, err := w.writeAsB(ctx, ao.op, u, body)
	if resp == nil {
		return err
	}
	after, err := writes.Self(ctx, in.HTTP, w.cp)
	if err != nil {
		return err
	}
	now, nrec := writes.Field(after, "email")
	if now != marker {
		pend.Undone()
		return nil
	}
	restored := w.restoreEmail(ctx, ao, rec.Obj, who, origS, pend)
	w.report(IDAccountTakeover, ao.op, fmt.Sprintf("%s %s lets user B change user A's e-mail address", ao.op.Method, ao.op.Path),
		fmt.Sprintf("Identity B sent %s %s naming identity A (%s) with the e-mail address %s (answered %d); A's own record "+
			"(%s) then read that address. A password reset would now go to B. %s", ao.op.Method, ao.op.Path, who, marker,
			resp.StatusCode, writes.Path(nrec.URL), restored),
		firstNonEmpty(ao.param, ao.selector), in.HTTP.Evidence(rec.Req, rec.Resp, nil), in.HTTPB.Evidence(req, resp, nil), in.HTTP.Evidence(nrec.Req, nrec.Resp, nil))
	return nil
}

// restoreEmail puts A's address back as A through the same operation.
func (w *writer) restoreEmail(ctx context.Context, ao accountOp, record map[string]any, who, orig string, pend *check.Pending) string {
	in := w.in
	u, body := w.accountRequest(ao, record, who, "email", orig)
	req, err := reqgen.BodyRequest(ao.op, ao.op.Method, u, body, true)
	if err == nil {
		_, err = in.HTTP.Do(ctx, req)
	}
	recs, rerr := writes.Self(ctx, in.HTTP, w.cp)
	if now, _ := writes.Field(recs, "email"); err != nil || rerr != nil || now != orig {
		pend.Failed("restoring A's e-mail address as A failed; set it back to " + orig)
		return "Restoring the address as A FAILED: the report lists the change as not undone."
	}
	pend.Undone()
	return "A then set its address back."
}

// takePassword sets the throw-away account's password as B and logs in
// with the new one.
func (w *writer) takePassword(ctx context.Context, ao accountOp, tw *accounts.Account) error {
	in := w.in
	u, ok := tw.URL(in, ao.op)
	if !ok {
		return nil
	}
	newPW := accounts.NewPassword(in)
	body := reqgen.BodyFields(ao.op)
	accounts.Fill(body, ao.op, tw.Username, tw.Email, newPW)
	pend := in.Changes.Made(result.Change{Check: IDAccountTakeover, Operation: ao.op.Method + " " + ao.op.Path,
		Object: "account " + tw.Username + " (plumb's throw-away)", Change: "identity B changed its password"})
	req, resp, err := w.writeAsB(ctx, ao.op, u, body)
	if resp == nil {
		return err
	}
	pend.Undone() // the account is plumb's own and is deleted when the check ends
	_, lreq, lresp, err := tw.LogIn(ctx, in, newPW)
	if err != nil || !reqgen.OK2xx(lresp) {
		return reqgen.FatalOnly(ctx, err)
	}
	w.report(IDAccountTakeover, ao.op, fmt.Sprintf("%s %s lets user B change another user's password", ao.op.Method, ao.op.Path),
		fmt.Sprintf("plumb registered the throw-away account %s; identity B sent %s %s for it with a new password (answered %d), "+
			"and a login as %s with that password then succeeded (%d): any user can take any account over. plumb deletes the "+
			"throw-away account afterwards.", tw.Username, ao.op.Method, ao.op.Path, resp.StatusCode, tw.Username, lresp.StatusCode),
		ao.param, in.HTTPB.Evidence(req, resp, nil), in.HTTP.Evidence(lreq, lresp, nil))
	return nil
}

// deleteAccount closes the throw-away account as B and checks it is gone
// (its own client no longer reads its record, or its login fails).
func (w *writer) deleteAccount(ctx context.Context, ao accountOp, tw *accounts.Account) error {
	in := w.in
	u, ok := tw.URL(in, ao.op)
	if !ok {
		return nil
	}
	req := &netx.Request{Method: http.MethodDelete, URL: u, WithCredentials: true}
	resp, err := w.asB(ctx, ao.op, req)
	if resp == nil {
		return err
	}
	if !reqgen.OK2xx(resp) {
		return nil
	}
	_, lreq, lresp, err := tw.LogIn(ctx, in, tw.Password)
	if err != nil || lresp == nil || reqgen.OK2xx(lresp) {
		return reqgen.FatalOnly(ctx, err) // it can still log in: not deleted (or its password changed)
	}
	tw.Forget()
	w.report(IDObjectWrite, ao.op, fmt.Sprintf("%s %s lets user B delete another user's account", ao.op.Method, ao.op.Path),
		fmt.Sprintf("plumb registered the throw-away account %s; identity B's %s %s answered %d, and the account's own login "+
			"then failed (%d): any user can close any account.", tw.Username, ao.op.Method, ao.op.Path, resp.StatusCode, lresp.StatusCode),
		ao.param, in.HTTPB.Evidence(req, resp, nil), in.HTTP.Evidence(lreq, lresp, nil))
	return nil
}

// accountRequest builds the URL and body of an account write naming who
// (in the path parameter or the body selector) with field set to value;
// the other documented properties keep the values of A's record, so the
// write changes nothing else.
func (w *writer) accountRequest(ao accountOp, record map[string]any, who, field, value string) (string, map[string]any) {
	body := documented(ao.op, record)
	for k := range bodyProps(ao.op) {
		if strings.Contains(squash(k), field) {
			body[k] = value
		}
	}
	if ao.param == "" {
		body[ao.selector] = who
		u, ok := w.in.OperationURL(ao.op)
		if !ok {
			return "", nil
		}
		return u, body
	}
	b, why := reqgen.Build(w.in.BaseURL(), ao.op, map[string]string{ao.param: who}, nil)
	if why != "" {
		return "", nil
	}
	return b.URL, body
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
