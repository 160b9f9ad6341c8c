package netx

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// HostResult is what LookupHost found for a name.
type HostResult struct {
	Name    string       // the name asked, lower-case, without trailing dot
	Addrs   []netip.Addr // A addresses first, then AAAA, de-duplicated
	CNAMEs  []string     // the CNAME chain in order (targets, fully qualified)
	Answers []*Answer    // the replies the result was built from, as evidence
}

type hostEntry struct {
	res *HostResult
	err error
}

// LookupHost resolves name to addresses (A and AAAA, following the CNAME
// chain the resolver returns). IP literals return at once without DNS.
// Results, including NXDOMAIN and NODATA, are cached for the Resolver's
// lifetime so a name is resolved once per scan; timeouts and SERVFAIL are
// not cached. Concurrent lookups of one name share a single query.
func (r *Resolver) LookupHost(ctx context.Context, name string) (*HostResult, error) {
	key := strings.TrimSuffix(strings.ToLower(name), ".")
	if ip, err := netip.ParseAddr(strings.Trim(key, "[]")); err == nil {
		return &HostResult{Name: key, Addrs: []netip.Addr{ip.Unmap()}}, nil
	}
	if e, ok := r.cached(key); ok {
		return e.res, e.err
	}
	ch := r.flight.DoChan(key, func() (any, error) {
		// A flight that ended between the check above and this one has
		// filled the cache: ask again only if it did not.
		if e, ok := r.cached(key); ok {
			return e.res, e.err
		}
		// Detached from the first caller's cancellation: others may wait on
		// this flight. Every query is bounded by the resolver's timeouts.
		res, err := r.lookupHost(context.WithoutCancel(ctx), key)
		if err == nil || errors.Is(err, ErrNXDomain) || errors.Is(err, ErrNoData) {
			r.mu.Lock()
			r.cache[key] = hostEntry{res, err}
			r.mu.Unlock()
		}
		return res, err
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case out := <-ch:
		res, _ := out.Val.(*HostResult)
		return res, out.Err
	}
}

func (r *Resolver) cached(key string) (hostEntry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.cache[key]
	return e, ok
}

func (r *Resolver) lookupHost(ctx context.Context, key string) (*HostResult, error) {
	var (
		wg          sync.WaitGroup
		ans         [2]*Answer
		errs        [2]error
		types       = [2]uint16{dns.TypeA, dns.TypeAAAA}
		fqdn        = dns.Fqdn(key)
		res         = &HostResult{Name: key}
		seen        = make(map[netip.Addr]bool)
		chainLonger []string
	)
	for i, t := range types {
		// Not r.Query: a lookup made to dial is not a DNS answer a check
		// observed (see Tally).
		wg.Go(func() { ans[i], errs[i] = r.query(ctx, r.servers, key, t, true) })
	}
	wg.Wait()
	for i := range types {
		if ans[i] == nil {
			continue
		}
		res.Answers = append(res.Answers, ans[i])
		chain, addrs := followChain(fqdn, ans[i].Msg)
		if len(chain) > len(chainLonger) {
			chainLonger = chain
		}
		for _, a := range addrs {
			if !seen[a] {
				seen[a] = true
				res.Addrs = append(res.Addrs, a)
			}
		}
	}
	res.CNAMEs = chainLonger
	if len(res.Addrs) > 0 {
		return res, nil
	}
	return nil, hostError(fqdn, ans, errs)
}

// hostError decides the error for a name with no addresses: NXDOMAIN if
// either family said so, an indefinite failure (timeout, SERVFAIL, ...)
// next, and NODATA only when both families said NOERROR.
func hostError(fqdn string, ans [2]*Answer, errs [2]error) error {
	for _, err := range errs {
		if errors.Is(err, ErrNXDomain) {
			return err
		}
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, ErrNoData) {
			return err
		}
	}
	e := &DNSError{Name: fqdn, Qtype: "A/AAAA", Rcode: dns.RcodeSuccess, Kind: KindNoData}
	if ans[0] != nil {
		e.Server = ans[0].Server
	}
	return e
}

// followChain walks the CNAME records of msg from name and returns the
// chain and the A/AAAA addresses owned by its last element.
func followChain(name string, msg *dns.Msg) ([]string, []netip.Addr) {
	if msg == nil {
		return nil, nil
	}
	cnames := make(map[string]string)
	for _, rr := range msg.Answer {
		if c, ok := rr.(*dns.CNAME); ok {
			cnames[strings.ToLower(c.Hdr.Name)] = strings.ToLower(c.Target)
		}
	}
	var chain []string
	cur := strings.ToLower(name)
	for len(chain) < 16 { // a CNAME loop in a reply must not spin
		next, ok := cnames[cur]
		if !ok {
			break
		}
		chain = append(chain, next)
		cur = next
	}
	var addrs []netip.Addr
	for _, rr := range msg.Answer {
		if !strings.EqualFold(rr.Header().Name, cur) {
			continue
		}
		var ip []byte
		switch v := rr.(type) {
		case *dns.A:
			ip = v.A
		case *dns.AAAA:
			ip = v.AAAA
		}
		if a, ok := netip.AddrFromSlice(ip); ok {
			addrs = append(addrs, a.Unmap())
		}
	}
	return chain, addrs
}
