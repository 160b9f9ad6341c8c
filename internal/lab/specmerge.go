package lab

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// Spec fragments: each flaw family adds its operations and components to a
// site's OpenAPI document as its own file in specs/<site>.d/, so growing the
// lab never means editing one shared document. Fragments are JSON objects
// with any of "paths", "components", "tags", "x-*" members; they are deep-
// merged into the base document in file-name order.
//
//go:embed specs/vulnshop.d specs/cleanshop.d
var specFragments embed.FS

// withFragments returns base merged with every fragment in dir. A path and
// method defined twice is a programming error and fails loudly at Start.
func withFragments(base []byte, dir string) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("lab spec base: %w", err)
	}
	names, err := fs.Glob(specFragments, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		b, err := specFragments.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := json.Unmarshal(b, &frag); err != nil {
			return nil, fmt.Errorf("lab spec fragment %s: %w", name, err)
		}
		if err := mergeInto(doc, frag, name); err != nil {
			return nil, err
		}
	}
	if len(names) == 0 {
		return base, nil
	}
	return json.MarshalIndent(doc, "", "  ")
}

// mergeInto deep-merges src into dst. Objects merge key by key; any other
// value already present is a conflict.
func mergeInto(dst, src map[string]any, where string) error {
	for k, sv := range src {
		dv, ok := dst[k]
		if !ok {
			dst[k] = sv
			continue
		}
		dm, dok := dv.(map[string]any)
		sm, sok := sv.(map[string]any)
		if !dok || !sok {
			return fmt.Errorf("lab spec fragment %s: %q is already defined", where, k)
		}
		if err := mergeInto(dm, sm, where+" "+k); err != nil {
			return err
		}
	}
	return nil
}
