package dnsaudit

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/netx"
)

// closedPort returns a loopback UDP port nothing listens on (bound, then
// released): queries to it fail at once (connection refused).
func closedPort(t *testing.T) uint16 {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	_ = c.Close()
	return uint16(port)
}

// TestFailuresStayFailures: when the walk to a name's parent zone cannot
// reach the zone's servers (here: the authorities' port is wrong, as when a
// parent-zone server times out), the registration of a CAA issuer domain,
// the name's delegation and its lame check are not done. The name must not
// read ok (the flawed name would hide its dangling CAA, the clean twin
// would claim a check it did not make): it is error, with a
// dns.lookup-failed naming each step. With the walk working, the flawed
// name is dangling and its twin ok.
func TestFailuresStayFailures(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	types := func(o *Options, rc *netx.ResolverConfig) {
		o.Types = TypeA | TypeCAA
		rc.Timeout = 300 * time.Millisecond
	}
	working, err := labAuditor(t, w, types)
	if err != nil {
		t.Fatal(err)
	}
	port := closedPort(t)
	broken, err := labAuditor(t, w, func(o *Options, rc *netx.ResolverConfig) { types(o, rc); o.AuthorityPort = port })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range []string{lab.CAARotHost, lab.CAAOKHost} {
		r := broken.Audit(ctx, name)
		if r.Status != finding.DNSError {
			t.Errorf("%s with the parent walk failing: status %s %v, want error", name, r.Status, ids(r))
		}
		if !slices.Contains(ids(r), IDLookupFailed) || !strings.Contains(r.Error, "could not be checked") {
			t.Errorf("%s: error %q, findings %v: want a dns.lookup-failed saying what could not be checked", name, r.Error, ids(r))
		}
		if name == lab.CAARotHost && !strings.Contains(r.Error, "CAA issue target pki."+lab.UnregisteredDom) {
			t.Errorf("%s: error %q does not name the CAA target whose registration was not checked", name, r.Error)
		}
	}
	if r := working.Audit(ctx, lab.CAARotHost); r.Status != finding.DNSDangling || !slices.Contains(ids(r), IDDanglingCAA) {
		t.Errorf("%s with the walk working: status %s %v, want dangling with %s", lab.CAARotHost, r.Status, ids(r), IDDanglingCAA)
	}
	if r := working.Audit(ctx, lab.CAAOKHost); r.Status != finding.DNSOK || slices.Contains(ids(r), IDLookupFailed) {
		t.Errorf("%s with the walk working: status %s %v (%s), want ok", lab.CAAOKHost, r.Status, ids(r), r.Error)
	}
}

// TestFailedHTTPFingerprintIsNotOK: a name whose chain identifies a
// service with an "unclaimed" page (Heroku) is ok only when the page was
// seen and is not that one. With nothing answering HTTP the check was not
// done: error, with a dns.lookup-failed holding the failed exchanges. The
// same name with HTTP answering is ok.
func TestFailedHTTPFingerprintIsNotOK(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	port := closedPort(t)
	noHTTP := func(o *Options, rc *netx.ResolverConfig) {
		res, err := netx.NewResolver(netx.ResolverConfig{Servers: []string{w.DNSAddr}, Timeout: 500 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		var cts []netx.ConnectTo
		for _, c := range []string{fmt.Sprintf(":443:127.0.0.1:%d", port), fmt.Sprintf(":80:127.0.0.1:%d", port)} {
			ct, err := netx.ParseConnectTo(c)
			if err != nil {
				t.Fatal(err)
			}
			cts = append(cts, ct)
		}
		if o.HTTP, err = netx.NewClient(netx.Config{Resolver: res, ConnectTo: cts, RootCAs: w.CAPool, Timeout: time.Second, Rate: -1}); err != nil {
			t.Fatal(err)
		}
	}
	broken, err := labAuditor(t, w, noHTTP)
	if err != nil {
		t.Fatal(err)
	}
	working, err := labAuditor(t, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := broken.Audit(ctx, lab.HealthyCNAMEHost)
	if r.Status != finding.DNSError || !strings.Contains(r.Error, "fingerprint") {
		t.Errorf("%s with HTTP failing: %s %v (%s), want error saying the fingerprint was not checked", r.Name, r.Status, ids(r), r.Error)
	}
	for _, f := range r.Findings {
		if f.ID == IDLookupFailed && len(f.Evidence.HTTP) == 0 {
			t.Errorf("%s: the failure carries no HTTP exchange as evidence", f.Title)
		}
	}
	if r := working.Audit(ctx, lab.HealthyCNAMEHost); r.Status != finding.DNSOK {
		t.Errorf("%s with HTTP answering: %s %v (%s), want ok", r.Name, r.Status, ids(r), r.Error)
	}
}

// TestFailedAAAAIsNotOK: a resolver that never answers AAAA (a loopback
// relay in front of the lab's that drops those questions) leaves the
// name's IPv6 addresses unaudited: error, not ok. Its A-only twin run
// (--types A) does not ask AAAA and is ok.
func TestFailedAAAAIsNotOK(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rl := startRelay(t, w.DNSAddr, func(q *dns.Msg) bool { return len(q.Question) == 1 && q.Question[0].Qtype == dns.TypeAAAA })
	fast := func(o *Options, rc *netx.ResolverConfig) {
		o.Roots, rc.Timeout, rc.Retries = nil, 200*time.Millisecond, -1
	}
	withAAAA, err := labAuditor(t, w, func(o *Options, rc *netx.ResolverConfig) { fast(o, rc); o.Types = TypeA | TypeAAAA }, rl.addr)
	if err != nil {
		t.Fatal(err)
	}
	aOnly, err := labAuditor(t, w, func(o *Options, rc *netx.ResolverConfig) { fast(o, rc); o.Types = TypeA }, rl.addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := withAAAA.Audit(ctx, lab.CAAOKHost)
	if r.Status != finding.DNSError || !strings.Contains(r.Error, "AAAA failed") {
		t.Errorf("%s with AAAA unanswered: %s %v (%s), want error saying AAAA failed", r.Name, r.Status, ids(r), r.Error)
	}
	if r := aOnly.Audit(ctx, lab.CAAOKHost); r.Status != finding.DNSOK {
		t.Errorf("%s, --types A: %s %v (%s), want ok", r.Name, r.Status, ids(r), r.Error)
	}
}
