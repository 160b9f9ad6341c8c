package graphql

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		ok   bool
	}{
		{`{"data":{"__typename":"Query"}}`, true},
		{`{"errors":[{"message":"Syntax Error"}]}`, true},
		{`{"data":null,"errors":[{"message":"x"}]}`, true},
		{`{"errors":[{"status":"404","title":"Not Found"}]}`, false}, // JSON:API
		{`{"error":"not found"}`, false},
		{`[1,2]`, false},
		{`<html>`, false},
		{``, false},
	}
	for _, tt := range tests {
		if _, ok := Parse([]byte(tt.body)); ok != tt.ok {
			t.Errorf("Parse(%s) ok=%v", tt.body, ok)
		}
	}
	r, _ := Parse([]byte(`{"data":{"a":"Query","b":null,"__typename":"Q"},"errors":[{"message":"m","extensions":{"code":"C"}}]}`))
	if n, _ := r.Typename("a"); n != "Query" || r.FieldCount() != 2 || r.Field("b") != nil || r.Errors[0].Code() != "C" {
		t.Errorf("accessors: %+v", r)
	}
	if bs, ok := ParseBatch([]byte(`[{"data":{"__typename":"Query"}},{"data":{"__typename":"Query"}}]`)); !ok || len(bs) != 2 {
		t.Errorf("batch: %v %v", bs, ok)
	}
	if _, ok := ParseBatch([]byte(`[{"data":{}},{"nope":1}]`)); ok {
		t.Error("a batch with a non-GraphQL element is not a batch answer")
	}
}

func TestFacts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		msg  string
		want []Fact
	}{
		{`Cannot query field "usr" on type "Query". Did you mean "user" or "users"?`,
			[]Fact{{Kind: FactSuggestion, Parent: "Query", Field: "usr", Names: []string{"user", "users"}}}},
		{`Cannot query field 'usr' on type 'Query'. Did you mean 'user'?`,
			[]Fact{{Kind: FactSuggestion, Parent: "Query", Field: "usr", Names: []string{"user"}}}},
		{`Cannot query field "a" on type "Q". Did you mean "b", "c", or "d"?`,
			[]Fact{{Kind: FactSuggestion, Parent: "Q", Field: "a", Names: []string{"b", "c", "d"}}}},
		{`Cannot query field "usr" on type "Query".`, nil},
		{`Cannot query field "x" on type "Node". Did you mean to use an inline fragment on "User"?`, nil},
		{`Field "user" of type "User" must have a selection of subfields. Did you mean "user { ... }"?`,
			[]Fact{{Kind: FactObject, Field: "user", Type: "User"}}},
		{`Field "orders" of type "[Order!]!" must have a selection of subfields.`,
			[]Fact{{Kind: FactObject, Field: "orders", Type: "[Order!]!"}}},
		{`Field "name" must not have a selection since type "String!" has no subfields.`,
			[]Fact{{Kind: FactLeaf, Field: "name", Type: "String!"}}},
		{`Field "user" argument "id" of type "ID!" is required, but it was not provided.`,
			[]Fact{{Kind: FactArg, Field: "user", Arg: "id", Type: "ID!"}}},
		{`Unknown argument "idd" on field "Query.user". Did you mean "id"?`,
			[]Fact{{Kind: FactArgSuggestion, Parent: "Query", Field: "user", Names: []string{"id"}}}},
		{`Syntax Error: Unexpected Name "queryy".`, nil},
	}
	for _, tt := range tests {
		got := Facts(tt.msg)
		if len(got) != len(tt.want) {
			t.Errorf("Facts(%q) = %+v, want %+v", tt.msg, got, tt.want)
			continue
		}
		for i := range got {
			g, w := got[i], tt.want[i]
			if g.Kind != w.Kind || g.Parent != w.Parent || g.Field != w.Field || g.Type != w.Type || g.Arg != w.Arg || !slices.Equal(g.Names, w.Names) {
				t.Errorf("Facts(%q)[%d] = %+v, want %+v", tt.msg, i, g, w)
			}
		}
	}
	if NamedType("[[User!]!]") != "User" {
		t.Error("NamedType")
	}
}

