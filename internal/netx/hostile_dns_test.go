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
