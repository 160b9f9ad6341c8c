package reqgen

import (
	"encoding/json"
	"testing"
)

func obj(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLearnThroughEnvelopes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body            string
		id, user, email, role string
	}{
		{"plain", `{"id":7,"username":"carol","email":"c@x.test","role":"user"}`, "7", "carol", "c@x.test", "user"},
		{"data", `{"data":{"id":7,"username":"carol"},"status":"ok"}`, "7", "carol", "", ""},
		{"result", `{"result":{"login":"carol","email":"c@x.test"}}`, "", "carol", "c@x.test", ""},
		{"payload", `{"payload":{"user_id":"u-7","role":"admin"},"meta":{"v":1}}`, "u-7", "", "", "admin"},
		{"json:api", `{"data":{"type":"users","id":"7","attributes":{"username":"carol","role":"user"}},"jsonapi":{"version":"1.0"}}`, "7", "carol", "", "user"},
		{"login answer", `{"data":{"access_token":"tok","token_type":"bearer","user":{"id":7,"username":"carol"}}}`, "7", "carol", "", ""},
		{"item", `{"item":{"sub":"auth0|7","email":"c@x.test"}}`, "auth0|7", "", "c@x.test", ""},
		{"list of one", `[{"id":7,"handle":"carol"}]`, "7", "carol", "", ""},
	} {
		id := Identity{Name: "A"}
		if !id.Learn([]byte(tc.body), "GET /me") {
			t.Errorf("%s: learned nothing from %s", tc.name, tc.body)
			continue
		}
		if id.ID != tc.id || id.Username != tc.user || id.Email != tc.email || id.Role != tc.role || id.From[0] != "GET /me" {
			t.Errorf("%s: got id %q user %q email %q role %q from %v", tc.name, id.ID, id.Username, id.Email, id.Role, id.From)
		}
	}
	var none Identity
	if none.Learn([]byte(`{"auth_token":"tok","status":"success"}`), "the login answer") || none.Known {
		t.Error("a login answer that names nobody taught something")
	}
}

func TestUnwrapLeavesObjectsWithOwnersAlone(t *testing.T) {
	t.Parallel()
	note := obj(t, `{"id":101,"title":"plans","user":{"id":8}}`)
	if got := Unwrap(note); got["id"] != 101.0 {
		t.Errorf("an object with a nested owner was unwrapped to %v", got)
	}
	busy := obj(t, `{"data":{"id":1},"name":"report","size":3}`)
	if got := Unwrap(busy); got["name"] != "report" {
		t.Errorf("an object with a data member was taken for an envelope: %v", got)
	}
}

func TestOwnsThroughEnvelopesAndNestedOwners(t *testing.T) {
	t.Parallel()
	a := Identity{Name: "A", Markers: []string{"7", "carol"}}
	for _, tc := range []struct {
		body string
		want bool
	}{
		{`{"data":{"id":101,"owner_id":7}}`, true},
		{`{"id":101,"owner":{"id":7,"username":"carol"}}`, true},
		{`{"data":{"type":"notes","id":"101","attributes":{"title":"x"},"relationships":{"owner":{"data":{"type":"users","id":"7"}}}}}`, true},
		{`{"id":201,"owner":{"id":8}}`, false},
		{`{"data":{"id":7,"title":"not an owner field"}}`, false},
	} {
		if got := a.Owns(obj(t, tc.body)); got != tc.want {
			t.Errorf("Owns(%s) = %v", tc.body, got)
		}
	}
	if f, v, ok := Owner(obj(t, `{"id":1,"owner":{"id":8}}`)); !ok || f != "owner" || v != "8" {
		t.Errorf("Owner of a nested owner: %q %q %v", f, v, ok)
	}
	items := Objects([]byte(`{"data":[{"type":"notes","id":"1","attributes":{"owner_id":7}}]}`))
	if len(items) != 1 || items[0]["owner_id"] != 7.0 || items[0]["id"] != "1" {
		t.Errorf("JSON:API list items: %v", items)
	}
}
