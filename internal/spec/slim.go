package spec

// slimForKin removes from the tree what the model never reads through
// kin-openapi: response bodies, callbacks, links and examples. kin-openapi's
// JSON decoding re-reads every subtree once per nesting level, so what it is
// not given is the cheapest speed-up there is. Call it after the URL walk,
// which needs the full tree. It reports whether it changed anything.
func slimForKin(tree map[string]any) bool {
	changed := false
	if paths, ok := tree["paths"].(map[string]any); ok {
		for _, item := range paths {
			changed = slimPathItem(item) || changed
		}
	}
	if hooks, ok := tree["webhooks"].(map[string]any); ok {
		for _, item := range hooks {
			changed = slimPathItem(item) || changed
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
			slimResponses(rs)
			changed = true
		}
	}
	return changed
}

func slimPathItem(item any) bool {
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
			slimResponses(rs)
			changed = true
		}
	}
	return changed
}

// slimResponses keeps each response's key (and $ref, so references still
// resolve) and drops its body, except the schema of the first 2xx
// response's first JSON-ish body (Operation.Response).
func slimResponses(rs map[string]any) {
	kept := false
	for _, code := range sortedKeys(rs) {
		r := rs[code]
		if rm, ok := r.(map[string]any); ok {
			if ref, ok := rm["$ref"]; ok {
				rs[code] = map[string]any{"$ref": ref}
				continue
			}
			if !kept && len(code) == 3 && code[0] == '2' {
				if mt := treeFirstMedia(rm["content"]); mt != nil {
					rs[code] = map[string]any{"description": "", "content": map[string]any{"application/json": map[string]any{"schema": mt["schema"]}}}
					kept = true
					continue
				}
			}
		}
		rs[code] = map[string]any{"description": ""}
	}
}
