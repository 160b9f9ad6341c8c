package spec

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// decodeV3Head decodes everything but the paths of an OpenAPI 3 tree into
// kin-openapi types, pruning what kin-openapi rejects. The paths stay in the
// tree.
func decodeV3Head(tree map[string]any) (*openapi3.T, []string, error) {
	paths, hasPaths := tree["paths"]
	delete(tree, "paths")
	defer func() {
		if hasPaths {
			tree["paths"] = paths
		}
	}()
	var t openapi3.T
	err := json.Unmarshal(mustJSON(tree), &t)
	var warnings []string
	if err != nil {
		warnings = prune(tree, func(b []byte) (any, error) {
			var d openapi3.T
			return &d, json.Unmarshal(b, &d)
		})
		t = openapi3.T{}
		err = json.Unmarshal(mustJSON(tree), &t)
	}
	if err != nil {
		return nil, nil, err
	}
	return &t, warnings, nil
}

// pathKeys returns the path templates of paths, sorted, extensions left out.
func pathKeys(paths map[string]any) []string {
	keys := make([]string, 0, len(paths))
	for k := range paths {
		if !strings.HasPrefix(k, "x-") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// decodeV3Paths decodes the path items of tree into t. Path items are decoded
// one by one, in parallel: that skips the two outer levels of kin-openapi's
// per-level re-reading, uses every core, and lets one undecodable path item
// be skipped with a warning instead of failing the document.
func decodeV3Paths(ctx context.Context, tree map[string]any, t *openapi3.T) ([]string, error) {
	paths, _ := tree["paths"].(map[string]any)
	keys := pathKeys(paths)
	items, errs := decodePathItems(ctx, paths, keys)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var warnings []string
	t.Paths = openapi3.NewPathsWithCapacity(len(keys))
	for i, k := range keys {
		if errs[i] != nil {
			delete(paths, k)
			warnings = append(warnings, pathSkipped(k, errs[i]))
			continue
		}
		t.Paths.Set(k, items[i])
	}
	return warnings, nil
}

func pathSkipped(path string, err error) string {
	return fmt.Sprintf("/paths/%s cannot be decoded and was skipped: %v", escapePointer(path), err)
}

// decodePathItem decodes one path item the way the kin-openapi path does.
func decodePathItem(item any) (*openapi3.PathItem, error) {
	var pi openapi3.PathItem
	if err := json.Unmarshal(mustJSON(item), &pi); err != nil {
		return nil, err
	}
	return &pi, nil
}

func decodePathItems(ctx context.Context, paths map[string]any, keys []string) ([]*openapi3.PathItem, []error) {
	items := make([]*openapi3.PathItem, len(keys))
	errs := make([]error, len(keys))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(keys))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				items[i], errs[i] = decodePathItem(paths[keys[i]])
			}
		}()
	}
	for i := range keys {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return items, errs
}
