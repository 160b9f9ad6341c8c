package check

import (
	"net/url"
	"strings"

	"github.com/plumbsec/plumb/internal/reqgen"
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

// OperationURL builds a concrete URL for op with reqgen.Build: path
// parameters and required query parameters from the spec's examples,
// defaults or enums, else a value that fits the schema. It returns false
// when a required parameter cannot be given a value (e.g. a required
// header or cookie).
func (in *Input) OperationURL(op spec.Operation) (string, bool) {
	b, why := reqgen.Build(in.BaseURL(), op, nil, nil)
	return b.URL, why == ""
}

// OperationAt returns the operation of the API a request went to: the one
// whose method and path template match (HEAD matches GET), the base path
// (BaseURL) stripped. ok is false for anything else (the root, a probe's
// own path).
func (in *Input) OperationAt(method, rawURL string) (spec.Operation, bool) {
	if in.API == nil {
		return spec.Operation{}, false
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return spec.Operation{}, false
	}
	p := u.Path
	if base := strings.TrimSuffix(in.BaseURL().Path, "/"); base != "" && strings.HasPrefix(p, base+"/") {
		p = strings.TrimPrefix(p, base)
	}
	for _, op := range in.API.Operations {
		if (op.Method == method || (method == "HEAD" && op.Method == "GET")) && templateMatches(op.Path, p) {
			return op, true
		}
	}
	return spec.Operation{}, false
}

// templateMatches reports whether path fits template segment by segment,
// a {param} segment standing for any one segment.
func templateMatches(tmpl, path string) bool {
	ts := strings.Split(strings.Trim(tmpl, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return false
	}
	for i, t := range ts {
		param := strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") && ps[i] != ""
		if !param && t != ps[i] {
			return false
		}
	}
	return true
}
