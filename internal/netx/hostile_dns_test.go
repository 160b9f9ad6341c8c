package netx

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// A reply whose header counts more records than it holds is malformed: an
// error, never NODATA (which would read as "the name has no address").
func TestQueryReplyThatLiesAboutItsCountsIsAnError(t *testing.T) {
	t.Parallel()
	srv := startDNS(t)
	srv.add(t, "lie.plumb.test. 60 IN A 192.0.2.1")
	srv.set("lie.plumb.test", "lie")
	r := newTestResolver(t, srv.addr)
	ans, err := r.Query(context.Background(), "lie.plumb.test", dns.TypeA)
	var de *DNSError
	if !errors.As(err, &de) || de.Kind != KindOther || errors.Is(err, ErrNoData) || errors.Is(err, ErrNXDomain) {
		t.Fatalf("Query = %v, %v; want a malformed-reply error", ans, err)
	}
	if !strings.Contains(err.Error(), "malformed") {
		t.Errorf("error does not say the reply is malformed: %v", err)
	}
	if _, err := r.LookupHost(context.Background(), "lie.plumb.test"); err == nil || errors.Is(err, ErrNoData) {
		t.Errorf("LookupHost = %v, want a malformed-reply error", err)
	}
}

// Attempts counts what the server saw: every retry and the TCP fallback.
func TestAttemptsCountRetriesAndTCP(t *testing.T) {
	t.Parallel()
	srv := startDNS(t)
	srv.add(t, "big.plumb.test. 60 IN A 192.0.2.1")
	srv.set("big.plumb.test", "big")
	srv.set("sf.plumb.test", "servfail")
	r := newTestResolver(t, srv.addr) // Retries: 1
	for _, tc := range []struct {
		name string
		want int
	}{{"big.plumb.test", 2}, {"sf.plumb.test", 2}, {"nx.plumb.test", 1}} {
		ans, err := r.Query(context.Background(), tc.name, dns.TypeA)
		seen := int(srv.udp.Load() + srv.tcp.Load())
		srv.udp.Store(0)
		srv.tcp.Store(0)
		if got := Attempts(ans, err); got != tc.want || got != seen {
			t.Errorf("%s: Attempts = %d, server saw %d, want %d", tc.name, got, seen, tc.want)
		}
	}
}
