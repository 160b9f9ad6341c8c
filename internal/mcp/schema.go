package mcp

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/plumbsec/plumb/internal/report"
)

// schemaBase prefixes the ids of the tools' output schemas.
const schemaBase = "https://github.com/plumbsec/plumb/docs/mcp/"

// inputSchema infers T's schema (descriptions come from `jsonschema`
// struct tags), lets adjust tighten it, and resolves it.
func inputSchema[T any](adjust func(*jsonschema.Schema)) (*jsonschema.Schema, error) {
	s, err := jsonschema.For[T](nil)
	if err != nil {
		return nil, fmt.Errorf("mcp: input schema: %w", err)
	}
	if adjust != nil {
		adjust(s)
	}
	if _, err := s.Resolve(nil); err != nil {
		return nil, fmt.Errorf("mcp: input schema: %w", err)
	}
	return s, nil
}

// outputSchema is the schema of v's JSON encoding as plumb documents its
// JSON contracts (report.SchemaOf), resolved.
func outputSchema(v any, id, title, description string) (*jsonschema.Schema, error) {
	b, err := report.SchemaOf(v, id, title, description)
	if err != nil {
		return nil, fmt.Errorf("mcp: output schema %s: %w", id, err)
	}
	return parseSchema(b, id)
}

func parseSchema(b []byte, id string) (*jsonschema.Schema, error) {
	var s jsonschema.Schema
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("mcp: output schema %s: %w", id, err)
	}
	if _, err := s.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true}); err != nil {
		return nil, fmt.Errorf("mcp: output schema %s: %w", id, err)
	}
	return &s, nil
}

// list is one required property of a listsSchema object: an array of
// item's JSON encoding.
type list struct {
	name, description string
	item              any
}

// listsSchema is the schema of an object whose properties are lists,
// each of its item's JSON encoding as report.SchemaOf generates it, with
// their definitions merged.
func listsSchema(id, title, description string, lists ...list) (*jsonschema.Schema, error) {
	defs := map[string]json.RawMessage{}
	props := map[string]any{}
	var (
		required []string
		dialect  json.RawMessage
	)
	for _, l := range lists {
		b, err := report.SchemaOf(l.item, id, title, description)
		if err != nil {
			return nil, fmt.Errorf("mcp: output schema %s: %w", id, err)
		}
		var item map[string]json.RawMessage
		if err := json.Unmarshal(b, &item); err != nil {
			return nil, fmt.Errorf("mcp: output schema %s: %w", id, err)
		}
		var itemDefs map[string]json.RawMessage
		if raw, ok := item["$defs"]; ok {
			if err := json.Unmarshal(raw, &itemDefs); err != nil {
				return nil, fmt.Errorf("mcp: output schema %s: %w", id, err)
			}
		}
		for k, d := range itemDefs {
			if prev, ok := defs[k]; ok && !bytes.Equal(prev, d) {
				return nil, fmt.Errorf("mcp: output schema %s: two definitions of %s", id, k)
			}
			defs[k] = d
		}
		dialect = item["$schema"]
		for _, k := range []string{"$schema", "$id", "$defs", "title", "description"} {
			delete(item, k)
		}
		prop := map[string]any{"type": "array", "items": item}
		if l.description != "" {
			prop["description"] = l.description
		}
		props[l.name], required = prop, append(required, l.name)
	}
	root := map[string]any{"$schema": dialect, "$id": id, "title": title, "description": description,
		"type": "object", "properties": props, "required": required, "additionalProperties": false}
	if len(defs) > 0 {
		root["$defs"] = defs
	}
	b, err := json.Marshal(root)
	if err != nil {
		return nil, fmt.Errorf("mcp: output schema %s: %w", id, err)
	}
	return parseSchema(b, id)
}
