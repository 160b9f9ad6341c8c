package rules

import (
	"testing"
)

// TestEmbeddedPacksCompile proves every embedded pack parses and
// compiles, and that the packs the checks use are there.
func TestEmbeddedPacksCompile(t *testing.T) {
	t.Parallel()
	names := Names()
	for _, want := range []string{"secrets", "pii", "internal-addresses", "llm-output", "sensitive-keys",
		"stack-traces", "sql-errors", "upstream-errors", "debug-endpoints", "credential-forwarding", "error-details",
		"config-dumps", "config-host-roles", "ssrf-evidence"} {
		if _, err := Load(want); err != nil {
			t.Errorf("pack %s: %v", want, err)
		}
	}
	for _, n := range names {
		p, err := Load(n)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if p.Name != n || len(p.Rules) == 0 || p.Description == "" {
			t.Errorf("pack %s: name %q, %d rules, description %q", n, p.Name, len(p.Rules), p.Description)
		}
	}
}

// TestSamples is the one table test: every rule of every embedded pack
// matches each of its positive samples (with the captures they expect)
// and none of its negatives.
func TestSamples(t *testing.T) {
	t.Parallel()
	total := 0
	for _, n := range Names() {
		p, err := Load(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Rules {
			total += len(r.Positive) + len(r.Negative) + len(r.ValuePositive) + len(r.ValueNegative)
			t.Run(p.Name+"/"+r.ID, func(t *testing.T) {
				t.Parallel()
				if len(r.Positive) == 0 || len(r.Negative) == 0 {
					t.Error("needs positive and negative samples")
				}
				for _, err := range r.SampleErrors() {
					t.Error(err)
				}
			})
		}
	}
	if total < 100 {
		t.Errorf("only %d samples in the embedded packs", total)
	}
}
