package dnsaudit

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/netip"
	"strings"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// maxChain bounds CNAME chasing, as resolvers do.
const maxChain = 16

// chain is a name's resolution through the recursive resolvers.
type chain struct {
	names   []string // the owner name, then every CNAME target, in order
	links   []Link
	final   *netx.Answer // the reply that ended the chain (nil: nobody answered)
	err     error
	addrs   []netip.Addr
	answers []*netx.Answer
	loop    bool

	askedAAAA bool
}

func (c *chain) last() string { return c.names[len(c.names)-1] }

// evidence is every answer of the chain, in order: one through a resolver
// (it follows the chain), one per zone when walking from the roots.
func (c *chain) evidence() []finding.DNSAnswer {
	ev := make([]finding.DNSAnswer, 0, len(c.answers))
	for _, a := range c.answers {
		if a.Qtype == dns.TypeA {
			ev = append(ev, a.Evidence())
		}
	}
	return ev
}

// recursive asks the trusted resolvers in turn until one gives a
// definitive reply (NOERROR or NXDOMAIN); netx retries SERVFAIL and
// timeouts with backoff on each. Each audited name starts at its own
// resolver (resolverOrder), so a bulk run spreads over every resolver and
// their --dns-rate adds up, while one name's questions all go to the same
// resolver first, run after run.
func (rn *run) recursive(ctx context.Context, name string, qtype uint16) (*netx.Answer, error) {
	if rn.a.iterative {
		return rn.resolveIter(ctx, name, qtype)
	}
	var (
		best *netx.Answer
		err  error
	)
	for _, srv := range rn.resolverOrder() {
		ans, e := rn.a.res.QueryServer(ctx, srv, name, qtype, true)
		rn.count(netx.Attempts(ans, e))
		if ans != nil && (ans.Rcode == dns.RcodeSuccess || ans.Rcode == dns.RcodeNameError) {
			return ans, e
		}
		if ans != nil && (best == nil || ans.Rcode == dns.RcodeServerFailure) {
			best = ans
		}
		err = e
		if ctx.Err() != nil {
			break
		}
	}
	return best, err
}

// walkChain follows CNAMEs to the end, asking again for the target when a
// reply stops at a CNAME (a resolver that gave up, or an authority whose
// zone does not hold the target), and records every hop.
func (rn *run) walkChain(ctx context.Context, name string) *chain {
	c := &chain{names: []string{name}}
	seen := map[string]bool{name: true}
	cur := name
	for range maxChain {
		ans, err := rn.recursive(ctx, cur, dns.TypeA)
		if rn.a.iterative {
			rn.noteCut(rn.lastCut, cur)
		}
		c.final, c.err = ans, err
		if ans == nil {
			c.links = append(c.links, Link{Name: cur, Type: "A", Rcode: kindString(err), Server: serverOf(err)})
			return c
		}
		c.answers = append(c.answers, ans)
		next, addrs := follow(cur, ans.Msg, func(owner, target string) bool {
			c.links = append(c.links, Link{Name: owner, Type: "CNAME", Value: target, Rcode: "NOERROR", Server: ans.Server})
			if seen[target] {
				c.loop = true
				return false
			}
			seen[target] = true
			c.names = append(c.names, target)
			return true
		})
		if c.loop {
			return c
		}
		advanced := next != cur
		cur = next
		rc := dns.RcodeToString[ans.Rcode]
		for _, ip := range addrs {
			t := "A"
			if ip.Is6() {
				t = "AAAA"
			}
			c.links = append(c.links, Link{Name: cur, Type: t, Value: ip.String(), Rcode: rc, Server: ans.Server})
		}
		c.addrs = append(c.addrs, addrs...)
		if len(addrs) > 0 || ans.Rcode != dns.RcodeSuccess {
			if ans.Rcode != dns.RcodeSuccess {
				c.links = append(c.links, Link{Name: cur, Type: "A", Rcode: rc, Server: ans.Server})
			}
			return c
		}
		// NOERROR without addresses: the reply stopped at a CNAME (ask
		// again for the target), unless its SOA says the target has no
		// address (NODATA at the end of a complete chain).
		if advanced && soaZone(ans.Msg, cur) == "" {
			continue
		}
		rn.nodata(ctx, c, cur)
		return c
	}
	c.loop = true
	return c
}

// nodata records a NODATA A answer and tries AAAA (a name with only IPv6
// addresses is not a name without addresses).
func (rn *run) nodata(ctx context.Context, c *chain, cur string) {
	c.links = append(c.links, Link{Name: cur, Type: "A", Rcode: "NODATA", Server: c.final.Server})
	rn.aaaa(ctx, c, cur)
}

