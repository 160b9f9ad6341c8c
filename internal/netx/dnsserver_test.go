package netx

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// testDNS is an in-process DNS server on 127.0.0.1 (UDP and TCP, same
// port) with a tiny zone: records by name, plus per-name behaviours.
type testDNS struct {
	addr string

	mu       sync.Mutex
	records  map[string][]dns.RR // lower-case fqdn
	behavior map[string]string   // fqdn -> servfail | refused | drop | big | lie
	queries  map[string]int      // fqdn/type -> count

	udp, tcp atomic.Int64
}

func startDNS(t testing.TB) *testDNS {
	t.Helper()
	s := &testDNS{records: map[string][]dns.RR{}, behavior: map[string]string{}, queries: map[string]int{}}
	var pc net.PacketConn
	var l net.Listener
	for range 20 {
		var err error
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		l, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		pc.Close()
		pc = nil
	}
	if pc == nil {
		t.Fatal("no free UDP+TCP port pair on 127.0.0.1")
	}
	s.addr = pc.LocalAddr().String()
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: s}, {Listener: l, Handler: s}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return s
}

// add parses zone-file lines ("name. 60 IN A 127.0.0.1").
func (s *testDNS) add(t testing.TB, lines ...string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, line := range lines {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.ToLower(rr.Header().Name)
		s.records[name] = append(s.records[name], rr)
	}
}

func (s *testDNS) set(name, behavior string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.behavior[dns.Fqdn(name)] = behavior
}

func (s *testDNS) count(name string, qtype uint16) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[fmt.Sprintf("%s/%d", dns.Fqdn(name), qtype)]
}

func (s *testDNS) ServeDNS(w dns.ResponseWriter, q *dns.Msg) {
	isUDP := w.RemoteAddr().Network() == "udp"
	if isUDP {
		s.udp.Add(1)
	} else {
		s.tcp.Add(1)
	}
	name, qt := strings.ToLower(q.Question[0].Name), q.Question[0].Qtype
	m := new(dns.Msg)
	m.SetReply(q)
	s.mu.Lock()
	s.queries[fmt.Sprintf("%s/%d", name, qt)]++
	behavior := s.behavior[name]
	m.Answer, m.Rcode = s.lookup(name, qt)
	s.mu.Unlock()
	switch behavior {
	case "drop":
		return
	case "servfail":
		m.Answer, m.Rcode = nil, dns.RcodeServerFailure
	case "refused":
		m.Answer, m.Rcode = nil, dns.RcodeRefused
	case "big":
		for i := range 200 {
			rr, _ := dns.NewRR(fmt.Sprintf("%s 60 IN A 10.0.%d.%d", name, i/250, i%250+1))
			m.Answer = append(m.Answer, rr)
		}
	}
	if opt := q.IsEdns0(); opt != nil {
		m.SetEdns0(opt.UDPSize(), false)
		if isUDP {
			m.Truncate(int(opt.UDPSize()))
		}
	} else if isUDP {
		m.Truncate(dns.MinMsgSize)
	}
	if behavior == "lie" {
		// NOERROR whose header claims one answer record it does not carry.
		m.Answer = nil
		raw, err := m.Pack()
		if err == nil {
			raw[6], raw[7] = 0, 1
			_, _ = w.Write(raw)
		}
		return
	}
	_ = w.WriteMsg(m)
}

// lookup answers from the zone, following CNAMEs; unknown names are
// NXDOMAIN, known names without the type are NODATA.
func (s *testDNS) lookup(name string, qt uint16) ([]dns.RR, int) {
	var out []dns.RR
	for range 8 {
		rrs, ok := s.records[name]
		if !ok {
			if s.behavior[name] != "" {
				return out, dns.RcodeSuccess
			}
			return out, dns.RcodeNameError // as real servers do, even at the end of a CNAME chain
		}
		var next string
		for _, rr := range rrs {
			if rr.Header().Rrtype == qt {
				out = append(out, rr)
			} else if c, ok := rr.(*dns.CNAME); ok {
				out = append(out, rr)
				next = strings.ToLower(c.Target)
			}
		}
		if next == "" {
			break
		}
		name = next
	}
	return out, dns.RcodeSuccess
}

// deadUDP returns a loopback UDP address nothing listens on.
func deadUDP(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}

// blackHole returns a loopback UDP address that reads and never replies.
func blackHole(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return pc.LocalAddr().String()
}

var gzipMember = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = zw.Write(make([]byte, 1<<20))
	_ = zw.Close()
	return b.Bytes()
})

// gzipZeros is one gzip member holding 1 MiB of zeros (about 1 KiB).
func gzipZeros() []byte { return gzipMember() }
