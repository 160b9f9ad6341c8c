// Package dns holds the host audit of the DNS behind every host in the
// graph, backed by internal/dnsaudit: dangling CNAMEs (any hop), unregistered
// domains, lame delegations read from the parent zone, unclaimed services,
// internal addresses. It joins each verdict with what the host does for the
// API: a host anyone can claim that receives Bearer tokens is critical.
package dns

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
)

// Finding ids this check emits (stable; documented in Meta).
const (
	IDDanglingCNAME = dnsaudit.IDDanglingCNAME
	IDHostNXDomain  = dnsaudit.IDHostNXDomain
	IDLookupFailed  = dnsaudit.IDLookupFailed
)

// Resolution audits the DNS of every host in the graph.
type Resolution struct{}

// Meta describes the check.
func (Resolution) Meta() check.Meta {
	return check.Meta{
		ID:       "dns.resolution",
		Title:    "No host the API's tokens flow to can be claimed by someone else",
		Category: finding.CatDNS,
		OWASP:    "API8:2023",
		CWE:      "CWE-350",
		Severity: finding.Critical,
		Phase:    check.PhaseHosts,
		Description: "Audits the DNS of every host the API's credentials or users can be sent to (target, spec servers, OAuth " +
			"endpoints, redirect targets, …): the whole CNAME chain, the delegation as the parent zone states it and each " +
			"delegated nameserver asked directly. Findings: " +
			dnsaudit.IDDanglingCNAME + " (a CNAME hop points at a name that does not exist, confirmed by a second resolver or " +
			"the authority; claimable service namespace vs not), " +
			dnsaudit.IDUnregisteredDomain + " (a CNAME or nameserver domain nobody registered), " +
			dnsaudit.IDLameDelegation + " / " + dnsaudit.IDPartiallyLame + " (nameservers that do not serve the zone; " +
			"exploitable where the DNS provider lets anyone create it), " +
			dnsaudit.IDUnclaimedService + " (the service the chain identifies shows its unclaimed page), " +
			dnsaudit.IDInternalAddress + " (private/loopback/link-local/CGNAT/metadata address in public DNS), " +
			dnsaudit.IDHostNXDomain + " (the name does not exist), " + dnsaudit.IDResolverDisagree + " and " + IDLookupFailed +
			" (info: the resolvers could not answer, never read as \"does not exist\"), " +
			"dns.dangling-mx/-ns/-srv/-spf/-dmarc/-caa (a record's target is in an unregistered domain or does not exist), " +
			dnsaudit.IDNameserverFailed + " (info: a delegated nameserver failed, which is not lameness), " +
			dnsaudit.IDAmbiguousName + " (single-label names, search-domain-only names, IDN look-alikes and other-TLD twins " +
			"of the target's domain) and " + dnsaudit.IDResolverDropped + " (info: a resolver that lies or fails was set " +
			"aside). A host anyone can claim that receives Bearer tokens is critical.",
		Rules: rules,
	}
}

// Run audits each host once, in parallel. IP literals have no DNS: they
// are marked skipped, and when every host is one, nothing is asked of any
// resolver and the check says it had nothing to assess.
func (c Resolution) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	var list []hosts.Host
	var literals []string
	for _, h := range in.Hosts.List() {
		if _, err := netip.ParseAddr(strings.Trim(h.Name, "[]")); err == nil {
			in.Hosts.SetDNS(h.Name, hosts.DNSSummary{Status: finding.DNSSkipped, Detail: "IP literal: no DNS to audit"})
			literals = append(literals, h.Name)
			continue
		}
		list = append(list, h)
	}
	if len(list) == 0 {
		return nil, check.NotAssessed("no host name to audit: %s is an IP address and the scan found no named host; "+
			"DNS takeovers concern names only", strings.Join(literals, ", "))
	}
	if len(in.DNSAudit.Roots) == 0 {
		in.Notes.Add("dns", "delegations were not walked from the root (--dns-root none): lame delegations and "+
			"unregistered nameserver domains were not checked; CNAME chains were, through the resolvers")
	}
	a, err := dnsaudit.New(ctx, dnsaudit.Options{
		Resolver:       in.DNS,
		Roots:          in.DNSAudit.Roots,
		AuthorityPort:  in.DNSAudit.AuthorityPort,
		SearchDomains:  in.DNSAudit.SearchDomains,
		HTTP:           in.HTTP,
		IgnoreInternal: c.targetInternal(ctx, in),
	})
	if err != nil {
		if a != nil { // no resolver could be used: each host says its DNS was not audited, and why
			for _, h := range list {
				in.Hosts.SetDNS(h.Name, hosts.DNSSummary{Status: finding.DNSError, Detail: "not audited: " + err.Error()})
			}
		}
		return nil, fmt.Errorf("dns audit: %w", err)
	}
	targetHost := ""
	if in.Target != nil {
		targetHost = in.Target.Hostname()
	}
	out := make([][]finding.Finding, len(list))
	var g errgroup.Group
	g.SetLimit(8)
	for i, h := range list {
		g.Go(func() error {
			r := a.Audit(ctx, h.Name)
			amb := dnsaudit.Ambiguities(h.Name, targetHost)
			in.Hosts.SetDNS(h.Name, summary(r, amb))
			out[i] = append(c.findings(h, r), c.ambiguityFindings(h, amb)...)
			return ctx.Err()
		})
	}
	err = g.Wait()
	fs := c.notices(a)
	for _, f := range out {
		fs = append(fs, f...)
	}
	return fs, err
}

