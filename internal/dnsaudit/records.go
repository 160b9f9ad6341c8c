package dnsaudit

import (
	"context"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// RecordTypes selects the record types audited per name. The address
// chain (A, following CNAMEs) is always walked; AAAA adds IPv6 addresses;
// MX, NS, SRV, TXT (SPF, and DMARC at _dmarc.NAME) and CAA add the names
// they point at, each audited like a name.
type RecordTypes uint16

// Record types for RecordTypes.
const (
	TypeA RecordTypes = 1 << iota
	TypeAAAA
	TypeCNAME
	TypeMX
	TypeNS
	TypeSRV
	TypeTXT
	TypeCAA
)

// DefaultTypes is what `plumb dns` and scans audit unless told otherwise.
const DefaultTypes = TypeA | TypeAAAA | TypeCNAME | TypeMX | TypeNS

var typeNames = []struct {
	t     RecordTypes
	name  string
	qtype uint16
}{
	{TypeA, "A", dns.TypeA}, {TypeAAAA, "AAAA", dns.TypeAAAA}, {TypeCNAME, "CNAME", dns.TypeCNAME},
	{TypeMX, "MX", dns.TypeMX}, {TypeNS, "NS", dns.TypeNS}, {TypeSRV, "SRV", dns.TypeSRV},
	{TypeTXT, "TXT", dns.TypeTXT}, {TypeCAA, "CAA", dns.TypeCAA},
}

// ParseTypes reads a comma-separated list such as "A,AAAA,MX".
func ParseTypes(s string) (RecordTypes, error) {
	var out RecordTypes
	for _, f := range strings.Split(s, ",") {
		f = strings.ToUpper(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		found := false
		for _, tn := range typeNames {
			if tn.name == f {
				out, found = out|tn.t, true
			}
		}
		if !found {
			return 0, fmt.Errorf("record type %q: want A, AAAA, CNAME, MX, NS, SRV, TXT or CAA", f)
		}
	}
	if out == 0 {
		return 0, fmt.Errorf("no record type in %q", s)
	}
	return out, nil
}

// TypeNames lists every record type ParseTypes accepts, in canonical
// order: the allowed values where a list is given as JSON (MCP, the server API).
func TypeNames() []string {
	out := make([]string, len(typeNames))
	for i, tn := range typeNames {
		out[i] = tn.name
	}
	return out
}

func (t RecordTypes) String() string {
	var names []string
	for _, tn := range typeNames {
		if t&tn.t != 0 {
			names = append(names, tn.name)
		}
	}
	return strings.Join(names, ",")
}

// target is a name a record of the audited name points at.
type target struct {
	kind  string // "MX", "NS", "SRV", "SPF include", "SPF redirect", "DMARC rua", "DMARC ruf", "CAA issue"
	host  string
	qtype uint16            // what must exist at host for the record to work
	ev    finding.DNSAnswer // the answer the record came from
}

// records looks up the selected types at the end of the name's chain and
// audits every target found in them.
func (rn *run) records(ctx context.Context, c *chain) {
	types := rn.a.opts.Types
	if c.final == nil || c.final.Rcode != dns.RcodeSuccess || types&^(TypeA|TypeAAAA|TypeCNAME) == 0 {
		return
	}
	at := c.last()
	var targets []target
	for _, tn := range typeNames[3:] { // MX, NS, SRV, TXT, CAA
		if types&tn.t == 0 {
			continue
		}
		rrs, ans := rn.lookupType(ctx, at, tn.qtype)
		if ans == nil {
			continue
		}
		ev := ans.Evidence()
		switch tn.t {
		case TypeNS:
			if len(rrs) > 0 && at == rn.res.Name {
				rn.noteCut(rn.cutOf(ctx, at, at), at) // the name is a zone apex
			}
		case TypeTXT:
			targets = append(targets, rn.dmarcTargets(ctx, at)...)
		}
		targets = append(targets, recordTargets(rrs, ev)...)
	}
	for _, t := range targets {
		rn.auditTarget(ctx, t)
	}
}

// lookupType returns the records of qtype owned by name (the resolver may
// have followed a CNAME) and the answer; a failure is reported as
// information and gives nil.
func (rn *run) lookupType(ctx context.Context, name string, qtype uint16) ([]dns.RR, *netx.Answer) {
	ans, err := rn.recursive(ctx, name, qtype)
	if ans == nil || (ans.Rcode != dns.RcodeSuccess && ans.Rcode != dns.RcodeNameError) {
		var ev []finding.DNSAnswer
		what := kindString(err)
		if ans != nil {
			ev, what = append(ev, ans.Evidence()), rcodeName(ans.Rcode)
		} else if de, ok := asDNSError(err); ok {
			ev = append(ev, de.Evidence())
		}
		subject := name + " " + dns.TypeToString[qtype]
		if !rn.has(IDLookupFailed, subject) {
			rn.add(verdict(IDLookupFailed, finding.Info, finding.Confirmed, subject,
				fmt.Sprintf("DNS lookup of %s failed (%s); its targets could not be audited", subject, what), "", ev), false)
		}
		return nil, nil
	}
	end, _ := follow(name, ans.Msg, func(string, string) bool { return true })
	var rrs []dns.RR
	for _, rr := range ans.Msg.Answer {
		if rr.Header().Rrtype == qtype && normName(rr.Header().Name) == end {
			rrs = append(rrs, rr)
		}
	}
	return rrs, ans
}

// recordTargets extracts the names MX, NS, SRV, TXT (SPF) and CAA records
// point at.
func recordTargets(rrs []dns.RR, ev finding.DNSAnswer) []target {
	var out []target
	add := func(kind, host string, qtype uint16) {
		if host = normName(host); host != "" && strings.Contains(host, ".") {
			if _, ok := dns.IsDomainName(host); ok {
				out = append(out, target{kind: kind, host: host, qtype: qtype, ev: ev})
			}
		}
	}
	for _, rr := range rrs {
		switch v := rr.(type) {
		case *dns.MX:
			add("MX", v.Mx, dns.TypeA) // "." (null MX, RFC 7505) is no target
		case *dns.NS:
			add("NS", v.Ns, dns.TypeA)
		case *dns.SRV:
			add("SRV", v.Target, dns.TypeA)
		case *dns.TXT:
			for _, t := range spfTargets(strings.Join(v.Txt, "")) {
				add(t.kind, t.host, dns.TypeTXT)
			}
		case *dns.CAA:
			if v.Tag == "issue" || v.Tag == "issuewild" {
				issuer, _, _ := strings.Cut(v.Value, ";")
				add("CAA "+v.Tag, strings.TrimSpace(issuer), 0)
			}
		}
	}
	return out
}

// spfTargets returns the include: and redirect= domains of an SPF record
// (RFC 7208), skipping macro-expanded ones.
func spfTargets(txt string) []target {
	fields := strings.Fields(strings.ToLower(txt))
	if len(fields) == 0 || fields[0] != "v=spf1" {
		return nil
	}
	var out []target
	for _, f := range fields[1:] {
		f = strings.TrimLeft(f, "+-~?")
		var kind, host string
		switch {
		case strings.HasPrefix(f, "include:"):
			kind, host = "SPF include", strings.TrimPrefix(f, "include:")
		case strings.HasPrefix(f, "redirect="):
			kind, host = "SPF redirect", strings.TrimPrefix(f, "redirect=")
		default:
			continue
		}
		if !strings.Contains(host, "%") {
			out = append(out, target{kind: kind, host: host})
		}
	}
	return out
}

// dmarcTargets reads the DMARC record at _dmarc.name: the domains its
// aggregate (rua) and failure (ruf) reports are mailed to.
func (rn *run) dmarcTargets(ctx context.Context, name string) []target {
	rrs, ans := rn.lookupType(ctx, "_dmarc."+name, dns.TypeTXT)
	if ans == nil {
		return nil
	}
	var out []target
	for _, rr := range rrs {
		txt, ok := rr.(*dns.TXT)
		if !ok {
			continue
		}
		for _, t := range dmarcDomains(strings.Join(txt.Txt, "")) {
			t.ev, t.qtype = ans.Evidence(), dns.TypeMX
			out = append(out, t)
		}
	}
	return out
}

// dmarcDomains parses "v=DMARC1; rua=mailto:a@b.example,mailto:c@d.example!10m".
func dmarcDomains(txt string) []target {
	tags := strings.Split(txt, ";")
	if len(tags) == 0 || !strings.EqualFold(strings.TrimSpace(tags[0]), "v=DMARC1") {
		return nil
	}
	var out []target
	for _, tag := range tags[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(tag), "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || (k != "rua" && k != "ruf") {
			continue
		}
		for _, uri := range strings.Split(v, ",") {
			uri = strings.TrimSpace(uri)
			addr, found := strings.CutPrefix(strings.ToLower(uri), "mailto:")
			if !found {
				continue
			}
			addr, _, _ = strings.Cut(addr, "!")
			if _, domain, ok := strings.Cut(addr, "@"); ok {
				out = append(out, target{kind: "DMARC " + k, host: domain})
			}
		}
	}
	return out
}