// aaaa adds the IPv6 addresses of the chain's end.
func (rn *run) aaaa(ctx context.Context, c *chain, cur string) {
	c.askedAAAA = true
	ans, err := rn.recursive(ctx, cur, dns.TypeAAAA)
	if ans == nil || (ans.Rcode != dns.RcodeSuccess && ans.Rcode != dns.RcodeNameError) {
		rn.notAssessed(lookupFailed(cur+" AAAA", fmt.Sprintf("DNS lookup of %s AAAA failed (%s); its IPv6 addresses could not be audited", cur, failureText(ans, err)),
			"", answerEvidence(ans, err)))
		return
	}
	if ans.Rcode != dns.RcodeSuccess {
		return
	}
	_, addrs := follow(cur, ans.Msg, func(string, string) bool { return false })
	for _, ip := range addrs {
		c.links = append(c.links, Link{Name: cur, Type: "AAAA", Value: ip.String(), Rcode: "NOERROR", Server: ans.Server})
	}
	c.addrs = append(c.addrs, addrs...)
	c.answers = append(c.answers, ans)
}

func endsWithCNAME(m *dns.Msg, cur string) bool {
	for _, rr := range m.Answer {
		if cn, ok := rr.(*dns.CNAME); ok && normName(cn.Hdr.Name) == cur {
			return true
		}
	}
	return false
}

// follow walks the CNAMEs of an answer section from cur, calling hop for
// each (stop by returning false), and returns the last name reached and
// its addresses.
func follow(cur string, m *dns.Msg, hop func(owner, target string) bool) (string, []netip.Addr) {
	if m == nil {
		return cur, nil
	}
	for range maxChain {
		next := ""
		for _, rr := range m.Answer {
			if cn, ok := rr.(*dns.CNAME); ok && normName(cn.Hdr.Name) == cur {
				next = normName(cn.Target)
				break
			}
		}
		if next == "" || !hop(cur, next) {
			break
		}
		cur = next
	}
	var addrs []netip.Addr
	for _, rr := range m.Answer {
		if normName(rr.Header().Name) != cur {
			continue
		}
		if ip, ok := addrOf(rr); ok {
			addrs = append(addrs, ip)
		}
	}
	return cur, addrs
}

// identifyChain names the service of the chain: the last hop a
// fingerprint recognises wins (it is where the traffic ends up).
func (rn *run) identifyChain(c *chain) {
	for _, n := range c.names[1:] {
		if svcs := rn.a.fp.IdentifyCNAME(n); len(svcs) > 0 {
			rn.res.Service = svcs[0].ID
		}
	}
}

// resolved handles a name that resolves: addresses, HTTP fingerprints.
func (rn *run) resolved(ctx context.Context, c *chain) {
	if rn.a.opts.Types&TypeAAAA != 0 && !c.askedAAAA {
		rn.aaaa(ctx, c, c.last())
	}
	rn.res.Addrs = c.addrs
	rn.checkAddrs()
	rn.httpFingerprint(ctx, c)
}

// nxdomain handles a chain that ends in NXDOMAIN: confirm it with a
// second opinion, then decide dangling vs vulnerable vs unresolved.
func (rn *run) nxdomain(ctx context.Context, c *chain, last string) {
	ev := c.evidence()
	second, disagree := rn.secondOpinion(ctx, last, c.final.Server)
	ev = append(ev, second...)
	if disagree != "" {
		rn.res.Status, rn.res.Error = finding.DNSError, disagree
		rn.add(verdict(IDResolverDisagree, finding.Info, finding.Firm, last,
			fmt.Sprintf("DNS servers disagree whether %s exists", last), disagree, ev), false)
		return
	}
	// Through resolvers, confirmed means an authority agreed; an iterative
	// walk's NXDOMAIN came from the zone's own server.
	confirmed := len(second) > 0 || (rn.a.iterative && c.final.Msg.Authoritative)
	unreg, fail := rn.unregistered(ctx, last)
	if fail != nil {
		rn.notAssessed(*fail)
	}
	if unreg != nil {
		unreg.Evidence.DNS = append(ev, unreg.Evidence.DNS...)
		rn.add(*unreg, true)
	}
	if len(c.names) == 1 {
		if unreg == nil {
			rn.res.Status = finding.DNSUnresolved
		}
		rn.searchExpansion(ctx)
		rn.add(verdict(IDHostNXDomain, finding.Info, confidence(confirmed), last,
			fmt.Sprintf("%s does not exist in DNS", last), "", ev), false)
		return
	}
	rn.danglingCNAME(ctx, c, last, ev, confirmed)
}

func confidence(confirmed bool) finding.Confidence {
	if confirmed {
		return finding.Confirmed
	}
	return finding.Firm
}

