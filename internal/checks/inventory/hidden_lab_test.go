package inventory_test

import (
	"testing"

	"github.com/plumbsec/plumb/internal/checks/inventory"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/labtest"
)

// Vulnshop serves every order at the undocumented /api/v1/delivery/orders
// and an internal status page at /internal, both without credentials; its
// /mirror/ catch-all and cleanshop's 404s never count, and /debug is the
// debug-endpoints pack's (never requested here).
func TestHiddenOperationsOnLab(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	c := inventory.HiddenOperations{}
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, c)
	got := labtest.ByID(rep, c.Meta().ID)
	for _, loc := range []string{"GET api.vulnshop.test/api/v1/delivery/orders", "GET api.vulnshop.test/internal"} {
		f, ok := got[loc]
		if !ok || f.Severity != finding.High || f.Confidence != finding.Confirmed {
			t.Errorf("want a confirmed high at %s, got %+v (all: %v)", loc, f, labtest.Locations(rep, c.Meta().ID))
		}
	}
	if len(got) != 2 {
		t.Errorf("findings at %v, want the two hidden operations", labtest.Locations(rep, c.Meta().ID))
	}
	for _, r := range w.Vuln.Methods.Records() {
		if r.Path == "/debug" {
			t.Error("/debug belongs to input-validation.debug-endpoint; hidden-operation requested it")
		}
	}
	if rep.Requests.HTTP > 60 {
		t.Errorf("%d requests", rep.Requests.HTTP)
	}
	clean := labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, nil, c)
	if fs := labtest.WithID(clean, c.Meta().ID); len(fs) != 0 {
		t.Errorf("clean twin: %+v", fs)
	}
	t.Logf("vulnshop: %d requests in all (preflight and spec included); cleanshop: %d", rep.Requests.HTTP, clean.Requests.HTTP)
}
