package spec

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// build converts a resolved kin-openapi document into the API model.
// When direct is non-nil it provides the operations instead of t.Paths.
func build(t *openapi3.T, raw *rawDoc, source, version string, urls []URLRef, secured map[string]bool, direct *treeConv) *API {
	api := &API{Source: source, Version: version, URLs: urls, securedLocations: secured}
	if t.Info != nil {
		api.Title, api.APIVersion = t.Info.Title, t.Info.Version
	}
	api.Servers = convertServers(t.Servers)
	api.SecuritySchemes = convertSchemes(t.Components)
	c := &converter{memo: map[*openapi3.Schema]*Schema{}}
	known := map[string]bool{}
	for _, s := range api.SecuritySchemes {
		known[s.Name] = true
	}
	global := convertSecurity(t.Security)
	emit := func(path, method string, op Operation) {
		if line, ok := raw.opLines[opKey(path, method)]; ok {
			op.Origin = Origin{File: source, Line: line}
		}
		api.Warnings = append(api.Warnings, undefinedSchemes(op, known)...)
		api.Operations = append(api.Operations, op)
	}
	switch {
	case direct != nil:
		direct.operations(global, emit)
	case t.Paths != nil:
		for _, path := range t.Paths.Keys() {
			item := t.Paths.Value(path)
			if item == nil {
				continue
			}
			for _, method := range sortedMethods(item) {
				emit(path, method, c.operation(path, method, item, item.Operations()[method], global))
			}
		}
	}
	sort.SliceStable(api.Operations, func(i, j int) bool {
		a, b := api.Operations[i], api.Operations[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Method < b.Method
	})
	if strings.HasPrefix(version, "2") {
		// Swagger 2 has no server URLs to find: they are built from host,
		// basePath and schemes.
		for _, s := range api.Servers {
			if h := hostOf(s.URL); h != "" {
				api.URLs = append(api.URLs, URLRef{URL: s.URL, Host: h, Where: "/host", Role: RoleAPIServer})
			}
		}
	}
	api.Warnings = append(api.Warnings, serverWarnings(api)...)
	return api
}

func sortedMethods(item *openapi3.PathItem) []string {
	ops := item.Operations()
	out := make([]string, 0, len(ops))
	for m, op := range ops {
		if op != nil {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

func undefinedSchemes(op Operation, known map[string]bool) []string {
	var w []string
	for _, r := range op.Security {
		for _, s := range r.Schemes {
			if !known[s.Name] {
				w = append(w, fmt.Sprintf("%s %s: security requirement names undefined scheme %q", op.Method, op.Path, s.Name))
			}
		}
	}
	return w
}

type converter struct {
	memo map[*openapi3.Schema]*Schema
}

func (c *converter) operation(path, method string, item *openapi3.PathItem, o *openapi3.Operation, global []Requirement) Operation {
	op := Operation{
		Method:      strings.ToUpper(method),
		Path:        path,
		OperationID: o.OperationID,
		Summary:     o.Summary,
		Tags:        o.Tags,
		Deprecated:  o.Deprecated,
		Security:    global,
		Params:      c.params(item.Parameters, o.Parameters),
		RequestBody: c.body(o.RequestBody),
	}
	if o.Security != nil {
		op.Security = convertSecurity(*o.Security)
	}
	if o.Responses != nil {
		op.Responses = o.Responses.Keys()
		sort.Strings(op.Responses)
		op.Response = c.response(o.Responses, op.Responses)
	}
	switch {
	case o.Servers != nil && len(*o.Servers) > 0:
		op.Servers = convertServers(*o.Servers)
	case len(item.Servers) > 0:
		op.Servers = convertServers(item.Servers)
	}
	return op
}

// params merges path-level and operation-level parameters; an operation
// parameter with the same name and location replaces the path one in place.
func (c *converter) params(pathLevel, opLevel openapi3.Parameters) []Param {
	var out []Param
	index := map[string]int{}
	for _, list := range []openapi3.Parameters{pathLevel, opLevel} {
		for _, ref := range list {
			if ref == nil || ref.Value == nil {
				continue
			}
			p := c.param(ref.Value)
			key := p.In + "\x00" + p.Name
			if i, ok := index[key]; ok {
				out[i] = p
				continue
			}
			index[key] = len(out)
			out = append(out, p)
		}
	}
	return out
}

func (c *converter) param(v *openapi3.Parameter) Param {
	p := Param{Name: v.Name, In: v.In, Required: v.Required || v.In == "path", Example: v.Example}
	if v.Schema != nil {
		p.Schema = c.schema(v.Schema.Value)
	} else if mt := firstMedia(v.Content); mt != nil && mt.Schema != nil {
		p.Schema = c.schema(mt.Schema.Value)
	}
	if p.Example == nil {
		p.Example = firstExample(v.Examples)
	}
	return p
}

func firstExample(ex openapi3.Examples) any {
	keys := make([]string, 0, len(ex))
	for k := range ex {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if e := ex[k]; e != nil && e.Value != nil && e.Value.Value != nil {
			return e.Value.Value
		}
	}
	return nil
}

func (c *converter) body(ref *openapi3.RequestBodyRef) *Body {
	if ref == nil || ref.Value == nil {
		return nil
	}
	b := &Body{Required: ref.Value.Required}
	for ct := range ref.Value.Content {
		b.ContentTypes = append(b.ContentTypes, ct)
	}
	sort.Strings(b.ContentTypes)
	if mt := firstMedia(ref.Value.Content); mt != nil && mt.Schema != nil {
		b.Schema = c.schema(mt.Schema.Value)
	}
	return b
}

// response converts the schema of the first 2xx response with a body.
func (c *converter) response(rs *openapi3.Responses, codes []string) *Schema {
	for _, k := range codes {
		if len(k) != 3 || k[0] != '2' {
			continue
		}
		if r := rs.Value(k); r != nil && r.Value != nil {
			if mt := firstMedia(r.Value.Content); mt != nil && mt.Schema != nil {
				return c.schema(mt.Schema.Value)
			}
		}
	}
	return nil
}

// firstMedia picks the first JSON-ish media type with a schema, else the
// first with a schema, in sorted order.
func firstMedia(content openapi3.Content) *openapi3.MediaType {
	keys := make([]string, 0, len(content))
	for k := range content {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var fallback *openapi3.MediaType
	for _, k := range keys {
		mt := content[k]
		if mt == nil || mt.Schema == nil {
			continue
		}
		if isJSONMedia(k) {
			return mt
		}
		if fallback == nil {
			fallback = mt
		}
	}
	return fallback
}

func isJSONMedia(ct string) bool {
	ct = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	return ct == "application/json" || strings.HasSuffix(ct, "+json") || strings.HasSuffix(ct, "/json")
}

func convertSecurity(reqs openapi3.SecurityRequirements) []Requirement {
	out := make([]Requirement, 0, len(reqs))
	for _, r := range reqs {
		names := make([]string, 0, len(r))
		for n := range r {
			names = append(names, n)
		}
		sort.Strings(names)
		req := Requirement{Schemes: []SchemeUse{}}
		for _, n := range names {
			req.Schemes = append(req.Schemes, SchemeUse{Name: n, Scopes: r[n]})
		}
		out = append(out, req)
	}
	return out
}

var serverVarRE = regexp.MustCompile(`\{([^{}]*)\}`)

func convertServers(servers openapi3.Servers) []Server {
	out := make([]Server, 0, len(servers))
	for _, s := range servers {
		if s == nil {
			continue
		}
		defaults := map[string]string{}
		for name, v := range s.Variables {
			if v != nil {
				defaults[name] = v.Default
			}
		}
		out = append(out, Server{URL: expandServerURL(s.URL, defaults), Template: s.URL, Description: s.Description})
	}
	return out
}

// expandServerURL substitutes {name} with the variable's default; unknown
// variables stay as written.
func expandServerURL(tmpl string, defaults map[string]string) string {
	return serverVarRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		if d, ok := defaults[m[1:len(m)-1]]; ok {
			return d
		}
		return m
	})
}

func serverWarnings(api *API) []string {
	var w []string
	for _, s := range api.Servers {
		if serverVarRE.MatchString(s.URL) {
			w = append(w, fmt.Sprintf("server %q has variables without defaults", s.Template))
		}
	}
	return w
}

func convertSchemes(c *openapi3.Components) []SecurityScheme {
	if c == nil {
		return nil
	}
	var out []SecurityScheme
	for name, ref := range c.SecuritySchemes {
		if ref == nil || ref.Value == nil {
			continue
		}
		v := ref.Value
		s := SecurityScheme{
			Name: name, Type: v.Type, Scheme: strings.ToLower(v.Scheme), BearerFormat: v.BearerFormat,
			OpenIDConnectURL: v.OpenIdConnectUrl,
		}
		if v.Type == "apiKey" {
			s.In, s.ParamName = v.In, v.Name
		}
		if f := v.Flows; f != nil {
			s.Flows = appendFlow(s.Flows, "authorizationCode", f.AuthorizationCode)
			s.Flows = appendFlow(s.Flows, "clientCredentials", f.ClientCredentials)
			s.Flows = appendFlow(s.Flows, "implicit", f.Implicit)
			s.Flows = appendFlow(s.Flows, "password", f.Password)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func appendFlow(out []OAuthFlow, kind string, f *openapi3.OAuthFlow) []OAuthFlow {
	if f == nil {
		return out
	}
	fl := OAuthFlow{Kind: kind, AuthorizationURL: f.AuthorizationURL, TokenURL: f.TokenURL, RefreshURL: f.RefreshURL}
	for s := range f.Scopes {
		fl.Scopes = append(fl.Scopes, s)
	}
	sort.Strings(fl.Scopes)
	return append(out, fl)
}
