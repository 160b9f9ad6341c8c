package spec

// slimForKin removes from the tree what the model never reads through
// kin-openapi: response bodies, callbacks, links and examples. kin-openapi's
// JSON decoding re-reads every subtree once per nesting level, so what it is
// not given is the cheapest speed-up there is. Call it after the URL walk,
// which needs the full tree. A response that a $ref points into (kept
// holds "#/paths/…/responses/200" prefixes of every $ref target) keeps its
// body. It reports whether it changed anything.
func slimForKin(tree map[string]any, kept map[string]bool) bool {
	changed := false
	for _, top := range []string{"paths", "webhooks"} {
		if items, ok := tree[top].(map[string]any); ok {
			for p, item := range items {
				changed = slimPathItem(item, "#/"+top+"/"+escapePointer(p), kept) || changed
			}
		}
	}
	if comps, ok := tree["components"].(map[string]any); ok {
		for _, k := range []string{"callbacks", "links", "examples"} {
			if _, ok := comps[k]; ok {
				delete(comps, k)
				changed = true
			}
		}
		if rs, ok := comps["responses"].(map[string]any); ok {
			slimResponses(rs, "#/components/responses", kept)
			changed = true
		}
	}
	return changed
}

func slimPathItem(item any, at string, kept map[string]bool) bool {
	m, ok := item.(map[string]any)
	if !ok {
		return false
	}
	changed := false
	for k, op := range m {
		om, ok := op.(map[string]any)
		if !ok || !isMethod(k) {
			continue
		}
		for _, drop := range []string{"callbacks", "description", "externalDocs"} {
			if _, ok := om[drop]; ok {
				delete(om, drop)
				changed = true
			}
		}
		if rs, ok := om["responses"].(map[string]any); ok {
			slimResponses(rs, at+"/"+k+"/responses", kept)
			changed = true
		}
	}
	return changed
}

// slimResponses keeps each response's key (and $ref, so references still
// resolve) and drops its body, unless a $ref points into it.
func slimResponses(rs map[string]any, at string, kept map[string]bool) {
	for code, r := range rs {
		if kept[at+"/"+escapePointer(code)] {
			continue
		}
		if rm, ok := r.(map[string]any); ok {
			if ref, ok := rm["$ref"]; ok {
				rs[code] = map[string]any{"$ref": ref}
				continue
			}
		}
		rs[code] = map[string]any{"description": ""}
	}
}
