package code

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
)

// Auditor audits one host name's DNS (dnsaudit.Auditor).
type Auditor interface {
	Audit(ctx context.Context, name string) *dnsaudit.Result
}

// auditHosts audits every public host with bounded concurrency.
func auditHosts(ctx context.Context, a Auditor, names []string, conc int, progress func(Progress)) map[string]*dnsaudit.Result {
	out := make(map[string]*dnsaudit.Result, len(names))
	var mu sync.Mutex
	work := make(chan string)
	var wg sync.WaitGroup
	for range max(conc, 1) {
		wg.Go(func() {
			for n := range work {
				r := a.Audit(ctx, n)
				mu.Lock()
				out[n] = r
				if progress != nil {
					progress(Progress{Stage: "dns", Done: len(out), Total: len(names)})
				}
				mu.Unlock()
			}
		})
	}
	for _, n := range names {
		select {
		case work <- n:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	return out
}

// hostDNS summarizes a dnsaudit result for the report.
func hostDNS(r *dnsaudit.Result) HostDNS {
	d := HostDNS{Status: r.Status, Service: r.Service}
	for _, l := range r.Chain {
		d.Chain = append(d.Chain, strings.TrimSpace(fmt.Sprintf("%s %s %s (%s)", l.Name, l.Type, l.Value, l.Rcode)))
	}
	switch {
	case r.Error != "":
		d.Detail = r.Error
	case len(r.Findings) > 0:
		f := worstDNS(r)
		d.Detail = f.Title
		if f.Evidence.Summary != "" && f.Evidence.Summary != f.Title {
			d.Detail += ": " + f.Evidence.Summary
		}
	}
	return d
}

// worstDNS is the most telling finding of a dnsaudit result: one that
// establishes a takeover, else the most severe.
func worstDNS(r *dnsaudit.Result) finding.Finding {
	best := r.Findings[0]
	for _, f := range r.Findings[1:] {
		if r.Claimable(f) && !r.Claimable(best) || f.Severity > best.Severity {
			best = f
		}
	}
	return best
}

// dnsEvidence is the DNS answers behind a result's findings.
func dnsEvidence(r *dnsaudit.Result) []finding.DNSAnswer {
	var out []finding.DNSAnswer
	for _, f := range r.Findings {
		out = append(out, f.Evidence.DNS...)
	}
	return out
}
