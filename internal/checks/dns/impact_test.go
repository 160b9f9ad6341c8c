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
