package dnsaudit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

type lameState int

const (
	lameNone    lameState = iota // no nameserver is lame (some may have failed)
	lamePartial                  // some definitively do not serve the zone
	lameFull                     // none serves it, each said so
	lameUnknown                  // nothing definitive: every nameserver failed (SERVFAIL, silence)
)

// lameResult is what the delegated nameservers said about their zone.
type lameResult struct {
	state     lameState
	lameNS    []string          // nameservers that answer but do not serve the zone
	failedNS  []string          // nameservers that failed: SERVFAIL, FORMERR, silence, no address
	why       map[string]string // per nameserver: its reply ("REFUSED", "timeout", ...)
	lameAddrs map[string]bool   // server addresses (ip:port) that answered without serving the zone
	ev        []finding.DNSAnswer
	claimable []ServiceInfo     // providers of lame servers that let anyone create the zone
	providers map[string]string // nameserver → DNS provider name, when the fingerprint database knows it
}

// authVerdict is what one authority's reply to "SOA zone" (RD=0) says.
type authVerdict int

const (
	authServes authVerdict = iota // NOERROR, AA, the zone's SOA
	authLame                      // it answers, but not authoritatively for the zone
	authFailed                    // no verdict: SERVFAIL, FORMERR, NOTIMP, silence
)

// judgeAuthority applies the table of docs/dns.md ("What counts as lame").
func judgeAuthority(ans *netx.Answer, zone string) (authVerdict, string) {
	if ans == nil || ans.Msg == nil {
		return authFailed, "no answer"
	}
	switch ans.Rcode {
	case dns.RcodeSuccess:
		switch {
		case ans.Msg.Authoritative && hasSOA(ans.Msg, zone):
			return authServes, "serves the zone"
		case !ans.Msg.Authoritative:
			return authLame, "answered without authority (no AA bit)"
		default:
			return authLame, "answered authoritatively without the zone's SOA (it does not hold the zone)"
		}
	case dns.RcodeNameError:
		return authLame, "NXDOMAIN for its own zone's apex"
	case dns.RcodeRefused, dns.RcodeNotAuth:
		return authLame, dns.RcodeToString[ans.Rcode]
	}
	return authFailed, rcodeName(ans.Rcode)
}

func rcodeName(rc int) string {
	if s, ok := dns.RcodeToString[rc]; ok {
		return s
	}
	return fmt.Sprintf("rcode %d", rc)
}

// lameOf asks every address of every delegated nameserver, RD=0, for the
// zone's SOA, once per delegation, and judges each by judgeAuthority. A
// nameserver serves the zone if any of its addresses does, is lame if all
// of them answer without serving it, and failed otherwise: silence and
// SERVFAIL are never lame.
func (rn *run) lameOf(ctx context.Context, d *delegation) *lameResult {
	d.lameOnce.Do(func() {
		lr := &lameResult{why: map[string]string{}, providers: map[string]string{}, lameAddrs: map[string]bool{}}
		ok := 0
		for _, h := range d.ns {
			v, why, ev := rn.nsVerdict(ctx, d.zone, h, lr.lameAddrs)
			lr.ev = append(lr.ev, ev...)
			lr.why[h.name] = why
			svcs := rn.a.fp.IdentifyNS(h.name)
			if len(svcs) > 0 {
				lr.providers[h.name] = svcs[0].Name
			}
			switch v {
			case authServes:
				ok++
			case authLame:
				lr.lameNS = append(lr.lameNS, h.name)
				for _, s := range svcs {
					if s.Claim == ClaimClaimable && s.Vulnerable {
						lr.claimable = append(lr.claimable, s)
					}
				}
			default:
				lr.failedNS = append(lr.failedNS, h.name)
			}
		}
		switch {
		case len(lr.lameNS) > 0 && ok == 0 && len(lr.failedNS) == 0:
			lr.state = lameFull
		case len(lr.lameNS) > 0:
			lr.state = lamePartial
		case ok == 0 && len(lr.failedNS) > 0:
			lr.state = lameUnknown
		}
		d.lame = lr
		d.lameDone.Store(true)
	})
	return d.lame
}

