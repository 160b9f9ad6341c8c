package dns

import (
	"fmt"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
)

const takeoverRef = "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/10-Test_for_Subdomain_Takeover"

// Client-side defences: the host a token goes to comes from a fixed
// allowlist, never from configuration an attacker can influence, and TLS is
// pinned to a key you control so a claimed name with a fresh certificate
// still gets nothing.
const flaskSnippet = `# Never read the host a token goes to from untrusted config; allowlist it.
from urllib.parse import urlsplit
import requests

ALLOWED_HOSTS = {"api.example.com"}  # hosts you own and monitor

def call_upstream(url: str, token: str):
    host = urlsplit(url).hostname
    if urlsplit(url).scheme != "https" or host not in ALLOWED_HOSTS:
        raise ValueError(f"refusing to send credentials to {host!r}")
    # verify= a CA bundle you control (or pin the key with a custom adapter)
    return requests.get(url, headers={"Authorization": f"Bearer {token}"},
                        timeout=10, allow_redirects=False, verify="/etc/ssl/internal-ca.pem")
`

const goSnippet = `var allowedHosts = map[string]bool{"api.example.com": true}

func callUpstream(ctx context.Context, raw, token string) (*http.Response, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || !allowedHosts[u.Hostname()] {
		return nil, fmt.Errorf("refusing to send credentials to %q", raw)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return client.Do(req)
}`

const nodeSnippet = `const ALLOWED_HOSTS = new Set(["api.example.com"]);

async function callUpstream(raw, token) {
  const u = new URL(raw);
  if (u.protocol !== "https:" || !ALLOWED_HOSTS.has(u.hostname)) {
    throw new Error("refusing to send credentials to " + u.hostname);
  }
  return fetch(u, { headers: { Authorization: "Bearer " + token }, redirect: "manual" });
}`

func remediation(h hosts.Host, af finding.Finding) finding.Remediation {
	var summary string
	switch af.ID {
	case dnsaudit.IDLameDelegation, dnsaudit.IDPartiallyLame:
		summary = fmt.Sprintf("Fix the delegation of %s at its parent: remove the NS records of nameservers that do not serve "+
			"the zone, or re-create the zone at that provider yourself.", af.Location.Param)
	case dnsaudit.IDUnregisteredDomain:
		summary = fmt.Sprintf("Register %s yourself (or remove every record that points into it).", af.Location.Param)
	case dnsaudit.IDInternalAddress:
		return finding.Remediation{Summary: fmt.Sprintf("Keep internal addresses out of public DNS: serve %s from an internal "+
			"(split-horizon) zone.", h.Name)}
	case dnsaudit.IDLookupFailed, dnsaudit.IDResolverDisagree:
		return finding.Remediation{Summary: "Audit again; if the failure persists, check the zone's nameservers."}
	case dnsaudit.IDHostNXDomain:
		return finding.Remediation{Summary: fmt.Sprintf("Remove %s from the OpenAPI document and client configuration, or "+
			"restore its DNS records.", h.Name)}
	default:
		summary = fmt.Sprintf("Remove the DNS record of %s that points at %s, or reclaim the resource it pointed at before "+
			"anyone else does.", h.Name, af.Location.Param)
	}
	return takeoverFix(summary)
}
