package dnsaudit

import (
	"context"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/idna"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/netx"
)

func TestAmbiguities(t *testing.T) {
	t.Parallel()
	puny := func(s string) string {
		a, err := idna.Lookup.ToASCII(s)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	cases := []struct {
		name, target string
		kinds        []string
	}{
		{"metrics", "api.vulnshop.test", []string{AmbSingleLabel}},
		{"api." + puny("vulnshоp.test"), "api.vulnshop.test", []string{AmbLookAlike}},   // Cyrillic о
		{"login." + puny("vulnshöp.test"), "api.vulnshop.test", []string{AmbLookAlike}}, // an accent
		{"api." + puny("ｖｕｌｎｓｈｏｐ.com"), "api.vulnshop.test", []string{AmbOtherTLD}},     // full-width is folded by IDNA itself
		{"auth.vulnshop.com", "api.vulnshop.test", []string{AmbOtherTLD}},
		{"api." + puny("vulnshоp.com"), "api.vulnshop.test", []string{AmbLookAlike, AmbOtherTLD}},
		// Healthy twins: the target's own domain, unrelated domains, IPs.
		{"auth.vulnshop.test", "api.vulnshop.test", nil},
		{"cdn.example.net", "api.vulnshop.test", nil},
		{"127.0.0.1", "api.vulnshop.test", nil},
		{"api." + puny("bücher.test"), "api.vulnshop.test", nil},
		{"vulnshop2.test", "api.vulnshop.test", nil},
	}
	for _, c := range cases {
		var got []string
		for _, a := range Ambiguities(c.name, c.target) {
			got = append(got, a.Kind)
			if !strings.Contains(a.Detail, " ") {
				t.Errorf("%s: detail %q", c.name, a.Detail)
			}
		}
		if !slices.Equal(got, c.kinds) {
			t.Errorf("%s next to %s: %v, want %v", c.name, c.target, got, c.kinds)
		}
	}
}

// TestSearchDomainNames: a single-label name and a name under no public
// suffix reach, through the search domain, a name that exists; names that
// exist as written (the twin) are not ambiguous.
func TestSearchDomainNames(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	a, err := labAuditor(t, w, func(o *Options, _ *netx.ResolverConfig) { o.SearchDomains = []string{"nowhere.test", lab.SearchDomain} })
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, says string
		status     finding.DNSStatus
	}{
		{lab.SearchOnlyName, "resolves as " + lab.SearchOnlyName + "." + lab.SearchDomain, finding.DNSUnresolved},
		{"api", "with the search domain vulnshop.test it reaches api.vulnshop.test", finding.DNSUnresolved},
		{"nosuch", "single-label", finding.DNSUnresolved},
		{"api.vulnshop.test", "", finding.DNSOK},
		{"nothere.internal", "", finding.DNSUnresolved},
	}
	for _, c := range cases {
		r := a.Audit(context.Background(), c.name)
		var amb []string
		for _, f := range r.Findings {
			if f.ID == IDAmbiguousName {
				amb = append(amb, f.Title+" | "+f.Evidence.Summary)
			}
		}
		if r.Status != c.status || (c.says == "") != (len(amb) == 0) || (c.says != "" && !strings.Contains(strings.Join(amb, " "), c.says)) {
			t.Errorf("%s: %s %q, want %s saying %q", c.name, r.Status, amb, c.status, c.says)
		}
	}
}
