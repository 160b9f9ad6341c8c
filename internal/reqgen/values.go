// Package reqgen turns an OpenAPI operation into concrete requests: valid
// parameter values from schemas, examples, enums and formats; JSON request
// bodies; and object ids harvested from earlier responses (a list
// operation's items feed the {id} of its detail operation). Checks share
// one Corpus of what identity A sees, built once per scan.
package reqgen

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/plumbsec/plumb/internal/spec"
)

// maxDepth bounds body generation on deep or recursive schemas.
const maxDepth = 6

// ParamValue chooses a value for a parameter: the parameter's example,
// then the schema's example, default, first enum value, else a value that
// fits the type, format and bounds.
func ParamValue(p spec.Param) string {
	if p.Example != nil {
		return scalar(p.Example)
	}
	if p.Schema == nil {
		return "1"
	}
	return scalar(Value(p.Schema))
}

// Value generates a JSON-compatible value (map, slice, string, float64,
// bool) valid for s as far as plumb's schema model can tell.
func Value(s *spec.Schema) any { return value(s, 0, map[*spec.Schema]int{}) }

func value(s *spec.Schema, depth int, seen map[*spec.Schema]int) any {
	if s == nil {
		return "plumb"
	}
	switch {
	case s.Example != nil:
		return s.Example
	case s.Default != nil:
		return s.Default
	case len(s.Enum) > 0:
		return s.Enum[0]
	}
	if seen[s] > 0 || depth > maxDepth {
		return nil
	}
	seen[s]++
	defer func() { seen[s]-- }()
	switch s.Type {
	case "integer":
		return float64(int64(number(s, 1)))
	case "number":
		return number(s, 1)
	case "boolean":
		return true
	case "array":
		if it := value(s.Items, depth+1, seen); it != nil {
			return []any{it}
		}
		return []any{}
	case "object":
		return object(s, depth, seen)
	case "string":
		return str(s)
	}
	if len(s.Properties) > 0 {
		return object(s, depth, seen)
	}
	return str(s)
}

func object(s *spec.Schema, depth int, seen map[*spec.Schema]int) map[string]any {
	out := make(map[string]any, len(s.Properties))
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if v := value(s.Properties[n], depth+1, seen); v != nil {
			out[n] = v
		}
	}
	return out
}

// number picks def clamped into [minimum, maximum].
func number(s *spec.Schema, def float64) float64 {
	v := def
	if s.Minimum != nil && v < *s.Minimum {
		v = math.Ceil(*s.Minimum)
	}
	if s.Maximum != nil && v > *s.Maximum {
		v = math.Floor(*s.Maximum)
	}
	return v
}

func str(s *spec.Schema) string {
	v := "plumb"
	switch s.Format {
	case "uuid":
		v = "00000000-0000-4000-8000-000000000001"
	case "date":
		v = "2024-01-01"
	case "date-time":
		v = "2024-01-01T00:00:00Z"
	case "email":
		v = "plumb@example.com"
	case "uri", "url":
		v = "https://example.com/"
	case "hostname":
		v = "example.com"
	case "ipv4":
		v = "192.0.2.1"
	case "ipv6":
		v = "2001:db8::1"
	case "int32", "int64":
		v = "1"
	case "byte":
		v = "cGx1bWI="
	case "password":
		v = "Plumb-pass-1"
	}
	if s.MinLength != nil && int64(len(v)) < *s.MinLength {
		v += strings.Repeat("x", int(min(*s.MinLength, 4096))-len(v))
	}
	if s.MaxLength != nil && int64(len(v)) > *s.MaxLength {
		v = v[:max(*s.MaxLength, 0)]
	}
	return v
}

// scalar renders a generated value as a path or query string.
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return "1"
	case string:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []any:
		if len(x) > 0 {
			return scalar(x[0])
		}
		return "1"
	}
	return fmt.Sprint(v)
}

// Built is a concrete request for an operation.
type Built struct {
	URL    string
	Values map[string]string // path (and harvested or overridden query) parameter → value used
}

// Build fills op's path template and required query parameters, taking a
// value from override first, then from pick (harvested ids; may be nil),
// then from the schema (ParamValue). An optional query parameter is sent
// only when override names it. It returns a reason instead of a request
// when a required header or cookie parameter cannot be given. This is
// plumb's one way of turning an operation into a URL: checks that vary
// one parameter pass it in override.
func Build(base *url.URL, op spec.Operation, override map[string]string, pick func(spec.Param) (string, bool)) (Built, string) {
	path := op.Path
	q := url.Values{}
	b := Built{Values: map[string]string{}}
	for _, p := range op.Params {
		v, ok := override[p.Name]
		picked := ok
		if !ok && pick != nil && (p.In == "path" || (p.In == "query" && p.Required)) {
			v, picked = pick(p)
			ok = picked
		}
		if !ok {
			v = ParamValue(p)
		}
		switch p.In {
		case "path":
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(v))
			b.Values[p.Name] = v
		case "query":
			if p.Required || overridden(override, p.Name) {
				q.Set(p.Name, v)
			}
			if picked && p.Required {
				b.Values[p.Name] = v // an object id in the query: checks vary it like a path id
			}
		case "header", "cookie":
			if p.Required {
				return Built{}, "required " + p.In + " parameter " + p.Name
			}
		}
	}
	u := *base
	setPath(&u, strings.TrimSuffix(u.EscapedPath(), "/")+path)
	u.RawQuery = q.Encode()
	b.URL = u.String()
	return b, ""
}

// setPath sets u's path from its escaped form, so a parameter value that
// needed escaping (a space, a quote, a slash) is escaped exactly once.
func setPath(u *url.URL, escaped string) {
	p, err := url.PathUnescape(escaped)
	if err != nil { // a literal '%' in the spec's path template
		u.Path, u.RawPath = escaped, ""
		return
	}
	u.Path, u.RawPath = p, escaped
}

func overridden(override map[string]string, name string) bool {
	_, ok := override[name]
	return ok
}
