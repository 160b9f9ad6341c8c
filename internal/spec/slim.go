package spec

import "strings"

// slimForKin removes from the tree what the model never reads through
// kin-openapi: response bodies, callbacks, links and examples (a
// parameter's examples, which the model reads, get their $refs into
// components/examples replaced by the example itself). kin-openapi's
// JSON decoding re-reads every subtree once per nesting level, so what it is
// not given is the cheapest speed-up there is. Call it after the URL walk,
// which needs the full tree. A response that a $ref points into (kept
// holds "#/paths/…/responses/200" prefixes of every $ref target) keeps its
// body. The returned edits can put the tree back (see slimEdits.full).
func slimForKin(tree map[string]any, kept map[string]bool) slimEdits {
	e := &slimmer{tree: tree}
	for _, top := range []string{"paths", "webhooks"} {
		if items, ok := tree[top].(map[string]any); ok {
			for p, item := range items {
				e.pathItem(item, "#/"+top+"/"+escapePointer(p), kept)
			}
		}
	}
	if comps, ok := tree["components"].(map[string]any); ok {
		if ps, ok := comps["parameters"].(map[string]any); ok {
			for _, p := range ps {
				e.parameter(p)
			}
		}
		if bs, ok := comps["requestBodies"].(map[string]any); ok {
			for _, b := range bs {
				e.body(b)
			}
		}
		if rs, ok := comps["responses"].(map[string]any); ok {
			e.responses(rs, "#/components/responses", kept)
		}
		for _, k := range []string{"callbacks", "links", "examples"} {
			e.del(comps, k)
		}
	}
	return e.slimEdits
}

// slimEdit is one change slimming made: m[key] was old, is now new (or
// gone when deleted).
type slimEdit struct {
	m        map[string]any
	key      string
	old, new any
	deleted  bool
}

// slimEdits are the changes of one slimming, in order.
type slimEdits []slimEdit

// slimmer makes the edits of one slimming.
type slimmer struct {
	slimEdits
	tree map[string]any
}

func (e *slimEdits) del(m map[string]any, k string) {
	if old, ok := m[k]; ok {
		*e = append(*e, slimEdit{m: m, key: k, old: old, deleted: true})
		delete(m, k)
	}
}

func (e *slimEdits) set(m map[string]any, k string, v any) {
	*e = append(*e, slimEdit{m: m, key: k, old: m[k], new: v})
	m[k] = v
}

// full returns fn's result on the tree as it was before slimming: the
// edits are undone, fn runs, and they are done again.
func (e slimEdits) full(fn func()) {
	for i := len(e) - 1; i >= 0; i-- {
		e[i].m[e[i].key] = e[i].old
	}
	defer func() {
		for _, x := range e {
			if x.deleted {
				delete(x.m, x.key)
			} else {
				x.m[x.key] = x.new
			}
		}
	}()
	fn()
}

func (e *slimmer) pathItem(item any, at string, kept map[string]bool) {
	m, ok := item.(map[string]any)
	if !ok {
		return
	}
	e.parameters(m["parameters"])
	for k, op := range m {
		om, ok := op.(map[string]any)
		if !ok || !isMethod(k) {
			continue
		}
		e.del(om, "callbacks")
		// Prose no $ref can name goes for good: recording it would cost
		// more than the re-read it could ever serve.
		delete(om, "description")
		delete(om, "externalDocs")
		e.parameters(om["parameters"])
		e.body(om["requestBody"])
		if rs, ok := om["responses"].(map[string]any); ok {
			e.responses(rs, at+"/"+k+"/responses", kept)
		}
	}
}

func (e *slimmer) parameters(v any) {
	if list, ok := v.([]any); ok {
		for _, p := range list {
			e.parameter(p)
		}
	}
}

// parameter keeps a parameter's examples (the model reads them) but puts
// each example a $ref names in place of the $ref, so components/examples
// can go; one that does not resolve is dropped.
func (e *slimmer) parameter(v any) {
	p, ok := v.(map[string]any)
	if !ok {
		return
	}
	if ex, ok := p["examples"].(map[string]any); ok {
		for name, x := range ex {
			xm, ok := x.(map[string]any)
			ref, isRef := xm["$ref"].(string)
			if !ok || !isRef {
				continue
			}
			if target, found := resolvePointer(e.tree, ref); found && strings.HasPrefix(ref, "#") {
				if _, isMap := target.(map[string]any); isMap {
					e.set(ex, name, target)
					continue
				}
			}
			e.del(ex, name)
		}
	}
	e.content(p["content"])
}

// body drops the examples of a request body: the model never reads them.
func (e *slimmer) body(v any) {
	if b, ok := v.(map[string]any); ok {
		e.content(b["content"])
	}
}

func (e *slimmer) content(v any) {
	c, ok := v.(map[string]any)
	if !ok {
		return
	}
	for _, mt := range c {
		if m, ok := mt.(map[string]any); ok {
			e.del(m, "examples")
			if enc, ok := m["encoding"].(map[string]any); ok {
				for _, x := range enc {
					if xm, ok := x.(map[string]any); ok {
						e.del(xm, "headers")
					}
				}
			}
		}
	}
}

// responses keeps each response's key (and $ref, so references still
// resolve) and drops its body, unless a $ref points into it; the schema
// of the first 2xx response's first JSON-ish body stays (Operation.Response).
func (e *slimmer) responses(rs map[string]any, at string, kept map[string]bool) {
	first2xx := false
	for _, code := range sortedKeys(rs) {
		r := rs[code]
		if kept[at+"/"+escapePointer(code)] {
			continue
		}
		if rm, ok := r.(map[string]any); ok {
			if ref, ok := rm["$ref"]; ok {
				e.set(rs, code, map[string]any{"$ref": ref})
				continue
			}
			if !first2xx && len(code) == 3 && code[0] == '2' {
				if mt := treeFirstMedia(rm["content"]); mt != nil {
					e.set(rs, code, map[string]any{"description": "", "content": map[string]any{"application/json": map[string]any{"schema": mt["schema"]}}})
					first2xx = true
					continue
				}
			}
		}
		e.set(rs, code, map[string]any{"description": ""})
	}
}
