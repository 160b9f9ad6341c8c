package dnsaudit

import (
	"context"
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

func iterative(o *Options, _ *netx.ResolverConfig) { o.Iterative = true }

// TestIterativeAgreesWithResolver: walking from the lab root gives every
// name the verdict it gets through the lab resolver.
func TestIterativeAgreesWithResolver(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	for _, rec := range []string{"loop1.vulnshop.test. CNAME loop2.vulnshop.test.", "loop2.vulnshop.test. CNAME loop1.vulnshop.test."} {
		if err := w.DNS.AddRecord(rec); err != nil {
			t.Fatal(err)
		}
	}
	viaResolver, err := labAuditor(t, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	iter, err := labAuditor(t, w, iterative)
	if err != nil {
		t.Fatal(err)
	}
	if !iter.Iterative() || viaResolver.Iterative() {
		t.Fatalf("modes: iterative %v, resolver %v", iter.Iterative(), viaResolver.Iterative())
	}
	for _, name := range []string{
		"api.vulnshop.test", "www.vulnshop.test", "legacy-api.vulnshop.test", "billing.vulnshop.test", "api.lamecorp.test",
		"api.partial.test", "api.r53lame.test", "www.orphanns.test", "nsdead.vulnshop.test", "servfail.vulnshop.test",
		"timeout.vulnshop.test", "nothere.vulnshop.test", "www.gone-vendor.test", "acme.tenants.vulnshop.test",
		lab.UnclaimedHerokuHost, "loop1.vulnshop.test", "api." + lab.TwoProviderZone, "api." + lab.TwoProviderTwin,
		"api." + lab.AuthModeZone(lab.AuthServfail), "api." + lab.AuthModeZone(lab.AuthRefused),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want := viaResolver.Audit(context.Background(), name)
			got := iter.Audit(context.Background(), name)
			if got.Status != want.Status {
				t.Errorf("iterative %s %v (%s), through the resolver %s %v", got.Status, ids(got), got.Error, want.Status, ids(want))
			}
			for _, id := range ids(want) {
				if id != IDLookupFailed && !slices.Contains(ids(got), id) {
					t.Errorf("iterative lacks %s: %v", id, ids(got))
				}
			}
		})
	}
}

// TestIterativeFollowsChainsAcrossZones: a CNAME into a zone served by a
// provider whose nameservers live under another TLD (no glue in the
// parent) resolves, and each hop names the authority that answered it.
func TestIterativeFollowsChainsAcrossZones(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	if err := w.DNS.AddRecord("multi.vulnshop.test. CNAME api." + lab.TwoProviderZone + "."); err != nil {
		t.Fatal(err)
	}
	a, err := labAuditor(t, w, iterative)
	if err != nil {
		t.Fatal(err)
	}
	r := a.Audit(context.Background(), "multi.vulnshop.test")
	if r.Status != finding.DNSVulnerable || !slices.Contains(ids(r), IDPartiallyLame) {
		t.Errorf("status %s %v, want the target zone's partial lameness", r.Status, ids(r))
	}
	r53 := net.JoinHostPort("127.0.0.6", w.AuthorityPort)
	if len(r.Chain) != 2 || r.Chain[0].Type != "CNAME" || r.Chain[1].Value != "127.0.0.1" || r.Chain[1].Server != r53 {
		t.Errorf("chain %+v, want the CNAME then the address from %s", r.Chain, r53)
	}
}

// TestIterativeTCPOnTruncation: an answer too big for UDP is fetched over
// TCP from the authority.
func TestIterativeTCPOnTruncation(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	a, err := labAuditor(t, w, iterative)
	if err != nil {
		t.Fatal(err)
	}
	rn := &run{a: a, res: &Result{Name: "big.vulnshop.test"}}
	ans, err := rn.resolveIter(context.Background(), "big.vulnshop.test", dns.TypeTXT)
	if ans == nil || !ans.ViaTCP || len(ans.Msg.Answer) != 30 {
		t.Fatalf("answer %v (err %v), want 30 TXT records over TCP", ans, err)
	}
}

// TestIterativeLimits: a delegation loop (each zone's nameserver lives in
// the other, no glue) ends in error, never in a hang or a verdict.
func TestIterativeLimits(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	for _, mod := range []func(*Options, *netx.ResolverConfig){nil, iterative} {
		a, err := labAuditor(t, w, mod)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		r := a.Audit(ctx, "www."+lab.LoopZone)
		cancel()
		if r.Status != finding.DNSError || r.Queries > maxNameWork {
			t.Errorf("iterative %v: %s %v in %d queries (%s), want error", a.Iterative(), r.Status, ids(r), r.Queries, r.Error)
		}
	}
}

// TestIterativeSkipsDeadServer: one nameserver of the zone is unreachable;
// the other answers, the dead one is reported as failing, not lame.
func TestIterativeSkipsDeadServer(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	a, err := labAuditor(t, w, iterative)
	if err != nil {
		t.Fatal(err)
	}
	r := a.Audit(context.Background(), "api."+lab.DeadNSZone)
	if r.Status != finding.DNSOK || !slices.Contains(ids(r), IDNameserverFailed) || slices.Contains(ids(r), IDPartiallyLame) {
		t.Errorf("%s %v (%s), want ok with the dead nameserver reported as failing", r.Status, ids(r), r.Error)
	}
}

// TestFallbackToIterative: when every resolver lies or fails and root
// servers are known, plumb resolves from the roots and says so; an honest
// resolver (the twin) is used as is.
func TestFallbackToIterative(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	fast := func(_ *Options, rc *netx.ResolverConfig) { rc.Timeout = 200 * time.Millisecond }
	for _, c := range []struct {
		resolver string
		why      string
	}{{w.RewritingResolverAddr, "rewrites NXDOMAIN"}, {"127.0.0.10:53", "fails"}} {
		a, err := labAuditor(t, w, fast, c.resolver)
		if err != nil {
			t.Fatal(err)
		}
		n := a.Notices()
		if !a.Iterative() || len(n) != 2 || n[0].Server != c.resolver || !strings.Contains(n[0].Reason, c.why) || n[1].Kind != NoticeIterative {
			t.Fatalf("%s: iterative %v, notices %+v", c.resolver, a.Iterative(), n)
		}
		for name, want := range map[string]finding.DNSStatus{"legacy-api.vulnshop.test": finding.DNSVulnerable,
			"nothere.vulnshop.test": finding.DNSUnresolved, "api.vulnshop.test": finding.DNSOK} {
			if r := a.Audit(context.Background(), name); r.Status != want {
				t.Errorf("%s after falling back: %s %v, want %s", name, r.Status, ids(r), want)
			}
		}
	}
	twin, err := labAuditor(t, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	if twin.Iterative() || len(twin.Notices()) != 0 {
		t.Errorf("an honest resolver: iterative %v, notices %+v", twin.Iterative(), twin.Notices())
	}
}
