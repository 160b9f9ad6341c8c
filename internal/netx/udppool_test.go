package netx

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// portServer answers A questions and records each query's source port;
// "drop." questions get no answer, "liar." questions get an answer to
// another question with the same id.
type portServer struct {
	mu    sync.Mutex
	ports []int
	addr  string
}

func startPortServer(t *testing.T) *portServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &portServer{addr: pc.LocalAddr().String()}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		s.mu.Lock()
		s.ports = append(s.ports, w.RemoteAddr().(*net.UDPAddr).Port)
		s.mu.Unlock()
		m := new(dns.Msg)
		m.SetReply(q)
		switch q.Question[0].Name {
		case "drop.":
			return
		case "liar.":
			m.Question[0].Name = "other."
		}
		rr, _ := dns.NewRR(m.Question[0].Name + " 60 IN A 192.0.2.1")
		m.Answer = []dns.RR{rr}
		_ = w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return s
}

func (s *portServer) take() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.ports
	s.ports = nil
	return p
}

func TestUDPSocketsAreReusedAndRetired(t *testing.T) {
	t.Parallel()
	srv := startPortServer(t)
	r, err := NewResolver(ResolverConfig{Servers: []string{srv.addr}, Timeout: 200 * time.Millisecond, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	const n = 300
	for range n {
		if _, err := r.QueryServer(ctx, srv.addr, "ok.", dns.TypeA, true); err != nil {
			t.Fatal(err)
		}
	}
	distinct := map[int]bool{}
	for _, p := range srv.take() {
		distinct[p] = true
	}
	if want := n/udpMaxUses + 1; len(distinct) != want {
		t.Errorf("%d questions used %d source ports, want %d (a socket per %d questions)", n, len(distinct), want, udpMaxUses)
	}
	// After a timeout or a reply to another question, the socket is not
	// used again: a late or forged reply never meets the next question.
	for _, bad := range []string{"drop.", "liar."} {
		if _, err := r.QueryServer(ctx, srv.addr, bad, dns.TypeA, true); err == nil {
			t.Errorf("%s: want an error", bad)
		}
		if _, err := r.QueryServer(ctx, srv.addr, "ok.", dns.TypeA, true); err != nil {
			t.Fatal(err)
		}
		if p := srv.take(); len(p) != 2 || p[0] == p[1] {
			t.Errorf("%s then ok: source ports %v, want two different ones", bad, p)
		}
	}
}
