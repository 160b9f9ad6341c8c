package dnsaudit

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/netx"
)

// TestRecordTargets: names whose MX, NS, SRV, SPF, DMARC or CAA records
// point into an unregistered domain (or at a name that does not exist),
// each next to a healthy twin, through the resolver and from the roots.
func TestRecordTargets(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	all := func(o *Options, _ *netx.ResolverConfig) { o.Types = DefaultTypes | TypeSRV | TypeTXT | TypeCAA }
	cases := []struct {
		name   string
		status finding.DNSStatus
		id     string // "" for none of the record-target ids
	}{
		{lab.MailRotZone, finding.DNSVulnerable, IDDanglingMX}, // an apex without an address: mail is all it does
		{lab.MailOKZone, finding.DNSOK, ""},
		{lab.NSRotZone, finding.DNSVulnerable, IDDanglingNS},
		{"cleanshop.test", finding.DNSOK, ""},
		{lab.SPFRotHost, finding.DNSVulnerable, IDDanglingSPF},
		{lab.SPFRotHost, finding.DNSVulnerable, IDDanglingDMARC},
		{lab.SPFOKHost, finding.DNSOK, ""},
		{lab.SRVRotHost, finding.DNSVulnerable, IDDanglingSRV},
		{lab.SRVGoneHost, finding.DNSDangling, IDDanglingSRV},
		{lab.SRVOKHost, finding.DNSOK, ""},
		{lab.CAARotHost, finding.DNSDangling, IDDanglingCAA},
		{lab.CAAOKHost, finding.DNSOK, ""},
	}
	targetIDs := []string{IDDanglingMX, IDDanglingNS, IDDanglingSRV, IDDanglingSPF, IDDanglingDMARC, IDDanglingCAA}
	for _, mod := range []func(*Options, *netx.ResolverConfig){all, func(o *Options, rc *netx.ResolverConfig) { all(o, rc); o.Iterative = true }} {
		a, err := labAuditor(t, w, mod)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			r := a.Audit(context.Background(), c.name)
			got := ids(r)
			if r.Status != c.status {
				t.Errorf("iterative=%v %s: %s %v (%s), want %s", a.Iterative(), c.name, r.Status, got, r.Error, c.status)
			}
			for _, id := range targetIDs {
				if slices.Contains(got, id) != (id == c.id) && (c.id == "" || id == c.id) {
					t.Errorf("iterative=%v %s: findings %v, want %q", a.Iterative(), c.name, got, c.id)
				}
			}
			for _, f := range r.Findings {
				if slices.Contains(targetIDs, f.ID) && (len(f.Evidence.DNS) < 2 || f.Evidence.DNS[0].Server == "") {
					t.Errorf("%s %s: evidence %+v, want the record's answer and the target's", c.name, f.ID, f.Evidence.DNS)
				}
			}
		}
	}
	// The default types leave TXT alone.
	a, err := labAuditor(t, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := a.Audit(context.Background(), lab.SPFRotHost); r.Status != finding.DNSOK {
		t.Errorf("default types audit TXT: %s %v", r.Status, ids(r))
	}
}

func TestParseTypes(t *testing.T) {
	t.Parallel()
	if got, err := ParseTypes(" a,aaaa, MX ,NS,srv,TXT,CAA,CNAME"); err != nil || got.String() != "A,AAAA,CNAME,MX,NS,SRV,TXT,CAA" {
		t.Errorf("all types: %v %v", got, err)
	}
	for _, bad := range []string{"", "PTR", "A,,X", ","} {
		if _, err := ParseTypes(bad); err == nil {
			t.Errorf("ParseTypes(%q): want an error", bad)
		}
	}
	// TypeNames is what ParseTypes accepts, one by one and all together.
	names := TypeNames()
	for _, n := range names {
		if got, err := ParseTypes(n); err != nil || got.String() != n {
			t.Errorf("ParseTypes(%q) = %v, %v", n, got, err)
		}
	}
	if all, err := ParseTypes(strings.Join(names, ",")); err != nil || all.String() != strings.Join(names, ",") || len(names) != 8 {
		t.Errorf("TypeNames %v parse as %v, %v", names, all, err)
	}
	if DefaultTypes.String() != "A,AAAA,CNAME,MX,NS" {
		t.Errorf("default types %s", DefaultTypes)
	}
}

func TestSPFAndDMARCParsing(t *testing.T) {
	t.Parallel()
	spf := spfTargets("v=spf1 ip4:192.0.2.0/24 +include:_spf.a.example ~include:%{i}.b.example redirect=c.example -all")
	if len(spf) != 2 || spf[0].host != "_spf.a.example" || spf[1].kind != "SPF redirect" || spf[1].host != "c.example" {
		t.Errorf("spf %+v", spf)
	}
	if spfTargets("v=spf10 include:x.example") != nil || spfTargets("not spf") != nil {
		t.Error("a non-SPF TXT record gave targets")
	}
	d := dmarcDomains("v=DMARC1; p=reject; rua=mailto:a@r.example,mailto:b@s.example!10m; ruf=mailto:f@t.example; fo=1")
	if len(d) != 3 || d[0].host != "r.example" || d[1].host != "s.example" || d[2].kind != "DMARC ruf" {
		t.Errorf("dmarc %+v", d)
	}
	if dmarcDomains("v=spf1 rua=mailto:a@b.example") != nil {
		t.Error("a non-DMARC record gave targets")
	}
}
