package engine_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/discovery"
	"github.com/plumbsec/plumb/internal/checks/dns"
	"github.com/plumbsec/plumb/internal/checks/input"
	"github.com/plumbsec/plumb/internal/checks/ssrf"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/provoke"
	"github.com/plumbsec/plumb/internal/ssrfprobe"
)

// What vulnshop reveals only when pushed, end to end: an upstream named
// only in the traceback of an out-of-range report window, which gets the
// caller's token and is claimable (critical, naming the operation, the
// host and its DNS); a settings dump naming a claimable CORS origin (at
// least medium) and a claimable JWKS host (critical). The clean twin
// reveals none of it.
func TestProvokedDisclosureOnLab(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep := scanWith(t, w, w.Vuln, discovery.UpstreamInErrors{}, input.DebugEndpoints{}, dns.Resolution{})

	h, ok := host(rep, "insights.vulnshop.test")
	if !ok || !slices.Contains(h.Roles, hosts.RoleUpstreamInError) || len(h.ForwardedBy) != 1 ||
		h.ForwardedBy[0].Operation != "GET /api/v1/reports/sales" || !h.ForwardedBy[0].CallerToken ||
		!strings.Contains(h.ForwardedBy[0].Evidence, `request.headers["Authorization"]`) {
		t.Fatalf("insights upstream: %+v", h)
	}
	f := findingAt(rep, dns.IDDanglingCNAME, "insights.vulnshop.test")
	if f == nil || f.Severity != finding.Critical ||
		f.Title != "GET /api/v1/reports/sales forwards callers' Bearer tokens to insights.vulnshop.test, a host anyone can claim" ||
		!strings.Contains(f.Evidence.Summary, "vulnshop-insights.azurewebsites.net") || len(f.Evidence.DNS) == 0 && !strings.Contains(f.Evidence.Summary, "NXDOMAIN") {
		t.Errorf("forwarded-token upstream: %+v", f)
	}
	if f := findingAt(rep, "inventory.upstream-in-errors", "/api/v1/reports/sales"); f == nil || f.Location.Param != "days" ||
		!strings.Contains(f.Evidence.Summary, "out of range") {
		t.Errorf("upstream leak finding: %+v", f)
	}

	for name, want := range map[string]struct {
		role hosts.Role
		sev  finding.Severity
	}{
		"partners.vulnshop.test": {hosts.RoleCORSOrigin, finding.Medium},
		"sso-keys.vulnshop.test": {hosts.RoleJWKS, finding.Critical},
	} {
		h, ok := host(rep, name)
		if !ok || !slices.Contains(h.Roles, want.role) {
			t.Errorf("%s: want role %s: %+v", name, want.role, h)
		}
		f := findingAt(rep, dns.IDDanglingCNAME, name)
		if f == nil || f.Severity < want.sev || !strings.Contains(f.Evidence.Summary, "/api/v1/_debug") {
			t.Errorf("%s: want at least %s naming the dump: %+v", name, want.sev, f)
		}
	}
	if f := findingAt(rep, dns.IDDanglingCNAME, "sso-keys.vulnshop.test"); f == nil || f.Severity != finding.Critical {
		t.Errorf("claimable JWKS host must be critical: %+v", f)
	}

	clean := scanWith(t, w, w.Clean, discovery.UpstreamInErrors{}, input.DebugEndpoints{}, dns.Resolution{})
	for _, f := range clean.Findings {
		t.Errorf("clean twin: %s %s: %s", f.ID, f.Location, f.Title)
	}
	for _, h := range clean.Hosts {
		if len(h.ForwardedBy) > 0 || slices.ContainsFunc(h.Roles, func(r hosts.Role) bool { return slices.Contains(hosts.HarvestedRoles, r) }) {
			t.Errorf("clean twin revealed %s %v", h.Name, h.Roles)
		}
	}
}

// provokedChecks are the checks that read provoked pages and dumps, or
// probe URL parameters in band.
var provokedChecks = []check.Check{discovery.UpstreamInErrors{}, input.StackTraces{}, input.DebugEndpoints{}, ssrf.ServerSideFetch{}}

// The request cost of provoked disclosure on a 40-operation API (every
// operation with typed parameters) and on the demo target: reported as
// requests/scan, bounded by the provocation cap, the debug path list and
// the in-band SSRF probes.
func BenchmarkProvokedDisclosure(b *testing.B) {
	w := labtest.Start(b)
	for _, bc := range []struct{ name, spec string }{
		{"demo", ""},
		{"forty-ops", filepath.Join("testdata", "forty-ops.openapi.json")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			o := labOptions(b, w, w.Vuln.Token)
			o.Checks, o.Rate = provokedChecks, -1
			var reqs int
			for b.Loop() {
				rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Vuln.BaseURL, Spec: bc.spec}, o)
				if err != nil {
					b.Fatal(err)
				}
				reqs = rep.Requests.HTTP
			}
			b.ReportMetric(float64(reqs), "requests/scan")
			if limit := provoke.MaxPerScan + 40 + ssrfprobe.MaxRequests*4 + 16; reqs > limit {
				b.Errorf("%d requests, over %d", reqs, limit)
			}
		})
	}
}
