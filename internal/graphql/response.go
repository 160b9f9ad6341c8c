// Package graphql is plumb's GraphQL toolkit: it reads answers, turns an
// introspection result into a schema (gqlparser's ast), rebuilds what it
// can of a schema from "Did you mean …" suggestions, builds query
// documents from validated names, and tells server engines apart. It never
// touches the network; the checks in internal/checks/graphql do.
package graphql

import (
	"bytes"
	"encoding/json"
)

// Response is one GraphQL answer (GraphQL over HTTP: data, errors,
// extensions).
type Response struct {
	Data       json.RawMessage            `json:"data"`
	Errors     []Error                    `json:"errors"`
	Extensions map[string]json.RawMessage `json:"extensions"`
}

// Error is one entry of a response's errors list.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Parse reads body as a GraphQL answer. ok is false unless the body is a
// JSON object with a data member or an errors list whose entries carry a
// message: the shape every GraphQL server answers with, and which REST
// error bodies (JSON:API errors carry title/detail) do not have.
func Parse(body []byte) (*Response, bool) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return nil, false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil {
		return nil, false
	}
	_, hasData := top["data"]
	_, hasErrors := top["errors"]
	if !hasData && !hasErrors {
		return nil, false
	}
	var r Response
	if json.Unmarshal(b, &r) != nil {
		return nil, false
	}
	if !hasData {
		if len(r.Errors) == 0 {
			return nil, false
		}
		for _, e := range r.Errors {
			if e.Message == "" {
				return nil, false
			}
		}
	}
	return &r, true
}

// ParseBatch reads an array of answers (array batching). ok is false
// unless every element is a GraphQL answer.
func ParseBatch(body []byte) ([]*Response, bool) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '[' {
		return nil, false
	}
	var raw []json.RawMessage
	if json.Unmarshal(b, &raw) != nil || len(raw) == 0 {
		return nil, false
	}
	out := make([]*Response, 0, len(raw))
	for _, e := range raw {
		r, ok := Parse(e)
		if !ok {
			return nil, false
		}
		out = append(out, r)
	}
	return out, true
}

// HasData reports whether the answer carries a non-null data object.
func (r *Response) HasData() bool {
	d := bytes.TrimSpace(r.Data)
	return len(d) > 0 && d[0] == '{'
}

// Field returns the value of one top-level field (by alias) of data, or
// nil when it is absent or null.
func (r *Response) Field(alias string) json.RawMessage {
	if !r.HasData() {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(r.Data, &m) != nil {
		return nil
	}
	v := bytes.TrimSpace(m[alias])
	if len(v) == 0 || string(v) == "null" {
		return nil
	}
	return v
}

// FieldCount returns how many top-level fields of data are non-null.
func (r *Response) FieldCount() int {
	if !r.HasData() {
		return 0
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(r.Data, &m) != nil {
		return 0
	}
	n := 0
	for _, v := range m {
		if s := string(bytes.TrimSpace(v)); s != "" && s != "null" {
			n++
		}
	}
	return n
}

// Typename returns data.__typename (under the given alias, "" for the
// plain field) when it is a string.
func (r *Response) Typename(alias string) (string, bool) {
	if alias == "" {
		alias = "__typename"
	}
	v := r.Field(alias)
	var s string
	if v == nil || json.Unmarshal(v, &s) != nil || s == "" {
		return "", false
	}
	return s, true
}

// Messages returns every error message.
func (r *Response) Messages() []string {
	out := make([]string, 0, len(r.Errors))
	for _, e := range r.Errors {
		out = append(out, e.Message)
	}
	return out
}

// Code returns an error's extensions.code, if it is a string.
func (e Error) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}
