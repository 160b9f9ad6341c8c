package lab

import (
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Introspection values (GraphQL spec §4.2), resolved from gqlparser's
// schema model.
type (
	iSchema struct{ s *ast.Schema }
	iType   struct {
		s   *ast.Schema
		t   *ast.Type       // a wrapper (list, non-null) or a named reference
		def *ast.Definition // the named type, when t is nil
	}
	iField struct {
		s *ast.Schema
		f *ast.FieldDefinition
	}
	iInput struct {
		s    *ast.Schema
		name string
		desc string
		t    *ast.Type
		dflt *ast.Value
	}
	iEnum      struct{ e *ast.EnumValueDefinition }
	iDirective struct {
		s *ast.Schema
		d *ast.DirectiveDefinition
	}
)

func namedType(s *ast.Schema, name string) any {
	if def := s.Types[name]; def != nil {
		return &iType{s: s, def: def}
	}
	return nil
}

func typeRef(s *ast.Schema, t *ast.Type) any {
	if t == nil {
		return nil
	}
	if t.NonNull || t.Elem != nil {
		return &iType{s: s, t: t}
	}
	return namedType(s, t.NamedType)
}

// introspect resolves a field of an introspection type; ok is false when
// the parent is not an introspection value.
func introspect(s *ast.Schema, field string, parent any, args map[string]any) (any, bool) {
	incDep, _ := args["includeDeprecated"].(bool)
	switch p := parent.(type) {
	case *iSchema:
		return p.field(field), true
	case *iType:
		return p.field(field, incDep), true
	case *iField:
		return p.field(field), true
	case *iInput:
		return p.field(field), true
	case *iEnum:
		switch field {
		case "name":
			return p.e.Name, true
		case "description":
			return nullable(p.e.Description), true
		case "isDeprecated":
			return p.e.Directives.ForName("deprecated") != nil, true
		}
		return nil, true
	case *iDirective:
		return p.field(field), true
	}
	return nil, false
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (p *iSchema) field(name string) any {
	switch name {
	case "description":
		return nil
	case "types":
		names := make([]string, 0, len(p.s.Types))
		for n := range p.s.Types {
			names = append(names, n)
		}
		sort.Strings(names)
		out := make([]any, 0, len(names))
		for _, n := range names {
			out = append(out, namedType(p.s, n))
		}
		return out
	case "queryType":
		return defType(p.s, p.s.Query)
	case "mutationType":
		return defType(p.s, p.s.Mutation)
	case "subscriptionType":
		return defType(p.s, p.s.Subscription)
	case "directives":
		names := make([]string, 0, len(p.s.Directives))
		for n := range p.s.Directives {
			names = append(names, n)
		}
		sort.Strings(names)
		out := make([]any, 0, len(names))
		for _, n := range names {
			out = append(out, &iDirective{s: p.s, d: p.s.Directives[n]})
		}
		return out
	}
	return nil
}

func defType(s *ast.Schema, d *ast.Definition) any {
	if d == nil {
		return nil
	}
	return &iType{s: s, def: d}
}

func (p *iType) field(name string, incDep bool) any {
	if p.t != nil {
		switch name {
		case "kind":
			if p.t.NonNull {
				return "NON_NULL"
			}
			return "LIST"
		case "ofType":
			if p.t.NonNull {
				inner := *p.t
				inner.NonNull = false
				return typeRef(p.s, &inner)
			}
			return typeRef(p.s, p.t.Elem)
		}
		return nil
	}
	d := p.def
	switch name {
	case "kind":
		return string(d.Kind)
	case "name":
		return d.Name
	case "description":
		return nullable(d.Description)
	case "fields":
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			return nil
		}
		out := []any{}
		for _, f := range d.Fields {
			if strings.HasPrefix(f.Name, "__") || (!incDep && f.Directives.ForName("deprecated") != nil) {
				continue
			}
			out = append(out, &iField{s: p.s, f: f})
		}
		return out
	case "interfaces":
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			return nil
		}
		out := []any{}
		for _, i := range d.Interfaces {
			out = append(out, namedType(p.s, i))
		}
		return out
	case "possibleTypes":
		if !d.IsAbstractType() {
			return nil
		}
		out := []any{}
		for _, t := range p.s.GetPossibleTypes(d) {
			out = append(out, &iType{s: p.s, def: t})
		}
		return out
	case "enumValues":
		if d.Kind != ast.Enum {
			return nil
		}
		out := []any{}
		for _, e := range d.EnumValues {
			if incDep || e.Directives.ForName("deprecated") == nil {
				out = append(out, &iEnum{e: e})
			}
		}
		return out
	case "inputFields":
		if d.Kind != ast.InputObject {
			return nil
		}
		out := []any{}
		for _, f := range d.Fields {
			out = append(out, &iInput{s: p.s, name: f.Name, desc: f.Description, t: f.Type, dflt: f.DefaultValue})
		}
		return out
	case "isOneOf":
		if d.Kind != ast.InputObject {
			return nil
		}
		return d.Directives.ForName("oneOf") != nil
	}
	return nil
}

func (p *iField) field(name string) any {
	switch name {
	case "name":
		return p.f.Name
	case "description":
		return nullable(p.f.Description)
	case "args":
		return inputs(p.s, p.f.Arguments)
	case "type":
		return typeRef(p.s, p.f.Type)
	case "isDeprecated":
		return p.f.Directives.ForName("deprecated") != nil
	}
	return nil
}

// inputs introspects the arguments of a field or a directive.
func inputs(s *ast.Schema, args ast.ArgumentDefinitionList) []any {
	out := []any{}
	for _, a := range args {
		out = append(out, &iInput{s: s, name: a.Name, desc: a.Description, t: a.Type, dflt: a.DefaultValue})
	}
	return out
}

func (p *iInput) field(name string) any {
	switch name {
	case "name":
		return p.name
	case "description":
		return nullable(p.desc)
	case "type":
		return typeRef(p.s, p.t)
	case "defaultValue":
		if p.dflt == nil {
			return nil
		}
		return p.dflt.String()
	case "isDeprecated":
		return false
	}
	return nil
}

func (p *iDirective) field(name string) any {
	switch name {
	case "name":
		return p.d.Name
	case "description":
		return nullable(p.d.Description)
	case "locations":
		out := []any{}
		for _, l := range p.d.Locations {
			out = append(out, string(l))
		}
		return out
	case "args":
		return inputs(p.s, p.d.Arguments)
	case "isRepeatable":
		return p.d.IsRepeatable
	}
	return nil
}
