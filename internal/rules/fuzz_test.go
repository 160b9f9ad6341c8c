package rules

import (
	"strings"
	"testing"
)

// FuzzParse: packs may come from users; Parse must never panic, and a
// pack it accepts is usable: every rule runs over its own samples.
func FuzzParse(f *testing.F) {
	seeds := 0
	for _, n := range Names() {
		data, err := packFiles.ReadFile("packs/" + n + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		seeds++
	}
	if seeds < 5 {
		f.Fatalf("only %d seed packs", seeds)
	}
	f.Add([]byte(head + "  - id: a\n    title: A\n    pattern: 'a'\n    positive: [a]\n    negative: [b]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "rule pack ") {
				t.Fatalf("unnamed error %v", err)
			}
			return
		}
		_ = p.Verify()
		for _, r := range p.Rules {
			for _, s := range r.Positive {
				for _, m := range r.FindAll(NewText(s.Text), 4) {
					if !strings.Contains(s.Text, m.Text()) {
						t.Fatalf("%s: match %q not in input", r.ID, m.Text())
					}
				}
			}
		}
	})
}

// FuzzMatch: embedded rules run over untrusted bodies; no panic, and a
// match is always a substring of the input.
func FuzzMatch(f *testing.F) {
	seeds := 0
	for _, n := range Names() {
		p, _ := Load(n)
		for _, r := range p.Rules {
			for _, s := range append(append([]Sample{}, r.Positive...), r.Negative...) {
				f.Add(s.Text)
				seeds++
			}
		}
	}
	if seeds < 100 {
		f.Fatalf("only %d seeds", seeds)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, n := range Names() {
			p, _ := Load(n)
			for _, r := range p.Rules {
				switch p.Kind {
				case KindPattern:
					for _, m := range r.FindAll(NewText(s), 4) {
						if !strings.Contains(s, m.Text()) {
							t.Fatalf("%s: match %q not in input", r.ID, m.Text())
						}
					}
				case KindKey:
					_ = r.MatchKey(s) || r.MatchValue(s)
				case KindPath:
					_ = r.Confirm([]byte(s), s)
				}
			}
		}
	})
}
