package exposure

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/rules"
)

var valuePacks = []string{packSecrets, packPII, packInternal}

func loadPacks(tb testing.TB) []*rules.Pack {
	tb.Helper()
	var out []*rules.Pack
	for _, n := range valuePacks {
		p, err := rules.Load(n)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// Every rule of the packs the value checks read matches its positive
// samples and none of its negatives; every rule has both.
func TestValueRuleSamples(t *testing.T) {
	t.Parallel()
	for _, p := range loadPacks(t) {
		for _, r := range p.Rules {
			if len(r.Positive) == 0 || len(r.Negative) == 0 {
				t.Errorf("%s: needs positive and negative samples", r.ID)
			}
			for _, s := range r.Positive {
				if _, ok := r.Find(rules.NewText(s.Text)); !ok {
					t.Errorf("%s: positive %q not matched", r.ID, s.Text)
				}
			}
			for _, s := range r.Negative {
				if m, ok := r.Find(rules.NewText(s.Text)); ok {
					t.Errorf("%s: negative %q matched %q", r.ID, s.Text, m.Text())
				}
			}
		}
	}
}

// The secret detectors data-exposure and llm used to keep apart are one
// pack now: the rules each of them relied on are in it.
func TestSecretPackCoversBothOldSets(t *testing.T) {
	t.Parallel()
	p, err := rules.Load(packSecrets)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"aws-access-key-id", "github-token", "slack-token", "stripe-live-key", "google-api-key",
		"private-key", "jwt", "llm-api-key", "connection-string", "secret-assignment"} {
		if p.Rule(id) == nil {
			t.Errorf("secrets pack lacks %s", id)
		}
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	if got := redactMatch("secret", "AKIA2E0A8F3B244C9986"); strings.Contains(got, "2E0A8F3B244C") || !strings.HasPrefix(got, "AKIA") {
		t.Errorf("secret redaction %q", got)
	}
	if got := redactMatch("pii", "4111 1111 1111 1111"); !strings.HasSuffix(got, "1111") || strings.Contains(got, "4111") {
		t.Errorf("pii redaction %q", got)
	}
	if got := redactEmail("alice@vulnshop.test"); got != "a***@vulnshop.test" {
		t.Errorf("email redaction %q", got)
	}
	for pack, kind := range map[string]string{packSecrets: "secret", packPII: "pii", packInternal: "internal"} {
		if kindOf(pack) != kind {
			t.Errorf("kindOf(%s) = %s", pack, kindOf(pack))
		}
	}
}

// FuzzValueRules: the packs run over untrusted bodies; no panic, and a
// match is always a substring of the input.
func FuzzValueRules(f *testing.F) {
	packs := loadPacks(f)
	seeds := 0
	for _, p := range packs {
		for _, r := range p.Rules {
			for _, s := range append(append([]rules.Sample{}, r.Positive...), r.Negative...) {
				f.Add(s.Text)
				seeds++
			}
		}
	}
	if seeds == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, s string) {
		text := rules.NewText(s)
		for _, p := range packs {
			for _, r := range p.Rules {
				if m, ok := r.Find(text); ok && !strings.Contains(s, m.Text()) {
					t.Fatalf("%s: match %q not in input", r.ID, m.Text())
				}
			}
		}
		_ = emailRE.FindAllString(s, 10)
	})
}
