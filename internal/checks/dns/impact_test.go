package dns

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
)

func TestImpactByRole(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		roles    []hosts.Role
		floor    finding.Severity
		lead     string
		upstream bool
	}{
		{[]hosts.Role{hosts.RoleJWKS}, finding.Critical, "mint tokens", false},
		{[]hosts.Role{hosts.RoleJWTKeyURL, hosts.RoleBodyURL}, finding.Critical, "mint tokens", false},
		{[]hosts.Role{hosts.RoleUpstreamInError, "extension"}, finding.High, "likely with its token", true},
		{[]hosts.Role{hosts.RoleUpstreamInError, hosts.RoleTokenEndpoint}, finding.High, "likely with its token", false},
		{[]hosts.Role{hosts.RoleCORSOrigin}, finding.High, "allowed CORS origin", false},
		{[]hosts.Role{"docs"}, finding.Info, "", false},
		{[]hosts.Role{hosts.RoleDatabase}, finding.High, "as its database", true},
		{[]hosts.Role{hosts.RoleQueue, hosts.RoleBodyURL}, finding.High, "as its message broker", true},
		{[]hosts.Role{hosts.RoleUpstream}, finding.High, "calls server-side", true},
		{[]hosts.Role{hosts.RoleWebhook}, finding.Medium, "receives them", false},
		{[]hosts.Role{hosts.RoleUpstream, hosts.RoleAPIServer}, finding.High, "calls server-side", false},
	} {
		h := hosts.Host{Name: "x.shop.io", Roles: c.roles}
		lead, floor := impact(h)
		if floor != c.floor || !strings.Contains(lead, c.lead) || (c.lead == "" && lead != "") {
			t.Errorf("%v: floor %s lead %q", c.roles, floor, lead)
		}
		if onlyUpstream(h) != c.upstream {
			t.Errorf("%v: onlyUpstream = %v", c.roles, !c.upstream)
		}
	}
}

// A host an operation forwards callers' tokens to: the lead and the title
// name the operation and the evidence line.
func TestImpactForwarded(t *testing.T) {
	t.Parallel()
	h := hosts.Host{Name: "insights.shop.io", Roles: []hosts.Role{hosts.RoleUpstreamInError}, CarriesCredentials: true,
		ForwardedBy: []hosts.Forward{{Operation: "GET /api/v1/reports/sales", Evidence: `headers={"Authorization": request.headers["Authorization"]}`, CallerToken: true}}}
	lead, floor := impact(h)
	if floor != finding.High || !strings.Contains(lead, "GET /api/v1/reports/sales forwards the caller's Bearer token") ||
		!strings.Contains(lead, `request.headers["Authorization"]`) {
		t.Errorf("lead %q floor %s", lead, floor)
	}
	if got := title(h); got != "GET /api/v1/reports/sales forwards callers' Bearer tokens to insights.shop.io, a host anyone can claim" {
		t.Errorf("title %q", got)
	}
	h.ForwardedBy[0].CallerToken = false
	if got := title(h); got != "GET /api/v1/reports/sales sends Bearer tokens to insights.shop.io, a host anyone can claim" {
		t.Errorf("title %q", got)
	}
	db := hosts.Host{Name: "db.shop.io", Roles: []hosts.Role{hosts.RoleDatabase}, CarriesCredentials: true}
	if got := title(db); !strings.Contains(got, "connect to its database at db.shop.io") {
		t.Errorf("title %q", got)
	}
}
