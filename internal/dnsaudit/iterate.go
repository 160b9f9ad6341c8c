package dnsaudit

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/netx"
)

// Limits of one iterative resolution (RFC 1034 §5.3.3 asks resolvers to
// bound their work; these are in the range real resolvers use).
const (
	maxReferrals = 16  // referrals followed for one question
	maxDepth     = 4   // nested resolutions of nameserver addresses
	maxNameWork  = 400 // queries one audited name may cost, all lookups included
)

var (
	errTooDeep     = errors.New("nameserver addresses nested too deeply (a delegation loop?)")
	errNameBudget  = fmt.Errorf("more than %d queries for one name", maxNameWork)
	errTooManyRefs = fmt.Errorf("more than %d referrals", maxReferrals)
	errLame        = errors.New("answered without authority (lame)")
)

// iterate resolves name/qtype from the deepest cached zone cut, following
// referrals and caching each zone cut it learns (keyed by zone, shared by
// every name of the run). It returns the delegation whose servers gave the
// final reply, and that reply. The delegation checks and iterative
// resolution (--resolver iterative) both use it: one resolver, not two.
func (rn *run) iterate(ctx context.Context, name string, qtype uint16) (*delegation, *netx.Answer, error) {
	cut := rn.a.deepestCut(name)
	for range maxReferrals {
		ans, err := rn.askAny(ctx, cut, name, qtype)
		if ans == nil {
			return cut, nil, err
		}
		d := referral(ans, cut.zone, name)
		if d == nil {
			return cut, ans, err
		}
		if e := rn.a.cache.get(d.zone); e != nil && e.kind == zoneCut && len(e.deleg.servers) > 0 {
			d = e.deleg // another name learned it meanwhile: keep its lame verdict
		} else {
			rn.resolveNS(ctx, d)
			rn.a.cache.put(d.zone, &zoneEntry{kind: zoneCut, deleg: d, fromZone: cut.zone, ev: d.ev})
		}
		if len(d.servers) == 0 {
			return d, nil, fmt.Errorf("no address for any nameserver of %s", d.zone)
		}
		cut = d
	}
	return cut, nil, errTooManyRefs
}

// askAny asks the servers of a zone (RD=0): each once, in order, servers
// that recently timed out last, then once more those that failed. It
// returns the first usable reply (an authoritative answer or a referral),
// else the most telling one: a lame server's reply is skipped so a
// partially lame zone still resolves, as it does for real resolvers.
func (rn *run) askAny(ctx context.Context, cut *delegation, name string, qtype uint16) (*netx.Answer, error) {
	var (
		best    *netx.Answer
		bestErr error
		retry   []string
	)
	for pass, servers := 0, rn.a.health.order(cut.servers); pass < 2 && len(servers) > 0; pass, servers = pass+1, retry {
		if pass > 0 && !rn.a.res.SpendRetry() {
			break // retries are budgeted per run (netx): a dead zone does not double every name's queries
		}
		retry = nil
		for _, srv := range servers {
			if rn.queries >= maxNameWork {
				return best, errNameBudget
			}
			ans, err := rn.a.res.QueryServerOnce(ctx, srv, name, qtype, false)
			rn.count(netx.Attempts(ans, err))
			rn.a.health.note(srv, ans != nil)
			if ans != nil && usableReply(ans, cut.zone, name) {
				return ans, err
			}
			if best == nil || (ans != nil && best.Rcode == dns.RcodeServerFailure) {
				best, bestErr = ans, err
			}
			if ans == nil || ans.Rcode == dns.RcodeServerFailure {
				retry = append(retry, srv)
			}
			if ctx.Err() != nil {
				return best, bestErr
			}
		}
	}
	return best, bestErr
}

// usableReply: an authoritative NOERROR or NXDOMAIN, or a referral down
// toward name. REFUSED, NOTAUTH, SERVFAIL, answers without the AA bit and
// upward referrals are not (lame or failed servers).
func usableReply(ans *netx.Answer, zone, name string) bool {
	m := ans.Msg
	switch {
	case m == nil || (ans.Rcode != dns.RcodeSuccess && ans.Rcode != dns.RcodeNameError):
		return false
	case m.Authoritative:
		return true
	}
	return referral(ans, zone, name) != nil
}

