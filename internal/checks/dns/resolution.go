// Package dns holds checks of the DNS behind every host in the graph: does
// each name resolve, and does any CNAME in its chain point at a name that
// no longer exists (a takeover candidate)? The full dangling-DNS engine
// lives in internal/dnsaudit; this is the first, chain-aware pass.
package dns

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	mdns "github.com/miekg/dns"
	"golang.org/x/sync/errgroup"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/netx"
)

// Finding ids this check emits.
const (
	IDDanglingCNAME = "dns.dangling-cname"
	IDHostNXDomain  = "dns.host-nxdomain"
	IDLookupFailed  = "dns.lookup-failed"
)

// Resolution audits the DNS of every host in the graph.
type Resolution struct{}

// Meta describes the check.
func (Resolution) Meta() check.Meta {
	return check.Meta{
		ID:       "dns.resolution",
		Title:    "Hosts resolve and no CNAME dangles",
		Category: finding.CatDNS,
		OWASP:    "API8:2023",
		CWE:      "CWE-350",
		Severity: finding.Critical,
		Phase:    check.PhaseHosts,
		Description: "Resolves every host the API's credentials or users can be sent to (target, spec servers, OAuth " +
			"endpoints, redirect targets, …) through the configured resolvers. Reports " + IDDanglingCNAME +
			" when a CNAME in the chain points at a name that does not exist (critical when credentials flow there), " +
			IDHostNXDomain + " when the name itself does not exist, and " + IDLookupFailed +
			" (info) when the resolver could not answer — never read as \"does not exist\".",
	}
}

// Run audits each host once, in parallel.
func (c Resolution) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	list := in.Hosts.List()
	out := make([]*finding.Finding, len(list))
	var g errgroup.Group
	g.SetLimit(8)
	for i, h := range list {
		if _, err := netip.ParseAddr(h.Name); err == nil {
			in.Hosts.SetDNS(h.Name, hosts.DNSSummary{Status: hosts.DNSSkipped, Detail: "IP literal"})
			continue
		}
		g.Go(func() error {
			sum, f := c.audit(ctx, in, h)
			in.Hosts.SetDNS(h.Name, sum)
			out[i] = f
			return ctx.Err()
		})
	}
	err := g.Wait()
	var fs []finding.Finding
	for _, f := range out {
		if f != nil {
			fs = append(fs, *f)
		}
	}
	return fs, err
}

func (c Resolution) audit(ctx context.Context, in *check.Input, h hosts.Host) (hosts.DNSSummary, *finding.Finding) {
	// Query returns the reply (even NXDOMAIN) whenever a server answered;
	// no reply at all means we know nothing about the name.
	ans, err := in.DNS.Query(ctx, h.Name, mdns.TypeA)
	if ans == nil {
		f := c.finding(IDLookupFailed, finding.Info, finding.Confirmed, h,
			fmt.Sprintf("DNS lookup of %s failed; it could not be audited", h.Name))
		f.Evidence.Summary = fmt.Sprintf("Lookup failed: %v. A failure is not proof the name does not exist; audit again later.", err)
		var de *netx.DNSError
		if errors.As(err, &de) {
			f.Evidence.DNS = []finding.DNSAnswer{de.Evidence()}
		}
		return hosts.DNSSummary{Status: hosts.DNSError, Detail: errString(err)}, f
	}
	chain, addrs := walk(h.Name, ans.Msg)
	sum := hosts.DNSSummary{CNAMEs: chain, Addrs: addrs}
	switch ans.Rcode {
	case mdns.RcodeSuccess:
		if len(addrs) == 0 {
			if a6, _ := in.DNS.Query(ctx, h.Name, mdns.TypeAAAA); a6 != nil && a6.Rcode == mdns.RcodeSuccess {
				_, sum.Addrs = walk(h.Name, a6.Msg)
			}
		}
		sum.Status = hosts.DNSOK
		if len(sum.Addrs) == 0 {
			sum.Status = hosts.DNSNoData
		}
		return sum, nil
	case mdns.RcodeNameError:
		if len(chain) > 0 {
			sum.Status = hosts.DNSDangling
			sum.Detail = chain[len(chain)-1] + " does not exist (NXDOMAIN)"
			return sum, c.dangling(in, h, chain, ans)
		}
		sum.Status = hosts.DNSNXDomain
		return sum, c.nxdomain(in, h, ans)
	default:
		rcode := mdns.RcodeToString[ans.Rcode]
		sum.Status, sum.Detail = hosts.DNSError, rcode
		f := c.finding(IDLookupFailed, finding.Info, finding.Confirmed, h,
			fmt.Sprintf("DNS lookup of %s answered %s; it could not be audited", h.Name, rcode))
		f.Evidence = finding.Evidence{Summary: rcode + " is not proof the name does not exist.", DNS: []finding.DNSAnswer{ans.Evidence()}}
		return sum, f
	}
}