// Whole answers of each engine are identified through the graphql-engines
// pack (whose own samples internal/rules runs).
func TestIdentify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typename, syntax, want string
	}{
		{`{"data":{"__typename":"query_root"}}`, `{"errors":[{"message":"x"}]}`, "Hasura"},
		{`{"data":{"__typename":"Query"}}`, `{"errors":[{"message":"Syntax Error: Unexpected Name \"queryy\".","locations":[{"line":1,"column":1}],"extensions":{"code":"GRAPHQL_PARSE_FAILED"}}]}`, "Apollo Server"},
		{`{"data":{"__typename":"Query"}}`, `{"errors":[{"message":"Syntax Error: Unexpected Name \"queryy\".","locations":[{"line":1,"column":1}]}]}`, "graphql-js (graphql-yoga, express-graphql, graphql-http, …)"},
		{`{"data":{"__typename":"Query"}}`, `{"errors":[{"message":"Unexpected Name \"queryy\"","extensions":{"code":"GRAPHQL_PARSE_FAILED"}}],"data":null}`, "gqlgen (Go, gqlparser)"},
		{`{"data":{"__typename":"Query"}}`, `{"data":null,"errors":[{"message":"Syntax Error: Unexpected Name 'queryy'."}]}`, "graphql-core 3 (Python: Graphene 3, Strawberry, Ariadne)"},
		{`{"data":{"__typename":"Query"}}`, `{"errors":[{"message":"Invalid Syntax : offending token 'queryy' at line 1 column 1"}]}`, "graphql-java"},
		{`{"data":{"__typename":"Query"}}`, `{"errors":[{"message":"something else"}]}`, ""},
	}
	for _, tt := range tests {
		a, _ := Parse([]byte(tt.typename))
		b, _ := Parse([]byte(tt.syntax))
		got, _, _ := Identify(map[Probe]*Response{ProbeTypename: a, ProbeSyntax: b})
		if got != tt.want {
			t.Errorf("Identify(%s) = %q, want %q", tt.syntax, got, tt.want)
		}
	}
}

const testSDL = `
type Query { me: User  user(id: ID!): User  users: [User!]!  books(first: Int): [Book!]! }
type Mutation { cancelOrder(id: ID!): Order }
type User { id: ID! username: String! email: String! password: String orders: [Order!]! }
type Order { id: ID! total: Float! user: User! }
type Book { id: ID! title: String! }
`

// fakeServer answers like a graphql-js-style server with suggestions on.
func fakeServer(t *testing.T, sdl string) (Sender, *int) {
	s, err := gqlparser.LoadSchema(&ast.Source{Input: sdl})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	return func(_ context.Context, doc string) (*Response, error) {
		n++
		d, err := parser.ParseQuery(&ast.Source{Input: doc})
		if err != nil {
			t.Fatalf("plumb sent an unparsable document %q: %v", doc, err)
		}
		r := &Response{}
		for _, e := range validator.ValidateWithRules(s, d, rules.NewDefaultRules()) {
			r.Errors = append(r.Errors, Error{Message: e.Message})
		}
		for _, op := range d.Operations {
			if op.Operation != ast.Query {
				t.Errorf("reconstruction sent a %s", op.Operation)
			}
		}
		return r, nil
	}, &n
}

func TestReconstruct(t *testing.T) {
	t.Parallel()
	send, n := fakeServer(t, testSDL)
	r, err := Reconstruct(context.Background(), send, 8)
	if err != nil {
		t.Fatal(err)
	}
	if *n > 8 {
		t.Errorf("%d requests, budget 8", *n)
	}
	s, err := r.Schema()
	if err != nil {
		t.Fatalf("%v\n%+v", err, r)
	}
	q := s.Query
	for _, f := range []string{"me", "user", "users", "books"} {
		if q.Fields.ForName(f) == nil {
			t.Errorf("Query.%s not rebuilt; SDL:\n%s", f, s.SDL)
		}
	}
	if f := q.Fields.ForName("user"); f == nil || f.Type.Name() != "User" || f.Arguments.ForName("id") == nil {
		t.Errorf("user(id: ID!): User not rebuilt:\n%s", s.SDL)
	}
	if u := s.Types["User"]; u == nil || u.Fields.ForName("password") == nil || u.Fields.ForName("email") == nil {
		t.Errorf("User's fields not rebuilt:\n%s", s.SDL)
	}
	if r.Evidence == "" || len(r.Suggested) == 0 {
		t.Errorf("no evidence: %+v", r)
	}
	// Without suggestions there is nothing to rebuild, after one request.
	quiet := func(context.Context, string) (*Response, error) {
		return &Response{Errors: []Error{{Message: `Cannot query field "user" on type "Query".`}}}, nil
	}
	if _, err := Reconstruct(context.Background(), quiet, 8); !errors.Is(err, ErrNoSuggestions) {
		t.Errorf("quiet server: %v", err)
	}
}

