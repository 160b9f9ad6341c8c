package property

import (
	"testing"

	"github.com/plumbsec/plumb/internal/rules"
)

func TestEmbeddedRulesCompile(t *testing.T) {
	t.Parallel()
	rs, err := keyRules()
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) < 6 {
		t.Fatalf("only %d rules", len(rs))
	}
}

// Every rule's samples are executed: positives match the rule, negatives
// do not, and value samples decide as documented (through this package's
// value test, which also ignores masked values).
func TestRuleSamples(t *testing.T) {
	t.Parallel()
	rs, err := keyRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		t.Run(r.ID, func(t *testing.T) {
			t.Parallel()
			for _, k := range r.Positive {
				if !r.MatchKey(k.Text) {
					t.Errorf("positive key %q does not match", k.Text)
				}
			}
			for _, k := range r.Negative {
				if r.MatchKey(k.Text) {
					t.Errorf("negative key %q matches", k.Text)
				}
			}
			for _, v := range r.ValuePositive {
				if !r.MatchValue(v) {
					t.Errorf("positive value %q does not match", v)
				}
			}
			for _, v := range r.ValueNegative {
				if r.MatchValue(v) {
					t.Errorf("negative value %q matches", v)
				}
			}
		})
	}
}

func TestMaskedValuesAreNotSecrets(t *testing.T) {
	t.Parallel()
	rs, err := keyRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{"********", "", "null", "[REDACTED]", nil, true, "abc"} {
		if r := classify(rs, "password", v); r != nil {
			t.Errorf("password=%v classified as %s", v, r.ID)
		}
	}
	if r := classify(rs, "password", "hunter22"); r == nil || r.ID != "password" {
		t.Errorf("a real password is not found: %v", r)
	}
}

func TestBadRulesAreErrors(t *testing.T) {
	t.Parallel()
	head := "schema: plumb-rules/v1\npack: k\nkind: key\nrules:\n  - id: x\n    title: X\n"
	// The pack format rejects these (internal/rules).
	for _, b := range []string{`{`, head + "    severity: nope\n    keys: [a]\n    positive: [a]\n    negative: [b]\n",
		head + "    severity: low\n    positive: [a]\n    negative: [b]\n",
		head + "    severity: low\n    keys: [a]\n    value: '('\n    value_positive: [a]\n    value_negative: [b]\n    positive: [a]\n    negative: [b]\n",
		head + "    severity: low\n    keys: [a]\n"} {
		if _, err := rules.Parse("test", []byte(b)); err == nil {
			t.Errorf("%s: no error", b)
		}
	}
	// This package rejects meta it does not understand.
	for _, meta := range []string{"{}", "{class: secret}", "{class: credential, self_severity: huge}",
		"{class: privilege, collection_only: yes}", "{class: credential, colour: red}"} {
		p, err := rules.Parse("test", []byte(head+"    severity: low\n    meta: "+meta+"\n    keys: [a]\n    positive: [a]\n    negative: [b]\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newRule(p.Rules[0]); err == nil {
			t.Errorf("meta %s: no error", meta)
		}
	}
}
