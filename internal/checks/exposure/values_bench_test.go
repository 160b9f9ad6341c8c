package exposure

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/rules"
)

// BenchmarkValueRules runs the whole pack over a 64 KiB JSON-ish body.
func BenchmarkValueRules(b *testing.B) {
	packs := loadPacks(b)
	body := strings.Repeat(`{"id":12345,"title":"The Go Programming Language","user":"alice","price":"39.99"},`, 800)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		text := rules.NewText(body) // once per value, as scanValues does
		for _, p := range packs {
			for _, r := range p.Rules {
				_, _ = r.Find(text)
			}
		}
	}
}
