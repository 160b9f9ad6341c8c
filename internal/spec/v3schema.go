package spec

import (
	"encoding/json"
	"strconv"
)

// schema converts the schema at v (inline or a $ref), as converter.schema
// does for kin-openapi's; the memo is keyed by the target object, so shared
// and recursive definitions become shared pointers and pointer cycles.
func (c *treeConv) schema(v any) *Schema {
	m := c.resolve(v)
	if m == nil {
		return nil
	}
	id := identity(m)
	if out, ok := c.memo[id]; ok {
		return out
	}
	out := &Schema{
		Format:    str(m["format"]),
		Enum:      anys(m["enum"]),
		Default:   normJSON(m["default"]),
		Example:   normJSON(m["example"]),
		Nullable:  m["nullable"] == true,
		Minimum:   float(m["minimum"]),
		Maximum:   float(m["maximum"]),
		Pattern:   str(m["pattern"]),
		ReadOnly:  m["readOnly"] == true,
		WriteOnly: m["writeOnly"] == true,
		Required:  strs(m["required"]),
	}
	c.memo[id] = out
	for _, t := range schemaTypes(m["type"]) {
		if t == "null" {
			out.Nullable = true
		} else if out.Type == "" {
			out.Type = t
		}
	}
	if ex, _ := m["examples"].([]any); out.Example == nil && len(ex) > 0 {
		out.Example = normJSON(ex[0])
	}
	if cv := m["const"]; len(out.Enum) == 0 && cv != nil {
		out.Enum = []any{normJSON(cv)}
	}
	if n := uintOf(m["minLength"]); n > 0 {
		out.MinLength = clampInt64(n)
	}
	if mx := m["maxLength"]; mx != nil {
		out.MaxLength = clampInt64(uintOf(mx))
	}
	if it := m["items"]; it != nil {
		out.Items = c.schema(it)
	}
	if props, _ := m["properties"].(map[string]any); len(props) > 0 {
		out.Properties = make(map[string]*Schema, len(props))
		for name, p := range props {
			if p != nil {
				out.Properties[name] = c.schema(p)
			}
		}
	}
	allOf, _ := m["allOf"].([]any)
	for _, sub := range allOf {
		if sub != nil {
			merge(out, c.schema(sub))
		}
	}
	if out.Type == "" {
		c.mergeFirstAlternative(out, m["oneOf"])
		c.mergeFirstAlternative(out, m["anyOf"])
	}
	return out
}

// mergeFirstAlternative mirrors converter.mergeFirstAlternative.
func (c *treeConv) mergeFirstAlternative(out *Schema, v any) {
	alts, _ := v.([]any)
	for _, a := range alts {
		alt := c.schema(a)
		if alt == nil {
			continue
		}
		if alt.Type == "" && len(alt.Properties) == 0 {
			if alt.Nullable {
				out.Nullable = true
			}
			continue
		}
		merge(out, alt)
		return
	}
}

func schemaTypes(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	return strs(v)
}

func anys(v any) []any {
	a, ok := v.([]any)
	if !ok {
		return nil
	}
	return normList(a)
}

func float(v any) *float64 {
	var f float64
	switch t := v.(type) {
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(t), 64); err != nil {
			return nil
		}
	case float64:
		f = t
	case int:
		f = float64(t)
	default:
		return nil
	}
	return &f
}

func uintOf(v any) uint64 {
	switch t := v.(type) {
	case json.Number:
		n, _ := strconv.ParseUint(string(t), 10, 64)
		return n
	case float64:
		return uint64(t)
	case int:
		return uint64(t)
	}
	return 0
}
