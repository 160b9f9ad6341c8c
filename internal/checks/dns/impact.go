package dns

import (
	"slices"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
)

// impact says, from a host's roles, what claiming it gives an attacker:
// a lead sentence for the evidence and the least severity a dead name in
// that role deserves. Roles are the contract with the discovery checks.
func impact(h hosts.Host) (lead string, floor finding.Severity) {
	has := func(rs ...hosts.Role) bool {
		for _, r := range rs {
			if slices.Contains(h.Roles, r) {
				return true
			}
		}
		return false
	}
	switch {
	case has(hosts.KeySourceRoles...):
		return "This host decides which tokens the API trusts (signing keys or issuer metadata): whoever claims it can " +
			"mint tokens the API accepts. ", finding.Critical
	case has(hosts.RoleUpstreamInError):
		return "This API sends requests (likely with its token) to a host that is dangling: the name leaked in its " +
			"error responses as a server-side upstream. ", finding.High
	case has(hosts.RoleCORSOrigin):
		return "This host is an allowed CORS origin: whoever claims it reads the API's authenticated responses " +
			"from users' browsers. ", finding.High
	}
	return "", finding.Info
}

// splitHorizonNote qualifies NXDOMAIN for a name seen only in error pages:
// a server-side upstream may live in private DNS the scanner cannot see.
const splitHorizonNote = "The name was only seen in error pages; it may resolve in the API's private DNS (split horizon), " +
	"so the severity is capped at medium until someone confirms where it points. "

// onlyUpstream reports whether credentials flow to h only because it was
// seen as an upstream in an error page.
func onlyUpstream(h hosts.Host) bool {
	if !slices.Contains(h.Roles, hosts.RoleUpstreamInError) {
		return false
	}
	for _, r := range h.Roles {
		switch r {
		case hosts.RoleUpstreamInError, "extension", "other", "example", "docs", hosts.RoleBodyURL, hosts.RoleLinkHeader, hosts.RoleCSPSource:
		default:
			return false
		}
	}
	return true
}

// keySource reports whether h decides which tokens the API trusts (JWKS,
// issuer, key URLs) rather than receiving them.
func keySource(h hosts.Host) bool {
	for _, r := range hosts.KeySourceRoles {
		if slices.Contains(h.Roles, r) {
			return true
		}
	}
	return false
}
