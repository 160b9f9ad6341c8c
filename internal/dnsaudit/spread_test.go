package dnsaudit

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/netx"
)

// relay is a loopback UDP DNS forwarder to upstream that counts the
// questions it gets: a second, third... resolver in front of the lab's.
type relay struct {
	addr string
	n    atomic.Int64
}

// drop, if set, picks the questions left unanswered.
func startRelay(t *testing.T, upstream string, drop func(*dns.Msg) bool) *relay {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	r := &relay{addr: pc.LocalAddr().String()}
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			r.n.Add(1)
			q := append([]byte(nil), buf[:n]...)
			if m := new(dns.Msg); drop != nil && m.Unpack(q) == nil && drop(m) {
				continue
			}
			go func() {
				up, err := net.Dial("udp", upstream)
				if err != nil {
					return
				}
				defer func() { _ = up.Close() }()
				_ = up.SetDeadline(time.Now().Add(2 * time.Second))
				if _, err := up.Write(q); err != nil {
					return
				}
				resp := make([]byte, 65535)
				m, err := up.Read(resp)
				if err != nil {
					return
				}
				_, _ = pc.WriteTo(resp[:m], from)
			}()
		}
	}()
	return r
}

// TestResolversShareTheLoad: with several resolvers, each audited name
// starts at its own, so a bulk run spreads over all of them (their
// --dns-rate adds up) instead of sending everything to the first; the
// verdicts do not change, and a name's first resolver is the same run
// after run.
func TestResolversShareTheLoad(t *testing.T) {
	t.Parallel()
	const names = 300
	recs := []string{"@ 300 IN SOA ns1.spread.test. h.spread.test. 1 3600 600 86400 60"}
	for i := range names {
		recs = append(recs, fmt.Sprintf("h%d A 192.0.2.%d", i, i%250+1))
	}
	z, err := lab.ParseZone("spread.test.", recs...)
	if err != nil {
		t.Fatal(err)
	}
	w := labtest.Start(t, lab.Options{ExtraZones: []lab.Zone{z}})
	relays := []*relay{startRelay(t, w.DNSAddr, nil), startRelay(t, w.DNSAddr, nil), startRelay(t, w.DNSAddr, nil)}
	addrs := make([]string, len(relays))
	for i, r := range relays {
		addrs[i] = r.addr
	}
	a, err := labAuditor(t, w, func(o *Options, rc *netx.ResolverConfig) { o.Roots = nil; o.Types = TypeA }, addrs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range relays {
		r.n.Store(0) // the probe asked each once
	}
	for i := range names {
		if r := a.Audit(context.Background(), fmt.Sprintf("h%d.spread.test", i)); r.Status != finding.DNSOK {
			t.Fatalf("%s through three resolvers: %s %v (%s)", r.Name, r.Status, ids(r), r.Error)
		}
	}
	total := int64(0)
	for _, r := range relays {
		total += r.n.Load()
	}
	for i, r := range relays {
		if got := r.n.Load(); got < total/6 {
			t.Errorf("resolver %d got %d of %d questions: the load is not spread (want at least a sixth each)", i, got, total)
		}
	}
	order := func() []string { return (&run{a: a, res: &Result{Name: "h1.spread.test"}}).resolverOrder() }
	if first, again := order(), order(); first[0] != again[0] {
		t.Errorf("a name's first resolver changes between runs: %v vs %v", first, again)
	}
}
