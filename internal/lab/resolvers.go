package lab

import (
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// RewrittenAddr is what the NXDOMAIN-rewriting resolver answers for names
// that do not exist (an ISP "search assist" page, say).
const RewrittenAddr = "127.0.0.9"

// rewriter is a resolver that turns NXDOMAIN into an address, as some ISP
// resolvers do. Auditors must notice and distrust it.
type rewriter struct{ s *DNSServer }

func (r rewriter) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := r.s.answer(req)
	if m == nil {
		return
	}
	if m.Rcode == dns.RcodeNameError && len(req.Question) == 1 {
		rr, err := dns.NewRR(req.Question[0].Name + " 60 IN A " + RewrittenAddr)
		if err == nil {
			m.Rcode, m.Ns, m.Answer = dns.RcodeSuccess, nil, []dns.RR{rr}
		}
	}
	_ = w.WriteMsg(m)
}

// flaky answers SERVFAIL (or nothing: a timeout) to the first
// FlakyFailures questions about each name, then answers normally: a
// transient failure that retries survive.
type flaky struct {
	s      *DNSServer
	silent bool // stay silent (a timeout) instead of SERVFAIL
	mu     sync.Mutex
	seen   map[string]int
}

// FlakyFailures is how many SERVFAILs the flaky resolver gives per name.
const FlakyFailures = 1

func (f *flaky) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	if len(req.Question) == 1 {
		key := strings.ToLower(req.Question[0].Name)
		f.mu.Lock()
		f.seen[key]++
		n := f.seen[key]
		f.mu.Unlock()
		if n <= FlakyFailures && f.silent {
			return
		}
		if n <= FlakyFailures {
			m := new(dns.Msg)
			m.SetRcode(req, dns.RcodeServerFailure)
			_ = w.WriteMsg(m)
			return
		}
	}
	if m := f.s.answer(req); m != nil {
		_ = w.WriteMsg(m)
	}
}

// startResolvers serves the rewriting and the flaky resolver on loopback.
func (w *World) startResolvers() error {
	for _, r := range []struct {
		h    dns.Handler
		addr *string
	}{
		{rewriter{w.DNS}, &w.RewritingResolverAddr},
		{&flaky{s: w.DNS, seen: map[string]int{}}, &w.FlakyResolverAddr},
		{&flaky{s: w.DNS, silent: true, seen: map[string]int{}}, &w.FlakyTimeoutResolverAddr},
	} {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("lab resolver: %w", err)
		}
		srv := &dns.Server{PacketConn: pc, Handler: r.h}
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		w.internet.servers = append(w.internet.servers, srv)
		*r.addr = pc.LocalAddr().String()
	}
	return nil
}
