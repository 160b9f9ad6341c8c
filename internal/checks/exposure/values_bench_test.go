package exposure

import (
	"strings"
	"testing"
)

// BenchmarkValueRules runs the whole pack over a 64 KiB JSON-ish body.
func BenchmarkValueRules(b *testing.B) {
	body := strings.Repeat(`{"id":12345,"title":"The Go Programming Language","user":"alice","price":"39.99"},`, 800)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		lower := strings.ToLower(body) // once per value, as scanValues does
		for _, r := range valueRules {
			_ = r.FindLower(body, lower)
		}
	}
}