// knownLame returns the cached delegation above name when it is already
// known to be fully lame: no name under it can resolve, so asking the
// resolvers again (and waiting out their SERVFAIL retries) adds nothing.
func (a *Auditor) knownLame(name string) *delegation {
	if len(a.opts.Roots) == 0 {
		return nil
	}
	d := a.deepestCut(name)
	if d.zone == "." || !d.lameDone.Load() || d.lame.state != lameFull {
		return nil
	}
	return d
}

// nsVerdict judges one nameserver by its addresses' replies.
// Addresses that answer without serving the zone are added to lameAddrs.
func (rn *run) nsVerdict(ctx context.Context, zone string, h nsHost, lameAddrs map[string]bool) (authVerdict, string, []finding.DNSAnswer) {
	if h.nx {
		return authLame, "its own name does not exist (NXDOMAIN)", []finding.DNSAnswer{{Name: h.name, Type: "A", Rcode: "NXDOMAIN", Server: h.nxServer, Error: "the nameserver's own name does not exist"}}
	}
	if len(h.addrs) == 0 {
		return authFailed, "no address (" + h.err + ")", []finding.DNSAnswer{{Name: h.name, Type: "A", Rcode: h.err, Error: "no address for the nameserver"}}
	}
	var (
		ev       []finding.DNSAnswer
		lameWhy  string
		failWhy  string
		anyFail  bool
		anyReply bool
	)
	for _, ip := range h.addrs {
		srv := rn.a.authority(ip)
		ans, err := rn.a.res.QueryServer(ctx, srv, zone, dns.TypeSOA, false)
		rn.count(netx.Attempts(ans, err))
		v, why := judgeAuthority(ans, zone)
		if ans != nil {
			anyReply = true
			e := ans.Evidence()
			e.Name = zone + " @" + h.name
			ev = append(ev, e)
		} else if de, ok := asDNSError(err); ok {
			e := de.Evidence()
			e.Name = zone + " @" + h.name
			ev = append(ev, e)
			why = de.Kind.String()
		}
		switch v {
		case authServes:
			return authServes, why, ev
		case authLame:
			lameWhy = why
			lameAddrs[srv] = true
		default:
			anyFail, failWhy = true, why
		}
	}
	if anyFail || !anyReply {
		return authFailed, failWhy, ev
	}
	return authLame, lameWhy, ev
}

func hasSOA(m *dns.Msg, zone string) bool {
	for _, rr := range m.Answer {
		if soa, ok := rr.(*dns.SOA); ok && normName(soa.Hdr.Name) == normName(zone) {
			return true
		}
	}
	return false
}

func asDNSError(err error) (*netx.DNSError, bool) {
	var de *netx.DNSError
	ok := errors.As(err, &de)
	return de, ok
}

// lameHunt explains a failed lookup of name: it finds the zone whose
// servers fail (following CNAMEs through the authorities, since resolvers
// drop the chain on SERVFAIL) and what its nameservers say. It returns
// nil when the authorities answer (the failure was the resolver's) or
// there are no roots to walk from.
func (rn *run) lameHunt(ctx context.Context, name string) (*delegation, *lameResult) {
	if len(rn.a.opts.Roots) == 0 {
		return nil, nil
	}
	if cut := rn.lastCut; rn.a.iterative && cut != nil && cut.zone != "." && HasSuffixLabel(name, cut.zone) {
		return cut, rn.lameOf(ctx, cut) // the iterative walk already stopped at the failing zone
	}
	var (
		cut *delegation
		ans *netx.Answer
	)
	for range maxChain {
		cut, ans, _ = rn.iterate(ctx, name, dns.TypeA)
		if cut == nil || cut.zone == "." {
			return nil, nil
		}
		if ans == nil || !ans.Msg.Authoritative || ans.Rcode != dns.RcodeSuccess {
			break
		}
		next := cnameOf(ans.Msg, name)
		if next == "" {
			break // the authority answers (the failure was the resolver's), unless it is lame
		}
		rn.res.Chain = append(rn.res.Chain, Link{Name: name, Type: "CNAME", Value: next, Rcode: "NOERROR", Server: ans.Server})
		name = next
	}
	// Even an authoritative NXDOMAIN may come from a lame server (one that
	// denies its own zone's apex): the zone's verdict decides.
	return cut, rn.lameOf(ctx, cut)
}

