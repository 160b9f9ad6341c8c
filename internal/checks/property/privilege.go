package property

import (
	"fmt"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/rules"
	"github.com/plumbsec/plumb/internal/spec"
	"github.com/plumbsec/plumb/internal/writes"
)

// fieldPack names the properties that grant something (the ranking of
// role values is writes.Rank).
const fieldPack = "privilege-fields"

// privField is a privilege-fields rule with its meta parsed.
type privField struct {
	*rules.Rule
	class, inject string
	self, create  bool // where plumb tries it
}

var privFields = sync.OnceValues(func() ([]*privField, error) {
	p, err := rules.Load(fieldPack)
	if err != nil {
		return nil, err
	}
	var out []*privField
	for _, r := range p.Rules {
		f := &privField{Rule: r, class: r.Meta["class"], inject: r.Meta["inject"]}
		switch r.Meta["on"] {
		case "self":
			f.self = true
		case "create":
			f.create = true
		case "both":
			f.self, f.create = true, true
		default:
			return nil, &rules.Error{Pack: p.Name, Rule: r.ID, Field: "meta", Err: fmt.Errorf("on %q: want self, create or both", r.Meta["on"])}
		}
		switch f.inject {
		case "true", "top-role", "other-user", "low", "high":
		default:
			return nil, &rules.Error{Pack: p.Name, Rule: r.ID, Field: "meta", Err: fmt.Errorf("inject %q: want true, top-role, other-user, low or high", f.inject)}
		}
		out = append(out, f)
	}
	return out, nil
})

// privilegeField returns the privilege-fields rule covering a property
// name.
func privilegeField(fs []*privField, name string) *privField {
	for _, f := range fs {
		if f.MatchKey(name) {
			return f
		}
	}
	return nil
}

// schemas of an operation whose properties describe the record it
// writes: the request body's and the response's.
func recordSchemas(op spec.Operation) []*spec.Schema {
	var out []*spec.Schema
	if op.RequestBody != nil && op.RequestBody.Schema != nil {
		out = append(out, op.RequestBody.Schema)
	}
	if op.Response != nil {
		out = append(out, op.Response)
	}
	return out
}

// propSchema is the first schema of name among ss.
func propSchema(ss []*spec.Schema, name string) *spec.Schema {
	for _, s := range ss {
		if p := s.Properties[name]; p != nil {
			return p
		}
	}
	return nil
}

// identityKeys are properties that say who a record is: changing them on
// one's own record can lock the identity out, so plumb never does.
var identityKeys = map[string]bool{
	"id": true, "uuid": true, "username": true, "login": true, "email": true, "password": true, "sub": true,
	"userid": true, "accountid": true, "createdat": true, "updatedat": true, "handle": true,
}

func isIdentityKey(k string) bool {
	return identityKeys[strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k))]
}

// valueFor chooses the value to inject into property name: what the
// rule's inject says, shaped by the property's schema (its enum, its
// type) and its current value. ok is false when no sensible value exists.
func valueFor(rs writes.Ranks, f *privField, s *spec.Schema, cur any, other string) (any, bool) {
	if s != nil && len(s.Enum) > 0 {
		if f == nil || f.inject == "top-role" {
			if v, ok := rs.Top(s.Enum); ok && !equalJSON(v, cur) {
				return v, true
			}
		}
	}
	kind := jsonKind(s, cur)
	inject := "true"
	if f != nil {
		inject = f.inject
	}
	switch inject {
	case "top-role":
		switch kind {
		case "array":
			return []any{"admin"}, true
		case "string", "":
			if s, ok := cur.(string); ok && rs.Rank(s) >= 90 {
				return nil, false
			}
			return "admin", true
		}
	case "other-user":
		if other == "" {
			other = "plumb-other-user"
		}
		if kind == "integer" || kind == "number" {
			return float64(1), !equalJSON(float64(1), cur)
		}
		return other, true
	case "low":
		return 0.01, kind == "number" || kind == "integer" || kind == ""
	case "high":
		return float64(1000000), kind == "number" || kind == "integer" || kind == ""
	case "true":
		if kind == "boolean" || kind == "" {
			return true, cur != true
		}
		if kind == "string" {
			return "true", true
		}
	}
	return nil, false
}

// readOnlyValue is what plumb sends in a readOnly property no rule names:
// a value of its type that the server would never pick itself.
func readOnlyValue(s *spec.Schema, cur any) (any, bool) {
	switch jsonKind(s, cur) {
	case "boolean":
		if b, ok := cur.(bool); ok {
			return !b, true
		}
		return true, true
	case "integer", "number":
		return float64(424242), true
	case "string":
		if s != nil && len(s.Enum) > 0 {
			for _, e := range s.Enum {
				if !equalJSON(e, cur) {
					return e, true
				}
			}
			return nil, false
		}
		if s != nil && s.Format != "" && s.Format != "password" {
			return nil, false // a date or an e-mail plumb cannot make up safely
		}
		return "plumb-mass-assignment", true
	}
	return nil, false
}

// jsonKind is a property's JSON type: the schema's, else the current
// value's.
func jsonKind(s *spec.Schema, cur any) string {
	if s != nil && s.Type != "" {
		return s.Type
	}
	switch cur.(type) {
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return ""
}
