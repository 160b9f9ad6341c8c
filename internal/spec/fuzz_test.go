package spec

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func seedFiles(tb testing.TB) [][]byte {
	tb.Helper()
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		tb.Fatal(err)
	}
	var seeds [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	return seeds
}

// A fuzz test whose seeds silently vanished would still pass.
func TestFuzzSeedsPresent(t *testing.T) {
	t.Parallel()
	if n := len(seedFiles(t)); n < 10 {
		t.Fatalf("only %d seed files in testdata", n)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		api, err := Parse(context.Background(), data, "fuzz.yaml", LoadOptions{MaxBytes: 1 << 20})
		if err == nil {
			_ = api.Summary()
			if len(api.Operations) == 0 && len(api.Warnings) == 0 {
				t.Fatal("zero operations and no warning saying why")
			}
		}
	})
}
