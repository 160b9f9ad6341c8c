package spec

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// maxRefChain bounds how many $ref hops one resolution follows.
const maxRefChain = 64

// treeConv builds operations straight from a plain OpenAPI 3 tree (see
// v3gate.go), mirroring converter over kin-openapi types field by field.
// Resolved $refs are memoized per target, and schemas per target object, so
// a document that fans one definition out to many places (or a "billion
// laughs" of $refs) costs one conversion per definition.
type treeConv struct {
	tree map[string]any
	refs map[string]map[string]any
	memo map[uintptr]*Schema
}

func newTreeConv(tree map[string]any) *treeConv {
	return &treeConv{tree: tree, refs: map[string]map[string]any{}, memo: map[uintptr]*Schema{}}
}

// directMethods are the operation keys of a plain path item, in the order
// of their upper-case names.
var directMethods = []string{"delete", "get", "head", "options", "patch", "post", "put", "trace"}

// operations calls emit for every operation, by path then method.
func (c *treeConv) operations(global []Requirement, emit func(path, method string, op Operation)) {
	paths, _ := c.tree["paths"].(map[string]any)
	for _, path := range pathKeys(paths) {
		item, _ := paths[path].(map[string]any)
		for _, method := range directMethods {
			if o, ok := item[method].(map[string]any); ok {
				emit(path, method, c.operation(path, method, item, o, global))
			}
		}
	}
}

func (c *treeConv) operation(path, method string, item, o map[string]any, global []Requirement) Operation {
	op := Operation{
		Method:      strings.ToUpper(method),
		Path:        path,
		OperationID: str(o["operationId"]),
		Summary:     str(o["summary"]),
		Tags:        strs(o["tags"]),
		Deprecated:  o["deprecated"] == true,
		Security:    global,
		Params:      c.params(item["parameters"], o["parameters"]),
		RequestBody: c.body(o["requestBody"]),
	}
	if sec, ok := o["security"].([]any); ok {
		op.Security = treeSecurity(sec)
	}
	if rs, ok := o["responses"]; ok {
		op.Responses = treeResponseKeys(rs)
		op.Response = c.response(rs, op.Responses)
	}
	if s, _ := o["servers"].([]any); len(s) > 0 {
		op.Servers = treeServers(s)
	} else if s, _ := item["servers"].([]any); len(s) > 0 {
		op.Servers = treeServers(s)
	}
	return op
}

// treeResponseKeys lists response codes the way kin-openapi's Responses.Keys
// does: sorted, extensions left out, never nil.
func treeResponseKeys(v any) []string {
	m, _ := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		if !strings.HasPrefix(k, "x-") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func (c *treeConv) params(pathLevel, opLevel any) []Param {
	var out []Param
	index := map[string]int{}
	for _, list := range []any{pathLevel, opLevel} {
		l, _ := list.([]any)
		for _, ref := range l {
			v := c.resolve(ref)
			if v == nil {
				continue
			}
			p := c.param(v)
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

func (c *treeConv) param(v map[string]any) Param {
	in := str(v["in"])
	p := Param{Name: str(v["name"]), In: in, Required: v["required"] == true || in == "path", Example: normJSON(v["example"])}
	if s := v["schema"]; s != nil {
		p.Schema = c.schema(s)
	} else if mt := treeFirstMedia(v["content"]); mt != nil {
		p.Schema = c.schema(mt["schema"])
	}
	if p.Example == nil {
		p.Example = c.firstExample(v["examples"])
	}
	return p
}

func (c *treeConv) firstExample(v any) any {
	ex, _ := v.(map[string]any)
	for _, k := range sortedKeys(ex) {
		if e := c.resolve(ex[k]); e != nil && e["value"] != nil {
			return normJSON(e["value"])
		}
	}
	return nil
}

func (c *treeConv) body(v any) *Body {
	m := c.resolve(v)
	if m == nil {
		return nil
	}
	b := &Body{Required: m["required"] == true}
	content, _ := m["content"].(map[string]any)
	for ct := range content {
		b.ContentTypes = append(b.ContentTypes, ct)
	}
	sort.Strings(b.ContentTypes)
	if mt := treeFirstMedia(content); mt != nil {
		b.Schema = c.schema(mt["schema"])
	}
	return b
}

// response is converter.response over the tree.
func (c *treeConv) response(v any, codes []string) *Schema {
	rs := c.resolve(v)
	for _, k := range codes {
		if len(k) != 3 || k[0] != '2' {
			continue
		}
		r := c.resolve(rs[k])
		if r == nil {
			continue
		}
		if mt := treeFirstMedia(r["content"]); mt != nil {
			return c.schema(mt["schema"])
		}
	}
	return nil
}

// treeFirstMedia is firstMedia over the tree.
func treeFirstMedia(v any) map[string]any {
	content, _ := v.(map[string]any)
	var fallback map[string]any
	for _, k := range sortedKeys(content) {
		mt, _ := content[k].(map[string]any)
		if mt == nil || mt["schema"] == nil {
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

func treeSecurity(reqs []any) []Requirement {
	out := make([]Requirement, 0, len(reqs))
	for _, r := range reqs {
		m, _ := r.(map[string]any)
		req := Requirement{Schemes: []SchemeUse{}}
		for _, n := range sortedKeys(m) {
			req.Schemes = append(req.Schemes, SchemeUse{Name: n, Scopes: strs(m[n])})
		}
		out = append(out, req)
	}
	return out
}

func treeServers(servers []any) []Server {
	out := make([]Server, 0, len(servers))
	for _, s := range servers {
		m, ok := s.(map[string]any)
		if !ok {
			continue
		}
		defaults := map[string]string{}
		vars, _ := m["variables"].(map[string]any)
		for name, v := range vars {
			if vm, ok := v.(map[string]any); ok {
				defaults[name] = str(vm["default"])
			}
		}
		u := str(m["url"])
		out = append(out, Server{URL: expandServerURL(u, defaults), Template: u, Description: str(m["description"])})
	}
	return out
}

// resolve follows v's $ref chain to the object it stands for; nil when v is
// not an object or the chain does not end in one.
func (c *treeConv) resolve(v any) map[string]any {
	m, _ := v.(map[string]any)
	for range maxRefChain {
		ref, isRef := m["$ref"].(string)
		if m == nil || !isRef {
			return m
		}
		target, ok := c.refs[ref]
		if !ok {
			t, _ := resolvePointer(c.tree, ref)
			target, _ = t.(map[string]any)
			c.refs[ref] = target
		}
		m = target
	}
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// strs converts a JSON array of strings; like encoding/json it keeps the
// difference between null (nil) and [] (empty).
func strs(v any) []string {
	a, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]string, len(a))
	for i, e := range a {
		out[i], _ = e.(string)
	}
	return out
}

// normJSON returns v as encoding/json decodes its encoding into any: numbers
// become float64, containers are copied.
func normJSON(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, _ := strconv.ParseFloat(string(t), 64)
		return f
	case int:
		return float64(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normJSON(e)
		}
		return out
	case []any:
		return normList(t)
	}
	return v
}

func normList(a []any) []any {
	out := make([]any, len(a))
	for i, e := range a {
		out[i] = normJSON(e)
	}
	return out
}

func identity(m map[string]any) uintptr { return reflect.ValueOf(m).Pointer() }
