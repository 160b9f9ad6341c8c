package lab

import (
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func query(t *testing.T, addr, network, name string, qtype uint16, rd bool, edns uint16) (*dns.Msg, error) {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = rd
	if edns > 0 {
		m.SetEdns0(edns, false)
	}
	c := &dns.Client{Net: network, Timeout: 2 * time.Second}
	r, _, err := c.Exchange(m, addr)
	return r, err
}

// summary renders an answer section as "name TYPE data" lines.
func summary(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		h := rr.Header()
		data := strings.TrimPrefix(rr.String(), h.String())
		out = append(out, h.Name+" "+dns.TypeToString[h.Rrtype]+" "+data)
	}
	return out
}

func TestDNSAnswers(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	cases := []struct {
		name      string
		qname     string
		qtype     uint16
		rd        bool
		rcode     int
		aa        bool
		answer    []string
		authority string // owner of the SOA expected in authority, "" for none
	}{
		{"A", "api.vulnshop.test", dns.TypeA, true, dns.RcodeSuccess, true,
			[]string{"api.vulnshop.test. A 127.0.0.1"}, ""},
		{"case insensitive", "API.VulnShop.TEST", dns.TypeA, true, dns.RcodeSuccess, true,
			[]string{"api.vulnshop.test. A 127.0.0.1"}, ""},
		{"AAAA", "ipv6.vulnshop.test", dns.TypeAAAA, false, dns.RcodeSuccess, true,
			[]string{"ipv6.vulnshop.test. AAAA ::1"}, ""},
		{"MX", "vulnshop.test", dns.TypeMX, false, dns.RcodeSuccess, true,
			[]string{"vulnshop.test. MX 10 mail.vulnshop.test."}, ""},
		{"TXT", "vulnshop.test", dns.TypeTXT, false, dns.RcodeSuccess, true,
			[]string{`vulnshop.test. TXT "v=spf1 -all"`}, ""},
		{"NS", "evil.test", dns.TypeNS, false, dns.RcodeSuccess, true,
			[]string{"evil.test. NS ns1.evil.test."}, ""},
		{"dangling chain ends NXDOMAIN", "legacy-api.vulnshop.test", dns.TypeA, true, dns.RcodeNameError, true,
			[]string{"legacy-api.vulnshop.test. CNAME vulnshop-legacy.azurewebsites.net."}, "azurewebsites.net."},
		{"dangling login chain", "login.vulnshop.test", dns.TypeA, true, dns.RcodeNameError, true,
			[]string{"login.vulnshop.test. CNAME vulnshop-login.azurewebsites.net."}, "azurewebsites.net."},
		{"dangling metrics chain", "metrics.vulnshop.test", dns.TypeAAAA, true, dns.RcodeNameError, true,
			[]string{"metrics.vulnshop.test. CNAME vulnshop-metrics.azurewebsites.net."}, "azurewebsites.net."},
		{"healthy chain", "www.vulnshop.test", dns.TypeA, true, dns.RcodeSuccess, true,
			[]string{"www.vulnshop.test. CNAME api.vulnshop.test.", "api.vulnshop.test. A 127.0.0.1"}, ""},
		{"no recursion: CNAME only", "legacy-api.vulnshop.test", dns.TypeA, false, dns.RcodeSuccess, true,
			[]string{"legacy-api.vulnshop.test. CNAME vulnshop-legacy.azurewebsites.net."}, ""},
		{"CNAME query", "legacy-api.vulnshop.test", dns.TypeCNAME, true, dns.RcodeSuccess, true,
			[]string{"legacy-api.vulnshop.test. CNAME vulnshop-legacy.azurewebsites.net."}, ""},
		{"NODATA", "api.vulnshop.test", dns.TypeMX, true, dns.RcodeSuccess, true, nil, "vulnshop.test."},
		{"NXDOMAIN", "nope.vulnshop.test", dns.TypeA, true, dns.RcodeNameError, true, nil, "vulnshop.test."},
		{"unclaimed cloud app", "someone-else.herokuapp.com", dns.TypeA, true, dns.RcodeNameError, true, nil, "herokuapp.com."},
		{"claimed cloud app", "cleanshop-app.azurewebsites.net", dns.TypeA, true, dns.RcodeSuccess, true,
			[]string{"cleanshop-app.azurewebsites.net. A 127.0.0.1"}, ""},
		{"REFUSED outside the lab", "example.org", dns.TypeA, true, dns.RcodeRefused, false, nil, ""},
		{"SERVFAIL", "servfail.vulnshop.test", dns.TypeA, true, dns.RcodeServerFailure, false, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, network := range []string{"udp", "tcp"} {
				r, err := query(t, w.DNSAddr, network, tc.qname, tc.qtype, tc.rd, 0)
				if err != nil {
					t.Fatalf("%s: %v", network, err)
				}
				if r.Rcode != tc.rcode {
					t.Errorf("%s: rcode %s, want %s", network, dns.RcodeToString[r.Rcode], dns.RcodeToString[tc.rcode])
				}
				if r.Authoritative != tc.aa || !r.RecursionAvailable || r.Truncated {
					t.Errorf("%s: AA=%v RA=%v TC=%v, want AA=%v RA=true TC=false", network, r.Authoritative, r.RecursionAvailable, r.Truncated, tc.aa)
				}
				if got := summary(r.Answer); !slices.Equal(got, tc.answer) {
					t.Errorf("%s: answer %q, want %q", network, got, tc.answer)
				}
				var soaOwner string
				if len(r.Ns) == 1 && r.Ns[0].Header().Rrtype == dns.TypeSOA {
					soaOwner = r.Ns[0].Header().Name
				}
				if soaOwner != tc.authority {
					t.Errorf("%s: authority %v, want SOA of %q", network, r.Ns, tc.authority)
				}
			}
		})
	}
}

