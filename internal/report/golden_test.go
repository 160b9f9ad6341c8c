package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// render renders the fixture in a format with options.
func render(t *testing.T, name string, o Options) []byte {
	t.Helper()
	f, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.New(o).Render(&b, fixture()); err != nil {
		t.Fatalf("render %s: %v", name, err)
	}
	return b.Bytes()
}

// golden compares got with testdata/name.golden (-update rewrites it).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./internal/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended run: go test ./internal/report -update\n--- got ---\n%s", path, got)
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		format, file string
		opts         Options
	}{
		{"table", "table-80.txt", Options{Width: 80}},
		{"table", "table-color.txt", Options{Width: 100, Color: true}},
		{"json", "report.json", Options{}},
		{"sarif", "report.sarif", Options{Rule: testRules}},
		{"markdown", "report.md", Options{}},
		{"junit", "report.junit.xml", Options{}},
		{"junit", "report-fail-on-critical.junit.xml", Options{FailOn: "critical"}},
		{"html", "report.html", Options{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			golden(t, tc.file, render(t, tc.format, tc.opts))
		})
	}
}
