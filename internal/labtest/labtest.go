// Package labtest is the test kit for scans of the in-process lab: start a
// lab for a test, scan it with chosen checks through the real engine and
// network layer, pick findings out of the report. It imports testing, so
// only tests may import it (the plumb binary must not link it; a test in
// cmd/plumb asserts that).
package labtest

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
	"github.com/plumbsec/plumb/internal/result"
)

// Start starts a lab world for the test (with opts, if given) and closes
// it when the test ends.
func Start(t testing.TB, opts ...lab.Options) *lab.World {
	t.Helper()
	var o lab.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	w, err := lab.Start(context.Background(), o)
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

// Run scans url with o and fails the test on a scan error or on any error
// entry in the report (a spec that cannot be found is not one: some lab
// hosts have none).
func Run(t testing.TB, url string, o engine.Options) *result.Report {
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

// Scan scans target in the lab at the lab's rate with the given checks,
// identity A's token ("" for none) and mod applied to the options, and
// fails the test if the scan cannot run.
func Scan(t testing.TB, w *lab.World, target, token string, mod func(*engine.Options), checks ...check.Check) *result.Report {
	t.Helper()
	return ScanTarget(t, w, engine.Target{URL: target}, token, mod, checks...)
}

// ScanTarget is Scan with a full target (e.g. a spec file).
func ScanTarget(t testing.TB, w *lab.World, target engine.Target, token string, mod func(*engine.Options), checks ...check.Check) *result.Report {
	t.Helper()
	o, err := labscan.Options(w, token)
	if err != nil {
		t.Fatal(err)
	}
	o.Checks = checks
	if mod != nil {
		mod(&o)
	}
	rep, err := engine.Scan(context.Background(), target, o)
	if err != nil {
		t.Fatalf("scan %s: %v", target.URL, err)
	}
	return rep
}

// WithID returns the findings with the given id.
func WithID(r *result.Report, id string) []finding.Finding {
	var out []finding.Finding
	for _, f := range r.Findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

// ByID returns the findings with the given id, keyed by "METHOD host/path
// [param]". A grouped finding (one problem at several operations) is
// listed under each affected location too, so a test can ask whether an
// operation shows the problem however the report groups it.
func ByID(rep *result.Report, id string) map[string]finding.Finding {
	m := map[string]finding.Finding{}
	for _, f := range rep.Findings {
		if f.ID != id {
			continue
		}
		if len(f.Affected) == 0 {
			m[f.Location.String()] = f
		}
		for _, l := range f.Affected {
			m[l.String()] = f
		}
	}
	return m
}

// Locations returns the sorted locations of one id's findings.
func Locations(rep *result.Report, id string) []string {
	out := slices.Collect(maps.Keys(ByID(rep, id)))
	slices.Sort(out)
	return out
}
