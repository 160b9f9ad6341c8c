// Package accounts finds an API's account operations (registration,
// login, password reset, account deletion) and manages the throw-away
// accounts writes probes act on. plumb never aims a changed password, a
// wrong password, a reset or a deletion at a real user's account, only at
// accounts it registered itself for the purpose; it deletes them
// afterwards, and the report lists any it could not delete.
package accounts

import (
	"net/http"
	"strings"

	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/spec"
)

// Ops are the account operations of an API, as its spec documents them;
// nil when the spec has none.
type Ops struct {
	Register *spec.Operation // POST creating an account (username/e-mail and password in the body)
	Login    *spec.Operation // POST trading a username or e-mail and a password for a session
	Reset    *spec.Operation // POST asking for a password-reset message (an e-mail in the body)
	Delete   *spec.Operation // DELETE of an account: a self path or a user path parameter
}

// Find returns the first operation of each kind, in spec order.
func Find(api *spec.API) Ops {
	var o Ops
	if api == nil {
		return o
	}
	for i := range api.Operations {
		op := &api.Operations[i]
		switch {
		case o.Register == nil && IsRegistration(*op):
			o.Register = op
		case o.Login == nil && IsLogin(*op):
			o.Login = op
		case o.Reset == nil && IsReset(*op):
			o.Reset = op
		case o.Delete == nil && isAccountDelete(*op):
			o.Delete = op
		}
	}
	return o
}

// lastSegment is the lower-case last literal segment of a path.
func lastSegment(path string) string {
	return strings.ToLower(path[strings.LastIndex(path, "/")+1:])
}

// Field kinds of an account body.
const (
	kindName     = "name"
	kindEmail    = "email"
	kindPassword = "password"
)

// fieldKind classifies a body property: the account's name, its e-mail
// address or its password ("" for anything else).
func fieldKind(name string) string {
	l := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(name))
	switch {
	case strings.Contains(l, "password") || l == "passwd" || l == "pwd" || l == "pass":
		if strings.Contains(l, "confirm") || strings.Contains(l, "repeat") || strings.Contains(l, "again") || l == "passwordconfirmation" {
			return kindPassword // a confirmation takes the same value
		}
		if strings.Contains(l, "old") || strings.Contains(l, "current") || strings.Contains(l, "hash") {
			return ""
		}
		return kindPassword
	case strings.Contains(l, "email") || l == "mail":
		return kindEmail
	case l == "username" || l == "login" || l == "user" || l == "name" || l == "handle" || l == "userid" || l == "account":
		return kindName
	}
	return ""
}

// bodyKinds lists which account fields a body schema has.
func bodyKinds(op spec.Operation) map[string]bool {
	out := map[string]bool{}
	if op.RequestBody == nil || op.RequestBody.Schema == nil {
		return out
	}
	for k := range op.RequestBody.Schema.Properties {
		if kind := fieldKind(k); kind != "" {
			out[kind] = true
		}
	}
	return out
}

// IsRegistration reports a POST that creates accounts: a register/signup
// path (or a users collection) whose body names an account and a
// password.
func IsRegistration(op spec.Operation) bool {
	if op.Method != http.MethodPost || strings.HasSuffix(op.Path, "}") {
		return false
	}
	switch lastSegment(op.Path) {
	case "register", "signup", "sign-up", "registration", "users", "accounts", "user":
	default:
		return false
	}
	k := bodyKinds(op)
	return k[kindPassword] && (k[kindName] || k[kindEmail])
}

// IsLogin reports a POST that trades credentials for a session.
func IsLogin(op spec.Operation) bool {
	if op.Method != http.MethodPost {
		return false
	}
	switch lastSegment(op.Path) {
	case "login", "signin", "sign-in", "log-in", "authenticate", "auth", "session", "sessions", "token":
	default:
		return false
	}
	k := bodyKinds(op)
	return k[kindPassword] && (k[kindName] || k[kindEmail])
}

// IsReset reports a POST asking for a password reset by e-mail or name.
func IsReset(op spec.Operation) bool {
	if op.Method != http.MethodPost {
		return false
	}
	p := strings.ToLower(op.Path)
	if !strings.Contains(p, "reset") && !strings.Contains(p, "forgot") && !strings.Contains(p, "recover") {
		return false
	}
	k := bodyKinds(op)
	return (k[kindEmail] || k[kindName]) && !k[kindPassword]
}

// isAccountDelete reports a DELETE of an account: a self path (/account,
// /me) or a path parameter naming a user under a users collection.
func isAccountDelete(op spec.Operation) bool {
	if op.Method != http.MethodDelete {
		return false
	}
	if reqgen.IsSelf(op.Path) {
		return true
	}
	return userParam(op) != ""
}

// userParam is the path parameter of op naming a user (the last one, in
// /users/{username} or /accounts/{id}), or "".
func userParam(op spec.Operation) string {
	segs := strings.Split(op.Path, "/")
	n := len(segs)
	if n < 2 || !strings.HasPrefix(segs[n-1], "{") {
		return ""
	}
	name := strings.Trim(segs[n-1], "{}")
	coll := strings.ToLower(segs[n-2])
	switch coll {
	case "users", "user", "accounts", "account", "members", "customers", "profiles":
		return name
	}
	return ""
}

// UserParam is the path parameter of an operation on /users/{…} (or
// /accounts/{…}, …) followed by at most one literal segment
// (/users/{username}/email), or "".
func UserParam(op spec.Operation) string {
	segs := strings.Split(op.Path, "/")
	for i := len(segs) - 1; i >= 1 && i >= len(segs)-2; i-- {
		if strings.HasPrefix(segs[i], "{") {
			p := strings.Join(segs[:i+1], "/")
			return userParam(spec.Operation{Path: p})
		}
	}
	return ""
}
