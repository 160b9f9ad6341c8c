package reqgen

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/spec"
)

func ptr[T any](v T) *T { return &v }

func TestParamValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p    spec.Param
		want string
	}{
		{spec.Param{Example: 7}, "7"},
		{spec.Param{Schema: &spec.Schema{Type: "integer", Example: float64(12)}}, "12"},
		{spec.Param{Schema: &spec.Schema{Type: "string", Enum: []any{"open", "closed"}}}, "open"},
		{spec.Param{Schema: &spec.Schema{Type: "string", Default: "asc"}}, "asc"},
		{spec.Param{Schema: &spec.Schema{Type: "integer", Minimum: ptr(10.0)}}, "10"},
		{spec.Param{Schema: &spec.Schema{Type: "integer", Maximum: ptr(0.0)}}, "0"},
		{spec.Param{Schema: &spec.Schema{Type: "string", Format: "uuid"}}, "00000000-0000-4000-8000-000000000001"},
		{spec.Param{Schema: &spec.Schema{Type: "string", Format: "email"}}, "plumb@example.com"},
		{spec.Param{Schema: &spec.Schema{Type: "string", MinLength: ptr(int64(8))}}, "plumbxxx"},
		{spec.Param{Schema: &spec.Schema{Type: "string", MaxLength: ptr(int64(2))}}, "pl"},
		{spec.Param{Schema: &spec.Schema{Type: "boolean"}}, "true"},
		{spec.Param{}, "1"},
	} {
		if got := ParamValue(tc.p); got != tc.want {
			t.Errorf("ParamValue(%+v) = %q, want %q", tc.p.Schema, got, tc.want)
		}
	}
}

func TestValueBodiesAreFiniteOnRecursiveSchemas(t *testing.T) {
	t.Parallel()
	node := &spec.Schema{Type: "object", Properties: map[string]*spec.Schema{"name": {Type: "string"}}}
	node.Properties["child"] = node
	node.Properties["tags"] = &spec.Schema{Type: "array", Items: &spec.Schema{Type: "string", Format: "hostname"}}
	v, ok := Value(node).(map[string]any)
	if !ok || v["name"] != "plumb" || v["tags"].([]any)[0] != "example.com" {
		t.Fatalf("Value = %#v", v)
	}
	if _, has := v["child"]; has {
		t.Errorf("a recursive property was expanded: %#v", v)
	}
}

// List → detail: the ids of a list operation's items feed the detail
// operation's path parameter, the caller's own objects first.
func TestHarvestAndBuild(t *testing.T) {
	t.Parallel()
	p := &Pool{}
	p.Harvest("/api/v1/orders", []byte(`{"orders":[{"id":2,"user":"bob"},{"id":3,"user":"alice"}]}`))
	p.Harvest("/api/v1/users", []byte(`[{"username":"bob"},{"username":"alice"}]`))
	c := p.Candidates("/api/v1/orders/{id}", "id")
	if len(c) != 2 || c[0].Value != "2" || c[1].Value != "3" {
		t.Fatalf("candidates %+v", c)
	}
	if c := p.Candidates("/api/v1/orders/{order_id}/items", "order_id"); len(c) != 2 {
		t.Errorf("order_id from the parent's id: %+v", c)
	}
	if c := p.Candidates("/api/v2/people/{username}", "username"); len(c) != 2 || c[0].Value != "bob" {
		t.Errorf("username from any list: %+v", c)
	}
	if c := p.Candidates("/api/v1/books/{id}", "id"); len(c) != 0 {
		t.Errorf("ids of another collection leaked into /books: %+v", c)
	}
	cp := &Corpus{Pool: p, A: Identity{Markers: []string{"alice"}}}
	op := spec.Operation{Method: "GET", Path: "/api/v1/orders/{id}", Params: []spec.Param{
		{Name: "id", In: "path", Required: true, Schema: &spec.Schema{Type: "integer"}},
		{Name: "expand", In: "query", Required: true, Schema: &spec.Schema{Type: "string", Enum: []any{"items"}}},
		{Name: "trace", In: "query", Schema: &spec.Schema{Type: "string"}},
	}}
	base, _ := url.Parse("https://api.example.com/base/")
	b, why := Build(base, op, nil, cp.pick(op))
	if why != "" || b.URL != "https://api.example.com/base/api/v1/orders/3?expand=items" || b.Values["id"] != "3" {
		t.Errorf("Build = %+v %q", b, why)
	}
	// An override varies one parameter and sends an optional query one.
	b, _ = Build(base, op, map[string]string{"id": "x y", "trace": "on"}, nil)
	if b.URL != "https://api.example.com/base/api/v1/orders/x%20y?expand=items&trace=on" {
		t.Errorf("Build with override = %s", b.URL)
	}
	b, _ = Build(base, op, map[string]string{"id": `a/b'")`}, nil)
	if b.URL != "https://api.example.com/base/api/v1/orders/a%2Fb%27%22%29?expand=items" {
		t.Errorf("a value is escaped once: %s", b.URL)
	}
	op.Params = append(op.Params, spec.Param{Name: "X-Tenant", In: "header", Required: true})
	if _, why := Build(base, op, nil, nil); !strings.Contains(why, "X-Tenant") {
		t.Errorf("required header: %q", why)
	}
}

