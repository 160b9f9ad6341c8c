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
