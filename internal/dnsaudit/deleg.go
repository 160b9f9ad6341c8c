package dnsaudit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/miekg/dns"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/sync/singleflight"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// nsHost is one nameserver of a delegation and its addresses.
type nsHost struct {
	name  string
	addrs []netip.Addr
	nx    bool   // the nameserver's own name does not exist
	err   string // why its addresses are unknown
}

// delegation is a zone cut as the parent zone's referral states it.
type delegation struct {
	zone         string
	ns           []nsHost
	servers      []string // ip:port of every nameserver address
	parentServer string
	ev           finding.DNSAnswer

	lameOnce sync.Once
	lame     *lameResult
	lameDone atomic.Bool // lame is set (readable without the Once)
}

type zoneKind int

const (
	zoneCut    zoneKind = iota // delegated: the parent refers to nameservers
	zoneNotCut                 // exists inside its parent zone
	zoneNX                     // the parent zone says it does not exist
)

type zoneEntry struct {
	kind     zoneKind
	deleg    *delegation
	fromZone string // the zone whose servers gave the verdict
	ev       finding.DNSAnswer

	mxOnce sync.Once
	mx     []finding.Finding // mail exchangers under unregistered domains (claimable)
}

// zoneCache bounds what delegation walks remember; when full it forgets an
// arbitrary tenth (map order), which keeps memory flat on huge lists.
type zoneCache struct {
	mu     sync.Mutex
	max    int
	m      map[string]*zoneEntry
	flight singleflight.Group
}

func newZoneCache(max int) *zoneCache { return &zoneCache{max: max, m: map[string]*zoneEntry{}} }

func (c *zoneCache) get(zone string) *zoneEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[zone]
}

func (c *zoneCache) put(zone string, e *zoneEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		n := c.max/10 + 1
		for k := range c.m {
			delete(c.m, k)
			if n--; n == 0 {
				break
			}
		}
	}
	c.m[zone] = e
}

// deepestCut returns the deepest cached delegation above or at name, or
// the root servers.
func (a *Auditor) deepestCut(name string) *delegation {
	fq := dns.Fqdn(name)
	for off, end := 0, false; !end; off, end = dns.NextLabel(fq, off) {
		if e := a.cache.get(normName(fq[off:])); e != nil && e.kind == zoneCut && len(e.deleg.servers) > 0 {
			return e.deleg
		}
	}
	return &delegation{zone: ".", servers: a.opts.Roots}
}

func (a *Auditor) authority(ip netip.Addr) string {
	port := a.opts.AuthorityPort
	if port == 0 {
		port = 53
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(int(port)))
}

// askAny asks servers (RD=0) in order until one gives a reply that is not
// SERVFAIL; it returns the most telling reply.
func (rn *run) askAny(ctx context.Context, servers []string, name string, qtype uint16) (*netx.Answer, error) {
	var (
		best *netx.Answer
		err  error
	)
	for _, srv := range servers {
		ans, e := rn.a.res.QueryServer(ctx, srv, name, qtype, false)
		rn.count(netx.Attempts(ans, e))
		if ans != nil && ans.Rcode != dns.RcodeServerFailure && ans.Rcode != dns.RcodeRefused {
			return ans, e
		}
		if ans != nil && best == nil {
			best = ans
		}
		err = e
		if ctx.Err() != nil {
			break
		}
	}
	return best, err
}

// iterate resolves name/qtype iteratively from the deepest cached cut,
// following (and caching) referrals. It returns the delegation whose
// servers gave the final reply, and that reply.
func (rn *run) iterate(ctx context.Context, name string, qtype uint16) (*delegation, *netx.Answer, error) {
	cut := rn.a.deepestCut(name)
	for range maxChain {
		ans, err := rn.askAny(ctx, cut.servers, name, qtype)
		if ans == nil {
			return cut, nil, err
		}
		d := referral(ans, cut.zone, name)
		if d == nil {
			return cut, ans, nil
		}
		rn.resolveNS(ctx, d)
		rn.a.cache.put(d.zone, &zoneEntry{kind: zoneCut, deleg: d, fromZone: cut.zone, ev: d.ev})
		if len(d.servers) == 0 {
			return d, nil, fmt.Errorf("no address for any nameserver of %s", d.zone)
		}
		cut = d
	}
	return cut, nil, errors.New("too many referrals")
}

// referral extracts a delegation below cutZone toward name from a reply.
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
		for _, rr := range m.Extra {
			if a, ok := rr.(*dns.A); ok && normName(a.Hdr.Name) == d.ns[i].name {
				if ip, ok := netip.AddrFromSlice(a.A.To4()); ok {
					d.ns[i].addrs = append(d.ns[i].addrs, ip)
				}
			}
		}
	}
	return d
}

