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
