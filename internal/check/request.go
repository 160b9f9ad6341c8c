package check

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/plumbsec/plumb/internal/spec"
)

// BaseURL returns the URL operations are relative to: the target, plus the
// path of a spec server on the same origin (or a relative server path),
// so https://api.example.com with server https://api.example.com/v1 gives
// https://api.example.com/v1.
func (in *Input) BaseURL() *url.URL {
	base := *in.Target
	if in.API == nil {
		return &base
	}
	for _, s := range in.API.Servers {
		u, err := url.Parse(s.URL)
		if err != nil {
			continue
		}
		sameOrigin := u.Host == "" || (strings.EqualFold(u.Hostname(), in.Target.Hostname()) && u.Port() == in.Target.Port())
		if !sameOrigin {
			continue
		}
		if p := strings.TrimSuffix(u.Path, "/"); p != "" && !strings.HasPrefix(strings.TrimSuffix(base.Path, "/"), p) {
			base.Path = strings.TrimSuffix(base.Path, "/") + p
		}
		return &base
	}
	return &base
}

// OperationURL builds a concrete URL for op: path parameters from the
// spec's examples, defaults or enums (else a type-appropriate placeholder),
// required query parameters likewise. It returns false when a required
// parameter cannot be given a value (e.g. a required header or cookie).
func (in *Input) OperationURL(op spec.Operation) (string, bool) {
	path := op.Path
	q := url.Values{}
	for _, p := range op.Params {
		v := ParamValue(p)
		switch p.In {
		case "path":
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(v))
		case "query":
			if p.Required {
				q.Set(p.Name, v)
			}
		case "header", "cookie":
			if p.Required {
				return "", false
			}
		}
	}
	u := in.BaseURL()
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	return u.String(), true
}

// ParamValue chooses a value for a parameter: example, default, first
// enum value, or a placeholder that fits the schema's type and format.
func ParamValue(p spec.Param) string {
	if p.Example != nil {
		return fmt.Sprint(p.Example)
	}
	s := p.Schema
	if s == nil {
		return "1"
	}
	switch {
	case s.Example != nil:
		return fmt.Sprint(s.Example)
	case s.Default != nil:
		return fmt.Sprint(s.Default)
	case len(s.Enum) > 0:
		return fmt.Sprint(s.Enum[0])
	}
	switch s.Type {
	case "integer", "number":
		return "1"
	case "boolean":
		return "true"
	}
	switch s.Format {
	case "uuid":
		return "00000000-0000-4000-8000-000000000001"
	case "date":
		return "2024-01-01"
	case "date-time":
		return "2024-01-01T00:00:00Z"
	case "email":
		return "user@example.com"
	}
	return "1"
}
