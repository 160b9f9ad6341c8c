package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
)

func TestDNSProgressLine(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	p := &dnsProgress{w: &buf, total: 1000, now: func() time.Time { return now }}
	stop := p.begin()
	defer stop()
	for i, s := range []finding.DNSStatus{finding.DNSOK, finding.DNSOK, finding.DNSVulnerable, finding.DNSError} {
		for range (i + 1) * 25 {
			p.add(&dnsaudit.Result{Status: s})
		}
	}
	now = now.Add(2 * time.Second) // 250 names in 2s: 125/s, 750 left: 6s
	want := "plumb dns: 250/1000 names, 125/s, ETA 6s, 75 ok, 75 vulnerable, 100 error"
	if got := p.line(); got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	p.total = 0 // standard input: no total, no ETA
	if got := p.line(); !strings.HasPrefix(got, "plumb dns: 250 names, 125/s, 75 ok") {
		t.Errorf("without a total: %q", got)
	}
	if buf.Len() != 0 {
		t.Errorf("an inactive progress (stderr not a terminal) wrote %q", buf.String())
	}
	p.draw()
	p.finish()
	if !strings.Contains(buf.String(), "\r\x1b[2Kplumb dns: 250 names") || !strings.HasSuffix(buf.String(), "\r\x1b[2K") {
		t.Errorf("drawn %q, want the line then a cleared line", buf.String())
	}
}
