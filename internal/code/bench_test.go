package code

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// genTree writes files files of about size bytes each under dir: a mix of
// Python, TypeScript, Go, YAML and JSON in the shape of real services.
func genTree(b testing.TB, dir string, files, size int) int64 {
	b.Helper()
	samples := map[string]string{}
	for _, p := range []string{"flask-vuln/app.py", "node-vuln/src/upstreams.ts", "go-vuln/main.go", "flask-vuln/deploy/values.yaml", "config/app.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			b.Fatal(err)
		}
		samples[filepath.Ext(p)] = string(data)
	}
	exts := []string{".py", ".ts", ".go", ".yaml", ".json"}
	var total int64
	for i := range files {
		ext := exts[i%len(exts)]
		var sb strings.Builder
		for n := 0; sb.Len() < size; n++ {
			s := samples[ext]
			if ext == ".go" && n > 0 {
				s = s[strings.Index(s, "\nconst ")+1:] // one package clause per file
			}
			if ext == ".json" {
				if n > 0 {
					break
				}
				s = "[" + strings.TrimSpace(strings.Repeat(s+",", size/len(s))) + "{}]"
			}
			sb.WriteString(strings.ReplaceAll(s, "vulnshop", fmt.Sprintf("svc%d", i%500)))
			sb.WriteString("\n")
		}
		sub := filepath.Join(dir, fmt.Sprintf("svc%03d", i%200), fmt.Sprintf("pkg%d", i%7))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%05d%s", i, ext)), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(sb.Len())
	}
	return total
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
	}
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
}
