package exposure_test

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/exposure"
	"github.com/plumbsec/plumb/internal/finding"
)

var valueChecks = []check.Check{exposure.SecretValues{}, exposure.PIIValues{}, exposure.InternalAddresses{}}

func TestValueChecksOnVulnShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, valueChecks...)
	got := map[string]finding.Finding{}
	for _, f := range rep.Findings {
		t.Logf("%s %v %s: %s\n%s", f.ID, f.Severity, f.Location.Path, f.Title, f.Evidence.Summary)
		for _, line := range strings.Split(f.Evidence.Summary, "\n")[1:] {
			got[f.ID+" "+strings.Fields(line)[1]] = f
		}
		for _, secret := range []string{"AKIA2E0A8F3B244C9986", "4111 1111 1111 1111", "078-05-1120", "415 555 0134", "alice@vulnshop.test"} {
			if strings.Contains(f.Evidence.Summary, secret) || strings.Contains(f.Title, secret) {
				t.Errorf("%s: unredacted %q in evidence", f.ID, secret)
			}
			for _, h := range f.Evidence.HTTP {
				if strings.Contains(h.Body, secret) {
					t.Errorf("%s: unredacted %q in body excerpt", f.ID, secret)
				}
			}
		}
	}
	for _, want := range []string{
		"data-exposure.secret-in-response aws-access-key-id",
		"data-exposure.pii-in-response card-number",
		"data-exposure.pii-in-response ssn",
		"data-exposure.pii-in-response phone",
		"data-exposure.pii-in-response bulk-emails",
		"data-exposure.internal-address private-ipv4",
	} {
		if _, ok := got[want]; !ok {
			t.Errorf("missing %s", want)
		}
	}
	// Bulk e-mails only where the spec lets anonymous callers in: the
	// ticket list, not the bearer-protected user directory.
	for _, f := range labtest.WithID(rep, "data-exposure.pii-in-response") {
		if strings.Contains(f.Evidence.Summary, "bulk-emails") != (f.Location.Path == "/api/v1/support/tickets") {
			t.Errorf("bulk e-mails on %s: %s", f.Location.Path, f.Evidence.Summary)
		}
	}
	if pii := labtest.WithID(rep, "data-exposure.pii-in-response"); len(pii) != 1 || pii[0].Severity != finding.High {
		t.Errorf("pii findings: %+v", pii)
	}
	// The caller's own JWT is never reported, and the password hashes of
	// GET /api/v1/users are property-authorization.sensitive-fields' to report.
	for _, f := range rep.Findings {
		if strings.Contains(f.Evidence.Summary, "rule jwt") {
			t.Errorf("JWT reported: %s", f.Evidence.Summary)
		}
	}
}

func TestValueChecksOnCleanShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, nil, valueChecks...)
	for _, f := range rep.Findings {
		t.Errorf("clean twin: %s %s: %s", f.ID, f.Location.Path, f.Evidence.Summary)
	}
}
