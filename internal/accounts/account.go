package accounts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/spec"
)

// ErrNoRegistration: the spec documents no registration operation, so
// there is no throw-away account to aim a probe at.
var ErrNoRegistration = errors.New("the spec documents no registration operation")

// Account is a throw-away account plumb registered. Its password joins
// the redactor as soon as it is made up.
type Account struct {
	Username, Email, Password string
	ID                        string       // the id the registration answer gave, if any
	Client                    *netx.Client // logged in as the account; nil without a login operation or when it failed
	Reg                       *netx.Request
	RegResp                   *netx.Response // the registration's answer
	ops                       Ops
	made                      *check.Pending // the registration in the ledger
	gone                      bool           // a probe deleted it
}

// Nonce returns n random bytes in hex.
func Nonce(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// NewPassword makes up a password that passes common rules (length,
// cases, a digit, a symbol) and registers it with the redactor.
func NewPassword(in *check.Input) string {
	pw := "Pl-" + Nonce(8) + "-x9Z"
	in.HTTP.Redactor().Add(pw)
	return pw
}

// Register registers a throw-away account for check, with extra fields
// merged into the body (mass assignment tries privilege fields there),
// and logs it in when the spec has a login operation. The registration
// is in the ledger until Close deletes the account. A registration the
// API refuses returns an Account without Client and with RegResp set, and
// no ledger entry.
func Register(ctx context.Context, in *check.Input, checkID string, extra map[string]any) (*Account, error) {
	ops := Find(in.API)
	if ops.Register == nil {
		return nil, ErrNoRegistration
	}
	op := *ops.Register
	u, ok := in.OperationURL(op)
	if !ok {
		return nil, fmt.Errorf("%s %s: a required header or cookie parameter", op.Method, op.Path)
	}
	a := &Account{Username: "plumb-" + Nonce(4), Password: NewPassword(in), ops: ops}
	a.Email = a.Username + "@example.com" // RFC 2606: nobody receives it
	body := reqgen.BodyFields(op)
	Fill(body, op, a.Username, a.Email, a.Password)
	for k, v := range extra {
		body[k] = v
	}
	req, err := reqgen.BodyRequest(op, http.MethodPost, u, body, false)
	if err != nil {
		return nil, err
	}
	a.made = in.Changes.Made(result.Change{Check: checkID, Operation: op.Method + " " + op.Path, Object: "account " + a.Username,
		Change: "registered a throw-away account (e-mail " + a.Email + ")"})
	resp, err := in.HTTP.Do(ctx, req)
	a.Reg, a.RegResp = req, resp
	if err != nil {
		return a, err
	}
	in.Coverage.Requested(op, resp.StatusCode)
	if !reqgen.OK2xx(resp) {
		a.made.Undone() // refused: nothing was created
		a.made = nil
		return a, nil
	}
	if obj := reqgen.FirstObject(resp.Body); obj != nil {
		if id, ok := obj["id"]; ok {
			a.ID = fmt.Sprint(id)
		}
	}
	if ops.Login != nil {
		if a.Client, _, _, err = a.LogIn(ctx, in, a.Password); err != nil && reqgen.Fatal(ctx, err) {
			return a, err
		}
	}
	return a, nil
}

// RegisterIfAble is Register for probes that can do without the account:
// nil, and no error, when the spec documents no registration operation
// or the API refused it. Other errors are Register's. Close the account
// when done.
func RegisterIfAble(ctx context.Context, in *check.Input, checkID string, extra map[string]any) (*Account, error) {
	a, err := Register(ctx, in, checkID, extra)
	if errors.Is(err, ErrNoRegistration) {
		return nil, nil
	}
	if err != nil || !a.Registered() {
		return nil, err
	}
	return a, nil
}

// Registered reports whether the API created the account.
func (a *Account) Registered() bool { return a != nil && a.made != nil && !a.gone }

// Fill sets the account fields of a body: names, e-mail addresses and
// passwords (confirmations included) of op's request schema.
func Fill(body map[string]any, op spec.Operation, name, email, password string) {
	if op.RequestBody == nil || op.RequestBody.Schema == nil {
		return
	}
	for k := range op.RequestBody.Schema.Properties {
		switch fieldKind(k) {
		case kindName:
			body[k] = name
		case kindEmail:
			body[k] = email
		case kindPassword:
			body[k] = password
		}
	}
}

// LogIn logs the account in with password and returns a client that acts
// as it: the token the answer carries (reqgen.TokenAt), else its cookies.
// The client is nil when the login failed.
func (a *Account) LogIn(ctx context.Context, in *check.Input, password string) (*netx.Client, *netx.Request, *netx.Response, error) {
	req, resp, err := Login(ctx, in, a.ops, a.loginName(), password)
	if err != nil || !reqgen.OK2xx(resp) {
		return nil, req, resp, err
	}
	c, err := SessionClient(in, resp)
	return c, req, resp, err
}

// loginName is what the login operation takes as the name: the username,
// or the e-mail address when its body has no name field.
func (a *Account) loginName() string {
	if a.ops.Login != nil && !bodyKinds(*a.ops.Login)[kindName] {
		return a.Email
	}
	return a.Username
}

// LoginName is loginName for callers that log in by hand.
func (a *Account) LoginName() string { return a.loginName() }

// Login sends the login operation with name and password, without any
// credential.
func Login(ctx context.Context, in *check.Input, ops Ops, name, password string) (*netx.Request, *netx.Response, error) {
	if ops.Login == nil {
		return nil, nil, errors.New("the spec documents no login operation")
	}
	op := *ops.Login
	u, ok := in.OperationURL(op)
	if !ok {
		return nil, nil, fmt.Errorf("%s %s: a required header or cookie parameter", op.Method, op.Path)
	}
	body := reqgen.BodyFields(op)
	Fill(body, op, name, name, password)
	req, err := reqgen.BodyRequest(op, http.MethodPost, u, body, false)
	if err != nil {
		return nil, nil, err
	}
	resp, err := in.HTTP.Do(ctx, req)
	if err == nil {
		in.Coverage.Requested(op, resp.StatusCode)
	}
	return req, resp, err
}

// SessionClient returns a client that sends the session a login answer
// opened: its token as a bearer credential, else its cookies.
func SessionClient(in *check.Input, resp *netx.Response) (*netx.Client, error) {
	if tok, err := reqgen.TokenAt(resp.Body, ""); err == nil {
		in.HTTP.Redactor().Add(tok)
		return in.HTTP.WithIdentity(http.Header{"Authorization": {"Bearer " + tok}})
	}
	var cookies []string
	for _, c := range (&http.Response{Header: resp.Header}).Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
		in.HTTP.Redactor().Add(c.Value)
	}
	if len(cookies) == 0 {
		return nil, errors.New("the login answer carries neither a token nor a cookie")
	}
	return in.HTTP.WithIdentity(http.Header{"Cookie": {strings.Join(cookies, "; ")}})
}

