package dnsaudit

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/netx"
)

// benchZones is 1000 zones of 100 names each under bench.test (the lab's
// zone lookup is linear in a zone's records, so names are spread out).
const (
	benchZones   = 1000
	benchPerZone = 100
)

func benchNames() int {
	if n, err := strconv.Atoi(os.Getenv("PLUMB_BENCH_NAMES")); err == nil && n > 0 {
		return n
	}
	return benchZones * benchPerZone
}

func benchLab(b *testing.B) *lab.World {
	b.Helper()
	zones := make([]lab.Zone, 0, benchZones+1)
	apex, err := lab.ParseZone("bench.test.", "@ 300 IN SOA ns1.bench.test. h.bench.test. 1 3600 600 86400 60",
		"@ NS ns1.bench.test.", "ns1 A 127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	zones = append(zones, apex)
	for i := range benchZones {
		origin := fmt.Sprintf("z%d.bench.test.", i)
		lines := []string{"@ 300 IN SOA ns1.bench.test. h.bench.test. 1 3600 600 86400 60"}
		for j := range benchPerZone {
			lines = append(lines, fmt.Sprintf("h%d A 192.0.2.%d", j, j%250+1))
		}
		z, err := lab.ParseZone(origin, lines...)
		if err != nil {
			b.Fatal(err)
		}
		zones = append(zones, z)
	}
	w := labtest.Start(b, lab.Options{ExtraZones: zones})
	return w
}

// runBench audits names with 256 workers and reports names/s, queries per
// name and the process's peak RSS.
func runBench(b *testing.B, w *lab.World, names func(i int) string, n int) {
	port, _ := strconv.ParseUint(w.AuthorityPort, 10, 16)
	b.ResetTimer()
	for b.Loop() {
		res, err := netx.NewResolver(netx.ResolverConfig{Servers: []string{w.DNSAddr}, Timeout: 2 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		a, err := New(context.Background(), Options{Resolver: res, Roots: []string{w.RootAddr}, AuthorityPort: uint16(port), ProbeZone: "test"})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		ch := make(chan string, 256)
		var wg sync.WaitGroup
		statuses := make([]map[finding.DNSStatus]int, 256)
		for k := range 256 {
			statuses[k] = map[finding.DNSStatus]int{}
			wg.Go(func() {
				for name := range ch {
					statuses[k][a.Audit(context.Background(), name).Status]++
				}
			})
		}
		for i := range n {
			ch <- names(i)
		}
		close(ch)
		wg.Wait()
		el := time.Since(start)
		total := map[finding.DNSStatus]int{}
		for _, s := range statuses {
			for k, v := range s {
				total[k] += v
			}
		}
		b.ReportMetric(float64(n)/el.Seconds(), "names/s")
		b.ReportMetric(float64(a.Queries())/float64(n), "queries/name")
		b.ReportMetric(peakRSSMB(), "peakRSS-MB")
		b.Logf("%d names in %s: %v", n, el.Round(time.Millisecond), total)
	}
}

func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkAuditNormal: names that resolve normally (1 query each once the
// delegation of bench.test is cached).
func BenchmarkAuditNormal(b *testing.B) {
	w := benchLab(b)
	runBench(b, w, func(i int) string {
		return fmt.Sprintf("h%d.z%d.bench.test", i%benchPerZone, (i/benchPerZone)%benchZones)
	}, benchNames())
}

// BenchmarkAuditNXDOMAIN: names that do not exist; each NXDOMAIN is
// confirmed by the authoritative server.
func BenchmarkAuditNXDOMAIN(b *testing.B) {
	w := benchLab(b)
	runBench(b, w, func(i int) string {
		return fmt.Sprintf("nx%d.z%d.bench.test", i, i%benchZones)
	}, benchNames())
}

// BenchmarkAuditLame: names under a fully lame delegation; the resolver
// answers SERVFAIL (retried), the delegation walk and lame verdict are
// cached per zone.
func BenchmarkAuditLame(b *testing.B) {
	w := benchLab(b)
	n := benchNames()
	name := func(i int) string { return fmt.Sprintf("h%d.%s", i, lab.LameZone) }
	for i := range n {
		w.DNS.SetBehaviour(name(i), lab.BehaviourServfail)
	}
	runBench(b, w, name, n)
}
