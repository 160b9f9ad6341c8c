package catalog_test

import (
	"testing"

	"github.com/plumbsec/plumb/internal/catalog"
)

// Building the catalog runs every check's Meta (the LLM check's derives
// its rules from the probe catalog); the CLI does it once per run.
func BenchmarkNew(b *testing.B) {
	cs := catalog.Checks()
	for b.Loop() {
		catalog.New(cs)
	}
}

// The engine asks the selection about every finding of a scan.
func BenchmarkSelectionRule(b *testing.B) {
	s, err := catalog.Default().Select([]string{"dns.*", "input.*", "llm.auth.*"}, []string{"dns.lookup-failed"})
	if err != nil {
		b.Fatal(err)
	}
	ids := []string{"dns.dangling-cname", "input-validation.sql-error", "encryption.hsts-missing", "llm.auth.any-key", "x.unknown"}
	for b.Loop() {
		for _, id := range ids {
			s.Rule(id)
		}
	}
}
