package graphql

import (
	"encoding/json"
	"fmt"
	"testing"
)

// bigIntrospection is a synthetic answer: n object types of 20 fields
// each (scalars, a list of the next type, one argument each).
func bigIntrospection(n int) []byte {
	str := map[string]any{"kind": "SCALAR", "name": "String"}
	types := []any{}
	var qf []any
	for i := range n {
		name := fmt.Sprintf("T%d", i)
		next := fmt.Sprintf("T%d", (i+1)%n)
		var fields []any
		for j := range 19 {
			fields = append(fields, map[string]any{"name": fmt.Sprintf("f%d", j), "description": "see https://docs.example.test/" + name,
				"args": []any{map[string]any{"name": "a", "type": str}}, "type": str})
		}
		fields = append(fields, map[string]any{"name": "next", "args": []any{},
			"type": map[string]any{"kind": "NON_NULL", "ofType": map[string]any{"kind": "LIST", "ofType": map[string]any{"kind": "OBJECT", "name": next}}}})
		types = append(types, map[string]any{"kind": "OBJECT", "name": name, "fields": fields, "interfaces": []any{}})
		qf = append(qf, map[string]any{"name": fmt.Sprintf("t%d", i), "args": []any{}, "type": map[string]any{"kind": "OBJECT", "name": name}})
	}
	types = append(types, map[string]any{"kind": "OBJECT", "name": "Query", "fields": qf})
	b, _ := json.Marshal(map[string]any{"data": map[string]any{"__schema": map[string]any{"queryType": map[string]any{"name": "Query"}, "types": types}}})
	return b
}

func BenchmarkFromIntrospection(b *testing.B) {
	body := bigIntrospection(200)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		s, err := FromIntrospection(body)
		if err != nil || len(s.Types) < 200 {
			b.Fatal(err)
		}
	}
}

func BenchmarkFacts(b *testing.B) {
	msgs := []string{
		`Cannot query field "usr" on type "Query". Did you mean "user" or "users"?`,
		`Field "user" argument "id" of type "ID!" is required, but it was not provided.`,
		`Syntax Error: Unexpected Name "queryy".`,
	}
	for b.Loop() {
		for _, m := range msgs {
			_ = Facts(m)
		}
	}
}
