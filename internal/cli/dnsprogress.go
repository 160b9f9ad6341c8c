package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
)

// progressDelay: audits shorter than this draw nothing.
const progressDelay = time.Second

// dnsProgress draws one status line on stderr while a long bulk audit
// runs, only when stderr is a terminal: names done (of the total when
// known), names per second, time left, and counts per status.
type dnsProgress struct {
	w      io.Writer
	active bool
	total  int64 // 0: unknown (standard input)
	now    func() time.Time

	start  time.Time
	n      atomic.Int64
	counts [5]atomic.Int64 // ok, dangling, vulnerable, unresolved, error
	mu     sync.Mutex
	drawn  bool
}

var progressStatuses = []finding.DNSStatus{finding.DNSOK, finding.DNSDangling, finding.DNSVulnerable, finding.DNSUnresolved, finding.DNSError}

func (p *dnsProgress) add(r *dnsaudit.Result) {
	p.n.Add(1)
	for i, s := range progressStatuses {
		if r.Status == s {
			p.counts[i].Add(1)
		}
	}
}

func (p *dnsProgress) begin() (stop func()) {
	if p.now == nil {
		p.now = time.Now
	}
	p.start = p.now()
	if !p.active {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if p.now().Sub(p.start) >= progressDelay {
					p.draw()
				}
			}
		}
	}()
	return func() { close(done) }
}

// line renders the status line.
func (p *dnsProgress) line() string {
	n := p.n.Load()
	el := p.now().Sub(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(n) / el
	}
	var b strings.Builder
	fmt.Fprintf(&b, "plumb dns: %d", n)
	if p.total > 0 {
		fmt.Fprintf(&b, "/%d", p.total)
	}
	fmt.Fprintf(&b, " names, %.0f/s", rate)
	if p.total > 0 && rate > 0 && n < p.total {
		left := time.Duration(float64(p.total-n) / rate * float64(time.Second)).Round(time.Second)
		fmt.Fprintf(&b, ", ETA %s", left)
	}
	for i, s := range progressStatuses {
		if c := p.counts[i].Load(); c > 0 {
			fmt.Fprintf(&b, ", %d %s", c, s)
		}
	}
	return b.String()
}

func (p *dnsProgress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\x1b[2K%s", p.line())
	p.drawn = true
}

func (p *dnsProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[2K")
	}
}
