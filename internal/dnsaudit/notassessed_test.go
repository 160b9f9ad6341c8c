package dnsaudit

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

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
