package dnsaudit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

type lameState int

const (
	lameNone    lameState = iota // every nameserver serves the zone
	lamePartial                  // some do, some definitively do not
	lameFull                     // none does, each said so
	lameUnknown                  // silence or errors left it undecided
)

// lameResult is what the delegated nameservers said about their zone.
type lameResult struct {
	state     lameState
	lameNS    []string
	ev        []finding.DNSAnswer
	claimable []ServiceInfo // providers of lame servers that let anyone create the zone
	providers []string
}

// lameOf asks every address of every delegated nameserver, RD=0, for the
// zone's SOA, once per delegation. REFUSED, SERVFAIL (after retries),
// NXDOMAIN, a reply without AA or without the SOA are lame; silence is
// unknown, never lame.
func (rn *run) lameOf(ctx context.Context, d *delegation) *lameResult {
	d.lameOnce.Do(func() {
		lr := &lameResult{}
		ok, lame, unknown := 0, 0, 0
		for _, h := range d.ns {
			v, ev := rn.nsVerdict(ctx, d.zone, h)
			lr.ev = append(lr.ev, ev...)
			switch v {
			case lameNone:
				ok++
			case lameFull:
				lame++
				lr.lameNS = append(lr.lameNS, h.name)
				for _, s := range rn.a.fp.IdentifyNS(h.name) {
					lr.providers = append(lr.providers, s.Name)
					if s.Claim == ClaimClaimable && s.Vulnerable {
						lr.claimable = append(lr.claimable, s)
					}
				}
			default:
				unknown++
			}
		}
		switch {
		case lame > 0 && ok == 0 && unknown == 0:
			lr.state = lameFull
		case lame > 0 && ok > 0:
			lr.state = lamePartial
		case unknown > 0 && ok == 0:
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

// nsVerdict judges one nameserver: it serves the zone if any of its
// addresses answers authoritatively with the SOA.
func (rn *run) nsVerdict(ctx context.Context, zone string, h nsHost) (lameState, []finding.DNSAnswer) {
	if h.nx {
		return lameFull, []finding.DNSAnswer{{Name: h.name, Type: "A", Rcode: "NXDOMAIN", Error: "the nameserver's own name does not exist"}}
	}
	if len(h.addrs) == 0 {
		return lameUnknown, []finding.DNSAnswer{{Name: h.name, Type: "A", Rcode: h.err, Error: "no address for the nameserver"}}
	}
	var ev []finding.DNSAnswer
	lame, unknown := 0, 0
	for _, ip := range h.addrs {
		ans, err := rn.a.res.QueryServer(ctx, rn.a.authority(ip), zone, dns.TypeSOA, false)
		rn.count(netx.Attempts(ans, err))
		if ans == nil {
			unknown++
			if de, ok := asDNSError(err); ok {
				ev = append(ev, de.Evidence())
			}
			continue
		}
		e := ans.Evidence()
		e.Name = zone + " @" + h.name
		ev = append(ev, e)
		if ans.Rcode == dns.RcodeSuccess && ans.Msg.Authoritative && hasSOA(ans.Msg, zone) {
			return lameNone, ev
		}
		lame++
	}
	if unknown > 0 {
		return lameUnknown, ev
	}
	return lameFull, ev
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

// lameHunt explains a failed lookup of name by walking its delegations
// from the root; it reports and returns true when the zone is lame.
func (rn *run) lameHunt(ctx context.Context, name string) bool {
	if len(rn.a.opts.Roots) == 0 {
		return false
	}
	var (
		cut *delegation
		ans *netx.Answer
	)
	// Resolvers drop the chain on SERVFAIL; the authorities still give
	// each CNAME, so follow the chain through them to the failing zone.
	for range maxChain {
		cut, ans, _ = rn.iterate(ctx, name, dns.TypeA)
		if cut == nil || cut.zone == "." {
			return false
		}
		if ans == nil || !ans.Msg.Authoritative || ans.Rcode != dns.RcodeSuccess {
			break
		}
		next, _ := follow(name, ans.Msg, func(owner, target string) bool {
			rn.res.Chain = append(rn.res.Chain, Link{Name: owner, Type: "CNAME", Value: target, Rcode: "NOERROR", Server: ans.Server})
			return false
		})
		if next == name {
			for _, rr := range ans.Msg.Answer {
				if cn, ok := rr.(*dns.CNAME); ok && normName(cn.Hdr.Name) == name {
					next = normName(cn.Target)
				}
			}
		}
		if next == name {
			return false // the authority answers: the failure was the resolver's
		}
		name = next
	}
	if ans != nil && ans.Msg.Authoritative && ans.Rcode == dns.RcodeNameError {
		return false
	}
	lr := rn.lameOf(ctx, cut)
	rn.reportLame(ctx, cut, lr)
	rn.nsDomainChecks(ctx, cut)
	return lr.state == lameFull || lr.state == lamePartial
}

// delegationChecks audits the delegation of name's registrable domain
// (cached per zone, so a bulk run pays once per zone): lame or partially
// lame nameservers and nameserver domains nobody registered.
func (rn *run) delegationChecks(ctx context.Context, name string) {
	if len(rn.a.opts.Roots) == 0 {
		return
	}
	reg := registrable(name)
	if reg == "" {
		return
	}
	e := rn.delegationOf(ctx, reg)
	if e == nil {
		return
	}
	if e.kind == zoneNX {
		if f := rn.unregistered(ctx, name); f != nil && !rn.has(f.ID, f.Location.Param) {
			rn.add(*f, true)
		}
		return
	}
	if e.kind != zoneCut {
		return
	}
	rn.reportLame(ctx, e.deleg, rn.lameOf(ctx, e.deleg))
	rn.nsDomainChecks(ctx, e.deleg)
	rn.mxChecks(ctx, e, reg)
}

// mxChecks reports mail exchangers of the registrable domain whose own
// domain is unregistered (once per zone): whoever buys it receives the
// zone's mail, password resets included.
func (rn *run) mxChecks(ctx context.Context, e *zoneEntry, zone string) {
	e.mxOnce.Do(func() {
		ans, _ := rn.recursive(ctx, zone, dns.TypeMX)
		if ans == nil || ans.Rcode != dns.RcodeSuccess {
			return
		}
		for _, rr := range ans.Msg.Answer {
			mx, ok := rr.(*dns.MX)
			if !ok || normName(mx.Hdr.Name) != zone {
				continue
			}
			target := normName(mx.Mx)
			if reg := registrable(target); reg == "" || reg == zone {
				continue
			}
			if f := rn.unregistered(ctx, target); f != nil {
				f.Title = fmt.Sprintf("Mail exchanger %s of %s is under %s, which is not registered: anyone can buy it and receive the zone's mail", target, zone, f.Location.Param)
				f.Severity = finding.Medium
				f.Evidence.DNS = append([]finding.DNSAnswer{ans.Evidence()}, f.Evidence.DNS...)
				e.mx = append(e.mx, *f)
			}
		}
	})
	for _, f := range e.mx {
		if !rn.has(f.ID, f.Location.Param) {
			rn.add(f, true)
		}
	}
}

// nsDomainChecks reports nameservers of d whose own registrable domain is
// not registered: whoever buys it answers for the zone.
func (rn *run) nsDomainChecks(ctx context.Context, d *delegation) {
	for _, h := range d.ns {
		nsReg := registrable(h.name)
		if nsReg == "" || nsReg == registrable(d.zone) {
			continue
		}
		if f := rn.unregistered(ctx, h.name); f != nil && !rn.has(f.ID, f.Location.Param) {
			f.Title = fmt.Sprintf("Nameserver %s of %s is under %s, which is not registered: anyone can buy it and answer for the zone", h.name, d.zone, nsReg)
			rn.add(*f, true)
		}
	}
}

func (rn *run) has(id, subject string) bool {
	for _, f := range rn.res.Findings {
		if f.ID == id && f.Location.Param == subject {
			return true
		}
	}
	return false
}

func (rn *run) reportLame(_ context.Context, d *delegation, lr *lameResult) {
	if lr == nil || (lr.state != lameFull && lr.state != lamePartial) {
		return
	}
	f := verdict("", finding.Info, finding.Firm, d.zone, "", "", append([]finding.DNSAnswer{d.ev}, lr.ev...))
	claimable := false
	who := "its provider"
	if len(lr.providers) > 0 {
		who = strings.Join(dedupe(lr.providers), ", ")
	}
	if lr.state == lameFull {
		f.ID, f.Severity = IDLameDelegation, finding.Medium
		f.Title = fmt.Sprintf("%s is delegated to nameservers that do not serve it (lame delegation)", d.zone)
	} else {
		f.ID, f.Severity = IDPartiallyLame, finding.Low
		f.Title = fmt.Sprintf("%s is partially lame: %s do not serve the zone", d.zone, strings.Join(lr.lameNS, ", "))
	}
	if len(lr.claimable) > 0 {
		claimable = true
		f.Severity++
		f.Title += fmt.Sprintf("; anyone can create the zone at %s", lr.claimable[0].Name)
		f.Evidence.Summary = fmt.Sprintf("The parent zone (%s) delegates %s to %s; asked directly for the SOA, they did not answer for it. %s: %s.",
			d.parentServer, d.zone, strings.Join(lr.lameNS, ", "), lr.claimable[0].Name, lr.claimable[0].Note)
	} else {
		f.Evidence.Summary = fmt.Sprintf("The parent zone (%s) delegates %s to %s; asked directly for the SOA, they did not answer for it. Whether %s lets others create the zone is not established.",
			d.parentServer, d.zone, strings.Join(lr.lameNS, ", "), who)
	}
	if !rn.has(f.ID, f.Location.Param) {
		rn.add(f, claimable)
	}
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
// set when any of them says it exists.
func (rn *run) secondOpinion(ctx context.Context, name, first string) (ev []finding.DNSAnswer, disagree string) {
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
