package dnsaudit

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/netx"
)

// BenchmarkAuditServfail2000: 2,000 names the resolver answers SERVFAIL,
// audited by 64 workers (plumb dns's default) without delegation walks.
// It reports names/s and queries/name.
func BenchmarkAuditServfail2000(b *testing.B) {
	w := labtest.Start(b)
	const n = 2000
	name := func(i int) string { return fmt.Sprintf("sf%d.vulnshop.test", i) }
	for i := range n {
		w.DNS.SetBehaviour(name(i), lab.BehaviourServfail)
	}
	for b.Loop() {
		res, err := netx.NewResolver(netx.ResolverConfig{Servers: []string{w.DNSAddr}, Timeout: 2 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		a, err := New(context.Background(), Options{Resolver: res, ProbeZone: "test"})
		if err != nil {
			b.Fatal(err)
		}
		before := w.DNS.Queries()
		start := time.Now()
		ch := make(chan string)
		var wg sync.WaitGroup
		for range 64 {
			wg.Go(func() {
				for nm := range ch {
					if r := a.Audit(context.Background(), nm); r.Status != finding.DNSError {
						b.Errorf("%s: %s", nm, r.Status)
					}
				}
			})
		}
		for i := range n {
			ch <- name(i)
		}
		close(ch)
		wg.Wait()
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "names/s")
		b.ReportMetric(float64(w.DNS.Queries()-before)/n, "queries/name")
	}
}
