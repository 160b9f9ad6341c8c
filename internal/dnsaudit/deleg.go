package dnsaudit

import (
	"context"
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
	name     string
	addrs    []netip.Addr
	nx       bool   // the nameserver's own name does not exist
	nxServer string // who said so
	err      string // why its addresses are unknown
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

	// The zone's verdicts, built once and given to every name under it.
	verdictsOnce sync.Once
	verdicts     []zoneVerdict
}

// zoneVerdict is a finding about a zone and whether it is a takeover.
type zoneVerdict struct {
	f         finding.Finding
	claimable bool
	failed    bool // f is a dns.lookup-failed: a check that could not be done
}

type zoneKind int

const (
	zoneCut    zoneKind = iota // delegated: the parent refers to nameservers
	zoneNotCut                 // exists inside its parent zone
	zoneNX                     // the parent zone says it does not exist
	zoneFailed                 // its servers failed (not retried for the rest of the run)
)

type zoneEntry struct {
	kind     zoneKind
	deleg    *delegation
	fromZone string // the zone whose servers gave the verdict
	ev       finding.DNSAnswer
	why      string // zoneFailed: what the servers did
}

// zoneCache bounds what delegation walks remember; when full it forgets an
// arbitrary tenth (map order), which keeps memory flat on huge lists.
type zoneCache struct {
	mu      sync.RWMutex // read-mostly: every name reads, each zone writes once
	max     int
	m       map[string]*zoneEntry
	hosts   map[string]nsHost         // nameserver addresses, by "ns:"+name
	targets map[string]*targetVerdict // record targets, by host and type
	flight  singleflight.Group
}

func newZoneCache(max int) *zoneCache {
	return &zoneCache{max: max, m: map[string]*zoneEntry{}, hosts: map[string]nsHost{}, targets: map[string]*targetVerdict{}}
}

func (c *zoneCache) target(key string) (*targetVerdict, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.targets[key]
	return v, ok
}

func (c *zoneCache) putTarget(key string, v *targetVerdict) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.targets) >= c.max {
		clear(c.targets)
	}
	c.targets[key] = v
}

func (c *zoneCache) host(key string) (nsHost, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h, ok := c.hosts[key]
	return h, ok
}

func (c *zoneCache) putHost(key string, h nsHost) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.hosts) >= c.max {
		clear(c.hosts)
	}
	c.hosts[key] = h
}

func (c *zoneCache) get(zone string) *zoneEntry {
	c.mu.RLock()
	defer c.mu.RUnlock()
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
		cut, ans, err := rn.iterate(ctx, zone, dns.TypeNS)
		if e := rn.a.cache.get(zone); e != nil {
			return e, nil
		}
		if ans == nil || !ans.Msg.Authoritative || (ans.Rcode != dns.RcodeSuccess && ans.Rcode != dns.RcodeNameError) {
			e := &zoneEntry{kind: zoneFailed, fromZone: cut.zone, why: failureText(ans, err)}
			if ans != nil {
				e.ev = ans.Evidence()
			} else if de, ok := asDNSError(err); ok {
				e.ev = de.Evidence()
			}
			rn.a.cache.put(zone, e)
			return e, nil
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
// always claimable: anyone can buy the domain. fail is set instead when
// the registry's servers could not tell (the check was not done).
func (rn *run) unregistered(ctx context.Context, name string) (f, fail *finding.Finding) {
	if len(rn.a.opts.Roots) == 0 {
		return nil, nil
	}
	reg := registrable(name)
	if reg == "" {
		return nil, nil
	}
	e := rn.delegationOf(ctx, reg)
	if e == nil || e.kind == zoneFailed {
		ff := zoneFailure(reg, fmt.Sprintf("whether %s is registered", reg), e)
		return nil, &ff
	}
	if e.kind != zoneNX || e.fromZone == "." {
		return nil, nil // the root saying "no such TLD" is not "anyone can buy it"
	}
	v := verdict(IDUnregisteredDomain, finding.High, finding.Firm, reg,
		fmt.Sprintf("%s is not registered: anyone can buy it and answer for %s", reg, name),
		fmt.Sprintf("The %s registry's servers answered NXDOMAIN for %s.", e.fromZone, reg),
		[]finding.DNSAnswer{e.ev})
	return &v, nil
}

// failureText says what a failed query got: its rcode, or why there was
// no answer.
func failureText(ans *netx.Answer, err error) string {
	switch {
	case ans != nil && !ans.Msg.Authoritative && (ans.Rcode == dns.RcodeSuccess || ans.Rcode == dns.RcodeNameError):
		return rcodeName(ans.Rcode) + " without authority"
	case ans != nil:
		return rcodeName(ans.Rcode)
	}
	if de, ok := asDNSError(err); ok {
		if de.Server != "" {
			return de.Kind.String() + " at " + de.Server // the evidence holds the rest
		}
		return de.Kind.String()
	}
	if err != nil {
		return err.Error()
	}
	return "no answer"
}
