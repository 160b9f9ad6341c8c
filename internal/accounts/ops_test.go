package accounts

import (
	"testing"

	"github.com/plumbsec/plumb/internal/spec"
)

func body(props ...string) *spec.Body {
	s := &spec.Schema{Type: "object", Properties: map[string]*spec.Schema{}}
	for _, p := range props {
		s.Properties[p] = &spec.Schema{Type: "string"}
	}
	return &spec.Body{ContentTypes: []string{"application/json"}, Schema: s}
}

func TestOperationKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		op                     spec.Operation
		register, login, reset bool
	}{
		{spec.Operation{Method: "POST", Path: "/api/v1/register", RequestBody: body("username", "password", "email")}, true, false, false},
		{spec.Operation{Method: "POST", Path: "/users", RequestBody: body("email", "password", "password_confirmation")}, true, false, false},
		{spec.Operation{Method: "POST", Path: "/users", RequestBody: body("name", "bio")}, false, false, false},
		{spec.Operation{Method: "POST", Path: "/auth/login", RequestBody: body("username", "password")}, false, true, false},
		{spec.Operation{Method: "POST", Path: "/oauth/token", RequestBody: body("grant_type", "client_id")}, false, false, false},
		{spec.Operation{Method: "POST", Path: "/password/forgot", RequestBody: body("email")}, false, false, true},
		{spec.Operation{Method: "POST", Path: "/password/reset", RequestBody: body("token", "password")}, false, false, false},
		{spec.Operation{Method: "GET", Path: "/login", RequestBody: body("username", "password")}, false, false, false},
	} {
		if IsRegistration(tc.op) != tc.register || IsLogin(tc.op) != tc.login || IsReset(tc.op) != tc.reset {
			t.Errorf("%s %s: register %v login %v reset %v", tc.op.Method, tc.op.Path, IsRegistration(tc.op), IsLogin(tc.op), IsReset(tc.op))
		}
	}
	for path, want := range map[string]string{
		"/api/v1/users/{username}":          "username",
		"/api/v1/users/{username}/password": "username",
		"/accounts/{id}/email":              "id",
		"/orders/{id}":                      "",
		"/users/{id}/orders/{orderId}":      "",
		"/me":                               "",
	} {
		if got := UserParam(spec.Operation{Path: path}); got != want {
			t.Errorf("UserParam(%s) = %q, want %q", path, got, want)
		}
	}
	for name, want := range map[string]string{"user_name": kindName, "Email": kindEmail, "newPassword": kindPassword,
		"current_password": "", "password_hash": "", "bio": ""} {
		if got := fieldKind(name); got != want {
			t.Errorf("fieldKind(%s) = %q, want %q", name, got, want)
		}
	}
}

func TestFillSetsAccountFieldsOnly(t *testing.T) {
	t.Parallel()
	op := spec.Operation{RequestBody: body("username", "email", "password", "password_confirm", "bio")}
	b := map[string]any{"bio": "keep"}
	Fill(b, op, "n", "e@example.com", "p")
	if b["username"] != "n" || b["email"] != "e@example.com" || b["password"] != "p" || b["password_confirm"] != "p" || b["bio"] != "keep" {
		t.Errorf("Fill = %v", b)
	}
}
