package spec

import (
	"context"
	"net/url"

	"github.com/getkin/kin-openapi/openapi3"
)

// parseV3 decodes an OpenAPI 3 tree. Everything but the paths goes through
// kin-openapi (small, and its decoding rules and pruning stay the reference).
// The paths, the bulk of any large document, are built directly from the
// tree when the gate finds them plain (see v3gate.go): then the returned
// treeConv produces the operations. Otherwise every path item is decoded by
// kin-openapi as well and the treeConv is nil.
func parseV3(ctx context.Context, s *sanitizer, location *url.URL, read openapi3.ReadFromURIFunc) (*openapi3.T, *treeConv, *Error) {
	tree := s.tree
	t, warnings, err := decodeV3Head(tree)
	if err != nil {
		return nil, nil, &Error{Msg: "cannot decode document", Err: err}
	}
	// After pruning, kin-openapi keeps the $refs into what was pruned and
	// fails on them; the direct path would see them repaired. Pruned
	// documents therefore take the kin-openapi path.
	direct := false
	if len(warnings) == 0 {
		var pathWarnings []string
		direct, pathWarnings = planDirect(ctx, tree)
		warnings = pathWarnings
	}
	if !direct {
		more, err := decodeV3Paths(ctx, tree, t)
		if err != nil {
			return nil, nil, &Error{Msg: "canceled", Err: err}
		}
		warnings = append(warnings, more...)
	} else {
		t.Paths = openapi3.NewPaths()
	}
	s.warnings = append(s.warnings, warnings...)
	if len(warnings) > 0 {
		s.walkRefs(tree) // skipping parts can leave $refs dangling
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, &Error{Msg: "canceled", Err: err}
	}
	loader := &openapi3.Loader{Context: ctx, IsExternalRefsAllowed: true, ReadFromURIFunc: read}
	if err := loader.ResolveRefsIn(t, location); err != nil {
		return nil, nil, resolveError(err)
	}
	if !direct {
		return t, nil, nil
	}
	if took, ok := ctx.Value(directProbeKey{}).(*bool); ok {
		*took = true
	}
	return t, newTreeConv(tree), nil
}

// kinOnlyKey, set in a context, forces the kin-openapi path: tests compare
// the two paths on the same documents.
type kinOnlyKey struct{}

// directProbeKey holds a *bool that a parse sets when it takes the direct
// path (for tests).
type directProbeKey struct{}

// planDirect reports whether the paths of tree can be built directly. Path
// items the gate does not pass are decoded by kin-openapi: one it rejects is
// removed with the same warning the kin-openapi path gives; one it accepts
// means the gate cannot vouch for the document, which then takes the
// kin-openapi path.
func planDirect(ctx context.Context, tree map[string]any) (bool, []string) {
	if ctx.Value(kinOnlyKey{}) != nil || !plainComponents(tree) {
		return false, nil
	}
	paths, _ := tree["paths"].(map[string]any)
	var warnings []string
	for _, k := range pathKeys(paths) {
		item := paths[k]
		if item == nil || plainObject(&pathItemFields, item, "", false) {
			continue
		}
		_, err := decodePathItem(item)
		if err == nil {
			return false, warnings
		}
		delete(paths, k)
		warnings = append(warnings, pathSkipped(k, err))
	}
	return true, warnings
}
