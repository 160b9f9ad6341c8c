package suppress

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/finding"
)

func fnd(id string, loc finding.Location) finding.Finding {
	return finding.Finding{ID: id, Location: loc, Fingerprint: finding.ComputeFingerprint(id, loc)}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ doc, want string }{
		{"ignore:\n  - check: a.b\n", "x.yaml:2: ignore entry 1: reason is required"},
		{"ignore:\n  - reason: r\n", "set fingerprint, or check"},
		{"ignore:\n  - fingerprint: abc\n    reason: r\n", "want the 32 hex digits"},
		{"ignore:\n  - fingerprint: 0123456789abcdef0123456789abcdef\n    check: a\n    reason: r\n", "drop check"},
		{"ignore:\n  - check: a\n    reason: r\n    expires: next week\n", "want a date"},
		{"ignore:\n  - check: a\n    reason: r\n    severity: low\n", `x.yaml line 4: unknown field "severity" (known: fingerprint, check, host, method, path, param, reason, expires)`},
		{"version: 2\n", "version 2 is not supported"},
		{"ignore: [\n", "x.yaml line 2: "},
		{"version: one\n", `x.yaml line 1: want a whole number, got "one"`},
		{"ignore:\n  check: a\n", "x.yaml line 2: want a list, got a mapping"},
	} {
		_, err := Parse("x.yaml", []byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.doc, err, tc.want)
		}
	}
	if c, err := Parse("x.yaml", nil); err != nil || len(c.Ignore) != 0 {
		t.Errorf("empty file: %v %+v", err, c)
	}
}

func TestApply(t *testing.T) {
	t.Parallel()
	c, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Ignore[1].Line() != 5 {
		t.Errorf("entry 2 at line %d, want 5", c.Ignore[1].Line())
	}
	fs := []finding.Finding{
		fnd("dns.dangling-cname", finding.Location{Host: "legacy.example.test"}),
		fnd("dns.dangling-cname", finding.Location{Host: "other.example.test"}),
		fnd("encryption.hsts-missing", finding.Location{Host: "api", Method: "GET", Path: "/users/{id}"}),
	}
	for _, tc := range []struct {
		now               string
		suppressed        []bool
		expired, unused   int
		firstUnusedSuffix string
	}{
		// On the expiry day the entry still applies; the day after it does not.
		{"2027-01-31T23:59:59Z", []bool{true, false, false}, 1, 1, ":3"},
		{"2027-02-01T00:00:00Z", []bool{false, false, false}, 2, 1, ":3"},
	} {
		now, _ := time.Parse(time.RFC3339, tc.now)
		got := append([]finding.Finding(nil), fs...)
		s := c.Apply(got, now)
		for i, f := range got {
			if f.Suppressed != tc.suppressed[i] {
				t.Errorf("%s: finding %d suppressed=%v, want %v", tc.now, i, f.Suppressed, tc.suppressed[i])
			}
		}
		if got[0].Suppressed && (got[0].Suppression.Reason != "DNS owned by another team, ticket NET-7" || got[0].Suppression.Entry != "testdata/full.yaml:5" || got[0].Suppression.By != "check") {
			t.Errorf("suppression %+v", got[0].Suppression)
		}
		if len(s.Expired) != tc.expired || len(s.Unused) != tc.unused || !strings.HasSuffix(s.Unused[0].Entry, tc.firstUnusedSuffix) {
			t.Errorf("%s: expired %+v unused %+v", tc.now, s.Expired, s.Unused)
		}
		if s.Expired[0].Matches != 1 {
			t.Errorf("expired entry matches %d findings, want 1", s.Expired[0].Matches)
		}
	}
	if (*Config)(nil).Apply(fs, time.Now()) != nil {
		t.Error("nil config must do nothing")
	}
}

