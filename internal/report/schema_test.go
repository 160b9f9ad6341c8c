package report

import (
	"bytes"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// A report with suppressions, a diff and spec sources matches the
// generated JSON Schema (the demo test covers the plain case).
func TestFixtureJSONMatchesSchema(t *testing.T) {
	t.Parallel()
	doc, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	sch, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, sch); err != nil {
		t.Fatal(err)
	}
	compiled, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	out := render(t, "json", Options{})
	for _, want := range []string{`"suppression": {`, `"baseline_state": "new"`, `"diff": {`, `"source": {`, `"expired": [`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("JSON report lacks %s", want)
		}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := compiled.Validate(inst); err != nil {
		t.Fatalf("report JSON does not match docs/report.schema.json: %v", err)
	}
}
