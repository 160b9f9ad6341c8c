package dns

import (
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
)

// rotateAdvice ends the remediation of every name someone else may claim.
const rotateAdvice = " Rotate every credential that may have been sent there. In clients: send tokens only to an allowlist of " +
	"hosts you own, pin TLS to a CA or key you control, and never read the target host from untrusted configuration."

// takeoverFix is the catalog remediation of a name someone else may
// claim; a finding's own remediation names the host and the record.
func takeoverFix(summary string) finding.Remediation {
	return finding.Remediation{
		Summary: summary + rotateAdvice,
		Snippets: []finding.Snippet{
			{Lang: "python-flask", Code: flaskSnippet},
			{Lang: "go", Code: goSnippet},
			{Lang: "node-express", Code: nodeSnippet},
		},
		References: []string{takeoverRef},
	}
}

// rules are the findings of the DNS audit. Severities are the highest the
// check gives: a name anyone can claim that receives Bearer tokens, or
// that serves signing keys, is critical.
var rules = []check.Rule{
	{ID: dnsaudit.IDDanglingCNAME, Title: "Dangling CNAME", Severity: finding.Critical,
		Description: "A CNAME hop (at any depth of the chain) points at a name that does not exist, confirmed by a second " +
			"resolver or the authority. Where the target lives in a service namespace anyone can register in (a cloud app, " +
			"bucket or CDN name), whoever claims it answers for the host. Critical when the API's credentials flow to the host " +
			"or it serves signing keys; high when it is an allowed CORS origin or an upstream seen in errors.",
		Remediation: takeoverFix("Remove the DNS record that points at the missing name, or reclaim the resource it pointed " +
			"at before anyone else does.")},
	{ID: dnsaudit.IDUnregisteredDomain, Title: "CNAME or nameserver in an unregistered domain", Severity: finding.Critical,
		Description: "A CNAME target or a delegated nameserver lives in a registrable domain nobody registered: anyone can " +
			"buy it and answer for the host. Critical when credentials flow to the host.",
		Remediation: takeoverFix("Register the domain yourself, or remove every record that points into it.")},
	{ID: dnsaudit.IDLameDelegation, Title: "Lame delegation", Severity: finding.Critical,
		Description: "The parent zone delegates the host's zone to nameservers that, asked directly, do not serve it. Where " +
			"the DNS provider lets any customer create the zone, anyone can take it over. Critical when it is claimable and " +
			"credentials flow to the host.",
		Remediation: takeoverFix("Fix the delegation at the parent: remove the NS records of nameservers that do not serve " +
			"the zone, or re-create the zone at that provider yourself.")},
	{ID: dnsaudit.IDPartiallyLame, Title: "Partially lame delegation", Severity: finding.Critical,
		Description: "Some of the delegated nameservers do not serve the zone: resolvers that ask them get no answer or a " +
			"wrong one, and where the provider lets anyone create the zone, an attacker answers part of the queries.",
		Remediation: takeoverFix("Fix the delegation at the parent: remove the NS records of nameservers that do not serve " +
			"the zone, or re-create the zone at that provider yourself.")},
	{ID: dnsaudit.IDUnclaimedService, Title: "Host points at an unclaimed service resource", Severity: finding.Critical,
		Description: "The service the CNAME chain identifies (from the embedded takeover fingerprint database) answers with " +
			"its unclaimed-resource page: anyone with an account there can claim the name. Critical when credentials flow " +
			"to the host.",
		Remediation: takeoverFix("Remove the DNS record, or claim the resource at the service before anyone else does.")},
	{ID: dnsaudit.IDInternalAddress, Title: "Internal address in public DNS", Severity: finding.Low,
		Description: "The host resolves to a private, loopback, link-local, CGNAT or cloud metadata address. It maps the " +
			"internal network for an attacker and can turn clients' requests against internal services. Not reported when " +
			"the target itself is on an internal address.",
		Remediation: finding.Remediation{Summary: "Keep internal addresses out of public DNS: serve internal names from an " +
			"internal (split-horizon) zone."}},
	{ID: dnsaudit.IDHostNXDomain, Title: "Host does not exist in DNS", Severity: finding.High,
		Description: "A host the API names (spec servers, OAuth endpoints, redirect targets, …) does not exist (NXDOMAIN). Its " +
			"registrable domain may still be owned; high when credentials flow to it, medium when the name was only seen in " +
			"error pages (it may live in private DNS), low otherwise.",
		Remediation: finding.Remediation{Summary: "Remove the host from the OpenAPI document and client configuration, or " +
			"restore its DNS records."}},
	{ID: dnsaudit.IDResolverDisagree, Title: "DNS servers disagree whether the host exists", Severity: finding.Info,
		Description: "The resolvers or the authority give different answers for the host, so its existence could not be " +
			"settled. Never read as \"does not exist\".",
		Remediation: finding.Remediation{Summary: "Audit again; if the disagreement persists, check the zone's nameservers."}},
	{ID: dnsaudit.IDLookupFailed, Title: "DNS lookup failed", Severity: finding.Info,
		Description: "The lookup timed out or answered SERVFAIL or REFUSED, so the host could not be audited. Never read as " +
			"\"does not exist\".",
		Remediation: finding.Remediation{Summary: "Audit again; if the failure persists, check the zone's nameservers."}},
	{ID: dnsaudit.IDUnownedAddress, Title: "Host resolves outside the networks you own", Severity: finding.Low,
		Description: "Only `plumb dns --owned-ips` reports it (a scan never does): the host resolves to an address outside the " +
			"networks listed as yours, possibly a released cloud address someone else now holds.",
		Remediation: finding.Remediation{Summary: "Point the record at an address you own, or remove it."}},
}
