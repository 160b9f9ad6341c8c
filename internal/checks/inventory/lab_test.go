package inventory_test

import (
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/inventory"
	"github.com/plumbsec/plumb/internal/finding"
)

var all = []check.Check{inventory.SpecExposed{}, inventory.UndocumentedVersions{}, inventory.DeprecatedServed{}, inventory.NonProductionServers{}}

func TestVulnShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, all...)
	for _, f := range rep.Findings {
		t.Logf("%s %v %s %s: %s", f.ID, f.Severity, f.Location.Host, f.Location.Path, f.Title)
	}
	wants := []struct {
		id, host, path string
		sev            finding.Severity
	}{
		{"inventory.spec-exposed", "api.vulnshop.test", "/openapi.json", finding.Info},
		{"inventory.undocumented-version", "api.vulnshop.test", "/api/v0/books", finding.Medium},
		{"inventory.deprecated-operation", "api.vulnshop.test", "/api/v1/catalog/legacy", finding.Low},
		{"inventory.non-production-server", "legacy-api.vulnshop.test", "", finding.Low},
	}
	if len(rep.Findings) != len(wants) {
		t.Errorf("%d findings, want %d", len(rep.Findings), len(wants))
	}
	for _, wt := range wants {
		ok := false
		for _, f := range labtest.WithID(rep, wt.id) {
			ok = ok || (f.Location.Host == wt.host && f.Location.Path == wt.path && f.Severity == wt.sev && f.Evidence.Summary != "")
		}
		if !ok {
			t.Errorf("missing %s %s%s (%v)", wt.id, wt.host, wt.path, wt.sev)
		}
	}
}

// The clean twin retired v0, answers 410 on the deprecated operation and
// lists only its production server; its document is public (info only).
func TestCleanShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, nil, all...)
	for _, f := range rep.Findings {
		if f.ID != "inventory.spec-exposed" || f.Severity != finding.Info {
			t.Errorf("clean twin: %s %s: %s", f.ID, f.Location.Path, f.Title)
		}
	}
	if len(labtest.WithID(rep, "inventory.spec-exposed")) != 1 {
		t.Error("the clean twin's public document was not reported (info)")
	}
}
