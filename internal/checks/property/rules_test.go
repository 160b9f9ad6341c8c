package property

import "testing"

func TestEmbeddedRulesCompile(t *testing.T) {
	t.Parallel()
	rules, err := LoadRules(keysJSON)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) < 6 {
		t.Fatalf("only %d rules", len(rules))
	}
}

// Every rule's samples are executed: positives match the rule, negatives
// do not, and value samples decide as documented.
func TestRuleSamples(t *testing.T) {
	t.Parallel()
	rules, err := LoadRules(keysJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		t.Run(r.Name, func(t *testing.T) {
			t.Parallel()
			for _, k := range r.Positive {
				if !r.MatchKey(k) {
					t.Errorf("positive key %q does not match", k)
				}
			}
			for _, k := range r.Negative {
				if r.MatchKey(k) {
					t.Errorf("negative key %q matches", k)
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
	rules, _ := LoadRules(keysJSON)
	for _, v := range []any{"********", "", "null", "[REDACTED]", nil, true, "abc"} {
		if r := classify(rules, "password", v); r != nil {
			t.Errorf("password=%v classified as %s", v, r.Name)
		}
	}
	if r := classify(rules, "password", "hunter22"); r == nil || r.Name != "password" {
		t.Errorf("a real password is not found: %v", r)
	}
}

func TestBadRulesAreErrors(t *testing.T) {
	t.Parallel()
	for _, b := range []string{`{`, `[{"name":"x","severity":"nope","keys":["a"],"positive":["a"],"negative":["b"]}]`,
		`[{"name":"x","severity":"low","positive":["a"],"negative":["b"]}]`,
		`[{"name":"x","severity":"low","keys":["a"],"value":"(","positive":["a"],"negative":["b"]}]`,
		`[{"name":"x","severity":"low","keys":["a"]}]`} {
		if _, err := LoadRules([]byte(b)); err == nil {
			t.Errorf("%s: no error", b)
		}
	}
}
