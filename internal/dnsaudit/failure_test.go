package dnsaudit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/netx"
)

// TestWhatCountsAsLame is the table of docs/dns.md ("What counts as
// lame"), row by row: each zone's only nameserver answers the SOA of its
// zone one way. Lame replies give a lame delegation (dangling: the lab
// nameserver belongs to no known provider); failures give error, never
// lame. Through the resolver and walking from the roots alike.
func TestWhatCountsAsLame(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rows := []struct {
		mode   lab.AuthMode
		lame   bool
		status finding.DNSStatus
		why    string // in the finding or the error
	}{
		{lab.AuthServe, false, finding.DNSOK, ""},
		{lab.AuthRefused, true, finding.DNSDangling, "REFUSED"},
		{lab.AuthNotAuth, true, finding.DNSDangling, "NOTAUTH"},
		{lab.AuthNXDomain, true, finding.DNSDangling, "NXDOMAIN for its own zone's apex"},
		{lab.AuthNoAA, true, finding.DNSDangling, "without authority (no AA bit)"},
		{lab.AuthNoSOA, true, finding.DNSDangling, "without the zone's SOA"},
		{lab.AuthUpward, true, finding.DNSDangling, "without authority"},
		{lab.AuthServfail, false, finding.DNSError, "SERVFAIL"},
		{lab.AuthSilent, false, finding.DNSError, "timeout"},
		{lab.AuthFormErr, false, finding.DNSError, "FORMERR"},
	}
	fast := func(o *Options, rc *netx.ResolverConfig) { rc.Timeout = 300 * time.Millisecond }
	viaResolver, err := labAuditor(t, w, fast)
	if err != nil {
		t.Fatal(err)
	}
	iter, err := labAuditor(t, w, func(o *Options, rc *netx.ResolverConfig) { fast(o, rc); o.Iterative = true })
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		for _, a := range []*Auditor{viaResolver, iter} {
			t.Run(fmt.Sprintf("%s/iterative=%v", row.mode, a.Iterative()), func(t *testing.T) {
				t.Parallel()
				r := a.Audit(context.Background(), "api."+lab.AuthModeZone(row.mode))
				got := ids(r)
				if r.Status != row.status || slices.Contains(got, IDLameDelegation) != row.lame {
					t.Errorf("status %s %v (%s), want %s lame=%v", r.Status, got, r.Error, row.status, row.lame)
				}
				text := r.Error
				for _, f := range r.Findings {
					text += " " + f.Title
				}
				if !strings.Contains(text, row.why) {
					t.Errorf("%q does not say %q", text, row.why)
				}
				if row.status == finding.DNSError && !strings.Contains(r.Error, "a failure, not a lame delegation") {
					t.Errorf("error %q should say the failure is not a lame delegation", r.Error)
				}
			})
		}
	}
}

// TestTwoProviders: a zone delegated to two DNS providers, one of which
// answers REFUSED for it, is partially lame; the providers are named; it
// is vulnerable when that provider lets anyone create the zone, dangling
// when it does not; the twin served by both is ok.
func TestTwoProviders(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	cases := []struct {
		zone      string
		status    finding.DNSStatus
		providers []string // named in the finding
	}{
		{lab.TwoProviderZone, finding.DNSVulnerable, []string{"ns1.digitalocean.com (DigitalOcean DNS): REFUSED", "Amazon Route 53"}},
		{lab.TwoProviderR53Lame, finding.DNSDangling, []string{"ns-1.awsdns-01.com (Amazon Route 53): REFUSED", "DigitalOcean DNS"}},
		{lab.TwoProviderTwin, finding.DNSOK, nil},
	}
	for _, mod := range []func(*Options, *netx.ResolverConfig){nil, iterative} {
		a, err := labAuditor(t, w, mod)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			r := a.Audit(context.Background(), "api."+c.zone)
			if r.Status != c.status || slices.Contains(ids(r), IDPartiallyLame) != (c.providers != nil) {
				t.Errorf("iterative=%v %s: %s %v, want %s", a.Iterative(), c.zone, r.Status, ids(r), c.status)
				continue
			}
			for _, f := range r.Findings {
				if f.ID != IDPartiallyLame {
					continue
				}
				for _, p := range c.providers {
					if !strings.Contains(f.Title+f.Evidence.Summary, p) {
						t.Errorf("%s: %q / %q does not name %q", c.zone, f.Title, f.Evidence.Summary, p)
					}
				}
				if len(f.Evidence.DNS) < 3 {
					t.Errorf("%s: evidence %v, want the referral and each server's SOA reply", c.zone, f.Evidence.DNS)
				}
			}
		}
	}
}

