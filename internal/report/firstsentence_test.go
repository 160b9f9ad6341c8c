package report

import "testing"

// The table's one-line fix ends at the first sentence, not inside an
// abbreviation such as "e.g.".
func TestFirstSentenceSkipsAbbreviations(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Install a certificate, and automate its renewal (e.g. ACME).", "Install a certificate, and automate its renewal (e.g. ACME)."},
		{"Use a gateway (e.g. Envoy). Then rotate keys.", "Use a gateway (e.g. Envoy)."},
		{"Remove the record. Rotate credentials.", "Remove the record."},
		{"No period here", "No period here"},
		{"Set a limit, i.e. 100 per minute, per key. Log it.", "Set a limit, i.e. 100 per minute, per key."},
	} {
		if got := firstSentence(c.in); got != c.want {
			t.Errorf("firstSentence(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
