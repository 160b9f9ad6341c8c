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

// decodeV3 decodes an OpenAPI 3 tree into kin-openapi types. Path items are
// decoded one by one, in parallel: that skips the two outer levels of
// kin-openapi's per-level re-reading, uses every core, and lets one
// undecodable path item be skipped with a warning instead of failing the
// document.
func decodeV3(ctx context.Context, tree map[string]any) (*openapi3.T, []string, error) {
	paths, _ := tree["paths"].(map[string]any)
	delete(tree, "paths")
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
	if paths != nil {
		tree["paths"] = paths
	}
	if err != nil {
		return nil, nil, err
	}
	keys := make([]string, 0, len(paths))
	for k := range paths {
		if !strings.HasPrefix(k, "x-") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	items, errs := decodePathItems(ctx, paths, keys)
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	t.Paths = openapi3.NewPathsWithCapacity(len(keys))
	for i, k := range keys {
		if errs[i] != nil {
			delete(paths, k)
			warnings = append(warnings, fmt.Sprintf("/paths/%s cannot be decoded and was skipped: %v", escapePointer(k), errs[i]))
			continue
		}
		t.Paths.Set(k, items[i])
	}
	return &t, warnings, nil
}

func decodePathItems(ctx context.Context, paths map[string]any, keys []string) ([]*openapi3.PathItem, []error) {
	items := make([]*openapi3.PathItem, len(keys))
	errs := make([]error, len(keys))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var pi openapi3.PathItem
				if errs[i] = json.Unmarshal(mustJSON(paths[keys[i]]), &pi); errs[i] == nil {
					items[i] = &pi
				}
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
