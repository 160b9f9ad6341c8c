// Package consumption holds the unsafe-consumption checks (OWASP
// API10:2023): what the spec says about the APIs this API itself calls.
package consumption

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/spec"
)

// consumedRoles are URL roles that name something the API talks to (not
// documentation, contacts or examples).
var consumedRoles = map[spec.Role]bool{
	spec.RoleExtension: true, spec.RoleCallback: true, spec.RoleWebhook: true,
	spec.RoleTokenEndpoint: true, spec.RoleAuthorizationEndpoint: true, spec.RoleRefreshEndpoint: true,
	spec.RoleOIDCDiscovery: true, spec.RoleRef: true,
}

// PlainHTTPUpstream reports consumed URLs in the spec that use plain HTTP.
type PlainHTTPUpstream struct{}

// Meta describes the check.
func (PlainHTTPUpstream) Meta() check.Meta {
	return check.Meta{
		ID: "unsafe-consumption.plain-http-upstream", Title: "Upstream API consumed over plain HTTP", Category: finding.CatUnsafeConsumption,
		OWASP: "API10:2023", CWE: "CWE-319", Severity: finding.Medium, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "Reports http:// URLs in the spec that name something the API or its clients talk to — vendor " +
			"extensions such as x-upstream, callbacks, webhooks, OAuth endpoints, external $refs — on hosts other than the " +
			"target: data (and often a service credential) crosses the network in clear text, and anyone on the path can " +
			"feed the API forged answers. No requests.",
		Remediation: plainUpstreamRemediation,
	}
}

// Run reads the spec's URL inventory.
func (c PlainHTTPUpstream) Run(_ context.Context, in *check.Input) ([]finding.Finding, error) {
	target := strings.ToLower(in.Target.Hostname())
	byHost := map[string][]spec.URLRef{}
	for _, u := range in.API.URLs {
		pu, err := url.Parse(u.URL)
		if err != nil || !strings.EqualFold(pu.Scheme, "http") || !consumedRoles[u.Role] || u.Host == target {
			continue
		}
		byHost[u.Host] = append(byHost[u.Host], u)
	}
	hosts := make([]string, 0, len(byHost))
	for h := range byHost {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	var out []finding.Finding
	for _, h := range hosts {
		refs := byHost[h]
		var lines []string
		sev := finding.Low
		for _, r := range refs {
			lines = append(lines, fmt.Sprintf("%s at %s (role %s)", r.URL, r.Where, r.Role))
			switch r.Role {
			case spec.RoleTokenEndpoint, spec.RoleAuthorizationEndpoint, spec.RoleRefreshEndpoint, spec.RoleCallback, spec.RoleWebhook:
				sev = finding.Medium // credentials or signed events travel there
			}
		}
		f := check.New(c.Meta(), fmt.Sprintf("Spec names %s over plain HTTP", h), finding.Location{Host: h})
		f.Severity = sev
		f.Confidence = finding.Firm
		f.Evidence = finding.Evidence{Summary: "The spec references:\n" + strings.Join(lines, "\n")}
		f.Remediation = plainUpstreamRemediation
		out = append(out, f)
	}
	return out, nil
}

var plainUpstreamRemediation = finding.Remediation{
	Summary: "Call upstream APIs over HTTPS only, verify their certificates, validate their responses like user " +
		"input, and fix the URL in the spec and configuration.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `GEO_URL = "https://geo.example.com/v1/lookup"   # never http://
r = requests.get(GEO_URL, params={"ip": ip}, timeout=5)   # verify=True is the default: keep it`},
		{Lang: "go", Code: `if u.Scheme != "https" { return fmt.Errorf("upstream %s: https required", u) }`},
		{Lang: "node-express", Code: `if (new URL(upstream).protocol !== "https:") throw new Error("https required");`},
	},
	References: []string{"https://owasp.org/API-Security/editions/2023/en/0xaa-unsafe-consumption-of-apis/"},
}
