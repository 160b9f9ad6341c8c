package code

import (
	"context"
	"path/filepath"
	"testing"
)

// Links that cross files inside one project: a Go package's constants and
// struct fields (package scope spans files, so they count as the same
// file), constants imported from another module and wrappers defined in
// one file and called in another (likely: another module may be replaced
// or monkey-patched, and what the import names is resolved by path, not
// run). Constants that only name documentation, and same-named constants
// in modules the call does not import, stay unlinked.
func TestCrossFileLinks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dir   string
		links map[string]string
	}{
		{"py", map[string]string{
			"api.pyconst.svc-sample.io":      "likely",
			"eu.pyconst.svc-sample.io":       "likely",
			"reports.pywrap.svc-sample.io":   "likely",
			"audit.pywrap.svc-sample.io":     "likely",
			"ingest.pyother.svc-sample.io":   "confirmed",
			"docs.pyconst.svc-sample.io":     "",
			"old.pyconst.svc-sample.io":      "",
			"hooks.pyfixed.svc-sample.io":    "confirmed",
			"callback.pyclean.svc-sample.io": "",
			"public.pyclean.svc-sample.io":   "",
			"billing.pybase.svc-sample.io":   "likely",
			"status.pybase.svc-sample.io":    "",
			"other.pybase.svc-sample.io":     "",
		}},
		{"js", map[string]string{
			"api.jsconst.svc-sample.io":  "likely",
			"rest.jsconst.svc-sample.io": "likely",
			"cjs.jsconst.svc-sample.io":  "likely",
			"hooks.jswrap.svc-sample.io": "likely",
			"docs.jsconst.svc-sample.io": "",
			"old.jsconst.svc-sample.io":  "",
		}},
		{"go", map[string]string{
			"api.goconst.svc-sample.io":  "confirmed",
			"ping.goconst.svc-sample.io": "confirmed",
			"hooks.gowrap.svc-sample.io": "likely",
			"docs.goconst.svc-sample.io": "",
			"old.goconst.svc-sample.io":  "",
		}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			rep, err := Scan(context.Background(), []string{filepath.Join("testdata", "crossfile", tc.dir)}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, h := range rep.Hosts {
				got[h.Name] = h.Link
			}
			for h, want := range tc.links {
				g, ok := got[h]
				if !ok {
					t.Errorf("%s: not found (hosts %v)", h, got)
					continue
				}
				if g != want {
					t.Errorf("%s: link %q, want %q", h, g, want)
				}
			}
		})
	}
}
