package netx

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func newTestResolver(t testing.TB, servers ...string) *Resolver {
	t.Helper()
	r, err := NewResolver(ResolverConfig{Servers: servers, Timeout: 300 * time.Millisecond, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNewResolverValidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"127.0.0.1", "did you mean 127.0.0.1:53"},
		{"dns.google:53", "must be an IP address"},
		{"127.0.0.1:0", "bad port"},
		{"127.0.0.1:http", "bad port"},
		{"[::1]", "did you mean [::1]:53"},
	} {
		_, err := NewResolver(ResolverConfig{Servers: []string{tc.in}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewResolver(%q) = %v, want error containing %q", tc.in, err, tc.want)
		}
	}
	r, err := NewResolver(ResolverConfig{Servers: []string{"[::1]:5353", "127.0.0.1:53"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Servers(), ","); got != "[::1]:5353,127.0.0.1:53" {
		t.Errorf("Servers() = %s", got)
	}
}

func TestQueryClassification(t *testing.T) {
	t.Parallel()
	srv := startDNS(t)
	srv.add(t, "ok.plumb.test. 60 IN A 192.0.2.1", "txtonly.plumb.test. 60 IN TXT \"x\"")
	srv.set("sf.plumb.test", "servfail")
	srv.set("ref.plumb.test", "refused")
	srv.set("drop.plumb.test", "drop")
	r := newTestResolver(t, srv.addr)
	for _, tc := range []struct {
		name     string
		kind     DNSErrorKind // -1: no error
		sentinel error
		rcode    string
	}{
		{"ok.plumb.test", -1, nil, "NOERROR"},
		{"missing.plumb.test", KindNXDomain, ErrNXDomain, "NXDOMAIN"},
		{"txtonly.plumb.test", KindNoData, ErrNoData, "NOERROR"},
		{"sf.plumb.test", KindServFail, ErrServFail, "SERVFAIL"},
		{"ref.plumb.test", KindRefused, ErrRefused, "REFUSED"},
		{"drop.plumb.test", KindTimeout, ErrDNSTimeout, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ans, err := r.Query(context.Background(), tc.name, dns.TypeA)
			if tc.kind == -1 {
				if err != nil || ans.Evidence().Rcode != tc.rcode || len(ans.Evidence().Answer) != 1 {
					t.Fatalf("Query = %+v, %v", ans, err)
				}
				return
			}
			var de *DNSError
			if !errors.As(err, &de) || de.Kind != tc.kind || !errors.Is(err, tc.sentinel) {
				t.Fatalf("Query err = %v, want kind %v", err, tc.kind)
			}
			if tc.kind != KindNXDomain && errors.Is(err, ErrNXDomain) {
				t.Fatalf("%v must never read as NXDOMAIN", err)
			}
			if tc.rcode != "" && (ans == nil || ans.Evidence().Rcode != tc.rcode) {
				t.Fatalf("answer evidence = %+v, want rcode %s", ans, tc.rcode)
			}
			if tc.rcode == "" && (ans != nil || de.Rcode != -1 || de.Evidence().Error == "") {
				t.Fatalf("timeout: ans=%v rcode=%d ev=%+v", ans, de.Rcode, de.Evidence())
			}
		})
	}
}

func TestQueryServFailIsRetriedNXDomainIsNot(t *testing.T) {
	t.Parallel()
	srv := startDNS(t)
	srv.set("sf.plumb.test", "servfail")
	r := newTestResolver(t, srv.addr) // Retries: 1
	_, _ = r.Query(context.Background(), "sf.plumb.test", dns.TypeA)
	_, _ = r.Query(context.Background(), "nx.plumb.test", dns.TypeA)
	if got := srv.count("sf.plumb.test", dns.TypeA); got != 2 {
		t.Errorf("SERVFAIL asked %d times, want 2 (1 + 1 retry)", got)
	}
	if got := srv.count("nx.plumb.test", dns.TypeA); got != 1 {
		t.Errorf("NXDOMAIN asked %d times, want 1", got)
	}
}

func TestQueryFallsThroughToNextServer(t *testing.T) {
	t.Parallel()
	bad, good := startDNS(t), startDNS(t)
	bad.set("a.plumb.test", "servfail")
	good.add(t, "a.plumb.test. 60 IN A 192.0.2.7")
	for _, first := range []string{bad.addr, blackHole(t), deadUDP(t)} {
		r := newTestResolver(t, first, good.addr)
		ans, err := r.Query(context.Background(), "a.plumb.test", dns.TypeA)
		if err != nil || ans.Server != good.addr {
			t.Errorf("first=%s: Query = %v, %v; want answer from %s", first, ans, err, good.addr)
		}
	}
}

func TestQueryTCPFallbackOnTruncation(t *testing.T) {
	t.Parallel()
	srv := startDNS(t)
	srv.set("big.plumb.test", "big")
	r := newTestResolver(t, srv.addr)
	ans, err := r.Query(context.Background(), "big.plumb.test", dns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	if !ans.ViaTCP || len(ans.Msg.Answer) != 200 || ans.Msg.Truncated {
		t.Errorf("ViaTCP=%v answers=%d TC=%v; want full answer over TCP", ans.ViaTCP, len(ans.Msg.Answer), ans.Msg.Truncated)
	}
	if srv.udp.Load() < 1 || srv.tcp.Load() < 1 {
		t.Errorf("udp=%d tcp=%d queries", srv.udp.Load(), srv.tcp.Load())
	}
}

func TestDeadResolverFailsFastAndClearly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		servers []string
		kind    DNSErrorKind
	}{
		{"silent", []string{blackHole(t), blackHole(t)}, KindTimeout},
		{"refused", []string{deadUDP(t), deadUDP(t)}, KindUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newTestResolver(t, tc.servers...) // 300ms × 2 attempts × 2 servers
			start := time.Now()
			_, err := r.LookupHost(context.Background(), "api.plumb.test")
			elapsed := time.Since(start)
			var de *DNSError
			if !errors.As(err, &de) || de.Kind != tc.kind || !errors.Is(err, ErrResolverDown) {
				t.Fatalf("err = %v, want %v", err, tc.kind)
			}
			if errors.Is(err, ErrNXDomain) {
				t.Fatal("a dead resolver must not read as NXDOMAIN")
			}
			if !strings.Contains(err.Error(), "no DNS server answered") {
				t.Errorf("error not clear: %v", err)
			}
			if bound := 4*300*time.Millisecond + time.Second; elapsed > bound {
				t.Errorf("took %v, want < %v", elapsed, bound)
			}
		})
	}
}

