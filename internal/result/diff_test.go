package result

import (
	"os"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/finding"
)

func TestCompareTo(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/old-report.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old, err := ReadReport(f)
	if err != nil {
		t.Fatal(err)
	}
	if old.Findings[1].Fingerprint == "" {
		t.Fatal("a missing fingerprint is not recomputed")
	}
	plain := finding.Location{Host: "api.example.test"}
	hsts := finding.Location{Host: "api.example.test", Path: "/"}
	cur := &Report{Findings: []finding.Finding{
		{ID: "encryption.plain-http", Location: plain, Fingerprint: finding.ComputeFingerprint("encryption.plain-http", plain), Suppressed: true},
		{ID: "encryption.hsts-missing", Location: hsts, Fingerprint: finding.ComputeFingerprint("encryption.hsts-missing", hsts)},
	}}
	cur.CompareTo(old, "old.json")
	d := cur.Diff
	if d.New != 1 || d.Unchanged != 1 || d.Fixed != 1 || d.Baseline != "old.json" {
		t.Fatalf("diff %+v", d)
	}
	if cur.Findings[0].BaselineState != StateUnchanged || cur.Findings[1].BaselineState != StateNew {
		t.Errorf("states %q %q", cur.Findings[0].BaselineState, cur.Findings[1].BaselineState)
	}
	if d.FixedFindings[0].ID != "dns.dangling-cname" {
		t.Errorf("fixed %+v", d.FixedFindings)
	}
}

func TestReadReportRejects(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{"", "[]", `{"schema_version":"2"}`, "<html>", `{"schema_version":"1","findings":[{"severity":"apocalyptic"}]}`} {
		if _, err := ReadReport(strings.NewReader(doc)); err == nil {
			t.Errorf("%q accepted", doc)
		}
	}
}

// Baseline reports are files users pass in: decoding must never panic.
func FuzzReadReport(f *testing.F) {
	seed, err := os.ReadFile("testdata/old-report.json")
	if err != nil || len(seed) == 0 {
		f.Fatal("no seed in testdata/old-report.json")
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadReport(strings.NewReader(string(data)))
		if err == nil {
			(&Report{Findings: r.Findings}).CompareTo(r, "fuzz")
		}
	})
}

// TestCompareGroupedWithPerOperationBaseline: a baseline written when each
// operation was its own finding compares equal to the grouped finding.
func TestCompareGroupedWithPerOperationBaseline(t *testing.T) {
	t.Parallel()
	const id = "data-exposure.cors-origin-reflected"
	a := finding.Location{Host: "api.test", Method: "GET", Path: "/a"}
	b := finding.Location{Host: "api.test", Method: "GET", Path: "/b"}
	old := &Report{Findings: []finding.Finding{
		{ID: id, Location: a, Fingerprint: finding.ComputeFingerprint(id, a)},
		{ID: id, Location: b, Fingerprint: finding.ComputeFingerprint(id, b)},
	}}
	root := finding.Location{Host: "api.test"}
	cur := &Report{Findings: []finding.Finding{{ID: id, Location: root, Affected: []finding.Location{a, b},
		Fingerprint: finding.ComputeFingerprint(id, root)}}}
	cur.CompareTo(old, "old.json")
	if cur.Findings[0].BaselineState != StateUnchanged || cur.Diff.Fixed != 0 || cur.Diff.New != 0 {
		t.Errorf("state %q, diff %+v", cur.Findings[0].BaselineState, cur.Diff)
	}
}
