// Package checktest scans the lab with chosen checks through the real
// engine and network layer, for the checks' flawed-and-clean tests.
package checktest

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labscan"
)

// Lab starts a lab world for the test.
func Lab(t testing.TB, opts lab.Options) *lab.World {
	t.Helper()
	w, err := lab.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// Options are engine options that reach w (see labscan.Options), with
// token as the bearer credential ("" for none), running only cs, unthrottled.
func Options(t testing.TB, w *lab.World, token string, cs ...check.Check) engine.Options {
	t.Helper()
	o, err := labscan.Options(w, token)
	if err != nil {
		t.Fatal(err)
	}
	o.Version, o.Checks, o.Rate = "test", cs, -1
	return o
}

// Scan scans url with o and fails the test on a scan error (a spec that
// cannot be found is not one: some lab hosts have none).
func Scan(t testing.TB, url string, o engine.Options) *engine.Report {
	t.Helper()
	rep, err := engine.Scan(context.Background(), engine.Target{URL: url}, o)
	if err != nil {
		t.Fatalf("scan %s: %v", url, err)
	}
	for _, e := range rep.Errors {
		if e.Stage == "spec" {
			continue
		}
		t.Errorf("scan error: %s: %s", e.Stage, e.Message)
	}
	return rep
}

// ByID returns the findings of one check, keyed by "METHOD path [param]".
func ByID(rep *engine.Report, id string) map[string]finding.Finding {
	m := map[string]finding.Finding{}
	for _, f := range rep.Findings {
		if f.ID == id {
			m[f.Location.String()] = f
		}
	}
	return m
}

// Locations returns the sorted locations of one check's findings.
func Locations(rep *engine.Report, id string) []string {
	out := slices.Collect(maps.Keys(ByID(rep, id)))
	slices.Sort(out)
	return out
}