// notices reports the resolvers the audit set aside, and a fall back to
// resolving from the roots, once per scan.
func (c Resolution) notices(a *dnsaudit.Auditor) []finding.Finding {
	m := c.Meta()
	var out []finding.Finding
	for _, n := range a.Notices() {
		f := finding.Finding{ID: dnsaudit.IDResolverDropped, Category: m.Category, Severity: finding.Info, Confidence: finding.Confirmed,
			Location: finding.Location{Host: n.Server}, Evidence: finding.Evidence{Summary: n.Reason, DNS: n.Evidence}}
		f.Title = fmt.Sprintf("DNS resolver %s was not used: it %s", n.Server, n.Reason)
		if n.Kind == dnsaudit.NoticeIterative {
			f.Title, f.Location.Host = "DNS names were resolved from the root servers: "+n.Reason, "."
		}
		out = append(out, f)
	}
	return out
}

// ambiguityFindings reports what is ambiguous about h next to the target
// (single-label names come from the audit itself, with what they reach).
func (c Resolution) ambiguityFindings(h hosts.Host, amb []dnsaudit.Ambiguity) []finding.Finding {
	m := c.Meta()
	var out []finding.Finding
	for _, a := range amb {
		if a.Kind == dnsaudit.AmbSingleLabel {
			continue
		}
		f := finding.Finding{ID: dnsaudit.IDAmbiguousName, Category: m.Category, OWASP: m.OWASP, CWE: m.CWE,
			Severity: finding.Low, Confidence: finding.Firm, Location: finding.Location{Host: h.Name}}
		f.Title = fmt.Sprintf("%s is ambiguous (%s)", h.Name, a.Kind)
		switch {
		case h.CarriesCredentials && a.Kind == dnsaudit.AmbLookAlike:
			f.Severity, f.Title = finding.High, fmt.Sprintf("Credentials flow to %s, a look-alike of the target's domain", h.Name)
		case h.CarriesCredentials:
			f.Severity, f.Title = finding.Medium, fmt.Sprintf("Credentials flow to %s, the target's domain name under another TLD", h.Name)
		}
		f.Evidence.Summary = fmt.Sprintf("%s: %s. Roles of %s: %s.", a.Kind, a.Detail, h.Name, roles(h))
		f.Remediation = finding.Remediation{Summary: fmt.Sprintf("Check who owns %s; if it is not you, remove it from the "+
			"OpenAPI document and client configuration and send no credentials there.", h.Name)}
		out = append(out, f)
	}
	return out
}

// targetInternal: scanning a target that itself lives on an internal
// address (a local or staging setup) makes internal addresses expected.
func (Resolution) targetInternal(ctx context.Context, in *check.Input) bool {
	if in.Target == nil {
		return false
	}
	res, err := in.DNS.LookupHost(ctx, in.Target.Hostname())
	if err != nil {
		return false
	}
	for _, ip := range res.Addrs {
		if dnsaudit.InternalKind(ip) != "" {
			return true
		}
	}
	return false
}

// summary is a host's line in the graph: the audit's status, except that
// a name resolving to no address is nodata, and what makes it ambiguous.
func summary(r *dnsaudit.Result, amb []dnsaudit.Ambiguity) hosts.DNSSummary {
	s := hosts.DNSSummary{Status: r.Status, Detail: r.Error}
	for _, a := range amb {
		s.Ambiguity = append(s.Ambiguity, a.Kind+": "+a.Detail)
	}
	for _, f := range r.Findings {
		if f.ID == dnsaudit.IDAmbiguousName && len(amb) == 0 {
			s.Ambiguity = append(s.Ambiguity, f.Title)
		}
	}
	for _, l := range r.Chain {
		if l.Type == "CNAME" {
			s.CNAMEs = append(s.CNAMEs, l.Value)
		}
	}
	for _, ip := range r.Addrs {
		s.Addrs = append(s.Addrs, ip.String())
	}
	switch r.Status {
	case finding.DNSOK:
		if len(s.Addrs) == 0 {
			s.Status = finding.DNSNoData
		}
	case finding.DNSDangling, finding.DNSVulnerable:
		for _, f := range r.Findings {
			if s.Detail == "" && f.ID != dnsaudit.IDInternalAddress {
				s.Detail = f.Title
			}
		}
	}
	return s
}

