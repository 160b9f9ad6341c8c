package graphql

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	gql "github.com/plumbsec/plumb/internal/graphql"
)

func mustSchema(t *testing.T, sdl string) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Input: sdl})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// render prints one root field as it appears inside query{…}.
func render(f *ast.Field) string {
	d := gql.Document(ast.Query, gql.Set(f))
	return strings.TrimSuffix(strings.TrimPrefix(d, "query{"), "}")
}
