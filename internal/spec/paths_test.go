package spec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// parseBoth parses data through the direct path (where the gate allows it)
// and through kin-openapi only, and fails if the results differ.
func parseBoth(t *testing.T, data []byte, source string, opts LoadOptions) (direct bool) {
	t.Helper()
	a, errA := Parse(context.WithValue(context.Background(), directProbeKey{}, &direct), data, source, opts)
	kinDirect := false
	kinCtx := context.WithValue(context.WithValue(context.Background(), kinOnlyKey{}, true), directProbeKey{}, &kinDirect)
	b, errB := Parse(kinCtx, data, source, opts)
	if fmt.Sprint(errA) != fmt.Sprint(errB) {
		t.Fatalf("%s: errors differ:\n direct: %v\n kin:    %v", source, errA, errB)
	}
	if errA != nil {
		return false
	}
	if kinDirect {
		t.Fatalf("%s: kin-only parse took the direct path", source)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("%s: models differ\n direct: %s\n kin:    %s", source, dump(a), dump(b))
	}
	return direct
}

func dump(a *API) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%+v\n", *a)
	for _, op := range a.Operations {
		fmt.Fprintf(&b, "  %s %s body=%+v\n", op.Method, op.Path, op.RequestBody)
		for _, p := range op.Params {
			fmt.Fprintf(&b, "    param %+v schema=%+v\n", p, p.Schema)
		}
	}
	return b.String()
}

// TestDirectMatchesKin loads every testdata document through both paths.
func TestDirectMatchesKin(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	directCount := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if parseBoth(t, data, f, LoadOptions{}) {
			directCount++
		}
	}
	if directCount < 4 {
		t.Errorf("only %d testdata documents took the direct path", directCount)
	}
	if !parseBoth(t, bigSpec(256<<10), "big.json", LoadOptions{}) {
		t.Error("generated document did not take the direct path")
	}
}

// FuzzDirectMatchesKin checks that the gate never lets through a document
// the direct path builds differently from kin-openapi.
func FuzzDirectMatchesKin(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	f.Add(refBomb(3))
	f.Fuzz(func(t *testing.T, data []byte) {
		parseBoth(t, data, "fuzz.yaml", LoadOptions{MaxBytes: 1 << 20})
	})
}

// TestDirectEdgeCases runs documents at the edges of the gate through both
// paths; direct says which path the gate should choose.
func TestDirectEdgeCases(t *testing.T) {
	t.Parallel()
	head := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
	comps := "components:\n  parameters:\n    P: {name: p, in: header, schema: {$ref: '#/components/schemas/S'}}\n" +
		"  schemas:\n    S: {type: integer, minimum: 1, maximum: 1e3, maxLength: 5.0, enum: [1, 2.5, x, null, {a: [1]}], default: 7}\n"
	tests := []struct {
		name, paths string
		direct      bool
	}{
		{"plain", `{"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/P"}], "responses": null}}}`, true},
		{"case variant key", `{"/a": {"get": {"Summary": "s", "responses": {}}}}`, false},
		{"upper-case method", `{"/a": {"GET": {"responses": {}}}}`, false},
		{"query method", `{"/a": {"query": {"responses": {}}}}`, false},
		{"ref sibling", `{"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/P", "in": "query"}]}}}`, false},
		{"boolean schema", `{"/a": {"get": {"parameters": [{"name": "b", "in": "query", "schema": true}]}}}`, false},
		{"bad path item skipped", `{"/a": {"get": {"summary": 5}}, "/b": {"get": {"tags": [], "security": [], "deprecated": true}}}`, true},
		{"null members", `{"/a": {"get": {"tags": null, "security": null, "servers": null, "requestBody": null}}, "/b": null}`, true},
		{"content param and examples", `{"/a": {"servers": [{"url": "https://{h}.example.com", "variables": {"h": {"default": "api"}}}], "get": {"parameters": [{"name": "c", "in": "query", "content": {"text/plain": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object", "properties": {"n": {"type": ["null", "number"], "const": 3}}}}}, "examples": {"b": {"value": {"k": 1}}, "a": {"value": null}}}]}}}`, true},
		{"huge number", `{"/a": {"get": {"parameters": [{"name": "q", "in": "query", "example": 1e999}]}}}`, true},
		{"negative maxLength", `{"/a": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"maxLength": -1}}]}}, "/z": {"get": {}}}`, true},
		{"external-looking ref", `{"/a": {"get": {"parameters": [{"$ref": "#/paths/~1b/get/parameters/0"}]}}, "/b": {"get": {"parameters": [{"name": "q", "in": "query"}]}}}`, false},
		{"body and media fallback", `{"/a": {"post": {"requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string", "maxLength": 3}}, "application/xml": {}}}, "responses": {"201": {"description": "x"}, "x-r": 1}}}}`, true},
		{"allOf and oneOf", `{"/a": {"post": {"requestBody": {"content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/S"}, {"required": ["a"], "properties": {"a": {"type": "string"}}}], "oneOf": [{"type": "null"}, {"nullable": true}]}}}}}}}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, doc := range []string{head + comps + "paths: " + tc.paths + "\n"} {
				if got := parseBoth(t, []byte(doc), "edge.yaml", LoadOptions{}); got != tc.direct {
					t.Errorf("direct = %v, want %v", got, tc.direct)
				}
			}
		})
	}
}