// definitive is an rcode that says something about a name: a verdict may
// rest on it, never on a timeout or SERVFAIL alone.
func definitive(rc string) bool {
	switch rc {
	case "NOERROR", "NXDOMAIN", "REFUSED", "NOTAUTH", "NODATA", "YXDOMAIN":
		return true
	}
	return false
}

// TestFailuresNeverDangle is a property test over the lab: names whose
// zones' servers (or whose resolver) answer only SERVFAIL or nothing at
// random places are never dangling or vulnerable, and every dangling or
// vulnerable verdict of the whole lab rests on at least one definitive
// answer.
func TestFailuresNeverDangle(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rng := rand.New(rand.NewPCG(17, 17))
	failing := []lab.Behaviour{lab.BehaviourServfail, lab.BehaviourTimeout}
	var names []string
	for i := range 40 {
		// A chain of 1-3 CNAMEs through lab zones, whose last hop fails.
		hops := 1 + rng.IntN(3)
		zones := []string{"vulnshop.test", "cleanshop.test", "evil.test"}
		prev := fmt.Sprintf("p%d.%s", i, zones[rng.IntN(len(zones))])
		names = append(names, prev)
		for h := range hops {
			next := fmt.Sprintf("p%d-%d.%s", i, h, zones[rng.IntN(len(zones))])
			if err := w.DNS.AddRecord(prev + ". CNAME " + next + "."); err != nil {
				t.Fatal(err)
			}
			prev = next
		}
		if err := w.DNS.AddRecord(prev + ". A 127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		w.DNS.SetBehaviour(prev, failing[rng.IntN(len(failing))])
	}
	for _, m := range []lab.AuthMode{lab.AuthServfail, lab.AuthSilent, lab.AuthFormErr} {
		names = append(names, "api."+lab.AuthModeZone(m), "www."+lab.AuthModeZone(m), lab.AuthModeZone(m))
	}
	names = append(names, "servfail.vulnshop.test", "timeout.vulnshop.test", "www."+lab.LoopZone)
	fast := func(o *Options, rc *netx.ResolverConfig) { rc.Timeout, rc.Retries = 200*time.Millisecond, -1 }
	for _, mod := range []func(*Options, *netx.ResolverConfig){fast, func(o *Options, rc *netx.ResolverConfig) { fast(o, rc); o.Iterative = true }} {
		a, err := labAuditor(t, w, mod)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, n := range names {
			wg.Go(func() {
				if r := a.Audit(context.Background(), n); r.Status == finding.DNSDangling || r.Status == finding.DNSVulnerable {
					t.Errorf("iterative=%v %s: %s %v from failures only", a.Iterative(), n, r.Status, ids(r))
				}
			})
		}
		wg.Wait()
	}
	// Every verdict of the lab's flawed names rests on a definitive answer.
	a, err := labAuditor(t, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"legacy-api.vulnshop.test", "billing.vulnshop.test", "api." + lab.LameZone, "api." + lab.PartialLameZone,
		"api." + lab.R53LameZone, "www." + lab.OrphanNSZone, "api." + lab.TwoProviderZone, "api." + lab.AuthModeZone(lab.AuthRefused)} {
		r := a.Audit(context.Background(), n)
		for _, f := range r.Findings {
			if !danglingID(f.ID) {
				continue
			}
			if !slices.ContainsFunc(f.Evidence.DNS, func(e finding.DNSAnswer) bool { return definitive(e.Rcode) }) {
				t.Errorf("%s: %s rests on no definitive answer: %+v", n, f.ID, f.Evidence.DNS)
			}
		}
	}
}
