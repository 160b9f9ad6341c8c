package graphql

import (
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Field builds a field selection. Names must be valid GraphQL names (every
// name in a Schema built here is); an invalid one makes Field return nil,
// which Set drops.
func Field(alias, name string, args ast.ArgumentList, sel ...ast.Selection) *ast.Field {
	if !ValidName(name) || (alias != "" && !ValidName(alias)) {
		return nil
	}
	return &ast.Field{Alias: alias, Name: name, Arguments: args, SelectionSet: Set(sel...)}
}

// Set builds a selection set, dropping nil fields.
func Set(sel ...ast.Selection) ast.SelectionSet {
	out := make(ast.SelectionSet, 0, len(sel))
	for _, s := range sel {
		if f, ok := s.(*ast.Field); ok && f == nil {
			continue
		}
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// Arg builds one argument; nil when the name is invalid.
func Arg(name string, v *ast.Value) *ast.Argument {
	if !ValidName(name) || v == nil {
		return nil
	}
	return &ast.Argument{Name: name, Value: v}
}

// Args builds an argument list, dropping nil arguments.
func Args(as ...*ast.Argument) ast.ArgumentList {
	var out ast.ArgumentList
	for _, a := range as {
		if a != nil {
			out = append(out, a)
		}
	}
	return out
}

// StringValue is a string literal; the formatter escapes it.
func StringValue(s string) *ast.Value { return &ast.Value{Kind: ast.StringValue, Raw: s} }

// IntValue is an integer literal.
func IntValue(n int) *ast.Value { return &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(n)} }

// Document prints a one-operation document on one line. Names were
// validated when the fields were built; values print through gqlparser's
// literal printer, which escapes strings.
func Document(op ast.Operation, sel ast.SelectionSet) string {
	var b strings.Builder
	b.WriteString(string(op))
	writeSet(&b, sel)
	return b.String()
}

func writeSet(b *strings.Builder, sel ast.SelectionSet) {
	if len(sel) == 0 {
		return
	}
	b.WriteByte('{')
	for i, s := range sel {
		f, ok := s.(*ast.Field)
		if !ok {
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		if f.Alias != "" && f.Alias != f.Name {
			b.WriteString(f.Alias + ":")
		}
		b.WriteString(f.Name)
		if len(f.Arguments) > 0 {
			b.WriteByte('(')
			for j, a := range f.Arguments {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(a.Name + ":" + a.Value.String())
			}
			b.WriteByte(')')
		}
		writeSet(b, f.SelectionSet)
	}
	b.WriteByte('}')
}

// Typename is the cheapest query a server can answer: the name of its
// query root type.
const Typename = "query{__typename}"

// RootFields returns the fields of an operation type (nil when the schema
// has none), introspection fields left out.
func RootFields(s *ast.Schema, op ast.Operation) ast.FieldList {
	var root *ast.Definition
	switch op {
	case ast.Query:
		root = s.Query
	case ast.Mutation:
		root = s.Mutation
	case ast.Subscription:
		root = s.Subscription
	}
	if root == nil {
		return nil
	}
	var out ast.FieldList
	for _, f := range root.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			out = append(out, f)
		}
	}
	return out
}

// Leaves selects up to n leaf fields of a type that take no required
// argument, id-like and name-like fields first; __typename when there is
// none (or the type is abstract).
func Leaves(s *ast.Schema, typeName string, n int) ast.SelectionSet {
	def := s.Types[typeName]
	if def == nil || !def.IsCompositeType() {
		return nil
	}
	if def.Kind != ast.Object && def.Kind != ast.Interface {
		return Set(Field("", "__typename", nil))
	}
	var first, rest []ast.Selection
	for _, f := range def.Fields {
		t := s.Types[f.Type.Name()]
		if t == nil || !t.IsLeafType() || strings.HasPrefix(f.Name, "__") || RequiredArgs(f) {
			continue
		}
		if IDLike(f.Name) || nameLike(f.Name) {
			first = append(first, Field("", f.Name, nil))
		} else {
			rest = append(rest, Field("", f.Name, nil))
		}
	}
	all := slices.Concat(first, rest)
	if len(all) == 0 {
		return Set(Field("", "__typename", nil))
	}
	return Set(all[:min(n, len(all))]...)
}

// RequiredArgs reports whether a field has a non-null argument without a
// default.
func RequiredArgs(f *ast.FieldDefinition) bool {
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			return true
		}
	}
	return false
}

// IDLike reports names that hold an object's identifier.
func IDLike(name string) bool {
	l := strings.ToLower(name)
	return l == "id" || l == "uuid" || l == "_id" || strings.HasSuffix(l, "id") && len(l) <= 12 && !strings.HasSuffix(l, "paid") && !strings.HasSuffix(l, "valid")
}

func nameLike(name string) bool {
	switch strings.ToLower(name) {
	case "name", "username", "login", "email", "title", "owner", "user":
		return true
	}
	return false
}

// Placeholder returns a harmless literal of an input type: "1" for ID and
// String, 1, 1.0, true, the first enum value, an object with its required
// fields, a one-element list. nil when the type cannot be filled.
func Placeholder(s *ast.Schema, t *ast.Type) *ast.Value {
	return placeholder(s, t, 0)
}

func placeholder(s *ast.Schema, t *ast.Type, depth int) *ast.Value {
	if t == nil || depth > 4 {
		return nil
	}
	if t.Elem != nil {
		v := placeholder(s, t.Elem, depth+1)
		if v == nil {
			return nil
		}
		return &ast.Value{Kind: ast.ListValue, Children: ast.ChildValueList{{Value: v}}}
	}
	switch t.NamedType {
	case "ID", "String":
		return StringValue("1")
	case "Int":
		return IntValue(1)
	case "Float":
		return &ast.Value{Kind: ast.FloatValue, Raw: "1.0"}
	case "Boolean":
		return &ast.Value{Kind: ast.BooleanValue, Raw: "true"}
	}
	def := s.Types[t.NamedType]
	if def == nil {
		return nil
	}
	switch def.Kind {
	case ast.Enum:
		if len(def.EnumValues) > 0 {
			return &ast.Value{Kind: ast.EnumValue, Raw: def.EnumValues[0].Name}
		}
	case ast.InputObject:
		obj := &ast.Value{Kind: ast.ObjectValue}
		for _, f := range def.Fields {
			if !f.Type.NonNull || f.DefaultValue != nil {
				continue
			}
			v := placeholder(s, f.Type, depth+1)
			if v == nil {
				return nil
			}
			obj.Children = append(obj.Children, &ast.ChildValue{Name: f.Name, Value: v})
		}
		return obj
	case ast.Scalar:
		return StringValue("1") // custom scalars mostly take strings
	}
	return nil
}
