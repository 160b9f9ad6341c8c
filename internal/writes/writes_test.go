package writes

import (
	"testing"

	"github.com/plumbsec/plumb/internal/spec"
)

func TestNamesAndPaths(t *testing.T) {
	t.Parallel()
	n := NamesOf([]Record{{Obj: map[string]any{"user_name": "alice", "Email": "a@example.com", "id": 7.0, "bio": "x"}}})
	if n.Username != "alice" || n.Email != "a@example.com" || n.ID != "7" {
		t.Fatalf("NamesOf = %+v", n)
	}
	for param, want := range map[string]string{"username": "alice", "userId": "7", "email": "a@example.com", "user": "alice"} {
		if got := n.For(param); got != want {
			t.Errorf("For(%s) = %q, want %q", param, got, want)
		}
	}
	if Path("https://h.example/a/b?token=x") != "/a/b" || Path("/x?y") != "/x" || PathParam("/o/{id}") != "id" {
		t.Error("Path/PathParam")
	}
	api := &spec.API{Operations: []spec.Operation{
		{Method: "POST", Path: "/orders"}, {Method: "GET", Path: "/orders/{id}"}, {Method: "DELETE", Path: "/orders/{id}"},
		{Method: "GET", Path: "/orders/{id}/items/{item}"}, {Method: "POST", Path: "/login", RequestBody: &spec.Body{Schema: &spec.Schema{
			Properties: map[string]*spec.Schema{"username": {}, "password": {}}}}},
	}}
	if d := Detail(api, api.Operations[0]); d == nil || d.Path != "/orders/{id}" {
		t.Errorf("Detail = %+v", d)
	}
	if d := Detail(api, api.Operations[4]); d != nil {
		t.Errorf("a login has no detail: %+v", d)
	}
	if On(api, api.Operations[1], "DELETE") == nil || On(api, api.Operations[1], "PUT") != nil {
		t.Error("On")
	}
}

// The role ranking is data with samples (the privilege-values pack); this
// checks how an enum is read: the top value, ties to the first, and an
// unknown value between users and staff.
func TestRanks(t *testing.T) {
	t.Parallel()
	rs, err := LoadRanks()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		enum []any
		want string
	}{
		{[]any{"Chef", "Employee", "Customer"}, "Chef"},
		{[]any{"customer", "employee", "manager"}, "manager"},
		{[]any{"viewer", "editor", "owner", "admin"}, "owner"},
		{[]any{"user", "wizard"}, "wizard"},
		{[]any{1.0, "guest"}, "guest"},
	} {
		if got, ok := rs.Top(tc.enum); !ok || got != tc.want {
			t.Errorf("Top(%v) = %q, want %q", tc.enum, got, tc.want)
		}
	}
	if _, ok := rs.Top([]any{1.0, 2.0}); ok {
		t.Error("an enum without strings has no top role")
	}
}