// Close deletes the account as itself (the delete operation on a self
// path, or on its own user path parameter) and settles the ledger: undone
// when the deletion answered 2xx, else listed with why.
func (a *Account) Close(ctx context.Context, in *check.Input) {
	if !a.Registered() {
		return
	}
	why := a.delete(ctx, in)
	if why == "" {
		a.made.Undone()
		return
	}
	a.made.Failed(why)
}

// Forget says the account is gone by other means (a probe deleted it).
func (a *Account) Forget() {
	if a.Registered() {
		a.made.Undone()
		a.gone = true
	}
}

func (a *Account) delete(ctx context.Context, in *check.Input) string {
	op := a.ops.Delete
	switch {
	case op == nil:
		return "the spec documents no operation that deletes an account"
	case a.Client == nil:
		return "plumb could not log the account in to delete it"
	}
	u, ok := a.URL(in, *op)
	if !ok {
		return fmt.Sprintf("%s %s needs a value plumb does not know", op.Method, op.Path)
	}
	resp, err := a.Client.Do(ctx, &netx.Request{Method: http.MethodDelete, URL: u, WithCredentials: true})
	if err != nil {
		return fmt.Sprintf("%s %s failed: %v", op.Method, op.Path, err)
	}
	in.Coverage.Requested(*op, resp.StatusCode)
	if !reqgen.OK2xx(resp) {
		return fmt.Sprintf("%s %s answered %d", op.Method, op.Path, resp.StatusCode)
	}
	return ""
}

// URL builds op's URL with the account in its user path parameter (its
// id for an id parameter, else its name).
func (a *Account) URL(in *check.Input, op spec.Operation) (string, bool) {
	p := UserParam(op)
	if p == "" {
		return in.OperationURL(op)
	}
	v := a.Username
	if l := strings.ToLower(p); strings.HasSuffix(l, "id") && !strings.Contains(l, "name") {
		if a.ID == "" {
			return "", false
		}
		v = a.ID
	} else if strings.Contains(strings.ToLower(p), "mail") {
		v = a.Email
	}
	b, why := reqgen.Build(in.BaseURL(), op, map[string]string{p: v}, nil)
	return b.URL, why == ""
}
