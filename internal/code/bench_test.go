package code

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// genTree writes files files of about size bytes each under dir, in the
// mix of a real monorepo: Python, TypeScript, Go, YAML and JSON, where one
// file in ten is a service client (the fixtures: outbound calls,
// credentials, findings) and the rest is ordinary code and data.
func genTree(b testing.TB, dir string, files, size int) int64 {
	b.Helper()
	var total int64
	for i := range files {
		total += genTreeOne(b, dir, i, size)
	}
	return total
}

// genTreeOne writes file number i of the generated tree and returns its size.
func genTreeOne(b testing.TB, dir string, i, size int) int64 {
	b.Helper()
	samples := benchSamples(b)
	exts := []string{".py", ".ts", ".go", ".yaml", ".json"}
	ext := exts[i%len(exts)]
	var sb strings.Builder
	if ext == ".json" {
		sb.WriteString("[")
	}
	if (i/len(exts))%10 == 0 { // one file in ten
		sb.WriteString(strings.ReplaceAll(samples[ext], "vulnshop", fmt.Sprintf("svc%d", i%500)))
	}
	for n := 0; sb.Len() < size; n++ {
		sb.WriteString(filler(ext, i, n, sb.Len() <= 1))
	}
	if ext == ".json" {
		sb.WriteString("]")
	}
	sub := filepath.Join(dir, fmt.Sprintf("svc%03d", i%200), fmt.Sprintf("pkg%d", i%7))
	if err := os.MkdirAll(sub, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%05d%s", i, ext)), []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return int64(sb.Len())
}

// benchSamples are the fixtures a service file of the tree starts with, by extension.
var benchSamples = func() func(testing.TB) map[string]string {
	var once sync.Once
	var samples map[string]string
	var err error
	return func(b testing.TB) map[string]string {
		once.Do(func() {
			samples = map[string]string{}
			for _, p := range []string{"flask-vuln/app.py", "node-vuln/src/upstreams.ts", "go-vuln/main.go", "flask-vuln/deploy/values.yaml", "config/app.json"} {
				var data []byte
				if data, err = os.ReadFile(filepath.Join("testdata", p)); err != nil {
					return
				}
				samples[filepath.Ext(p)] = string(data)
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		return samples
	}
}()

// filler is ordinary code or data in a language: functions, classes,
// strings and literals, no outbound calls.
func filler(ext string, i, n int, first bool) string {
	switch ext {
	case ".py":
		return fmt.Sprintf("\n\nclass Order%[1]d:\n    \"\"\"An order line %[1]d.\"\"\"\n\n    def __init__(self, sku: str, qty: int = 1) -> None:\n        self.sku = sku\n        self.qty = qty\n        self.meta = {\"source\": \"import\", \"batch\": %[2]d, \"tags\": [\"a\", \"b\"]}\n\n    def total(self, prices: dict) -> float:\n        if self.qty <= 0:\n            raise ValueError(f\"bad quantity {self.qty} for {self.sku}\")\n        return sum(prices.get(k, 0.0) * self.qty for k in (self.sku,))\n", n, i)
	case ".ts":
		return fmt.Sprintf("\nexport interface Row%[1]d { id: number; name: string; tags?: string[] }\n\nexport function render%[1]d(rows: Row%[1]d[], limit = %[2]d): string {\n  const out: string[] = [];\n  for (const r of rows.slice(0, limit)) {\n    out.push(`<li data-id=\"${r.id}\">${r.name.trim()}</li>`);\n  }\n  return out.join(\"\\n\");\n}\n", n, i)
	case ".go":
		head := ""
		if first {
			head = "package store\n\nimport (\n\t\"errors\"\n\t\"strings\"\n)\n"
		}
		return head + fmt.Sprintf("\n// Item%[1]d is a stored item.\ntype Item%[1]d struct {\n\tID   int\n\tName string\n}\n\nfunc (it *Item%[1]d) Validate() error {\n\tif strings.TrimSpace(it.Name) == \"\" {\n\t\treturn errors.New(\"item %[1]d: empty name\")\n\t}\n\treturn nil\n}\n", n*1000+i)
	case ".yaml":
		return fmt.Sprintf("job%[1]d:\n  image: registry.local/jobs/worker:%[2]d\n  replicas: 2\n  resources:\n    limits: {cpu: 500m, memory: 256Mi}\n  args: [\"--queue\", \"q%[1]d\", \"--verbose\"]\n", n, i)
	}
	sep := ","
	if first {
		sep = ""
	}
	return fmt.Sprintf("%s{\"id\": %d, \"name\": \"item %d\", \"price\": 12.5, \"tags\": [\"x\", \"y\"]}\n", sep, n, i)
}

// BenchmarkScanTree scans a generated tree of 20,000 files and about
// 200 MB with DNS off, reporting files/s, MB/s and the process's peak RSS.
// PLUMB_BENCH_FILES overrides the file count.
func BenchmarkScanTree(b *testing.B) {
	files := 20000
	if v := os.Getenv("PLUMB_BENCH_FILES"); v != "" {
		_, _ = fmt.Sscan(v, &files)
	}
	dir := b.TempDir()
	total := genTree(b, dir, files, 10<<10)
	b.SetBytes(total)
	var before syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ResetTimer()
	var scanned int
	for b.Loop() {
		rep, err := Scan(context.Background(), []string{dir}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		scanned = rep.Files.Scanned
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(scanned)/sec, "files/s")
	b.ReportMetric(float64(total)/1e6/sec, "MB/s")
	b.ReportMetric(float64(total)/1e6, "MB")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
		// CPU seconds of the scans (user+system): on a shared machine the
		// wall time depends on the neighbours, this does not.
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	}
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
}

// benchFile is one generated file of the benchmark tree in a language: a
// service client padded with filler (service) or filler only (plain).
func benchFile(b *testing.B, ext string, service bool) []byte {
	b.Helper()
	dir := b.TempDir()
	i := map[string]int{".py": 0, ".ts": 1, ".go": 2, ".yaml": 3, ".json": 4}[ext]
	if !service {
		i += 5 // (i/5)%10 != 0: a filler-only file
	}
	genTreeOne(b, dir, i, 10<<10)
	matches, err := filepath.Glob(filepath.Join(dir, "*", "*", "*"+ext))
	if err != nil || len(matches) != 1 {
		b.Fatalf("generated %v (%v)", matches, err)
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// cpuTime is the process's CPU time so far (user+system): on a shared
// machine wall time depends on the neighbours, CPU time much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAnalyzeFile measures each front-end on one 10 KB file of the
// benchmark tree: parse, lower, analyze (what a worker does per file).
func BenchmarkAnalyzeFile(b *testing.B) {
	langs := []struct {
		ext string
		l   lang
	}{{".py", langPython}, {".ts", langJS}, {".go", langGo}, {".yaml", langYAML}, {".json", langJSON}}
	for _, kind := range []string{"service", "plain"} {
		for _, tc := range langs {
			b.Run(kind+"/"+tc.ext[1:], func(b *testing.B) {
				data := benchFile(b, tc.ext, kind == "service")
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					if ff, _ := analyzeBytes("f"+tc.ext, tc.l, data); ff == nil {
						b.Fatal("no facts")
					}
				}
				b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// BenchmarkPrefilter is what deciding to skip a file costs: the whole of
// the work on a file of ordinary code (plain), and the price of asking on
// one that is then parsed (service, which it stops reading early).
func BenchmarkPrefilter(b *testing.B) {
	for _, kind := range []string{"service", "plain"} {
		b.Run(kind, func(b *testing.B) {
			data := benchFile(b, ".py", kind == "service")
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if mayMatter(data) != (kind == "service") {
					b.Fatal("wrong decision")
				}
			}
		})
	}
}
