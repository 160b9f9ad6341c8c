package dnsaudit

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/netx"
)

// benchZones is 1000 zones of 100 names each under bench.test, and 1000
// partially lame zones pl<i>.test of 100 names each (delegated to a
// nameserver that serves them and to the DigitalOcean-like provider that
// refuses them).
const (
	benchZones   = 1000
	benchPerZone = 100
)

// benchWorkers is how many names are audited at once (PLUMB_BENCH_WORKERS,
// default 256).
func benchWorkers() int {
	if n, err := strconv.Atoi(os.Getenv("PLUMB_BENCH_WORKERS")); err == nil && n > 0 {
		return n
	}
	return 256
}

func benchNames() int {
	if n, err := strconv.Atoi(os.Getenv("PLUMB_BENCH_NAMES")); err == nil && n > 0 {
		return n
	}
	return benchZones * benchPerZone
}

// benchTypes: PLUMB_BENCH_TYPES=A measures the address chain alone.
func benchTypes(b *testing.B) RecordTypes {
	s := os.Getenv("PLUMB_BENCH_TYPES")
	if s == "" {
		return DefaultTypes
	}
	t, err := ParseTypes(s)
	if err != nil {
		b.Fatal(err)
	}
	return t
}

func benchLab(b *testing.B) *lab.World {
	b.Helper()
	soa := "@ 300 IN SOA ns1.bench.test. h.bench.test. 1 3600 600 86400 60"
	apex, err := lab.ParseZone("bench.test.", soa, "@ NS ns1.bench.test.", "ns1 A 127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	zones := []lab.Zone{apex}
	deleg := map[string][]string{}
	for i := range benchZones {
		hosts := make([]string, 0, benchPerZone)
		for j := range benchPerZone {
			hosts = append(hosts, fmt.Sprintf("h%d A 192.0.2.%d", j, j%250+1))
		}
		z, err := lab.ParseZone(fmt.Sprintf("z%d.bench.test.", i), append([]string{soa}, hosts...)...)
		if err != nil {
			b.Fatal(err)
		}
		pl := fmt.Sprintf("pl%d.test", i)
		p, err := lab.ParseZone(pl+".", append([]string{soa, "@ NS ns1", "@ NS ns2.digitalocean.com.", "ns1 A 127.0.0.1"}, hosts...)...)
		if err != nil {
			b.Fatal(err)
		}
		zones = append(zones, z, p)
		deleg[pl] = []string{"ns1." + pl + ".=127.0.0.1", "ns2.digitalocean.com."}
	}
	return labtest.Start(b, lab.Options{ExtraZones: zones, ExtraDelegations: deleg})
}

// benchAuditor audits through the lab resolver, or from the lab root.
func benchAuditor(b *testing.B, w *lab.World, iterative bool) *Auditor {
	port, _ := strconv.ParseUint(w.AuthorityPort, 10, 16)
	res, err := netx.NewResolver(netx.ResolverConfig{Servers: []string{w.DNSAddr}, Timeout: 2 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	a, err := New(context.Background(), Options{Resolver: res, Roots: []string{w.RootAddr}, AuthorityPort: uint16(port),
		ProbeZone: "test", Iterative: iterative, Types: benchTypes(b)})
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// audit runs n names through a with benchWorkers() workers and reports
// names/s, queries per name, CPU per name (both sides: the lab serves in
// process) and the process's peak RSS.
func audit(b *testing.B, a *Auditor, names func(i int) string, n int, label string) float64 {
	cpu0, q0, start := cpuTime(), a.Queries(), time.Now()
	workers := benchWorkers()
	ch := make(chan string, workers)
	var wg sync.WaitGroup
	statuses := make([]map[finding.DNSStatus]int, workers)
	for k := range workers {
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
	el, cpu := time.Since(start), cpuTime()-cpu0
	total := map[finding.DNSStatus]int{}
	for _, s := range statuses {
		for k, v := range s {
			total[k] += v
		}
	}
	rate := float64(n) / el.Seconds()
	b.ReportMetric(rate, label+"names/s")
	b.ReportMetric(float64(a.Queries()-q0)/float64(n), label+"queries/name")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), label+"cpu-µs/name")
	b.ReportMetric(peakRSSMB(), "peakRSS-MB")
	b.Logf("%s%d names in %s (%s CPU, load %s): %v", label, n, el.Round(time.Millisecond), cpu.Round(time.Millisecond), loadAvg(), total)
	return rate
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(data))[:3], " ")
}

func peakRSSMB() float64 { return procStatusMB("VmHWM:") }

// rssMB is the current RSS: after the lab is built, what the lab's zones
// take (peak RSS minus it is roughly the audit's own).
func rssMB() float64 { return procStatusMB("VmRSS:") }

func procStatusMB(field string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func normalName(i int) string {
	return fmt.Sprintf("h%d.z%d.bench.test", i%benchPerZone, (i/benchPerZone)%benchZones)
}

func runBench(b *testing.B, iterative bool, names func(i int) string, setup func(*lab.World, int)) {
	w := benchLab(b)
	n := benchNames()
	if setup != nil {
		setup(w, n)
	}
	runtime.GC()
	labRSS := rssMB()
	b.ResetTimer()
	for b.Loop() {
		audit(b, benchAuditor(b, w, iterative), names, n, "")
	}
	b.ReportMetric(labRSS, "labRSS-MB") // ResetTimer drops metrics reported before it
}

// BenchmarkAuditNormal: names that resolve, through the resolver (each
// zone's delegation and lameness learned once).
func BenchmarkAuditNormal(b *testing.B) { runBench(b, false, normalName, nil) }

// BenchmarkAuditNXDOMAIN: names that do not exist; each NXDOMAIN is
// confirmed by the authoritative server.
func BenchmarkAuditNXDOMAIN(b *testing.B) {
	runBench(b, false, func(i int) string { return fmt.Sprintf("nx%d.z%d.bench.test", i, i%benchZones) }, nil)
}

// BenchmarkAuditPartialLame: names under 1000 partially lame zones (one
// nameserver refuses each): every name is vulnerable, the zone's verdict
// is paid once per zone.
func BenchmarkAuditPartialLame(b *testing.B) {
	runBench(b, false, func(i int) string {
		return fmt.Sprintf("h%d.pl%d.test", i%benchPerZone, (i/benchPerZone)%benchZones)
	}, nil)
}

// BenchmarkAuditLame: names under a fully lame delegation; the resolver
// answers SERVFAIL, the delegation walk and lame verdict are cached.
func BenchmarkAuditLame(b *testing.B) {
	name := func(i int) string { return fmt.Sprintf("h%d.%s", i, lab.LameZone) }
	runBench(b, false, name, func(w *lab.World, n int) {
		for i := range n {
			w.DNS.SetBehaviour(name(i), lab.BehaviourServfail)
		}
	})
}

// BenchmarkAuditIterative: the normal names, resolved from the lab root.
func BenchmarkAuditIterative(b *testing.B) { runBench(b, true, normalName, nil) }

// BenchmarkAuditResolverVsIterative runs the same names through the
// resolver and from the roots in one run, and reports the ratio.
func BenchmarkAuditResolverVsIterative(b *testing.B) {
	w := benchLab(b)
	n := benchNames()
	runtime.GC()
	labRSS := rssMB()
	b.ResetTimer()
	for b.Loop() {
		viaResolver := audit(b, benchAuditor(b, w, false), normalName, n, "resolver-")
		iter := audit(b, benchAuditor(b, w, true), normalName, n, "iterative-")
		b.ReportMetric(iter/viaResolver, "iterative/resolver")
	}
	b.ReportMetric(labRSS, "labRSS-MB")
}