// referral extracts a delegation below cutZone toward name from a reply.
// Glue is taken only for nameservers inside cutZone (the parent may speak
// for them); other nameservers are looked up.
func referral(ans *netx.Answer, cutZone, name string) *delegation {
	m := ans.Msg
	if m == nil || m.Rcode != dns.RcodeSuccess || m.Authoritative || len(m.Answer) > 0 {
		return nil
	}
	d := &delegation{parentServer: ans.Server, ev: ans.Evidence()}
	for _, rr := range m.Ns {
		ns, ok := rr.(*dns.NS)
		if !ok {
			continue
		}
		owner := normName(ns.Hdr.Name)
		if !HasSuffixLabel(name, owner) || owner == normName(cutZone) || (cutZone != "." && !HasSuffixLabel(owner, cutZone)) {
			continue
		}
		if d.zone != "" && d.zone != owner {
			continue
		}
		d.zone = owner
		d.ns = append(d.ns, nsHost{name: normName(ns.Ns)})
		d.ev.Answer = append(d.ev.Answer, ns.String())
	}
	if d.zone == "" {
		return nil
	}
	for i := range d.ns {
		if cutZone != "." && !HasSuffixLabel(d.ns[i].name, cutZone) {
			continue // out-of-bailiwick glue is not the parent's to give
		}
		d.ns[i].addrs = glue(m.Extra, d.ns[i].name)
	}
	return d
}

// glue returns the A then AAAA addresses of host in an additional section.
func glue(extra []dns.RR, host string) []netip.Addr {
	var v4, v6 []netip.Addr
	for _, rr := range extra {
		if normName(rr.Header().Name) != host {
			continue
		}
		ip, ok := addrOf(rr)
		switch _, isA := rr.(*dns.A); {
		case !ok:
		case isA:
			v4 = append(v4, ip)
		case !ip.Is4In6():
			v6 = append(v6, ip)
		}
	}
	return append(v4, v6...)
}

// addrOf is the address of an A or AAAA record.
func addrOf(rr dns.RR) (netip.Addr, bool) {
	switch v := rr.(type) {
	case *dns.A:
		return netip.AddrFromSlice(v.A.To4())
	case *dns.AAAA:
		return netip.AddrFromSlice(v.AAAA)
	}
	return netip.Addr{}, false
}

// resolveNS fills the nameserver addresses missing from the glue (through
// the resolvers, or iteratively; cached per nameserver for the run) and
// the list of servers to ask.
func (rn *run) resolveNS(ctx context.Context, d *delegation) {
	for i := range d.ns {
		h := &d.ns[i]
		if len(h.addrs) == 0 {
			if HasSuffixLabel(h.name, d.zone) && rn.a.iterative {
				h.err = "inside the zone it serves, without glue"
			} else {
				rn.nsAddrs(ctx, h)
			}
		}
		for _, ip := range h.addrs {
			d.servers = append(d.servers, rn.a.authority(ip))
		}
	}
}

// nsAddrs looks up a nameserver's addresses, once per run when the answer
// is definitive. No singleflight here: nameserver lookups nest (an
// out-of-bailiwick nameserver's zone has its own), and a delegation loop
// would wait on itself; maxDepth ends such loops instead.
func (rn *run) nsAddrs(ctx context.Context, h *nsHost) {
	key := "ns:" + h.name
	if c, ok := rn.a.cache.host(key); ok {
		h.addrs, h.nx, h.nxServer, h.err = c.addrs, c.nx, c.nxServer, c.err
		return
	}
	ans, err := rn.recursive(ctx, h.name, dns.TypeA)
	switch {
	case ans != nil && ans.Rcode == dns.RcodeNameError:
		h.nx, h.nxServer, h.err = true, ans.Server, "NXDOMAIN"
	case ans != nil && ans.Rcode == dns.RcodeSuccess:
		_, h.addrs = follow(h.name, ans.Msg, func(string, string) bool { return true })
		if len(h.addrs) == 0 {
			h.err = "no address"
		}
	default:
		h.err = kindString(err)
		if errors.Is(err, errTooDeep) {
			h.err = errTooDeep.Error()
		}
		return // a failure is not cached: the next zone asks again
	}
	rn.a.cache.putHost(key, *h)
}

