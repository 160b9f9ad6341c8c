package mcp

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/report"
)

// The SDK validates every scan_api result against the report schema:
// what that costs for a full lab report.
func BenchmarkReportValidation(b *testing.B) {
	w := labtest.Start(b)
	rep := labtest.Scan(b, w, w.Vuln.BaseURL, w.Vuln.Token, nil, catalog.Default().Checks()...)
	raw, err := json.Marshal(rep)
	if err != nil {
		b.Fatal(err)
	}
	sb, err := report.Schema()
	if err != nil {
		b.Fatal(err)
	}
	s, err := parseSchema(sb, report.SchemaID)
	if err != nil {
		b.Fatal(err)
	}
	resolved, err := s.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			b.Fatal(err)
		}
		if err := resolved.Validate(v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(raw)), "report-bytes")
	b.ReportMetric(float64(len(rep.Findings)), "findings")
}

// One explain_finding round trip through the SDK over an in-memory
// transport: the protocol's overhead on a call that does no I/O.
func BenchmarkExplainCall(b *testing.B) {
	ctx := context.Background()
	cs := connect(b, docsConfig())
	for b.Loop() {
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "explain_finding", Arguments: map[string]any{"id": "dns.dangling-cname"}})
		if err != nil || res.IsError {
			b.Fatal(err)
		}
	}
}
