package graphql

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	gql "github.com/plumbsec/plumb/internal/graphql"
	"github.com/plumbsec/plumb/internal/reqgen"
)

// ownerFields are object-typed fields that name an object's owner; their
// identifying leaves are selected too, so ownership can be judged.
var ownerFields = map[string]bool{"user": true, "owner": true, "author": true, "customer": true, "account": true, "createdby": true, "creator": true}

// selfFields are root fields that describe the caller.
var selfFields = map[string]bool{"me": true, "viewer": true, "currentuser": true, "whoami": true, "self": true, "profile": true, "myaccount": true}

// objectSet selects a type's leaves (up to 8) and the identifying leaves of
// its owner-like object fields.
func objectSet(s *ast.Schema, typeName string) ast.SelectionSet {
	sel := gql.Leaves(s, typeName, 8)
	def := s.Types[typeName]
	if def == nil || def.Kind != ast.Object {
		return sel
	}
	for _, f := range def.Fields {
		t := s.Types[f.Type.Name()]
		if t == nil || t.Kind != ast.Object || f.Type.Elem != nil || gql.RequiredArgs(f) || !ownerFields[strings.ToLower(f.Name)] {
			continue
		}
		if sub := gql.Leaves(s, t.Name, 3); len(sub) > 0 {
			sel = append(sel, gql.Field("", f.Name, nil, sub...))
		}
	}
	return sel
}

// composite reports whether a field returns an object, interface or union.
func composite(s *ast.Schema, f *ast.FieldDefinition) bool {
	t := s.Types[f.Type.Name()]
	return t != nil && t.IsCompositeType()
}

// fieldSelection builds "name(args){…}" for a root field, filling required
// arguments from vals (by name) or placeholders; ok is false when one
// cannot be filled.
func fieldSelection(s *ast.Schema, f *ast.FieldDefinition, vals map[string]*ast.Value) (*ast.Field, bool) {
	var args ast.ArgumentList
	for _, a := range f.Arguments {
		v := vals[a.Name]
		if v == nil && a.Type.NonNull && a.DefaultValue == nil {
			v = gql.Placeholder(s, a.Type)
			if v == nil {
				return nil, false
			}
		}
		if v != nil {
			args = append(args, gql.Arg(a.Name, v))
		}
	}
	var sel ast.SelectionSet
	if composite(s, f) {
		sel = objectSet(s, f.Type.Name())
	}
	fl := gql.Field("", f.Name, args, sel...)
	return fl, fl != nil
}

// objects returns the objects a field's answer holds (one for an object,
// every element for a list).
func objects(raw json.RawMessage) []map[string]any {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	switch t := v.(type) {
	case map[string]any:
		return []map[string]any{t}
	case []any:
		var out []map[string]any
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// owns reports whether obj, or its owner-like nested object, names id.
func owns(id reqgen.Identity, obj map[string]any) bool {
	if id.Owns(obj) {
		return true
	}
	for k, v := range obj {
		if m, ok := v.(map[string]any); ok && ownerFields[strings.ToLower(k)] && id.Owns(m) {
			return true
		}
	}
	return false
}

// objectID returns an object's id-like leaf.
func objectID(obj map[string]any) (string, bool) {
	for _, k := range []string{"id", "uuid", "_id"} {
		switch v := obj[k].(type) {
		case string:
			return v, v != ""
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64), true
		}
	}
	return "", false
}

// sameJSON compares two JSON values structurally.
func sameJSON(a, b json.RawMessage) bool {
	return len(bytes.TrimSpace(a)) > 0 && reqgen.SameBody(a, b)
}

// personalRE matches keys that hold personal data or secrets.
var personalRE = regexp.MustCompile(`(?i)e-?mail|password|passwd|hash|token|secret|api_?key|ssn|phone|address|birth|salary|card`)

// personalKeys lists the keys of an answer that hold personal data or
// secrets with a non-empty value.
func personalKeys(raw json.RawMessage) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 8 {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			for k, c := range t {
				if s, ok := c.(string); ok && s != "" && personalRE.MatchString(k) && !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
				walk(c, depth+1)
			}
		case []any:
			for _, c := range t {
				walk(c, depth+1)
			}
		}
	}
	walk(v, 0)
	return out
}
