package lab

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// The lab's GraphQL executor: enough of the spec's execution section (§6)
// for the lab schemas — fields, aliases, arguments, variables, fragments,
// @skip/@include, lists, non-null propagation and introspection — over
// documents that gqlparser has parsed and validated.

// gqlError is one entry of a response's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// fieldError is what a resolver returns to put a coded error in the
// response (UNAUTHENTICATED, FORBIDDEN, …).
type fieldError struct {
	msg, code string
}

func (e *fieldError) Error() string { return e.msg }

// ordered is a JSON object that keeps the selection order, as GraphQL
// responses must.
type ordered struct {
	keys []string
	vals map[string]any
}

func (o *ordered) set(k string, v any) {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// resolverFunc resolves one field of one type on a parent value.
type resolverFunc func(typeName, field string, parent any, args map[string]any) (any, error)

type execution struct {
	schema  *ast.Schema
	vars    map[string]any
	frags   ast.FragmentDefinitionList
	resolve resolverFunc
	errs    []gqlError
	onField func(path []any, parent, field, ret string) // tracing hook; may be nil
}

// errNonNull propagates a null in a non-null position to the parent.
var errNonNull = errors.New("non-null violation")

func (x *execution) run(op *ast.OperationDefinition) *ordered {
	var root *ast.Definition
	switch op.Operation {
	case ast.Mutation:
		root = x.schema.Mutation
	case ast.Subscription:
		root = x.schema.Subscription
	default:
		root = x.schema.Query
	}
	if root == nil {
		x.errs = append(x.errs, gqlError{Message: "the schema has no " + string(op.Operation) + " type"})
		return nil
	}
	out, err := x.object(root, op.SelectionSet, nil, nil)
	if err != nil {
		return nil
	}
	return out
}

type keyed struct {
	key    string
	fields []*ast.Field
}

func (x *execution) collect(def *ast.Definition, sel ast.SelectionSet, out *[]keyed, idx map[string]int) {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if !x.included(s.Directives) {
				continue
			}
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			if i, ok := idx[key]; ok {
				(*out)[i].fields = append((*out)[i].fields, s)
				continue
			}
			idx[key] = len(*out)
			*out = append(*out, keyed{key: key, fields: []*ast.Field{s}})
		case *ast.InlineFragment:
			if x.included(s.Directives) && (s.TypeCondition == "" || s.TypeCondition == def.Name) {
				x.collect(def, s.SelectionSet, out, idx)
			}
		case *ast.FragmentSpread:
			f := x.frags.ForName(s.Name)
			if f != nil && x.included(s.Directives) && f.TypeCondition == def.Name {
				x.collect(def, f.SelectionSet, out, idx)
			}
		}
	}
}

func (x *execution) included(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		v, _ := d.ArgumentMap(x.vars)["if"].(bool)
		if (d.Name == "skip" && v) || (d.Name == "include" && !v) {
			return false
		}
	}
	return true
}

func (x *execution) object(def *ast.Definition, sel ast.SelectionSet, parent any, path []any) (*ordered, error) {
	var fields []keyed
	x.collect(def, sel, &fields, map[string]int{})
	out := &ordered{}
	for _, k := range fields {
		f := k.fields[0]
		p := append(append([]any{}, path...), k.key)
		if f.Name == "__typename" {
			out.set(k.key, def.Name)
			continue
		}
		var fd *ast.FieldDefinition
		switch f.Name {
		case "__schema", "__type":
			fd = f.Definition
		default:
			fd = def.Fields.ForName(f.Name)
		}
		if fd == nil {
			continue
		}
		var merged ast.SelectionSet
		for _, g := range k.fields {
			merged = append(merged, g.SelectionSet...)
		}
		if x.onField != nil {
			x.onField(p, def.Name, f.Name, fd.Type.String())
		}
		v, err := x.resolve(def.Name, f.Name, parent, f.ArgumentMap(x.vars))
		if err != nil {
			x.fail(err, p)
			v = nil
		}
		cv, err := x.complete(fd.Type, merged, v, p)
		if err != nil {
			return nil, err
		}
		out.set(k.key, cv)
	}
	return out, nil
}

func (x *execution) fail(err error, path []any) {
	e := gqlError{Message: err.Error(), Path: path}
	var fe *fieldError
	if errors.As(err, &fe) && fe.code != "" {
		e.Extensions = map[string]any{"code": fe.code}
	}
	x.errs = append(x.errs, e)
}

// complete turns a resolved value into its response form; a null in a
// non-null position returns errNonNull, which nulls the nearest nullable
// parent.
func (x *execution) complete(t *ast.Type, sel ast.SelectionSet, v any, path []any) (any, error) {
	if v == nil {
		if t.NonNull {
			x.errs = append(x.errs, gqlError{Message: "Cannot return null for non-nullable field", Path: path})
			return nil, errNonNull
		}
		return nil, nil
	}
	res, err := x.completeNonNull(t, sel, v, path)
	if err != nil && !t.NonNull {
		return nil, nil
	}
	return res, err
}

func (x *execution) completeNonNull(t *ast.Type, sel ast.SelectionSet, v any, path []any) (any, error) {
	if t.Elem != nil {
		items, ok := v.([]any)
		if !ok {
			return nil, errNonNull
		}
		out := make([]any, 0, len(items))
		for i, it := range items {
			cv, err := x.complete(t.Elem, sel, it, append(append([]any{}, path...), i))
			if err != nil {
				return nil, err
			}
			out = append(out, cv)
		}
		return out, nil
	}
	def := x.schema.Types[t.NamedType]
	if def == nil {
		return nil, errNonNull
	}
	if def.IsLeafType() {
		return v, nil
	}
	if def.IsAbstractType() {
		n, ok := v.(interface{ typeName() string })
		if !ok || x.schema.Types[n.typeName()] == nil {
			return nil, errNonNull
		}
		def = x.schema.Types[n.typeName()]
	}
	return x.object(def, sel, v, path)
}

// depth is how deeply a document's selections nest, not counting
// introspection fields (depth limiters leave those to the introspection
// switch).
func depth(sel ast.SelectionSet, frags ast.FragmentDefinitionList, seen map[string]bool) int {
	d := 0
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = max(d, 1+depth(s.SelectionSet, frags, seen))
		case *ast.InlineFragment:
			d = max(d, depth(s.SelectionSet, frags, seen))
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil && !seen[s.Name] {
				seen[s.Name] = true
				d = max(d, depth(f.SelectionSet, frags, seen))
				delete(seen, s.Name)
			}
		}
	}
	return d
}

// aliases counts the fields written with an alias different from the name.
func aliases(sel ast.SelectionSet, frags ast.FragmentDefinitionList) int {
	n := 0
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if s.Alias != "" && s.Alias != s.Name {
				n++
			}
			n += aliases(s.SelectionSet, frags)
		case *ast.InlineFragment:
			n += aliases(s.SelectionSet, frags)
		}
	}
	return n
}