// walk follows the CNAME chain from name through an answer section and
// returns the chain targets in order and the final addresses.
func walk(name string, m *mdns.Msg) (chain, addrs []string) {
	if m == nil {
		return nil, nil
	}
	cur := mdns.Fqdn(strings.ToLower(name))
	for range 16 {
		next := ""
		for _, rr := range m.Answer {
			if cn, ok := rr.(*mdns.CNAME); ok && strings.EqualFold(cn.Hdr.Name, cur) {
				next = strings.ToLower(cn.Target)
				break
			}
		}
		if next == "" {
			break
		}
		chain = append(chain, strings.TrimSuffix(next, "."))
		cur = next
	}
	for _, rr := range m.Answer {
		switch a := rr.(type) {
		case *mdns.A:
			if strings.EqualFold(a.Hdr.Name, cur) {
				addrs = append(addrs, a.A.String())
			}
		case *mdns.AAAA:
			if strings.EqualFold(a.Hdr.Name, cur) {
				addrs = append(addrs, a.AAAA.String())
			}
		}
	}
	return chain, addrs
}

func (c Resolution) dangling(in *check.Input, h hosts.Host, chain []string, ans *netx.Answer) *finding.Finding {
	last := chain[len(chain)-1]
	sev, title := finding.High, fmt.Sprintf("%s is a CNAME to %s, which does not exist", h.Name, last)
	if h.CarriesCredentials {
		sev = finding.Critical
		title = fmt.Sprintf("Credentials flow to %s, a dangling CNAME to %s", h.Name, last)
	}
	lead, floor := impact(h)
	if floor > sev {
		sev = floor
	}
	if lead != "" {
		title = fmt.Sprintf("%s (%s) is a dangling CNAME to %s", h.Name, roles(h), last)
		if h.CarriesCredentials {
			title = fmt.Sprintf("Credentials flow to %s (%s), a dangling CNAME to %s", h.Name, roles(h), last)
		}
	}
	f := c.finding(IDDanglingCNAME, sev, finding.Firm, h, title)
	f.Evidence = finding.Evidence{
		Summary: lead + fmt.Sprintf("%s → %s; the resolver %s answered NXDOMAIN for the end of the chain. Whoever registers %s "+
			"receives the traffic for %s (roles: %s)%s.", h.Name, strings.Join(chain, " → "), ans.Server, last, h.Name,
			roles(h), credNote(h)),
		DNS: []finding.DNSAnswer{ans.Evidence()},
	}
	f.Remediation = finding.Remediation{
		Summary: fmt.Sprintf("Delete the CNAME record for %s (or re-create the resource %s points at) and remove the host "+
			"from the OpenAPI document and client configuration. Rotate any credential that may have been sent there.", h.Name, last),
		References: []string{"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/10-Test_for_Subdomain_Takeover"},
	}
	return f
}

func (c Resolution) nxdomain(in *check.Input, h hosts.Host, ans *netx.Answer) *finding.Finding {
	sev := finding.Low
	if h.CarriesCredentials {
		sev = finding.High
	}
	lead, floor := impact(h)
	if floor > sev {
		sev = min(floor, finding.High) // the registrable domain may still be owned
	}
	if onlyUpstream(h) {
		sev, lead = finding.Medium, lead+splitHorizonNote
	}
	f := c.finding(IDHostNXDomain, sev, finding.Firm, h, fmt.Sprintf("%s does not exist in DNS", h.Name))
	f.Evidence.Summary = lead + fmt.Sprintf("The resolver answered NXDOMAIN for %s (roles: %s)%s. If its domain is unregistered, "+
		"anyone can register it and receive this traffic.", h.Name, roles(h), credNote(h))
	if ans != nil {
		f.Evidence.DNS = []finding.DNSAnswer{ans.Evidence()}
	}
	f.Remediation.Summary = fmt.Sprintf("Remove %s from the OpenAPI document and client configuration, or restore its DNS records.", h.Name)
	return f
}

func (c Resolution) finding(id string, sev finding.Severity, conf finding.Confidence, h hosts.Host, title string) *finding.Finding {
	f := check.New(c.Meta(), title, finding.Location{Host: h.Name})
	f.ID, f.Severity, f.Confidence = id, sev, conf
	return &f
}

func roles(h hosts.Host) string {
	rs := make([]string, len(h.Roles))
	for i, r := range h.Roles {
		rs[i] = string(r)
	}
	return strings.Join(rs, ", ")
}

func credNote(h hosts.Host) string {
	if h.CarriesCredentials {
		return "; the API's credentials are sent to this host"
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return "no answer"
	}
	return err.Error()
}