func TestFromIntrospectionTolerates(t *testing.T) {
	t.Parallel()
	// A field naming a type that is not defined is dropped, and the object
	// left without fields becomes an opaque scalar.
	body := `{"data":{"__schema":{"queryType":{"name":"Query"},"types":[
	  {"kind":"OBJECT","name":"Query","fields":[
	    {"name":"a","args":[],"type":{"kind":"NAMED","name":"Ghost"}},
	    {"name":"b","args":[],"type":{"kind":"OBJECT","name":"Empty"}},
	    {"name":"bad name","args":[],"type":{"kind":"SCALAR","name":"String"}},
	    {"name":"c","args":[{"name":"x","type":{"kind":"NON_NULL","ofType":{"kind":"INPUT_OBJECT","name":"Ghost"}}}],"type":{"kind":"SCALAR","name":"String"}},
	    {"name":"d","args":[],"type":{"kind":"NON_NULL","ofType":{"kind":"LIST","ofType":{"kind":"SCALAR","name":"String"}}}}]},
	  {"kind":"OBJECT","name":"Empty","fields":[{"name":"x","args":[],"type":{"kind":"OBJECT","name":"Nope"}}]}]}}}`
	s, err := FromIntrospection([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	q := s.Query
	if q == nil || q.Fields.ForName("a") != nil || q.Fields.ForName("c") != nil || q.Fields.ForName("b") == nil || q.Fields.ForName("d") == nil {
		t.Fatalf("SDL:\n%s", s.SDL)
	}
	if s.Types["Empty"].Kind != ast.Scalar || s.Dropped == 0 {
		t.Errorf("Empty should be a scalar placeholder: %+v dropped %d", s.Types["Empty"], s.Dropped)
	}
	if _, err := FromIntrospection([]byte(`{"data":{"x":1}}`)); !errors.Is(err, ErrNotIntrospection) {
		t.Errorf("not introspection: %v", err)
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	s, err := gqlparser.LoadSchema(&ast.Source{Input: testSDL})
	if err != nil {
		t.Fatal(err)
	}
	f := Field("", "user", Args(Arg("id", StringValue(`1"){evil}`))), Leaves(s, "User", 3)...)
	doc := Document(ast.Query, Set(f, Field("", "bad name", nil)))
	want := `query{user(id:"1\"){evil}"){id username email}}`
	if doc != want {
		t.Errorf("Document = %s, want %s", doc, want)
	}
	if Field("", "a b", nil) != nil || Arg("a{", IntValue(1)) != nil {
		t.Error("invalid names must be refused")
	}
	if v := Placeholder(s, s.Query.Fields.ForName("user").Arguments[0].Type); v.String() != `"1"` {
		t.Errorf("placeholder %s", v)
	}
}

func FuzzFromIntrospection(f *testing.F) {
	seeds := []string{
		`{"data":{"__schema":{"queryType":{"name":"Query"},"types":[{"kind":"OBJECT","name":"Query","fields":[{"name":"a","args":[],"type":{"kind":"SCALAR","name":"String"}}]}]}}}`,
		`{"__schema":{"queryType":{"name":"Q"},"types":[{"kind":"UNION","name":"U","possibleTypes":[{"name":"Q"}]},{"kind":"OBJECT","name":"Q","interfaces":[{"name":"I"}],"fields":[{"name":"u","args":[],"type":{"kind":"UNION","name":"U"}}]},{"kind":"INTERFACE","name":"I","fields":[{"name":"z","args":[],"type":{"kind":"SCALAR","name":"Int"}}]}]}}`,
		`{"data":{"__schema":{"types":[{"kind":"ENUM","name":"E","enumValues":[{"name":"true"},{"name":"A"}]},{"kind":"INPUT_OBJECT","name":"In","inputFields":[{"name":"e","type":{"kind":"ENUM","name":"E"}}]}]}}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := FromIntrospection(b)
		if err == nil && s.Schema == nil {
			t.Fatal("nil schema without error")
		}
		_, _ = Parse(b)
		var v any
		if json.Unmarshal(b, &v) == nil {
			_ = Facts(strings.TrimSpace(string(b)))
		}
	})
}
