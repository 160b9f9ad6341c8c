package dns

import (
	"fmt"
	"slices"
	"strings"

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
	case callerForward(h):
		return fmt.Sprintf("%s forwards the caller's Bearer token to this host (%s): whoever claims it receives users' "+
			"tokens. ", forwarders(h), forwardEvidence(h)), finding.High
	case len(h.ForwardedBy) > 0:
		return fmt.Sprintf("%s sends a Bearer token to this host (%s): whoever claims it receives that token. ",
			forwarders(h), forwardEvidence(h)), finding.High
	case has(hosts.RoleUpstreamInError):
		return "This API sends requests (likely with its token) to a host that is dangling: the name leaked in its " +
			"error responses as a server-side upstream. ", finding.High
	case has(hosts.RoleDatabase, hosts.RoleCache, hosts.RoleQueue):
		return fmt.Sprintf("The API's configuration names this host as its %s: whoever claims it receives the credentials "+
			"the API connects with and the data it writes. ", backend(h)), finding.High
	case has(hosts.RoleUpstream):
		return "The API's configuration names this host as a service it calls server-side (likely with its token). ", finding.High
	case has(hosts.RoleCORSOrigin):
		return "This host is an allowed CORS origin: whoever claims it reads the API's authenticated responses " +
			"from users' browsers. ", finding.High
	case has(hosts.RoleWebhook):
		return "The API sends events to this host (a webhook): whoever claims it receives them. ", finding.Medium
	}
	return "", finding.Info
}

// title names what a claimable host that carries credentials would give
// away, by its strongest role.
func title(h hosts.Host) string {
	switch {
	case keySource(h):
		return fmt.Sprintf("Whoever claims %s can mint tokens the API accepts: it is a host anyone can claim", h.Name)
	case callerForward(h):
		return fmt.Sprintf("%s forwards callers' Bearer tokens to %s, a host anyone can claim", forwarders(h), h.Name)
	case len(h.ForwardedBy) > 0:
		return fmt.Sprintf("%s sends Bearer tokens to %s, a host anyone can claim", forwarders(h), h.Name)
	case onlyBackend(h):
		return fmt.Sprintf("The API would connect to its %s at %s, a host anyone can claim", backend(h), h.Name)
	}
	return fmt.Sprintf("Bearer tokens would be sent to %s, a host anyone can claim", h.Name)
}

// callerForward: an operation copies the caller's own token to h.
func callerForward(h hosts.Host) bool {
	return slices.ContainsFunc(h.ForwardedBy, func(f hosts.Forward) bool { return f.CallerToken })
}

// forwarders lists the operations seen sending tokens to h, those that
// forward the caller's own first.
func forwarders(h hosts.Host) string {
	var ops []string
	for _, caller := range []bool{true, false} {
		for _, f := range h.ForwardedBy {
			if f.CallerToken == caller {
				ops = append(ops, f.Operation)
			}
		}
	}
	return strings.Join(ops, ", ")
}

func forwardEvidence(h hosts.Host) string {
	for _, caller := range []bool{true, false} {
		for _, f := range h.ForwardedBy {
			if f.CallerToken == caller {
				return "its error page shows the line `" + f.Evidence + "`"
			}
		}
	}
	return ""
}

// backend names the first backing-service role of h.
func backend(h hosts.Host) string {
	for _, r := range []hosts.Role{hosts.RoleDatabase, hosts.RoleCache, hosts.RoleQueue} {
		if slices.Contains(h.Roles, r) {
			if r == hosts.RoleQueue {
				return "message broker"
			}
			return string(r)
		}
	}
	return "backing service"
}

// onlyBackend: the host is a database, cache or broker and nothing that
// receives Bearer tokens.
func onlyBackend(h hosts.Host) bool {
	found := false
	for _, r := range h.Roles {
		switch r {
		case hosts.RoleDatabase, hosts.RoleCache, hosts.RoleQueue:
			found = true
		case "extension", "other", "example", "docs", hosts.RoleBodyURL, hosts.RoleLinkHeader, hosts.RoleCSPSource:
		default:
			return false
		}
	}
	return found
}

// splitHorizonNote qualifies NXDOMAIN for a name the API only leaked about
// its own server side: such a name may live in private DNS the scanner
// cannot see.
const splitHorizonNote = "The name was only seen in what the API leaked about its server side (error pages, configuration " +
	"dumps); it may resolve in the API's private DNS (split horizon), so the severity is capped at medium until someone " +
	"confirms where it points. "

// onlyUpstream reports whether credentials flow to h only because it was
// seen on the API's server side (an upstream in an error page, a setting
// in a dump): roles that may name private-DNS hosts.
func onlyUpstream(h hosts.Host) bool {
	found := false
	for _, r := range h.Roles {
		switch {
		case slices.Contains(hosts.HarvestedRoles, r):
			found = true
		case r == "extension", r == "other", r == "example", r == "docs", r == hosts.RoleBodyURL, r == hosts.RoleLinkHeader,
			r == hosts.RoleCSPSource:
		default:
			return false
		}
	}
	return found
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
