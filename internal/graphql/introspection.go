package graphql

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

// IntrospectionQuery asks for the whole type system (GraphQL spec §4.2),
// descriptions included: URLs in them join the host graph. Type
// references unwrap seven levels, which covers [[T!]!]! and more.
const IntrospectionQuery = `query PlumbIntrospection {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    description
    types {
      kind name description
      fields(includeDeprecated: true) {
        name description
        args { name description type { ...Ref } }
        type { ...Ref }
      }
      inputFields { name description type { ...Ref } }
      interfaces { ...Ref }
      enumValues(includeDeprecated: true) { name description }
      possibleTypes { ...Ref }
    }
  }
}
fragment Ref on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`

// Limits on what a schema read from the wire may hold, so a hostile
// server cannot make plumb build something huge.
const (
	maxTypes  = 2000
	maxFields = 500 // per type, and arguments per field
)

type introSchema struct {
	Schema struct {
		QueryType        *introName  `json:"queryType"`
		MutationType     *introName  `json:"mutationType"`
		SubscriptionType *introName  `json:"subscriptionType"`
		Description      string      `json:"description"`
		Types            []introType `json:"types"`
	} `json:"__schema"`
}

type introName struct {
	Name string `json:"name"`
}

type introType struct {
	Kind          string       `json:"kind"`
	Name          string       `json:"name"`
	Description   string       `json:"description"`
	Fields        []introField `json:"fields"`
	InputFields   []introInput `json:"inputFields"`
	Interfaces    []typeRef    `json:"interfaces"`
	EnumValues    []introEnum  `json:"enumValues"`
	PossibleTypes []typeRef    `json:"possibleTypes"`
}

type introField struct {
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Args        []introInput `json:"args"`
	Type        *typeRef     `json:"type"`
}

type introInput struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Type        *typeRef `json:"type"`
}

type introEnum struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type typeRef struct {
	Kind   string   `json:"kind"`
	Name   string   `json:"name"`
	OfType *typeRef `json:"ofType"`
}

// Schema is a schema plumb learned, with where it came from and the
// descriptions it carried (for the host graph).
type Schema struct {
	*ast.Schema
	SDL          string   // the schema as SDL, without descriptions
	Descriptions []string // every non-empty description, in order, capped
	Dropped      int      // fields, arguments and types left out as inconsistent
}

var builtinScalars = []string{"String", "Int", "Float", "Boolean", "ID"}

// ErrNotIntrospection says an answer holds no __schema.
var ErrNotIntrospection = errors.New("no __schema in the answer")

// FromIntrospection builds a schema from an introspection answer (the
// data member of the response to IntrospectionQuery, or the whole
// response). Names are validated, references to undefined types are
// dropped (counted in Dropped), and the result is checked by gqlparser's
// schema validator through an SDL round trip.
func FromIntrospection(data []byte) (*Schema, error) {
	var in introSchema
	if err := json.Unmarshal(data, &in); err != nil || in.Schema.Types == nil {
		var wrapped struct {
			Data introSchema `json:"data"`
		}
		if json.Unmarshal(data, &wrapped) != nil || wrapped.Data.Schema.Types == nil {
			return nil, ErrNotIntrospection
		}
		in = wrapped.Data
	}
	b := &builder{defined: map[string]string{}}
	for i, t := range in.Schema.Types {
		if i >= maxTypes {
			break
		}
		if ValidName(t.Name) && !strings.HasPrefix(t.Name, "__") && !slices.Contains(builtinScalars, t.Name) {
			if _, dup := b.defined[t.Name]; !dup {
				b.defined[t.Name] = t.Kind
			}
		}
	}
	// A type that cannot be rebuilt becomes an opaque scalar, which changes
	// what other types may reference: rebuild until nothing changes.
	var doc *ast.SchemaDocument
	var out *Schema
	for range 4 {
		b.changed, b.dropped = false, max(0, len(in.Schema.Types)-maxTypes)
		out = &Schema{}
		b.note(&out.Descriptions, in.Schema.Description)
		doc = &ast.SchemaDocument{Schema: b.roots(in)}
		for i, t := range in.Schema.Types {
			if i >= maxTypes || b.defined[t.Name] == "" || b.emitted(doc, t.Name) {
				continue
			}
			doc.Definitions = append(doc.Definitions, b.definition(t, &out.Descriptions))
		}
		if !b.changed {
			break
		}
	}
	sdl := formatSDL(doc)
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "introspection", Input: sdl})
	if err != nil {
		// Interface contracts are the usual casualty of dropped fields:
		// keep the types without them rather than no schema at all.
		for _, d := range doc.Definitions {
			d.Interfaces = nil
		}
		sdl = formatSDL(doc)
		if s, err = gqlparser.LoadSchema(&ast.Source{Name: "introspection", Input: sdl}); err != nil {
			return nil, fmt.Errorf("introspection schema: %w", err)
		}
	}
	out.Schema, out.SDL, out.Dropped = s, sdl, b.dropped
	return out, nil
}

func (b *builder) emitted(doc *ast.SchemaDocument, name string) bool {
	return doc.Definitions.ForName(name) != nil
}

// formatSDL prints a schema document without descriptions.
func formatSDL(doc *ast.SchemaDocument) string {
	var sb strings.Builder
	formatter.NewFormatter(&sb, formatter.WithoutDescription(), formatter.WithIndent("  ")).FormatSchemaDocument(doc)
	return sb.String()
}

type builder struct {
	defined map[string]string // type name → kind
	dropped int
	changed bool // a type became a placeholder during this pass
}

const maxDescriptions = 2000

func (b *builder) note(dst *[]string, d string) {
	if d = strings.TrimSpace(d); d != "" && len(*dst) < maxDescriptions {
		*dst = append(*dst, d)
	}
}

