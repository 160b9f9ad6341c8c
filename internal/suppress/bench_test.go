package suppress

import (
	"fmt"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/finding"
)

// BenchmarkApply: 1000 findings against 200 ignore entries.
func BenchmarkApply(b *testing.B) {
	var fs []finding.Finding
	c := &Config{Path: "bench.yaml"}
	for i := range 1000 {
		f := fnd("check.x", finding.Location{Host: "h", Method: "GET", Path: fmt.Sprintf("/p/%d", i)})
		fs = append(fs, f)
		if i%5 == 0 {
			c.Ignore = append(c.Ignore, Entry{Fingerprint: f.Fingerprint, Reason: "r"})
		}
	}
	now := time.Now()
	for b.Loop() {
		c.Apply(fs, now)
	}
}
