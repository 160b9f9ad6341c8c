package reqgen

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// maxItemsPerSource caps what one response contributes to the pool.
const maxItemsPerSource = 50

// Item is one JSON object seen in a response (an element of a list, or a
// detail object) and the operation path that returned it.
type Item struct {
	Source string // path template of the operation, e.g. /api/v1/orders
	Fields map[string]any
}

// Pool holds object ids harvested from responses. Safe for concurrent use.
type Pool struct {
	mu    sync.Mutex
	items []Item
}

// Harvest records the objects in a JSON body returned by the operation at
// path: a top-level array, the arrays of objects inside a top-level object
// (e.g. {"orders": [...]}) or, failing those, the object itself.
func (p *Pool) Harvest(path string, body []byte) []Item {
	objs := Objects(body)
	if len(objs) > maxItemsPerSource {
		objs = objs[:maxItemsPerSource]
	}
	items := make([]Item, 0, len(objs))
	for _, o := range objs {
		items = append(items, Item{Source: path, Fields: o})
	}
	p.mu.Lock()
	p.items = append(p.items, items...)
	p.mu.Unlock()
	return items
}

// Objects returns the objects a JSON body describes (see Harvest).
func Objects(body []byte) []map[string]any {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []map[string]any
	switch x := v.(type) {
	case []any:
		out = appendObjects(out, x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if arr, ok := x[k].([]any); ok {
				out = appendObjects(out, arr)
			}
		}
		if len(out) == 0 {
			out = append(out, Unwrap(x)) // {"data": {...}} is the object inside
		}
	}
	return out
}

func appendObjects(out []map[string]any, arr []any) []map[string]any {
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			out = append(out, flattenJSONAPI(m))
		}
	}
	return out
}

// Candidate is a harvested value for a path parameter.
type Candidate struct {
	Value string
	Field string
	Item  Item
}

// Candidates returns harvested values for path parameter param of the
// operation at path, best first: values from the parent collection
// (/orders for /orders/{id}) whose field matches the parameter name, then
// the collection's "id", then any item with a field of that name.
func (p *Pool) Candidates(path, param string) []Candidate {
	parent := parentPath(path, param)
	want := norm(param)
	p.mu.Lock()
	items := slices.Clone(p.items)
	p.mu.Unlock()
	var exact, byID, global []Candidate
	seen := map[string]bool{}
	add := func(list *[]Candidate, it Item, field string) {
		v, ok := scalarField(it.Fields[field])
		if !ok || seen[v] {
			return
		}
		seen[v] = true
		*list = append(*list, Candidate{Value: v, Field: field, Item: it})
	}
	// order_id names the "id" of items listed by a .../orders operation.
	resource := strings.TrimSuffix(want, "id")
	for _, it := range items {
		fromParent := it.Source == parent && parent != ""
		fromResource := resource != "" && resource != want && lastSegment(it.Source) == resource
		for _, f := range sortedKeys(it.Fields) {
			nf := norm(f)
			switch {
			case fromParent && nf == want:
				add(&exact, it, f)
			case (fromParent && (strings.HasSuffix(want, "id") || want == "key") || fromResource) && nf == "id":
				add(&byID, it, f)
			case nf == want && want != "id":
				add(&global, it, f)
			}
		}
	}
	return append(append(exact, byID...), global...)
}

// lastSegment is a collection's resource name, singular: /api/v1/orders → order.
func lastSegment(path string) string {
	seg := norm(path[strings.LastIndex(path, "/")+1:])
	return strings.TrimSuffix(seg, "s")
}

// parentPath is the collection a detail path hangs off: /a/b/{id} → /a/b.
func parentPath(path, param string) string {
	i := strings.Index(path, "/{"+param+"}")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// norm compares names without case and separators: user_id = userId.
func norm(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '_' || r == '-':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// scalarField renders a string or number field; other kinds are not ids.
func scalarField(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, x != "" && len(x) <= 200
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10), true
		}
	case json.Number:
		return x.String(), true
	}
	return "", false
}