func TestDNSTimeout(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			t.Parallel()
			m := new(dns.Msg)
			m.SetQuestion("timeout.vulnshop.test.", dns.TypeA)
			c := &dns.Client{Net: network, Timeout: 300 * time.Millisecond}
			r, _, err := c.Exchange(m, w.DNSAddr)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("got %v, %v; want a timeout", r, err)
			}
		})
	}
}

func TestDNSTruncation(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	cases := []struct {
		name      string
		network   string
		edns      uint16
		truncated bool
	}{
		{"udp without EDNS", "udp", 0, true},
		{"udp with 1232-byte EDNS", "udp", 1232, true},
		{"udp with 4096-byte EDNS", "udp", 4096, false},
		{"tcp", "tcp", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := query(t, w.DNSAddr, tc.network, "big.vulnshop.test", dns.TypeTXT, true, tc.edns)
			if err != nil {
				t.Fatal(err)
			}
			if r.Truncated != tc.truncated {
				t.Errorf("TC=%v, want %v", r.Truncated, tc.truncated)
			}
			if want := bigTXTRecords; !tc.truncated && len(r.Answer) != want {
				t.Errorf("got %d records, want %d", len(r.Answer), want)
			}
			if tc.truncated && len(r.Answer) >= bigTXTRecords {
				t.Errorf("truncated answer still has all %d records", len(r.Answer))
			}
		})
	}
}

func TestDNSEditZones(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	// Claiming the dangling app turns the chain into an answer, as a
	// takeover would.
	if err := w.DNS.AddRecord("vulnshop-legacy.azurewebsites.net. 60 IN A 127.0.0.2"); err != nil {
		t.Fatal(err)
	}
	r, err := query(t, w.DNSAddr, "udp", "legacy-api.vulnshop.test", dns.TypeA, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"legacy-api.vulnshop.test. CNAME vulnshop-legacy.azurewebsites.net.",
		"vulnshop-legacy.azurewebsites.net. A 127.0.0.2",
	}
	if got := summary(r.Answer); r.Rcode != dns.RcodeSuccess || !slices.Equal(got, want) {
		t.Errorf("after claim: %s %q, want NOERROR %q", dns.RcodeToString[r.Rcode], got, want)
	}
	if err := w.DNS.AddRecord("x.example.org. 60 IN A 127.0.0.1"); err == nil {
		t.Error("AddRecord outside every zone: want an error")
	}
	w.DNS.SetBehaviour("docs.vulnshop.test", BehaviourRefused)
	if r, err := query(t, w.DNSAddr, "udp", "docs.vulnshop.test", dns.TypeA, true, 0); err != nil || r.Rcode != dns.RcodeRefused {
		t.Errorf("behaviour refused: %v %v", r, err)
	}
	w.DNS.RemoveRecords("api.cleanshop.test", dns.TypeA)
	if r, err := query(t, w.DNSAddr, "udp", "api.cleanshop.test", dns.TypeA, true, 0); err != nil || r.Rcode != dns.RcodeNameError {
		t.Errorf("after remove: %v %v", r, err)
	}
	if got := w.DNS.Zones(); len(got) != len(zoneData)+internetMainZones {
		t.Errorf("Zones() = %v", got)
	}
}

func TestParseZone(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		lines []string
		ok    bool
	}{
		{"relative names", []string{soaLine("a.test."), "www A 127.0.0.1"}, true},
		{"no SOA", []string{"www A 127.0.0.1"}, false},
		{"out of zone", []string{soaLine("a.test."), "www.b.test. A 127.0.0.1"}, false},
		{"syntax", []string{soaLine("a.test."), "www A not-an-ip"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseZone("a.test", tc.lines...)
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