// resolveNS fills nameserver addresses missing from the glue through the
// recursive resolvers, and the list of servers to ask.
func (rn *run) resolveNS(ctx context.Context, d *delegation) {
	for i := range d.ns {
		h := &d.ns[i]
		if len(h.addrs) == 0 {
			ans, err := rn.recursive(ctx, h.name, dns.TypeA)
			switch {
			case ans != nil && ans.Rcode == dns.RcodeNameError:
				h.nx, h.err = true, "NXDOMAIN"
			case ans != nil && ans.Rcode == dns.RcodeSuccess:
				_, h.addrs = follow(h.name, ans.Msg, func(string, string) bool { return true })
				if len(h.addrs) == 0 {
					h.err = "no address"
				}
			default:
				h.err = kindString(err)
			}
		}
		for _, ip := range h.addrs {
			d.servers = append(d.servers, rn.a.authority(ip))
		}
	}
}

// delegationOf tells whether zone is delegated, exists inside its parent,
// or does not exist, as the parent zone's servers say (cached).
func (rn *run) delegationOf(ctx context.Context, zone string) *zoneEntry {
	if e := rn.a.cache.get(zone); e != nil {
		return e
	}
	v, _, _ := rn.a.cache.flight.Do(zone, func() (any, error) {
		if e := rn.a.cache.get(zone); e != nil {
			return e, nil
		}
		cut, ans, _ := rn.iterate(ctx, zone, dns.TypeNS)
		if e := rn.a.cache.get(zone); e != nil {
			return e, nil
		}
		if ans == nil || !ans.Msg.Authoritative {
			return (*zoneEntry)(nil), nil
		}
		e := &zoneEntry{kind: zoneNotCut, fromZone: cut.zone, ev: ans.Evidence()}
		switch {
		case ans.Rcode == dns.RcodeNameError:
			e.kind = zoneNX
		case ans.Rcode == dns.RcodeSuccess && hasNS(ans.Msg, zone):
			// The zone's own servers answered (it shares servers with its
			// parent); the NS set comes from the answer.
			d := &delegation{zone: zone, parentServer: ans.Server, ev: ans.Evidence()}
			for _, rr := range ans.Msg.Answer {
				if ns, ok := rr.(*dns.NS); ok {
					d.ns = append(d.ns, nsHost{name: normName(ns.Ns)})
				}
			}
			rn.resolveNS(ctx, d)
			e.kind, e.deleg = zoneCut, d
		case ans.Rcode != dns.RcodeSuccess:
			return (*zoneEntry)(nil), nil
		}
		rn.a.cache.put(zone, e)
		return e, nil
	})
	e, _ := v.(*zoneEntry)
	return e
}

func hasNS(m *dns.Msg, zone string) bool {
	for _, rr := range m.Answer {
		if ns, ok := rr.(*dns.NS); ok && normName(ns.Hdr.Name) == zone {
			return true
		}
	}
	return false
}

// registrable returns the eTLD+1 of name by the public suffix list, or "".
// Names under a private-section suffix (azurewebsites.net, herokuapp.com)
// return "": they are claimed at the service, not bought at a registry, so
// the fingerprint database decides.
func registrable(name string) string {
	name = normName(name)
	if suffix, icann := publicsuffix.PublicSuffix(name); !icann && strings.Contains(suffix, ".") {
		return ""
	}
	reg, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil {
		return ""
	}
	return reg
}

// unregistered returns a finding when the registrable domain of name does
// not exist at its registry (the parent zone answers NXDOMAIN). It is
// always claimable: anyone can buy the domain.
func (rn *run) unregistered(ctx context.Context, name string) *finding.Finding {
	if len(rn.a.opts.Roots) == 0 {
		return nil
	}
	reg := registrable(name)
	if reg == "" {
		return nil
	}
	e := rn.delegationOf(ctx, reg)
	if e == nil || e.kind != zoneNX || e.fromZone == "." {
		return nil // the root saying "no such TLD" is not "anyone can buy it"
	}
	f := verdict(IDUnregisteredDomain, finding.High, finding.Firm, reg,
		fmt.Sprintf("%s is not registered: anyone can buy it and answer for %s", reg, name),
		fmt.Sprintf("The %s registry's servers answered NXDOMAIN for %s.", e.fromZone, reg),
		[]finding.DNSAnswer{e.ev})
	return &f
}