func (b *builder) roots(in introSchema) ast.SchemaDefinitionList {
	def := &ast.SchemaDefinition{}
	for _, r := range []struct {
		op ast.Operation
		n  *introName
	}{{ast.Query, in.Schema.QueryType}, {ast.Mutation, in.Schema.MutationType}, {ast.Subscription, in.Schema.SubscriptionType}} {
		if r.n != nil && b.defined[r.n.Name] == "OBJECT" {
			def.OperationTypes = append(def.OperationTypes, &ast.OperationTypeDefinition{Operation: r.op, Type: r.n.Name})
		}
	}
	if len(def.OperationTypes) == 0 {
		return nil
	}
	return ast.SchemaDefinitionList{def}
}

func (b *builder) definition(t introType, desc *[]string) *ast.Definition {
	b.note(desc, t.Description)
	if b.defined[t.Name] == "SCALAR" {
		return &ast.Definition{Kind: ast.Scalar, Name: t.Name} // a placeholder from an earlier pass
	}
	def := &ast.Definition{Name: t.Name}
	switch t.Kind {
	case "SCALAR":
		def.Kind = ast.Scalar
	case "OBJECT", "INTERFACE":
		def.Kind = ast.Object
		if t.Kind == "INTERFACE" {
			def.Kind = ast.Interface
		}
		def.Fields = b.fields(t.Fields, desc)
		for _, i := range t.Interfaces {
			if b.defined[i.Name] == "INTERFACE" && i.Name != t.Name {
				def.Interfaces = append(def.Interfaces, i.Name)
			}
		}
		if len(def.Fields) == 0 {
			b.dropped++
			return b.placeholder(t.Name)
		}
	case "UNION":
		def.Kind = ast.Union
		for _, p := range t.PossibleTypes {
			if b.defined[p.Name] == "OBJECT" {
				def.Types = append(def.Types, p.Name)
			}
		}
		if len(def.Types) == 0 {
			b.dropped++
			return b.placeholder(t.Name)
		}
	case "ENUM":
		def.Kind = ast.Enum
		for _, e := range t.EnumValues {
			b.note(desc, e.Description)
			if ValidName(e.Name) && e.Name != "true" && e.Name != "false" && e.Name != "null" {
				def.EnumValues = append(def.EnumValues, &ast.EnumValueDefinition{Name: e.Name})
			}
		}
		if len(def.EnumValues) == 0 {
			b.dropped++
			return b.placeholder(t.Name)
		}
	case "INPUT_OBJECT":
		def.Kind = ast.InputObject
		for _, f := range t.InputFields {
			b.note(desc, f.Description)
			if typ := b.typ(f.Type, true); typ != nil && ValidName(f.Name) && len(def.Fields) < maxFields {
				def.Fields = append(def.Fields, &ast.FieldDefinition{Name: f.Name, Type: typ})
			} else {
				b.dropped++
			}
		}
		if len(def.Fields) == 0 {
			b.dropped++
			return b.placeholder(t.Name)
		}
	default:
		return b.placeholder(t.Name)
	}
	return def
}

// placeholder keeps a type that cannot be rebuilt as an opaque scalar, so
// the fields that name it stay usable as leaves.
func (b *builder) placeholder(name string) *ast.Definition {
	if b.defined[name] != "SCALAR" {
		b.defined[name], b.changed = "SCALAR", true
	}
	return &ast.Definition{Kind: ast.Scalar, Name: name}
}

func (b *builder) fields(in []introField, desc *[]string) ast.FieldList {
	var out ast.FieldList
	seen := map[string]bool{}
	for _, f := range in {
		b.note(desc, f.Description)
		typ := b.typ(f.Type, false)
		if typ == nil || !ValidName(f.Name) || strings.HasPrefix(f.Name, "__") || seen[f.Name] || len(out) >= maxFields {
			b.dropped++
			continue
		}
		seen[f.Name] = true
		fd := &ast.FieldDefinition{Name: f.Name, Type: typ}
		argSeen := map[string]bool{}
		for _, a := range f.Args {
			b.note(desc, a.Description)
			at := b.typ(a.Type, true)
			if at == nil || !ValidName(a.Name) || argSeen[a.Name] || len(fd.Arguments) >= maxFields {
				b.dropped++
				if at == nil && a.Type != nil && a.Type.Kind == "NON_NULL" {
					fd = nil // a required argument we cannot express: the field cannot be called
					break
				}
				continue
			}
			argSeen[a.Name] = true
			fd.Arguments = append(fd.Arguments, &ast.ArgumentDefinition{Name: a.Name, Type: at})
		}
		if fd != nil {
			out = append(out, fd)
		}
	}
	return out
}

// typ converts a type reference; input says it must be an input type.
// It returns nil for references to unknown types or of the wrong kind.
func (b *builder) typ(r *typeRef, input bool) *ast.Type {
	if r == nil {
		return nil
	}
	switch r.Kind {
	case "NON_NULL":
		inner := b.typ(r.OfType, input)
		if inner == nil || inner.NonNull {
			return nil
		}
		inner.NonNull = true
		return inner
	case "LIST":
		inner := b.typ(r.OfType, input)
		if inner == nil {
			return nil
		}
		return ast.ListType(inner, nil)
	}
	kind, ok := b.defined[r.Name]
	if !ok && slices.Contains(builtinScalars, r.Name) {
		kind, ok = "SCALAR", true
	}
	if !ok {
		return nil
	}
	isInput := kind == "SCALAR" || kind == "ENUM" || kind == "INPUT_OBJECT"
	isOutput := kind != "INPUT_OBJECT"
	if (input && !isInput) || (!input && !isOutput) {
		return nil
	}
	return ast.NamedType(r.Name, nil)
}
