package exposure

import (
	"strings"
	"testing"
)

// Every rule of the pack matches its positive samples and none of its
// negatives; every rule has both.
func TestValueRuleSamples(t *testing.T) {
	t.Parallel()
	for _, r := range valueRules {
		if len(r.Positive) == 0 || len(r.Negative) == 0 {
			t.Errorf("%s: needs positive and negative samples", r.Name)
		}
		for _, p := range r.Positive {
			if r.Find(p) == "" {
				t.Errorf("%s: positive %q not matched", r.Name, p)
			}
		}
		for _, n := range r.Negative {
			if m := r.Find(n); m != "" {
				t.Errorf("%s: negative %q matched %q", r.Name, n, m)
			}
		}
	}
}

func TestLuhnAndRedaction(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"4111 1111 1111 1111": true, "5555555555554444": true, "4111111111111112": false, "12": false} {
		if luhn(s) != want {
			t.Errorf("luhn(%q) = %v", s, !want)
		}
	}
	if got := redactMatch("secret", "AKIA2E0A8F3B244C9986"); strings.Contains(got, "2E0A8F3B244C") || !strings.HasPrefix(got, "AKIA") {
		t.Errorf("secret redaction %q", got)
	}
	if got := redactMatch("pii", "4111 1111 1111 1111"); !strings.HasSuffix(got, "1111") || strings.Contains(got, "4111") {
		t.Errorf("pii redaction %q", got)
	}
	if got := redactEmail("alice@vulnshop.test"); got != "a***@vulnshop.test" {
		t.Errorf("email redaction %q", got)
	}
}

func TestLoadValueRulesErrors(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{`{`, `[{"name":"x","kind":"secret","severity":"high","re":"("}]`,
		`[{"name":"x","kind":"nope","severity":"high","re":"a"}]`, `[{"name":"x","kind":"pii","severity":"huge","re":"a"}]`} {
		if _, err := LoadValueRules([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// FuzzValueRules: the pack runs over untrusted bodies; no panic, and a
// match is always a substring of the input.
func FuzzValueRules(f *testing.F) {
	seeds := 0
	for _, r := range valueRules {
		for _, p := range append(append([]string{}, r.Positive...), r.Negative...) {
			f.Add(p)
			seeds++
		}
	}
	if seeds == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range valueRules {
			if m := r.Find(s); m != "" && !strings.Contains(s, m) {
				t.Fatalf("%s: match %q not in input", r.Name, m)
			}
		}
		_ = emailRE.FindAllString(s, 10)
	})
}

// Hints are a prefilter only: every positive sample contains one.
func TestValueRuleHints(t *testing.T) {
	t.Parallel()
	for _, r := range valueRules {
		for _, h := range r.Hints {
			if h != strings.ToLower(h) {
				t.Errorf("%s: hint %q is not lower-case", r.Name, h)
			}
		}
		for _, p := range r.Positive {
			if m := r.re.FindString(p); m != "" && r.FindLower(p, strings.ToLower(p)) == "" {
				t.Errorf("%s: hints filter out positive %q", r.Name, p)
			}
		}
	}
}