func TestBaselineRoundTrip(t *testing.T) {
	t.Parallel()
	fs := []finding.Finding{
		fnd("dns.dangling-cname", finding.Location{Host: "a.test"}),
		fnd("authentication.unauthenticated-access", finding.Location{Host: "a.test", Method: "GET", Path: "/x"}),
	}
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	if _, _, err := Baseline(nil, fs, " ", "", now); err == nil {
		t.Fatal("a blank reason was accepted")
	}
	entries, added, err := Baseline(nil, fs, "accepted: \"legacy\"\nline two", "2027-01-01", now)
	if err != nil || len(entries) != 2 || len(added) != 2 {
		t.Fatalf("%v %d %d", err, len(entries), len(added))
	}
	path := filepath.Join(t.TempDir(), ".plumb.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, entries, map[string]string{fs[0].Fingerprint: "critical dns\n# injected: yes"}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	c, err := Load(path)
	if err != nil {
		b, _ := os.ReadFile(path)
		t.Fatalf("written config does not parse: %v\n%s", err, b)
	}
	s := c.Apply(fs, now)
	if s.Suppressed != 2 || len(s.Unused) != 0 || c.Ignore[0].Reason != "accepted: \"legacy\"\nline two" {
		t.Errorf("round trip: %+v %+v", s, c.Ignore[0])
	}
	// Merging adds nothing for findings already suppressed.
	_, added, _ = Baseline(c, fs, "again", "", now)
	if len(added) != 0 {
		t.Errorf("merge re-added %d findings", len(added))
	}
}

func TestFind(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if p, err := Find(dir); p != "" || err != nil {
		t.Fatalf("empty dir: %q %v", p, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plumb.yaml"), []byte("ignore: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, _ := Find(dir); filepath.Base(p) != "plumb.yaml" {
		t.Fatalf("found %q", p)
	}
	if err := os.WriteFile(filepath.Join(dir, ".plumb.yaml"), []byte("ignore: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Find(dir); err == nil {
		t.Fatal("two config files must be an error")
	}
}

// The config parser takes untrusted input: it must never panic.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yaml")
	if len(seeds) == 0 {
		f.Fatal("no seed corpus in testdata/*.yaml")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err == nil {
			c.Apply([]finding.Finding{fnd("a.b", finding.Location{Host: "h", Method: "GET", Path: "/"})}, time.Now())
		}
	})
}

// Entries written before a rule was renamed keep suppressing it: by its old
// check id, and by the fingerprint its old id gave. Neither is unused.
func TestApplyFormerIDs(t *testing.T) {
	t.Parallel()
	loc := finding.Location{Host: "api", Method: "GET", Path: "/console"}
	doc := "ignore:\n" +
		"  - fingerprint: " + finding.ComputeFingerprint("input.debug-endpoint", loc) + "\n    reason: old fingerprint\n" +
		"  - check: property.mass-assignment\n    reason: old check id\n"
	c, err := Parse("old.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	fs := []finding.Finding{
		fnd("input-validation.debug-endpoint", loc),
		fnd("property-authorization.mass-assignment", loc),
		fnd("input-validation.stack-trace", loc),
	}
	s := c.Apply(fs, time.Now())
	if !fs[0].Suppressed || fs[0].Suppression.Reason != "old fingerprint" || !fs[1].Suppressed || fs[1].Suppression.Reason != "old check id" {
		t.Errorf("renamed findings not suppressed by former ids: %+v %+v", fs[0].Suppression, fs[1].Suppression)
	}
	if fs[2].Suppressed || s.Suppressed != 2 || len(s.Unused) != 0 {
		t.Errorf("summary %+v, third finding suppressed %v", s, fs[2].Suppressed)
	}
}

// TestApplyGroupedFindings: entries written when each operation was its
// own finding (their fingerprints, or method and path) still suppress the
// grouped finding, once they cover every affected operation.
func TestApplyGroupedFindings(t *testing.T) {
	t.Parallel()
	const id = "data-exposure.cors-origin-reflected"
	a := finding.Location{Host: "api.test", Method: "GET", Path: "/a"}
	b := finding.Location{Host: "api.test", Method: "GET", Path: "/b"}
	root := finding.Location{Host: "api.test"}
	grouped := func() []finding.Finding {
		f := fnd(id, root)
		f.Affected = []finding.Location{a, b}
		return []finding.Finding{f}
	}
	for _, tc := range []struct {
		name, doc  string
		suppressed bool
		unused     int
	}{
		{"both old fingerprints", "ignore:\n  - fingerprint: " + finding.ComputeFingerprint(id, a) + "\n    reason: r\n" +
			"  - fingerprint: " + finding.ComputeFingerprint(id, b) + "\n    reason: r\n", true, 0},
		{"one old fingerprint", "ignore:\n  - fingerprint: " + finding.ComputeFingerprint(id, a) + "\n    reason: r\n", false, 0},
		{"paths", "ignore:\n  - check: " + id + "\n    path: /a\n    reason: r\n  - check: " + id + "\n    path: /b\n    reason: r\n", true, 0},
		{"the new fingerprint", "ignore:\n  - fingerprint: " + finding.ComputeFingerprint(id, root) + "\n    reason: r\n", true, 0},
		{"the check", "ignore:\n  - check: " + id + "\n    reason: r\n", true, 0},
		{"another path", "ignore:\n  - check: " + id + "\n    path: /c\n    reason: r\n", false, 1},
	} {
		c, err := Parse("x.yaml", []byte(tc.doc))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		fs := grouped()
		s := c.Apply(fs, time.Now())
		if fs[0].Suppressed != tc.suppressed || len(s.Unused) != tc.unused {
			t.Errorf("%s: suppressed %v (want %v), %d unused (want %d)", tc.name, fs[0].Suppressed, tc.suppressed, len(s.Unused), tc.unused)
		}
	}
}
