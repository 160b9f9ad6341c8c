package report

import (
	"fmt"
	"io"
	"testing"

	"github.com/plumbsec/plumb/internal/finding"
)

// BenchmarkRender renders a report with 500 findings in every format.
func BenchmarkRender(b *testing.B) {
	r := fixture()
	base := r.Findings
	r.Findings = nil
	for i := range 500 {
		f := base[i%len(base)]
		f.Location.Path = fmt.Sprintf("/items/%d/{id}", i)
		f.Fingerprint = finding.ComputeFingerprint(f.ID, f.Location)
		r.Findings = append(r.Findings, f)
	}
	for _, f := range Formats() {
		b.Run(f.Name, func(b *testing.B) {
			rd := f.New(Options{Width: 80})
			for b.Loop() {
				if err := rd.Render(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
