package lab

import (
	"strings"

	"github.com/miekg/dns"
)

// answer builds the reply to req from zone data, or returns nil when the
// server must stay silent. Like a server that is both authoritative for its
// zones and recursive for its clients (BIND with recursion on), it sets AA on
// answers from its own zones and RA always; with RD=1 it chases CNAMEs across
// its zones.
func (s *DNSServer) answer(req *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(max(opt.UDPSize(), dns.MinMsgSize), false)
	}
	switch {
	case req.Opcode != dns.OpcodeQuery:
		m.Rcode = dns.RcodeNotImplemented
		return m
	case len(req.Question) != 1:
		m.Rcode = dns.RcodeFormatError
		return m
	}
	q := req.Question[0]
	name := dns.Fqdn(strings.ToLower(q.Name))
	seen := map[string]bool{}

	s.mu.RLock()
	defer s.mu.RUnlock()
	for hop := 0; ; hop++ {
		switch s.behaviours[name] {
		case BehaviourTimeout:
			return nil
		case BehaviourServfail:
			return fail(m, dns.RcodeServerFailure)
		case BehaviourRefused:
			return fail(m, dns.RcodeRefused)
		}
		z := s.zoneForLocked(name)
		if z == nil {
			if hop == 0 {
				return fail(m, dns.RcodeRefused)
			}
			// The chain leaves the lab; a real resolver would ask the
			// internet, which the lab cannot do.
			return fail(m, dns.RcodeServerFailure)
		}
		m.Authoritative = true
		res := z.lookup(name, q.Qtype)
		m.Answer = append(m.Answer, res.records...)
		switch res.kind {
		case lookupFound:
			return m
		case lookupNXDomain, lookupNoData:
			if res.kind == lookupNXDomain {
				m.Rcode = dns.RcodeNameError
			}
			if soa := z.soa(); soa != nil {
				m.Ns = []dns.RR{dns.Copy(soa)}
			}
			return m
		}
		// lookupCNAME
		if !req.RecursionDesired {
			return m
		}
		seen[name] = true
		name = strings.ToLower(res.target)
		if seen[name] || hop+1 >= maxChain {
			return fail(m, dns.RcodeServerFailure)
		}
	}
}

func fail(m *dns.Msg, rcode int) *dns.Msg {
	m.Rcode = rcode
	m.Authoritative = false
	m.Answer, m.Ns = nil, nil
	return m
}

// zoneForLocked finds the closest enclosing zone of name (s.mu held).
func (s *DNSServer) zoneForLocked(name string) *Zone {
	name = dns.Fqdn(strings.ToLower(name))
	for off, end := 0, false; !end; off, end = dns.NextLabel(name, off) {
		if z, ok := s.zones[name[off:]]; ok {
			return z
		}
	}
	return s.zones["."]
}

type lookupKind int

const (
	lookupFound lookupKind = iota
	lookupCNAME
	lookupNoData
	lookupNXDomain
)

type lookupResult struct {
	kind    lookupKind
	records []dns.RR
	target  string // for lookupCNAME
}

// lookup answers name/qtype from the zone alone. A name exists if it owns
// records or has descendants (an empty non-terminal).
func (z *Zone) lookup(name string, qtype uint16) lookupResult {
	var (
		matches []dns.RR
		cname   *dns.CNAME
	)
	owned, exists := z.at(strings.ToLower(name))
	for _, rr := range owned {
		if rr.Header().Rrtype == qtype || qtype == dns.TypeANY {
			matches = append(matches, dns.Copy(rr))
		}
		if c, ok := rr.(*dns.CNAME); ok {
			cname = c
		}
	}
	if wc := "*." + parentName(name); !exists && !strings.HasPrefix(name, "*.") && name != z.Origin {
		if res := z.lookup(wc, qtype); res.kind != lookupNXDomain { // RFC 4592 synthesis (immediate parent only)
			for _, rr := range res.records {
				rr.Header().Name = name
			}
			return res
		}
	}
	switch {
	case len(matches) > 0:
		return lookupResult{kind: lookupFound, records: matches}
	case cname != nil:
		return lookupResult{kind: lookupCNAME, records: []dns.RR{dns.Copy(cname)}, target: cname.Target}
	case exists:
		return lookupResult{kind: lookupNoData}
	default:
		return lookupResult{kind: lookupNXDomain}
	}
}

// parentName drops the first label of a fully qualified name.
func parentName(name string) string {
	if off, end := dns.NextLabel(name, 0); !end {
		return name[off:]
	}
	return "."
}
