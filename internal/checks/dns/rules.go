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

// fixDelegation is the remediation of a (partially) lame delegation.
const fixDelegation = "Fix the delegation at the parent: remove the NS records of nameservers that do not serve the zone, " +
	"or re-create the zone at that provider yourself."

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
		Remediation: takeoverFix(fixDelegation)},
	{ID: dnsaudit.IDPartiallyLame, Title: "Partially lame delegation", Severity: finding.Critical,
		Description: "Some of the delegated nameservers do not serve the zone: resolvers that ask them get no answer or a " +
			"wrong one, and where the provider lets anyone create the zone, an attacker answers part of the queries.",
		Remediation: takeoverFix(fixDelegation)},
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
	{ID: dnsaudit.IDDanglingMX, Title: "Mail exchanger in an unregistered domain or a name that does not exist", Severity: finding.High,
		Description: "An MX record of the host (an apex without an address included) names a mail server whose registrable " +
			"domain nobody registered (anyone can buy it and receive the host's mail, password resets and magic links " +
			"included: high, a takeover), or a name that does not exist (mail bounces; whoever can create the name gets it).",
		Remediation: takeoverFix("Register the domain yourself, or remove the MX record that points into it.")},
	{ID: dnsaudit.IDDanglingNS, Title: "NS record names a nameserver in an unregistered domain or that does not exist", Severity: finding.High,
		Description: "The host's own NS records (the zone's side of the delegation) name a nameserver whose registrable domain " +
			"nobody registered: whoever buys it answers DNS queries for the zone for resolvers that use the zone's NS set.",
		Remediation: takeoverFix("Remove the NS record, or register the nameserver's domain yourself.")},
	{ID: dnsaudit.IDDanglingSRV, Title: "SRV target in an unregistered domain or that does not exist", Severity: finding.Medium,
		Description: "An SRV record of the host sends the service's clients (SIP, XMPP, LDAP, Kerberos, autodiscover…) to a " +
			"name in a domain nobody registered, or to a name that does not exist.",
		Remediation: takeoverFix("Point the SRV record at a host you own, or remove it.")},
	{ID: dnsaudit.IDDanglingSPF, Title: "SPF include or redirect to an unregistered domain", Severity: finding.Medium,
		Description: "The host's SPF record includes (or redirects to) a domain nobody registered: whoever buys it publishes " +
			"an SPF record that authorizes their own servers, and mail they send as the host passes SPF. A domain that " +
			"exists without the name is dangling (the SPF check errors out).",
		Remediation: takeoverFix("Remove the include: or redirect= term, or register the domain yourself.")},
	{ID: dnsaudit.IDDanglingDMARC, Title: "DMARC reports sent to an unregistered domain", Severity: finding.Medium,
		Description: "The host's DMARC record (_dmarc TXT) mails its aggregate (rua) or failure (ruf) reports to a domain " +
			"nobody registered: whoever buys it publishes the external-destination authorization and receives reports on " +
			"every mail sent as the host (sending IPs, volumes; failure reports carry message headers).",
		Remediation: takeoverFix("Send reports to a mailbox in a domain you own, or register the domain yourself.")},
	{ID: dnsaudit.IDDanglingCAA, Title: "CAA names an issuer in an unregistered domain", Severity: finding.Low,
		Description: "A CAA issue/issuewild record names a certificate authority by a domain nobody registered. Registering " +
			"it does not make anyone a trusted CA, so it is dangling, not a takeover; but no CA will issue for the host " +
			"under that record, and the record is probably a typo or a leftover.",
		Remediation: finding.Remediation{Summary: "Correct the CAA record to name the CA you use (e.g. letsencrypt.org), or remove it."}},
	{ID: dnsaudit.IDNameserverFailed, Title: "A delegated nameserver failed to answer", Severity: finding.Info,
		Description: "A nameserver the parent zone delegates to answered SERVFAIL or nothing when asked for its zone's SOA, " +
			"while others answered. A failure is not a lame delegation: it may be transient and says nothing about who " +
			"can answer for the zone.",
		Remediation: finding.Remediation{Summary: "Check the nameserver, or remove it from the delegation if it is retired."}},
	{ID: dnsaudit.IDAmbiguousName, Title: "Ambiguous host name", Severity: finding.High,
		Description: "A host the API names may reach someone other than its reader expects: a single-label name (each " +
			"client completes it with its own search domains, LLMNR or mDNS), a name that does not exist but resolves " +
			"through a search domain, an internationalized look-alike of the target's domain (punycode homoglyphs), or " +
			"the target's domain under another TLD. High when credentials flow to a look-alike; medium when they flow to " +
			"another ambiguous name; low otherwise.",
		Remediation: finding.Remediation{Summary: "Write every host as a full name in a domain you own, and compare " +
			"internationalized names character by character (punycode) before sending credentials there."}},
	{ID: dnsaudit.IDResolverDropped, Title: "A configured DNS resolver was not used", Severity: finding.Info,
		Description: "A configured resolver rewrote NXDOMAIN (it answered a random name that cannot exist with an address) " +
			"or failed a test question, so the DNS audit did not use it; when none was left, names were resolved from the " +
			"root servers.",
		Remediation: finding.Remediation{Summary: "Use a resolver that answers honestly (no NXDOMAIN rewriting, no " +
			"\"search assist\"), or let plumb resolve from the roots."}},
	{ID: dnsaudit.IDUnownedAddress, Title: "Host resolves outside the networks you own", Severity: finding.Low,
		Description: "Only `plumb dns --owned-ips` reports it (a scan never does): the host resolves to an address outside the " +
			"networks listed as yours, possibly a released cloud address someone else now holds.",
		Remediation: finding.Remediation{Summary: "Point the record at an address you own, or remove it."}},
}