func TestIdentity(t *testing.T) {
	t.Parallel()
	var id Identity
	id.LearnSelf([]byte(`{"username":"alice","email":"alice@example.com","role":"user","id":7,"bio":"x"}`))
	if !id.Known || id.Privileged == nil || *id.Privileged || len(id.Markers) != 3 {
		t.Fatalf("identity %+v", id)
	}
	if !id.Owns(map[string]any{"user": "alice", "id": 1.0}) || !id.Owns(map[string]any{"user_id": 7.0}) {
		t.Error("alice's objects not recognised")
	}
	if id.Owns(map[string]any{"user": "bob", "title": "alice"}) {
		t.Error("a non-owner field decided ownership")
	}
	var adm Identity
	adm.LearnSelf([]byte(`{"username":"root","roles":["reader","ADMIN"]}`))
	if adm.Privileged == nil || !*adm.Privileged {
		t.Errorf("admin not recognised: %+v", adm)
	}
	for path, want := range map[string]bool{"/api/v1/me": true, "/account": true, "/users/{id}": false, "/api/v1/orders": false} {
		if IsSelf(path) != want {
			t.Errorf("IsSelf(%s) = %v", path, !want)
		}
	}
}

func TestSameBody(t *testing.T) {
	t.Parallel()
	if !SameBody([]byte(`{"a":1,"b":[2]}`), []byte("{\n  \"b\": [2],\n  \"a\": 1\n}")) {
		t.Error("key order and whitespace should not matter")
	}
	if SameBody([]byte(`{"a":1}`), []byte(`{"a":2}`)) || !SameBody([]byte("ok \n"), []byte("ok")) {
		t.Error("SameBody wrong")
	}
}

func seeds(t testing.TB) [][]byte {
	t.Helper()
	files, _ := filepath.Glob("testdata/fuzz-seeds/*")
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		t.Fatal("no fuzz seeds in testdata/fuzz-seeds: the corpus went missing")
	}
	return out
}

// Response bodies are untrusted: harvesting, identity learning and
// candidate lookup never panic and stay bounded.
func FuzzHarvest(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p := &Pool{}
		items := p.Harvest("/x", body)
		if len(items) > maxItemsPerSource {
			t.Fatalf("%d items kept", len(items))
		}
		_ = p.Candidates("/x/{id}", "id")
		var id Identity
		id.LearnSelf(body)
		for _, it := range items {
			_ = id.Owns(it.Fields)
			_, _, _ = Owner(it.Fields)
			_, _ = PrivilegeOf(it.Fields)
		}
		_ = SameBody(body, body)
	})
}
