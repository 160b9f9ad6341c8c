package lab

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMergeIntoDeepMergesAndRejectsDuplicates(t *testing.T) {
	t.Parallel()
	doc := map[string]any{"paths": map[string]any{"/a": map[string]any{"get": map[string]any{}}}}
	frag := map[string]any{"paths": map[string]any{"/a": map[string]any{"post": map[string]any{}}, "/b": map[string]any{}}}
	if err := mergeInto(doc, frag, "frag"); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(doc)
	for _, want := range []string{`"get"`, `"post"`, `"/b"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("merged doc %s lacks %s", b, want)
		}
	}
	dup := map[string]any{"paths": map[string]any{"/a": map[string]any{"get": "again"}}}
	if err := mergeInto(doc, dup, "dup"); err == nil || !strings.Contains(err.Error(), `"get" is already defined`) {
		t.Fatalf("duplicate operation must fail, got %v", err)
	}
}
