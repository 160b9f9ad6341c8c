package spec

import (
	"fmt"
	"sort"
)

// entryMaps are top-level members whose entries are pruned one by one; the
// remaining top-level members are tested whole. components is two levels deep.
var entryMaps = map[string]bool{
	"paths": true, "webhooks": true, "definitions": true, "parameters": true,
	"responses": true, "securityDefinitions": true,
}

// prune removes every part of tree that decode rejects on its own, so one
// malformed operation or schema does not cost the whole document. It returns
// a warning per removal.
func prune(tree map[string]any, decode func([]byte) (any, error)) []string {
	var warnings []string
	versionKeys := map[string]bool{"openapi": true, "swagger": true}
	skeleton := func() map[string]any {
		m := map[string]any{}
		for k := range versionKeys {
			if v, ok := tree[k]; ok {
				m[k] = v
			}
		}
		return m
	}
	fails := func(key string, v any) error {
		m := skeleton()
		m[key] = v
		_, err := decode(mustJSON(m))
		return err
	}
	for _, k := range sortedKeys(tree) {
		if versionKeys[k] {
			continue
		}
		v := tree[k]
		entries, isMap := v.(map[string]any)
		switch {
		case k == "components" && isMap:
			warnings = append(warnings, pruneComponents(entries, fails)...)
		case entryMaps[k] && isMap:
			warnings = append(warnings, pruneEntries("/"+k, entries, func(sub map[string]any) error { return fails(k, sub) })...)
		default:
			if err := fails(k, v); err != nil {
				delete(tree, k)
				warnings = append(warnings, fmt.Sprintf("/%s cannot be decoded and was skipped: %v", escapePointer(k), err))
			}
		}
	}
	return warnings
}

func pruneComponents(components map[string]any, fails func(string, any) error) []string {
	var warnings []string
	for _, kind := range sortedKeys(components) {
		entries, isMap := components[kind].(map[string]any)
		if !isMap {
			if err := fails("components", map[string]any{kind: components[kind]}); err != nil {
				delete(components, kind)
				warnings = append(warnings, fmt.Sprintf("/components/%s cannot be decoded and was skipped: %v", escapePointer(kind), err))
			}
			continue
		}
		warnings = append(warnings, pruneEntries("/components/"+escapePointer(kind), entries, func(sub map[string]any) error {
			return fails("components", map[string]any{kind: sub})
		})...)
	}
	return warnings
}

func pruneEntries(where string, entries map[string]any, fails func(map[string]any) error) []string {
	if fails(entries) == nil {
		return nil
	}
	var warnings []string
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := fails(map[string]any{k: entries[k]}); err != nil {
			delete(entries, k)
			warnings = append(warnings, fmt.Sprintf("%s/%s cannot be decoded and was skipped: %v", where, escapePointer(k), err))
		}
	}
	return warnings
}