// cnameOf returns the CNAME target of name in m's answer section, or "".
func cnameOf(m *dns.Msg, name string) string {
	for _, rr := range m.Answer {
		if cn, ok := rr.(*dns.CNAME); ok && normName(cn.Hdr.Name) == name {
			return normName(cn.Target)
		}
	}
	return ""
}

// zoneChecks audits every zone cut the name's answer depends on (cached
// per zone, so a bulk run pays once per zone): lame or partially lame
// nameservers, nameservers that fail, nameserver domains nobody
// registered; and whether the registrable domain is registered at all.
func (rn *run) zoneChecks(ctx context.Context) {
	if len(rn.a.opts.Roots) == 0 {
		return
	}
	if reg := registrable(rn.res.Name); reg != "" {
		switch e := rn.delegationOf(ctx, reg); {
		case e != nil && e.kind == zoneNX:
			f, fail := rn.unregistered(ctx, rn.res.Name)
			if f != nil && !rn.has(f.ID, f.Location.Param) {
				rn.add(*f, true)
			}
			if fail != nil {
				rn.notAssessed(*fail)
			}
			return
		case e == nil || e.kind == zoneFailed:
			rn.notAssessed(zoneFailure(reg, fmt.Sprintf("the delegation of %s (registration, nameservers)", reg), e))
		}
	}
	for _, d := range rn.cuts {
		d.verdictsOnce.Do(func() {
			lr := rn.lameOf(ctx, d)
			var vs []zoneVerdict
			if f, claimable, ok := lameVerdict(d, lr); ok {
				vs = append(vs, zoneVerdict{f: f, claimable: claimable})
			}
			if f, ok := failedNSVerdict(d, lr); ok {
				vs = append(vs, zoneVerdict{f: f})
			}
			if f, ok := unknownLameVerdict(d, lr); ok {
				vs = append(vs, zoneVerdict{f: f, failed: true})
			}
			vs = append(vs, rn.nsDomainVerdicts(ctx, d)...)
			d.verdicts = vs
		})
		for _, v := range d.verdicts {
			rn.apply(v)
		}
	}
}

// apply adds a zone verdict to the name's result: a finding, or a step
// that could not be done.
func (rn *run) apply(v zoneVerdict) {
	switch {
	case v.failed:
		rn.notAssessed(v.f)
	case !rn.has(v.f.ID, v.f.Location.Param):
		rn.add(v.f, v.claimable)
	}
}

// nsDomainChecks reports nameservers of d whose own registrable domain is
// not registered: whoever buys it answers for the zone.
func (rn *run) nsDomainChecks(ctx context.Context, d *delegation) {
	for _, v := range rn.nsDomainVerdicts(ctx, d) {
		rn.apply(v)
	}
}

