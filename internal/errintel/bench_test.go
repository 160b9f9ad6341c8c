package errintel

import (
	"bytes"
	"testing"
)

func BenchmarkAnalyzeWerkzeugTrace(b *testing.B) {
	body := page(b, "werkzeug_trace.html")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if r, err := Analyze(body); err != nil || len(r.Upstreams) != 1 {
			b.Fatal("no upstream")
		}
	}
}

// A 256 KiB page with nothing to find: what every provoked response that
// gives nothing away costs.
func BenchmarkAnalyzeLargeMiss(b *testing.B) {
	body := bytes.Repeat([]byte("<p>Internal Server Error &amp; nothing to see here</p>\n"), (256<<10)/55)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if r, err := Analyze(body); err != nil || !r.Empty() {
			b.Fatal("false positive")
		}
	}
}