// danglingCNAME reports the CNAME whose target does not exist, judged by
// the target's service.
func (rn *run) danglingCNAME(ctx context.Context, c *chain, last string, ev []finding.DNSAnswer, confirmed bool) {
	owner := c.names[len(c.names)-2]
	f := verdict(IDDanglingCNAME, finding.Medium, confidence(confirmed), last, "", "", ev)
	claimable := false
	svcs := rn.a.fp.IdentifyCNAME(last)
	switch {
	case len(svcs) == 0:
		f.Title = fmt.Sprintf("%s is a CNAME to %s, which does not exist", owner, last)
		f.Evidence.Summary = "The target's service is not in the fingerprint database, so whether anyone can claim it is unknown."
	case svcs[0].Claim == ClaimClaimable && svcs[0].Vulnerable:
		f.Severity, claimable = finding.High, true
		f.Title = fmt.Sprintf("%s points at %s, a name anyone can claim on %s", owner, last, svcs[0].Name)
		f.Evidence.Summary = fmt.Sprintf("%s does not exist; %s: %s.", last, svcs[0].Name, svcs[0].Note)
	case svcs[0].Claim == ClaimNotClaimable:
		f.Severity = finding.Low
		f.Title = fmt.Sprintf("%s is a CNAME to %s, which does not exist (not claimable)", owner, last)
		f.Evidence.Summary = fmt.Sprintf("%s names cannot be re-created by others: %s.", svcs[0].Name, svcs[0].Note)
	default:
		f.Title = fmt.Sprintf("%s is a CNAME to %s (%s), which does not exist", owner, last, svcs[0].Name)
		f.Evidence.Summary = fmt.Sprintf("Whether %s names can be claimed by others depends on conditions: %s.", svcs[0].Name, svcs[0].Note)
	}
	if wc := rn.wildcard(ctx, owner, c.names[len(c.names)-1]); wc != "" {
		f.Title = fmt.Sprintf("%s (from the wildcard %s: every name under it is affected)", f.Title, wc)
	}
	rn.add(f, claimable)
}

// wildcard tells whether owner's CNAME to target comes from a wildcard: a
// random sibling label gets the same CNAME. It returns "*.parent" or "".
func (rn *run) wildcard(ctx context.Context, owner, target string) string {
	_, parent, ok := strings.Cut(owner, ".")
	if !ok || !strings.Contains(parent, ".") {
		return ""
	}
	probe := randomLabel() + "." + parent
	ans, _ := rn.recursive(ctx, probe, dns.TypeA)
	if ans == nil {
		return ""
	}
	for _, rr := range ans.Msg.Answer {
		if cn, ok := rr.(*dns.CNAME); ok && normName(cn.Hdr.Name) == probe && normName(cn.Target) == target {
			return "*." + parent
		}
	}
	return ""
}

// failed handles a chain that ended in SERVFAIL, REFUSED or silence. A
// lame or partially lame zone explains it; otherwise the verdict is error,
// with what the zone's own servers said when they were asked.
func (rn *run) failed(ctx context.Context, c *chain, last string) {
	cut, lr := rn.lameHunt(ctx, last)
	if lr != nil && (lr.state == lameFull || lr.state == lamePartial) {
		rn.reportLame(cut, lr)
		rn.nsDomainChecks(ctx, cut)
		return
	}
	rn.res.Status = finding.DNSError
	ev := c.evidence()
	what := kindString(c.err)
	if c.final != nil {
		what = rcodeName(c.final.Rcode)
	} else if de, ok := asDNSError(c.err); ok {
		ev = append(ev, de.Evidence())
		if de.Err != nil {
			what = de.Err.Error()
		}
	} else if c.err != nil {
		what = c.err.Error()
	}
	rn.res.Error = fmt.Sprintf("%s: %s; not proof that it does not exist", last, what)
	if lr != nil && lr.state == lameUnknown {
		ev = append(ev, lr.ev...)
		rn.res.Error = fmt.Sprintf("the nameservers of %s failed (%s): a failure, not a lame delegation nor proof that %s does not exist",
			cut.zone, lr.describe(lr.failedNS), last)
	}
	rn.add(verdict(IDLookupFailed, finding.Info, finding.Confirmed, last,
		fmt.Sprintf("DNS lookup of %s failed (%s); it could not be audited", last, what), rn.res.Error, ev), false)
}

func kindString(err error) string {
	if errors.Is(err, errLame) {
		return "LAME"
	}
	if de, ok := asDNSError(err); ok {
		return de.Kind.String()
	}
	if err == nil {
		return "no answer"
	}
	return "error"
}

func serverOf(err error) string {
	if de, ok := asDNSError(err); ok {
		return de.Server
	}
	return ""
}

func joinNames(ns []string) string { return strings.Join(ns, " → ") }

// resolverOrder is the trusted resolvers rotated to start at the audited
// name's own (a hash of the name: stable across runs).
func (rn *run) resolverOrder() []string {
	servers := rn.a.servers
	n := len(servers)
	if n < 2 {
		return servers
	}
	if rn.order == nil {
		h := fnv.New32a()
		_, _ = h.Write([]byte(rn.res.Name))
		i := int(h.Sum32() % uint32(n))
		rn.order = append(append(make([]string, 0, n), servers[i:]...), servers[:i]...)
	}
	return rn.order
}