func TestLookupHost(t *testing.T) {
	t.Parallel()
	srv := startDNS(t)
	srv.add(t,
		"www.plumb.test. 60 IN CNAME edge.plumb.test.",
		"edge.plumb.test. 60 IN CNAME lb.cdn.test.",
		"lb.cdn.test. 60 IN A 192.0.2.10",
		"lb.cdn.test. 60 IN AAAA 2001:db8::10",
		"dangling.plumb.test. 60 IN CNAME gone.cloud.test.",
		"txt.plumb.test. 60 IN TXT \"x\"",
	)
	srv.set("sf.plumb.test", "servfail")
	r := newTestResolver(t, srv.addr)
	ctx := context.Background()

	res, err := r.LookupHost(ctx, "WWW.plumb.test.")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("2001:db8::10")}
	if len(res.Addrs) != 2 || res.Addrs[0] != want[0] || res.Addrs[1] != want[1] {
		t.Errorf("Addrs = %v, want %v", res.Addrs, want)
	}
	if got := strings.Join(res.CNAMEs, " "); got != "edge.plumb.test. lb.cdn.test." {
		t.Errorf("CNAMEs = %q", got)
	}
	if len(res.Answers) != 2 {
		t.Errorf("Answers = %d", len(res.Answers))
	}

	for _, tc := range []struct {
		name string
		want error
	}{
		{"dangling.plumb.test", ErrNXDomain},
		{"txt.plumb.test", ErrNoData},
		{"sf.plumb.test", ErrServFail},
	} {
		if _, err := r.LookupHost(ctx, tc.name); !errors.Is(err, tc.want) {
			t.Errorf("LookupHost(%s) = %v, want %v", tc.name, err, tc.want)
		}
	}

	for _, lit := range []string{"127.0.0.1", "::1", "[::1]"} {
		res, err := r.LookupHost(ctx, lit)
		if err != nil || len(res.Addrs) != 1 || len(res.Answers) != 0 {
			t.Errorf("LookupHost(%s) = %+v, %v", lit, res, err)
		}
	}
}

func TestLookupHostCachesAndDeduplicates(t *testing.T) {
	t.Parallel()
	srv := startDNS(t)
	srv.add(t, "api.plumb.test. 60 IN A 127.0.0.1")
	r := newTestResolver(t, srv.addr)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := r.LookupHost(context.Background(), "api.plumb.test"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	_, _ = r.LookupHost(context.Background(), "nx.plumb.test")
	_, _ = r.LookupHost(context.Background(), "nx.plumb.test")
	if got := srv.count("api.plumb.test", dns.TypeA); got != 1 {
		t.Errorf("A asked %d times, want 1", got)
	}
	if got := srv.count("nx.plumb.test", dns.TypeA); got != 1 {
		t.Errorf("NXDOMAIN lookup asked %d times, want 1 (cached)", got)
	}
}

func TestQueryServerRecursionFlag(t *testing.T) {
	t.Parallel()
	srv := startDNS(t)
	srv.add(t, "ns.plumb.test. 60 IN A 192.0.2.53")
	r := newTestResolver(t, srv.addr)
	ans, err := r.QueryServer(context.Background(), srv.addr, "ns.plumb.test", dns.TypeA, false)
	if err != nil || ans.Server != srv.addr || ans.Msg.RecursionDesired {
		t.Fatalf("QueryServer = %+v, %v", ans, err)
	}
	if _, err := r.QueryServer(context.Background(), "not-an-address", "x.test", dns.TypeA, true); err == nil {
		t.Error("QueryServer accepted a bad server address")
	}
}

// TestAuthorityRate: a server asked directly that is not a configured
// resolver (a zone's own nameserver) gets its own limiter at
// RatePerAuthority, shared by every query to it; configured servers keep
// RatePerServer (none when it is 0).
func TestAuthorityRate(t *testing.T) {
	t.Parallel()
	r, err := NewResolver(ResolverConfig{Servers: []string{"127.0.0.1:53"}, RatePerAuthority: 7})
	if err != nil {
		t.Fatal(err)
	}
	if lim := r.limiter("127.0.0.1:53"); lim != nil {
		t.Errorf("the configured resolver got an authority limiter (%v/s)", lim.Limit())
	}
	a, b := r.limiter("192.0.2.53:53"), r.limiter("192.0.2.53:53")
	if a == nil || a != b || a.Limit() != 7 {
		t.Errorf("authority limiter %v (same: %v), want one at 7/s", a, a == b)
	}
	if c := r.limiter("192.0.2.54:53"); c == nil || c == a {
		t.Error("each authoritative server needs its own limiter")
	}
	unlimited, err := NewResolver(ResolverConfig{Servers: []string{"127.0.0.1:53"}})
	if err != nil {
		t.Fatal(err)
	}
	if lim := unlimited.limiter("192.0.2.53:53"); lim != nil {
		t.Error("no RatePerAuthority must mean no limit")
	}
}
