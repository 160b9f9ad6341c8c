package dnsaudit

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/plumbsec/plumb/internal/finding"
)

// The audit speaks finding.Finding; `plumb dns` keeps its documented line
// (docs/dns.md): the same keys as ever, the subject and claimability of
// each verdict included.
func TestResultIsFindingsAndKeepsTheDNSLine(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	a, err := labAuditor(t, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := a.Audit(context.Background(), "billing.vulnshop.test")
	if r.Status != finding.DNSVulnerable || len(r.Findings) < 2 {
		t.Fatalf("status %s, findings %v", r.Status, ids(r))
	}
	claimable := 0
	for _, f := range r.Findings {
		if f.Location.Host != "billing.vulnshop.test" || f.Category != finding.CatDNS || len(f.Evidence.DNS) == 0 {
			t.Errorf("%s: location %+v, category %q, %d DNS answers", f.ID, f.Location, f.Category, len(f.Evidence.DNS))
		}
		if r.Claimable(f) {
			claimable++
			if f.ID != IDUnregisteredDomain || f.Location.Param != "gone-vendor.test" {
				t.Errorf("claimable %s about %q", f.ID, f.Location.Param)
			}
		}
	}
	if claimable != 1 {
		t.Errorf("%d claimable verdicts, want the unregistered domain", claimable)
	}

	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var line struct {
		Findings []map[string]any `json:"findings"`
	}
	var top map[string]any
	if json.Unmarshal(b, &top) != nil || json.Unmarshal(b, &line) != nil {
		t.Fatalf("not JSON: %s", b)
	}
	if got, want := slices.Sorted(maps.Keys(top)), []string{"chain", "findings", "name", "queries", "status"}; !slices.Equal(got, want) {
		t.Errorf("line keys %v, want %v", got, want)
	}
	allowed := map[string]bool{"id": true, "severity": true, "confidence": true, "title": true, "detail": true,
		"subject": true, "dns": true, "http": true, "claimable": true}
	var sawClaim bool
	for _, f := range line.Findings {
		for k := range f {
			if !allowed[k] {
				t.Errorf("finding key %q is not in the documented line", k)
			}
		}
		if f["id"] == IDUnregisteredDomain {
			sawClaim = f["claimable"] == true && f["subject"] == "gone-vendor.test" && f["detail"] != ""
		}
	}
	if !sawClaim {
		t.Errorf("the unregistered domain lost its subject, detail or claimable: %s", b)
	}
}