// findings turns the audit's verdicts into report findings, weighed by
// what the host does for the API.
func (c Resolution) findings(h hosts.Host, r *dnsaudit.Result) []finding.Finding {
	var out []finding.Finding
	m := c.Meta()
	for _, af := range r.Findings {
		f := af
		f.Category, f.OWASP, f.CWE = m.Category, m.OWASP, m.CWE
		// Located at the graph's host: fingerprints key on it, and the
		// zone, nameserver or CNAME target stays in the evidence.
		f.Location = finding.Location{Host: h.Name}
		takeover := r.Claimable(af) && routesTraffic(af.ID)
		switch {
		case takeover && h.CarriesCredentials:
			f.Severity = finding.Critical
			if f.Confidence < finding.Firm {
				f.Confidence = finding.Firm
			}
			f.Title = title(h)
		case takeover:
			f.Severity = max(f.Severity, finding.High)
		case r.Claimable(af):
			f.Severity = max(f.Severity, finding.High) // mail, service or trust records: the host's traffic stays put
		case danglingID(af.ID) && routesTraffic(af.ID) && h.CarriesCredentials:
			f.Severity = max(f.Severity, finding.High)
			f.Title = fmt.Sprintf("Credentials flow to %s: %s", h.Name, af.Title)
		case af.ID == dnsaudit.IDHostNXDomain:
			f.Severity = finding.Low
			if h.CarriesCredentials {
				f.Severity = finding.High
			}
		}
		lead, floor := impact(h)
		switch {
		case danglingID(af.ID) && routesTraffic(af.ID):
			f.Severity = max(f.Severity, floor)
		case af.ID == dnsaudit.IDHostNXDomain && onlyUpstream(h):
			f.Severity, lead = finding.Medium, lead+splitHorizonNote
		case af.ID == dnsaudit.IDHostNXDomain:
			f.Severity = max(f.Severity, min(floor, finding.High)) // the registrable domain may still be owned
		}
		f.Evidence.Summary = lead + evidenceSummary(h, r, af)
		f.Remediation = remediation(h, af)
		out = append(out, f)
	}
	return out
}

func danglingID(id string) bool {
	switch id {
	case dnsaudit.IDDanglingCNAME, dnsaudit.IDUnregisteredDomain, dnsaudit.IDLameDelegation,
		dnsaudit.IDPartiallyLame, dnsaudit.IDUnclaimedService, dnsaudit.IDDanglingNS,
		dnsaudit.IDDanglingMX, dnsaudit.IDDanglingSRV, dnsaudit.IDDanglingSPF, dnsaudit.IDDanglingDMARC, dnsaudit.IDDanglingCAA:
		return true
	}
	return false
}

// routesTraffic: the verdict decides where the host's own traffic (and so
// its Bearer tokens) goes, not only its mail, services or certificates.
func routesTraffic(id string) bool {
	switch id {
	case dnsaudit.IDDanglingMX, dnsaudit.IDDanglingSRV, dnsaudit.IDDanglingSPF, dnsaudit.IDDanglingDMARC, dnsaudit.IDDanglingCAA:
		return false
	}
	return true
}

func evidenceSummary(h hosts.Host, r *dnsaudit.Result, af finding.Finding) string {
	var b strings.Builder
	b.WriteString(af.Title)
	b.WriteString(". ")
	if af.Evidence.Summary != "" {
		b.WriteString(af.Evidence.Summary)
		b.WriteString(" ")
	}
	var chain []string
	for _, l := range r.Chain {
		chain = append(chain, fmt.Sprintf("%s %s %s (%s @%s)", l.Name, l.Type, l.Value, l.Rcode, l.Server))
	}
	if len(chain) > 0 {
		fmt.Fprintf(&b, "Chain: %s. ", strings.Join(chain, " → "))
	}
	fmt.Fprintf(&b, "Roles of %s: %s", h.Name, roles(h))
	if h.CarriesCredentials {
		b.WriteString("; the API's credentials (Bearer tokens) are sent to this host")
	} else {
		b.WriteString("; no credentials are known to flow there")
	}
	b.WriteString(".")
	if len(h.ForwardedBy) > 0 {
		fmt.Fprintf(&b, " Tokens are sent there by %s.", forwarders(h))
	}
	if len(h.Sources) > 0 {
		fmt.Fprintf(&b, " Seen in: %s.", strings.Join(h.Sources[:min(len(h.Sources), 4)], "; "))
	}
	return b.String()
}

func roles(h hosts.Host) string {
	rs := make([]string, len(h.Roles))
	for i, r := range h.Roles {
		rs[i] = string(r)
	}
	return strings.Join(rs, ", ")
}