// nsDomainVerdicts checks the registration of the nameservers' domains;
// a check that could not be done is a failed verdict.
func (rn *run) nsDomainVerdicts(ctx context.Context, d *delegation) []zoneVerdict {
	var out []zoneVerdict
	for _, h := range d.ns {
		nsReg := registrable(h.name)
		if nsReg == "" || nsReg == registrable(d.zone) {
			continue
		}
		f, fail := rn.unregistered(ctx, h.name)
		if f != nil {
			f.Title = fmt.Sprintf("Nameserver %s of %s is under %s, which is not registered: anyone can buy it and answer for the zone", h.name, d.zone, nsReg)
			f.Evidence.DNS = slices.Clip(f.Evidence.DNS)
			out = append(out, zoneVerdict{f: *f, claimable: true})
		}
		if fail != nil {
			fail.Title = fmt.Sprintf("nameserver %s of %s: %s", h.name, d.zone, fail.Title)
			out = append(out, zoneVerdict{f: *fail, failed: true})
		}
	}
	return out
}

// unknownLameVerdict reports a zone none of whose nameservers could be
// asked (all failed): whether it is lame was not assessed.
func unknownLameVerdict(d *delegation, lr *lameResult) (finding.Finding, bool) {
	if lr == nil || lr.state != lameUnknown {
		return finding.Finding{}, false
	}
	return lookupFailed(d.zone,
		fmt.Sprintf("whether %s is served by its nameservers could not be checked: every one failed (%s)", d.zone, lr.describe(lr.failedNS)),
		"A failure (SERVFAIL, no reply) is not a lame delegation; the lame-delegation check was not done.",
		slices.Clip(lr.ev)), true
}

func (rn *run) has(id, subject string) bool {
	for _, f := range rn.res.Findings {
		if f.ID == id && f.Location.Param == subject {
			return true
		}
	}
	return false
}

// reportLame reports a lame or partially lame delegation.
func (rn *run) reportLame(d *delegation, lr *lameResult) {
	if f, claimable, ok := lameVerdict(d, lr); ok && !rn.has(f.ID, f.Location.Param) {
		rn.add(f, claimable)
	}
}

// lameVerdict is the finding of a lame or partially lame delegation,
// naming each lame nameserver's reply and DNS provider; it establishes a
// takeover when a lame server's provider lets anyone create the zone.
func lameVerdict(d *delegation, lr *lameResult) (f finding.Finding, claimable, ok bool) {
	if lr == nil || (lr.state != lameFull && lr.state != lamePartial) {
		return f, false, false
	}
	f = verdict("", finding.Info, finding.Firm, d.zone, "", "", slices.Clip(append([]finding.DNSAnswer{d.ev}, lr.ev...)))
	lame := lr.describe(lr.lameNS)
	if lr.state == lameFull {
		f.ID, f.Severity = IDLameDelegation, finding.Medium
		f.Title = fmt.Sprintf("%s is delegated to nameservers that do not serve it (lame delegation): %s", d.zone, lame)
	} else {
		f.ID, f.Severity = IDPartiallyLame, finding.Low
		f.Title = fmt.Sprintf("%s is partially lame: %s", d.zone, lame)
	}
	all := make([]string, 0, len(d.ns))
	for _, h := range d.ns {
		all = append(all, h.name)
	}
	f.Evidence.Summary = fmt.Sprintf("The parent zone (%s) delegates %s to %s. Asked directly for the zone's SOA (RD=0): %s.",
		d.parentServer, d.zone, strings.Join(all, ", "), lr.describe(all))
	claimable = len(lr.claimable) > 0
	if claimable {
		f.Severity++
		f.Title += fmt.Sprintf("; anyone can create the zone at %s", lr.claimable[0].Name)
		f.Evidence.Summary += fmt.Sprintf(" %s: %s.", lr.claimable[0].Name, lr.claimable[0].Note)
	} else {
		f.Evidence.Summary += fmt.Sprintf(" Whether %s lets others create the zone is not established (dangling, not a proven takeover).", lr.providerOf(lr.lameNS))
	}
	return f, claimable, true
}

