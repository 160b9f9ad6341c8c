package dnsaudit

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/miekg/dns"

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