// resolveIter answers name/qtype as a resolver would, from the zone's own
// servers: the reply of the zone that holds name (one zone; walkChain asks
// again for a CNAME target in another zone). Records outside that zone are
// dropped (bailiwick), a lame or failed zone is an error.
func (rn *run) resolveIter(ctx context.Context, name string, qtype uint16) (*netx.Answer, error) {
	if rn.depth >= maxDepth {
		return nil, errTooDeep
	}
	rn.depth++
	defer func() { rn.depth-- }()
	cut, ans, err := rn.iterate(ctx, name, qtype)
	rn.lastCut = cut
	if ans == nil {
		return nil, err
	}
	if !usableReply(ans, cut.zone, name) || !ans.Msg.Authoritative {
		if ans.Rcode == dns.RcodeSuccess || ans.Rcode == dns.RcodeNameError {
			// Every server answered without authority: lame, not an answer.
			return nil, &netx.DNSError{Name: ans.Name, Qtype: dns.TypeToString[qtype], Server: ans.Server, Rcode: ans.Rcode,
				Kind: netx.KindOther, Err: fmt.Errorf("the servers of %s %w", cut.zone, errLame)}
		}
		return ans, err
	}
	if negative(ans) && registrable(cut.zone) != "" {
		// A lame server may deny everything, its own apex included: a
		// negative answer counts only from a server that serves the zone.
		if lr := rn.lameOf(ctx, cut); lr.lameAddrs[ans.Server] {
			ans, err = rn.askAny(ctx, cut.without(lr.lameAddrs), name, qtype)
			if ans == nil || !ans.Msg.Authoritative || !usableReply(ans, cut.zone, name) {
				return nil, &netx.DNSError{Name: dns.Fqdn(name), Qtype: dns.TypeToString[qtype], Rcode: -1,
					Kind: netx.KindOther, Err: fmt.Errorf("the servers of %s %w", cut.zone, errLame)}
			}
		}
	}
	return inBailiwick(ans, cut.zone), err
}

// negative: NXDOMAIN, or NOERROR without an answer (NODATA).
func negative(ans *netx.Answer) bool {
	return ans.Rcode == dns.RcodeNameError || (ans.Rcode == dns.RcodeSuccess && len(ans.Msg.Answer) == 0)
}

// without returns a copy of d asking only the servers not in skip.
func (d *delegation) without(skip map[string]bool) *delegation {
	out := &delegation{zone: d.zone}
	for _, s := range d.servers {
		if !skip[s] {
			out.servers = append(out.servers, s)
		}
	}
	return out
}

// inBailiwick returns ans without the records its zone cannot speak for
// (ans itself when it has none).
func inBailiwick(ans *netx.Answer, zone string) *netx.Answer {
	if zone == "." || (allUnder(ans.Msg.Answer, zone) && allUnder(ans.Msg.Ns, zone)) {
		return ans
	}
	keep := func(rrs []dns.RR) []dns.RR {
		out := rrs[:0:0]
		for _, rr := range rrs {
			if HasSuffixLabel(rr.Header().Name, zone) || zone == "." {
				out = append(out, rr)
			}
		}
		return out
	}
	m := ans.Msg.Copy()
	m.Answer, m.Ns = keep(m.Answer), keep(m.Ns)
	cp := *ans
	cp.Msg = m
	return &cp
}

func allUnder(rrs []dns.RR, zone string) bool {
	for _, rr := range rrs {
		if !HasSuffixLabel(rr.Header().Name, zone) {
			return false
		}
	}
	return true
}

// soaZone returns the zone named by the SOA in a negative reply's
// authority section, when it encloses name ("" otherwise).
func soaZone(m *dns.Msg, name string) string {
	if m == nil {
		return ""
	}
	for _, rr := range m.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			if z := normName(soa.Hdr.Name); HasSuffixLabel(name, z) {
				return z
			}
		}
	}
	return ""
}

func trimDot(s string) string { return strings.TrimSuffix(s, ".") }
