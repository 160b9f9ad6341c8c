package code

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// bounded runs one fuzz input and fails on inputs that take seconds: a
// parser must stay linear-ish on anything.
func bounded(t *testing.T, fn func()) {
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("no result after 5s")
	}
}

// seeds adds every fixture file with one of exts as a seed and fails when
// there is none (a seed corpus that silently disappears fuzzes nothing).
func seeds(f *testing.F, exts ...string) {
	f.Helper()
	n := 0
	err := filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, e := range exts {
			if filepath.Ext(p) == e {
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				f.Add(data)
				n++
			}
		}
		return nil
	})
	if err != nil || n == 0 {
		f.Fatalf("no seed with %v in testdata (%v)", exts, err)
	}
}

// Each parser of untrusted input: any bytes give facts or an error, never
// a panic or a hang.
func FuzzPython(f *testing.F) {
	seeds(f, ".py")
	f.Fuzz(func(t *testing.T, data []byte) { bounded(t, func() { _, _ = analyzeBytes("f.py", langPython, data) }) })
}

func FuzzJavaScript(f *testing.F) {
	seeds(f, ".ts", ".js")
	f.Fuzz(func(t *testing.T, data []byte) { bounded(t, func() { _, _ = analyzeBytes("f.ts", langJS, data) }) })
}

func FuzzGo(f *testing.F) {
	seeds(f, ".go")
	f.Fuzz(func(t *testing.T, data []byte) { bounded(t, func() { _, _ = analyzeBytes("f.go", langGo, data) }) })
}

func FuzzYAML(f *testing.F) {
	seeds(f, ".yaml", ".yml")
	f.Fuzz(func(t *testing.T, data []byte) { bounded(t, func() { _, _ = analyzeBytes("f.yaml", langYAML, data) }) })
}

func FuzzJSON(f *testing.F) {
	seeds(f, ".json")
	f.Fuzz(func(t *testing.T, data []byte) { bounded(t, func() { _, _ = analyzeBytes("f.json", langJSON, data) }) })
}

func FuzzTOML(f *testing.F) {
	seeds(f, ".toml")
	f.Fuzz(func(t *testing.T, data []byte) { bounded(t, func() { _, _ = analyzeBytes("f.toml", langTOML, data) }) })
}

func FuzzTerraform(f *testing.F) {
	seeds(f, ".tf")
	f.Fuzz(func(t *testing.T, data []byte) {
		bounded(t, func() { _, _ = analyzeBytes("f.tf", langTerraform, data) })
	})
}

func FuzzLineFormats(f *testing.F) {
	seeds(f, ".env", ".ini", ".properties")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, l := range []lang{langEnv, langINI, langProperties} {
			_, _ = analyzeBytes("f", l, data)
		}
	})
}