// failedNSVerdict reports delegated nameservers that failed (SERVFAIL,
// silence) while others answered: information, never a lame verdict.
func failedNSVerdict(d *delegation, lr *lameResult) (finding.Finding, bool) {
	if lr == nil || len(lr.failedNS) == 0 || lr.state == lameUnknown {
		return finding.Finding{}, false
	}
	return verdict(IDNameserverFailed, finding.Info, finding.Firm, d.zone,
		fmt.Sprintf("Nameservers of %s failed to answer for it: %s", d.zone, lr.describe(lr.failedNS)),
		"A failure (SERVFAIL, no reply) is not a lame delegation: it may be transient, and says nothing about who can answer for the zone.",
		slices.Clip(lr.ev)), true
}

// describe renders nameservers with their provider and reply:
// "ns2.digitalocean.com (DigitalOcean DNS): REFUSED".
func (lr *lameResult) describe(ns []string) string {
	parts := make([]string, 0, len(ns))
	for _, n := range ns {
		p := n
		if prov := lr.providers[n]; prov != "" {
			p += " (" + prov + ")"
		}
		parts = append(parts, p+": "+lr.why[n])
	}
	return strings.Join(parts, "; ")
}

// providerOf names the providers of ns, or "their provider".
func (lr *lameResult) providerOf(ns []string) string {
	var names []string
	for _, n := range ns {
		if p := lr.providers[n]; p != "" {
			names = append(names, p)
		}
	}
	if len(names) == 0 {
		return "their provider"
	}
	return strings.Join(dedupe(names), ", ")
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// secondOpinion asks the other trusted resolvers and the name's
// authoritative servers whether name really does not exist. disagree is
// set when any of them says it exists. An iterative walk got its NXDOMAIN
// from one of the zone's servers: another server of the zone confirms it.
func (rn *run) secondOpinion(ctx context.Context, name, first string) (ev []finding.DNSAnswer, disagree string) {
	if rn.a.iterative {
		return rn.otherAuthority(ctx, name, first)
	}
	for _, srv := range rn.a.servers {
		if srv == first {
			continue
		}
		ans, err := rn.a.res.QueryServer(ctx, srv, name, dns.TypeA, true)
		rn.count(netx.Attempts(ans, err))
		if ans == nil || (ans.Rcode != dns.RcodeSuccess && ans.Rcode != dns.RcodeNameError) {
			continue // silence or SERVFAIL is no opinion
		}
		ev = append(ev, ans.Evidence())
		if ans.Rcode == dns.RcodeSuccess {
			return ev, fmt.Sprintf("resolver %s says %s exists while %s says NXDOMAIN", srv, name, first)
		}
	}
	if len(rn.a.opts.Roots) == 0 {
		return ev, ""
	}
	_, ans, _ := rn.iterate(ctx, name, dns.TypeA)
	if ans == nil || !ans.Msg.Authoritative {
		return ev, ""
	}
	ev = append(ev, ans.Evidence())
	if ans.Rcode == dns.RcodeSuccess {
		return ev, fmt.Sprintf("the authoritative server %s says %s exists while resolver %s says NXDOMAIN", ans.Server, name, first)
	}
	return ev, ""
}

// otherAuthority asks another server of the zone that answered NXDOMAIN.
func (rn *run) otherAuthority(ctx context.Context, name, first string) (ev []finding.DNSAnswer, disagree string) {
	cut := rn.lastCut
	if cut == nil {
		return nil, ""
	}
	for _, srv := range cut.servers {
		if srv == first {
			continue
		}
		ans, err := rn.a.res.QueryServer(ctx, srv, name, dns.TypeA, false)
		rn.count(netx.Attempts(ans, err))
		if ans == nil || !ans.Msg.Authoritative || (ans.Rcode != dns.RcodeSuccess && ans.Rcode != dns.RcodeNameError) {
			continue // a lame or failing server is no opinion
		}
		ev = append(ev, ans.Evidence())
		if ans.Rcode == dns.RcodeSuccess {
			return ev, fmt.Sprintf("the authoritative server %s says %s exists while %s says NXDOMAIN", srv, name, first)
		}
		return ev, ""
	}
	return nil, ""
}
