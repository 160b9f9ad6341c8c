package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// Zone is one DNS zone served by the lab: its origin and every record in it,
// including the SOA at the apex.
type Zone struct {
	Origin  string
	Records []dns.RR
}

// ParseZone builds a Zone from zone-file-like lines ("name TTL IN TYPE data").
// Relative names are completed with origin.
func ParseZone(origin string, lines ...string) (Zone, error) {
	origin = dns.Fqdn(strings.ToLower(origin))
	z := Zone{Origin: origin}
	zp := dns.NewZoneParser(strings.NewReader(strings.Join(lines, "\n")), origin, "")
	zp.SetDefaultTTL(300)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if !dns.IsSubDomain(origin, rr.Header().Name) {
			return Zone{}, fmt.Errorf("zone %s: %s is out of zone", origin, rr.Header().Name)
		}
		z.Records = append(z.Records, rr)
	}
	if err := zp.Err(); err != nil {
		return Zone{}, fmt.Errorf("zone %s: %w", origin, err)
	}
	if z.soa() == nil {
		return Zone{}, fmt.Errorf("zone %s: no SOA at the apex", origin)
	}
	return z, nil
}

func (z *Zone) soa() dns.RR {
	for _, rr := range z.Records {
		if rr.Header().Rrtype == dns.TypeSOA && strings.EqualFold(rr.Header().Name, z.Origin) {
			return rr
		}
	}
	return nil
}

// Behaviour is a misbehaviour the lab DNS server shows for one name,
// whatever the query type.
type Behaviour int

const (
	// BehaviourNormal answers from zone data.
	BehaviourNormal Behaviour = iota
	// BehaviourServfail answers SERVFAIL.
	BehaviourServfail
	// BehaviourTimeout never answers.
	BehaviourTimeout
	// BehaviourRefused answers REFUSED even though the name is in a zone.
	BehaviourRefused
	// BehaviourLyingCount answers NOERROR with a header that counts one
	// answer record and no record: a truncated reply.
	BehaviourLyingCount
)

// maxChain bounds CNAME chasing, as real resolvers do.
const maxChain = 12

// DNSServer is the lab's DNS: authoritative for its zones (RD=0 answers carry
// AA) and a recursive resolver over them (RD=1 follows CNAME chains across
// zones and returns the whole chain with the final rcode). It can listen on
// several addresses at once; all of them serve the same data.
type DNSServer struct {
	mu         sync.RWMutex
	zones      map[string]*Zone // by lower-case FQDN origin
	behaviours map[string]Behaviour
	logf       func(string, ...any)
	queries    atomic.Int64

	lmu     sync.Mutex
	servers []*dns.Server
	addrs   []string
	closed  bool
}

// NewDNSServer returns a server for zones and behaviours (keyed by name)
// that does not listen yet.
func NewDNSServer(zones []Zone, behaviours map[string]Behaviour, logf func(string, ...any)) *DNSServer {
	s := &DNSServer{zones: map[string]*Zone{}, behaviours: map[string]Behaviour{}, logf: logf}
	for _, z := range zones {
		s.AddZone(z)
	}
	for name, b := range behaviours {
		s.SetBehaviour(name, b)
	}
	return s
}

// AddZone adds or replaces a zone.
func (s *DNSServer) AddZone(z Zone) {
	z.Origin = dns.Fqdn(strings.ToLower(z.Origin))
	z.Records = slices.Clone(z.Records)
	s.mu.Lock()
	s.zones[z.Origin] = &z
	s.mu.Unlock()
}

