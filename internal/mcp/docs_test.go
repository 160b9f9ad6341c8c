package mcp

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/mcp.md")

// docs/mcp.md must list the tools as the server does; run
// `go test ./internal/mcp -run TestDocs -update` to refresh it.
func TestDocs(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := Docs(&b); err != nil {
		t.Fatal(err)
	}
	const path = "../../docs/mcp.md"
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, b.Bytes()) {
		t.Errorf("docs/mcp.md is stale; run: go test ./internal/mcp -run TestDocs -update")
	}
	for _, tool := range []string{"## audit_dns", "## scan_api", "## analyse_spec", "## scan_code", "## explain_finding", `"bearer_env"`} {
		if !bytes.Contains(b.Bytes(), []byte(tool)) {
			t.Errorf("docs lack %s", tool)
		}
	}
}
