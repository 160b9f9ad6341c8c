package engine_test

import (
	"net/http"
	"testing"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/encryption"
	"github.com/plumbsec/plumb/internal/checks/exposure"
	"github.com/plumbsec/plumb/internal/labtest"
)

// Four checks read the target root's headers and certificate. The scan
// fetches the root once without credentials (next to the preflight's
// request with them), and every check still reports from that response.
func TestRootFetchedOncePerScan(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rootReaders := []check.Check{exposure.VersionDisclosure{}, exposure.NoSniff{}, encryption.HSTS{}, encryption.Certificate{}}
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, rootReaders...)
	n := 0
	for _, r := range w.Vuln.Methods.Records() {
		if r.Method == http.MethodGet && r.Path == "/" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("GET / reached the API %d times, want 2 (the preflight with credentials, one shared without)", n)
	}
	for _, id := range []string{"data-exposure.version-disclosure", "data-exposure.content-type-sniffing", "encryption.hsts-missing"} {
		if !hasID(rep, id) {
			t.Errorf("%s missing: the shared response did not reach every check", id)
		}
	}
	for _, r := range rep.Checks {
		if r.Status != "ran" {
			t.Errorf("check %s: %s %s", r.ID, r.Status, r.Reason)
		}
	}
}