// AddRecord parses one zone-file line with an absolute owner name and adds
// it to the zone that contains it.
func (s *DNSServer) AddRecord(line string) error {
	rr, err := dns.NewRR(line)
	if err != nil {
		return fmt.Errorf("parse %q: %w", line, err)
	}
	if rr == nil {
		return fmt.Errorf("parse %q: no record", line)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	z := s.zoneForLocked(rr.Header().Name)
	if z == nil {
		return fmt.Errorf("add %s: no lab zone contains it", rr.Header().Name)
	}
	z.Records = append(z.Records, rr)
	return nil
}

// RemoveRecords deletes every record of type t at name (dns.TypeANY: all).
func (s *DNSServer) RemoveRecords(name string, t uint16) {
	name = dns.Fqdn(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if z := s.zoneForLocked(name); z != nil {
		z.Records = slices.DeleteFunc(z.Records, func(rr dns.RR) bool {
			h := rr.Header()
			return strings.EqualFold(h.Name, name) && (t == dns.TypeANY || h.Rrtype == t)
		})
	}
}

// SetBehaviour makes name misbehave (BehaviourNormal clears it).
func (s *DNSServer) SetBehaviour(name string, b Behaviour) {
	name = dns.Fqdn(strings.ToLower(name))
	s.mu.Lock()
	defer s.mu.Unlock()
	if b == BehaviourNormal {
		delete(s.behaviours, name)
		return
	}
	s.behaviours[name] = b
}

// Zones returns the origins served, sorted.
func (s *DNSServer) Zones() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.zones))
	for o := range s.zones {
		out = append(out, o)
	}
	slices.Sort(out)
	return out
}

// Listen serves UDP and TCP on the same addr (port 0 picks a free port, the
// same one for both) and returns once both accept queries.
func (s *DNSServer) Listen(addr string) error {
	var lastErr error
	for range 5 { // the UDP port picked for TCP may be taken; retry
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return fmt.Errorf("listen udp %s: %w", addr, err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			_ = pc.Close()
			lastErr = err
			continue
		}
		if err := s.serve(&dns.Server{PacketConn: pc, Handler: s}, &dns.Server{Listener: ln, Handler: s}); err != nil {
			return err
		}
		s.lmu.Lock()
		s.addrs = append(s.addrs, pc.LocalAddr().String())
		s.lmu.Unlock()
		return nil
	}
	return fmt.Errorf("listen tcp next to udp on %s: %w", addr, lastErr)
}

func (s *DNSServer) serve(servers ...*dns.Server) error {
	for _, srv := range servers {
		started := make(chan struct{})
		errc := make(chan error, 1)
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { errc <- srv.ActivateAndServe() }()
		select {
		case <-started:
		case err := <-errc:
			return fmt.Errorf("dns serve: %w", err)
		}
		s.lmu.Lock()
		s.servers = append(s.servers, srv)
		s.lmu.Unlock()
	}
	return nil
}

// Addrs lists the addresses the server listens on, in Listen order.
func (s *DNSServer) Addrs() []string {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	return slices.Clone(s.addrs)
}

// Close stops every listener and waits for in-flight queries.
func (s *DNSServer) Close() error {
	s.lmu.Lock()
	servers := s.servers
	s.servers, s.closed = nil, true
	s.lmu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.ShutdownContext(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Queries is how many queries the server has received.
func (s *DNSServer) Queries() int64 { return s.queries.Load() }

// ServeDNS answers one query.
func (s *DNSServer) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	s.queries.Add(1)
	m := s.answer(req)
	if m == nil {
		return // BehaviourTimeout: say nothing
	}
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
		m.Truncate(size)
	}
	if s.lies(req) {
		m.Answer = nil
		raw, err := m.Pack()
		if err == nil {
			raw[6], raw[7] = 0, 1 // ANCOUNT 1, and no record follows
			_, err = w.Write(raw)
		}
		if err != nil {
			s.log("lab dns: write lying answer to %s: %v", w.RemoteAddr(), err)
		}
		return
	}
	if err := w.WriteMsg(m); err != nil {
		s.log("lab dns: write answer to %s: %v", w.RemoteAddr(), err)
	}
}

func (s *DNSServer) lies(req *dns.Msg) bool {
	if len(req.Question) != 1 {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.behaviours[dns.Fqdn(strings.ToLower(req.Question[0].Name))] == BehaviourLyingCount
}

func (s *DNSServer) log(format string, args ...any) {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	if s.logf != nil && !s.closed {
		s.logf(format, args...)
	}
}
