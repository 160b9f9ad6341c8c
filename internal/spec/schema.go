package spec

import (
	"math"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// schema converts s. The memo makes recursive schemas pointer cycles instead
// of infinite recursion: an entry is registered before its children are.
func (c *converter) schema(s *openapi3.Schema) *Schema {
	if s == nil {
		return nil
	}
	if out, ok := c.memo[s]; ok {
		return out
	}
	out := &Schema{
		Format:    s.Format,
		Enum:      s.Enum,
		Default:   s.Default,
		Example:   s.Example,
		Nullable:  s.Nullable,
		Minimum:   s.Min,
		Maximum:   s.Max,
		Pattern:   s.Pattern,
		ReadOnly:  s.ReadOnly,
		WriteOnly: s.WriteOnly,
		Required:  s.Required,
	}
	c.memo[s] = out
	if s.Type != nil {
		for _, t := range *s.Type {
			if t == "null" {
				out.Nullable = true
			} else if out.Type == "" {
				out.Type = t
			}
		}
	}
	if out.Example == nil && len(s.Examples) > 0 {
		out.Example = s.Examples[0]
	}
	if len(out.Enum) == 0 && s.Const != nil {
		out.Enum = []any{s.Const}
	}
	if s.MinLength > 0 {
		out.MinLength = clampInt64(s.MinLength)
	}
	if s.MaxLength != nil {
		out.MaxLength = clampInt64(*s.MaxLength)
	}
	if s.Items != nil {
		out.Items = c.schema(s.Items.Value)
	}
	if len(s.Properties) > 0 {
		out.Properties = make(map[string]*Schema, len(s.Properties))
		for name, p := range s.Properties {
			if p != nil {
				out.Properties[name] = c.schema(p.Value)
			}
		}
	}
	for _, sub := range s.AllOf {
		if sub != nil {
			merge(out, c.schema(sub.Value))
		}
	}
	if out.Type == "" {
		c.mergeFirstAlternative(out, s.OneOf)
		c.mergeFirstAlternative(out, s.AnyOf)
	}
	return out
}

// mergeFirstAlternative lets a oneOf/anyOf without its own type stand for its
// first non-null alternative: enough to generate a plausible value.
func (c *converter) mergeFirstAlternative(out *Schema, alts openapi3.SchemaRefs) {
	for _, a := range alts {
		if a == nil || a.Value == nil {
			continue
		}
		alt := c.schema(a.Value)
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

// merge copies into dst what dst does not define itself.
func merge(dst, src *Schema) {
	if src == nil || src == dst {
		return
	}
	if dst.Type == "" {
		dst.Type = src.Type
	}
	if dst.Format == "" {
		dst.Format = src.Format
	}
	if len(dst.Enum) == 0 {
		dst.Enum = src.Enum
	}
	if dst.Default == nil {
		dst.Default = src.Default
	}
	if dst.Example == nil {
		dst.Example = src.Example
	}
	dst.Nullable = dst.Nullable || src.Nullable
	dst.ReadOnly = dst.ReadOnly || src.ReadOnly
	dst.WriteOnly = dst.WriteOnly || src.WriteOnly
	if dst.Minimum == nil {
		dst.Minimum = src.Minimum
	}
	if dst.Maximum == nil {
		dst.Maximum = src.Maximum
	}
	if dst.MinLength == nil {
		dst.MinLength = src.MinLength
	}
	if dst.MaxLength == nil {
		dst.MaxLength = src.MaxLength
	}
	if dst.Pattern == "" {
		dst.Pattern = src.Pattern
	}
	if dst.Items == nil {
		dst.Items = src.Items
	}
	if len(src.Properties) > 0 {
		if dst.Properties == nil {
			dst.Properties = make(map[string]*Schema, len(src.Properties))
		}
		for k, v := range src.Properties {
			if _, ok := dst.Properties[k]; !ok {
				dst.Properties[k] = v
			}
		}
	}
	for _, r := range src.Required {
		if !slices.Contains(dst.Required, r) {
			dst.Required = append(slices.Clip(dst.Required), r)
		}
	}
}

func clampInt64(u uint64) *int64 {
	v := int64(math.MaxInt64)
	if u < math.MaxInt64 {
		v = int64(u)
	}
	return &v
}
