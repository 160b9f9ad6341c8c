package dnsaudit

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// FuzzDNSReply feeds arbitrary replies (from servers plumb does not
// control) to the code that reads referrals, CNAME chains and SOAs.
func FuzzDNSReply(f *testing.F) {
	data, err := os.ReadFile("testdata/replies.b64")
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	for _, line := range strings.Fields(string(data)) {
		b, err := base64.StdEncoding.DecodeString(line)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "api.lamecorp.test")
		n++
	}
	if n == 0 {
		f.Fatal("empty seed corpus: testdata/replies.b64")
	}
	f.Fuzz(func(t *testing.T, raw []byte, name string) {
		m := new(dns.Msg)
		if m.Unpack(raw) != nil {
			return
		}
		name = normName(name)
		ans := &netx.Answer{Name: dns.Fqdn(name), Server: "127.0.0.1:53", Rcode: m.Rcode, Msg: m}
		if d := referral(ans, "test.", name); d != nil && (d.zone == "" || !HasSuffixLabel(name, d.zone)) {
			t.Fatalf("referral zone %q does not enclose %q", d.zone, name)
		}
		_ = referral(ans, ".", name)
		seen := 0
		follow(name, m, func(string, string) bool { seen++; return seen < maxChain })
		_ = hasSOA(m, name)
		_ = endsWithCNAME(m, name)
		_ = cnameOf(m, name)
		if z := soaZone(m, name); z != "" && !HasSuffixLabel(name, z) {
			t.Fatalf("SOA zone %q does not enclose %q", z, name)
		}
		_, _ = judgeAuthority(ans, name)
		_ = usableReply(ans, "test", name)
		for _, rr := range inBailiwick(ans, "test").Msg.Answer {
			if !HasSuffixLabel(rr.Header().Name, "test") {
				t.Fatalf("out-of-bailiwick record kept: %s", rr)
			}
		}
		_ = recordTargets(m.Answer, finding.DNSAnswer{})
	})
}

// FuzzName: names come from users' files and stdin.
func FuzzName(f *testing.F) {
	data, err := os.ReadFile("testdata/names.txt")
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) == 0 || lines[0] == "" {
		f.Fatal("empty seed corpus: testdata/names.txt")
	}
	for _, l := range lines {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := normName(s)
		if validName(n) && strings.ContainsAny(n, " /\t\n") {
			t.Fatalf("validName accepted %q", n)
		}
		_ = registrable(n)
		_ = HasSuffixLabel(n, "azurewebsites.net")
		if db, err := DefaultFingerprints(); err == nil {
			_ = db.IdentifyCNAME(n)
		}
	})
}

// FuzzRecordText: SPF and DMARC text comes from zones plumb does not
// control; every target it yields must be a host name.
func FuzzRecordText(f *testing.F) {
	data, err := os.ReadFile("testdata/records.txt")
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) == 0 || lines[0] == "" {
		f.Fatal("empty seed corpus: testdata/records.txt")
	}
	for _, l := range lines {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rr := &dns.TXT{Hdr: dns.RR_Header{Name: "x.example.", Rrtype: dns.TypeTXT, Class: dns.ClassINET}, Txt: []string{s}}
		for _, tg := range recordTargets([]dns.RR{rr}, finding.DNSAnswer{}) {
			if _, ok := dns.IsDomainName(tg.host); !ok || strings.ContainsAny(tg.host, " ;%") {
				t.Fatalf("%q gave the target %q", s, tg.host)
			}
		}
		_ = dmarcDomains(s)
	})
}

// FuzzAmbiguities: host names come from specs, errors and redirects.
func FuzzAmbiguities(f *testing.F) {
	for _, s := range []string{"metrics", "api.xn--vulnshp-fjg.test", "api.vulnshop.com", "xn--", "a..b", "ｖｕｌｎｓｈｏｐ.test"} {
		f.Add(s, "api.vulnshop.test")
	}
	f.Fuzz(func(t *testing.T, name, target string) {
		for _, a := range Ambiguities(name, target) {
			if a.Kind == "" || a.Detail == "" {
				t.Fatalf("%q next to %q: empty ambiguity %+v", name, target, a)
			}
		}
	})
}
