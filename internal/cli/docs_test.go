package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/plumbsec/plumb/internal/report"
)

var update = flag.Bool("update", false, "rewrite generated docs")

// Generated references must match the code; run `go test ./internal/cli -update` to refresh.
func TestGeneratedDocsAreFresh(t *testing.T) {
	t.Parallel()
	schema, err := report.Schema()
	if err != nil {
		t.Fatal(err)
	}
	codeSchema, err := report.CodeSchema()
	if err != nil {
		t.Fatal(err)
	}
	var cat bytes.Buffer
	if err := CatalogMarkdown(&cat); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]byte{
		"../../docs/report.schema.json": schema,
		"../../docs/checks.md":          cat.Bytes(),
		"../../docs/code.schema.json":   codeSchema,
	} {
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale; run: go test ./internal/cli -run TestGeneratedDocsAreFresh -update", filepath.Clean(path))
		}
	}
}

// `plumb demo --format json` is valid JSON matching the documented schema.
func TestDemoJSONMatchesSchema(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"demo", "--format", "json"}, &Streams{
		In: strings.NewReader(""), Out: &out, Err: &errb, LookupEnv: func(string) (string, bool) { return "", false },
	})
	if code != ExitOK {
		t.Fatalf("demo exited %d: %s", code, errb.String())
	}
	schemaDoc, err := report.Schema()
	if err != nil {
		t.Fatal(err)
	}
	sch, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaDoc))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(report.SchemaID, sch); err != nil {
		t.Fatal(err)
	}
	compiled, err := c.Compile(report.SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatalf("demo output is not JSON: %v", err)
	}
	if err := compiled.Validate(inst); err != nil {
		t.Fatalf("demo JSON does not match the schema: %v", err)
	}
	var rep struct {
		Grade    string            `json:"grade"`
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Grade == "" || len(rep.Findings) == 0 {
		t.Fatalf("demo JSON has no grade or findings: %v %+v", err, rep)
	}
}
