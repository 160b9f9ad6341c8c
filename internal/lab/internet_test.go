package lab

import (
	"errors"
	"net"
	"testing"

	"github.com/miekg/dns"
)

// TestAuthorityModes: the misbehaving authority answers the SOA of each
// zone delegated to it in that zone's mode, and the TLD delegates each
// zone to it.
func TestAuthorityModes(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	odd := net.JoinHostPort(oddIP, w.AuthorityPort)
	tld := net.JoinHostPort(tldIP, w.AuthorityPort)
	cases := []struct {
		mode  AuthMode
		rcode int
		aa    bool
		soa   bool
	}{
		{AuthServe, dns.RcodeSuccess, true, true},
		{AuthRefused, dns.RcodeRefused, false, false},
		{AuthNotAuth, dns.RcodeNotAuth, false, false},
		{AuthNXDomain, dns.RcodeNameError, true, false},
		{AuthNoAA, dns.RcodeSuccess, false, true},
		{AuthNoSOA, dns.RcodeSuccess, true, false},
		{AuthUpward, dns.RcodeSuccess, false, false},
		{AuthServfail, dns.RcodeServerFailure, false, false},
		{AuthFormErr, dns.RcodeFormatError, false, false},
	}
	for _, c := range cases {
		t.Run(string(c.mode), func(t *testing.T) {
			t.Parallel()
			zone := AuthModeZone(c.mode)
			r, err := query(t, odd, "udp", zone, dns.TypeSOA, false, 0)
			if err != nil {
				t.Fatal(err)
			}
			if r.Rcode != c.rcode || r.Authoritative != c.aa || (len(r.Answer) == 1) != c.soa {
				t.Errorf("rcode %s AA %v answer %v; want %s AA %v SOA %v", dns.RcodeToString[r.Rcode], r.Authoritative, r.Answer,
					dns.RcodeToString[c.rcode], c.aa, c.soa)
			}
			ref, err := query(t, tld, "udp", "api."+zone, dns.TypeA, false, 0)
			if err != nil || len(ref.Ns) != 1 || len(ref.Extra) != 1 || ref.Extra[0].(*dns.A).A.String() != oddIP {
				t.Errorf("TLD referral for %s: %v %v", zone, ref, err)
			}
		})
	}
	_, err := query(t, odd, "udp", AuthModeZone(AuthSilent), dns.TypeSOA, false, 0)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("silent mode: %v, want a timeout", err)
	}
}

// TestProvidersServeTheirZones: each provider answers for the zones it
// still has and refuses the ones it lost.
func TestProvidersServeTheirZones(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	do := net.JoinHostPort(doIP, w.AuthorityPort)
	r53 := net.JoinHostPort(r53IP, w.AuthorityPort)
	cases := []struct {
		server, zone string
		rcode        int
	}{
		{do, TwoProviderTwin, dns.RcodeSuccess},
		{r53, TwoProviderTwin, dns.RcodeSuccess},
		{r53, TwoProviderZone, dns.RcodeSuccess},
		{do, TwoProviderZone, dns.RcodeRefused},
		{do, TwoProviderR53Lame, dns.RcodeSuccess},
		{r53, TwoProviderR53Lame, dns.RcodeRefused},
		{do, LameZone, dns.RcodeRefused},
		{r53, R53LameZone, dns.RcodeRefused},
	}
	for _, c := range cases {
		r, err := query(t, c.server, "udp", c.zone, dns.TypeSOA, false, 0)
		if err != nil || r.Rcode != c.rcode || (c.rcode == dns.RcodeSuccess && !r.Authoritative) {
			t.Errorf("%s @%s: %v %v, want %s", c.zone, c.server, r, err, dns.RcodeToString[c.rcode])
		}
	}
	// The main resolver answers for partially lame zones (it found the
	// healthy server) and fails for lame ones.
	for name, rcode := range map[string]int{"api." + TwoProviderZone: dns.RcodeSuccess, "api." + AuthModeZone(AuthServe): dns.RcodeSuccess,
		"api." + AuthModeZone(AuthServfail): dns.RcodeServerFailure, MailRotZone: dns.RcodeSuccess} {
		r, err := query(t, w.DNSAddr, "udp", name, dns.TypeA, true, 0)
		if err != nil || r.Rcode != rcode {
			t.Errorf("%s via the resolver: %v %v, want %s", name, r, err, dns.RcodeToString[rcode])
		}
	}
}
