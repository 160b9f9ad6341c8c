package mcp

import (
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

// listSchema is the schema of an object whose one property, name, is a
// list of item's JSON encoding (as report.SchemaOf generates it).
func listSchema(name string, item any, id, title, description string) (*jsonschema.Schema, error) {
	b, err := report.SchemaOf(item, id, title, description)
	if err != nil {
		return nil, fmt.Errorf("mcp: output schema %s: %w", id, err)
	}
	var itemSchema map[string]any
	if err := json.Unmarshal(b, &itemSchema); err != nil {
		return nil, fmt.Errorf("mcp: output schema %s: %w", id, err)
	}
	root := map[string]any{}
	for _, k := range []string{"$schema", "$id", "$defs", "title", "description"} {
		if v, ok := itemSchema[k]; ok {
			root[k] = v
			delete(itemSchema, k)
		}
	}
	root["type"] = "object"
	root["properties"] = map[string]any{name: map[string]any{"type": "array", "items": itemSchema}}
	root["required"] = []string{name}
	root["additionalProperties"] = false
	if b, err = json.Marshal(root); err != nil {
		return nil, fmt.Errorf("mcp: output schema %s: %w", id, err)
	}
	return parseSchema(b, id)
}
