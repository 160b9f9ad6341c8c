package dns_test

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/dns"
	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labcatalog"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/result"
)

func scanLab(t *testing.T, target func(*lab.World) lab.Target) *result.Report {
	t.Helper()
	w := labtest.Start(t)
	tg := target(w)
	return labtest.Scan(t, w, tg.BaseURL, tg.Token, nil, labcatalog.Checks()...)
}

// TestTokenHostAnyoneCanClaim: the vulnerable lab's OAuth token URL and
// legacy API server are CNAMEs to deleted cloud apps; the scan joins the
// DNS verdict with the credential flow.
func TestTokenHostAnyoneCanClaim(t *testing.T) {
	t.Parallel()
	rep := scanLab(t, func(w *lab.World) lab.Target { return w.Vuln })
	var crit *finding.Finding
	for i, f := range rep.Findings {
		if f.ID == "dns.dangling-cname" && f.Location.Host == "login.vulnshop.test" {
			crit = &rep.Findings[i]
		}
	}
	if crit == nil {
		t.Fatalf("no dangling-cname finding on login.vulnshop.test: %+v", rep.Findings)
	}
	if crit.Severity != finding.Critical || crit.Confidence < finding.Firm {
		t.Errorf("severity %s confidence %s, want critical, firm or confirmed", crit.Severity, crit.Confidence)
	}
	if !strings.Contains(crit.Title, "Bearer tokens would be sent to login.vulnshop.test, a host anyone can claim") {
		t.Errorf("title %q", crit.Title)
	}
	if len(crit.Evidence.DNS) == 0 || !strings.Contains(crit.Evidence.Summary, "token-endpoint") {
		t.Errorf("evidence should carry DNS answers and the host's roles: %+v", crit.Evidence)
	}
	langs := map[string]bool{}
	for _, s := range crit.Remediation.Snippets {
		langs[s.Lang] = true
	}
	if !langs["python-flask"] || !langs["go"] || !langs["node-express"] {
		t.Errorf("remediation snippets %v", langs)
	}
	for _, h := range rep.Hosts {
		if h.Name == "login.vulnshop.test" && (h.DNS == nil || h.DNS.Status != finding.DNSVulnerable) {
			t.Errorf("host graph DNS for login: %+v", h.DNS)
		}
	}
}

// TestCleanTwinHasNoDNSFinding: the clean lab's hosts all resolve, their
// delegations are served; nothing above info may come out.
func TestCleanTwinHasNoDNSFinding(t *testing.T) {
	t.Parallel()
	rep := scanLab(t, func(w *lab.World) lab.Target { return w.Clean })
	for _, f := range rep.Findings {
		if f.Category == finding.CatDNS {
			t.Errorf("clean twin DNS finding: %s %s %s", f.ID, f.Severity, f.Title)
		}
	}
}

// TestDroppedResolverIsReported: a scan whose first resolver rewrites
// NXDOMAIN says so in the report (and audits through the honest one: the
// dangling token host is still found); the twin with only the honest
// resolver reports no such thing.
func TestDroppedResolverIsReported(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, func(o *engine.Options) {
		o.Resolvers = []string{w.RewritingResolverAddr, w.DNSAddr}
	}, dns.Resolution{})
	dropped := labtest.WithID(rep, dnsaudit.IDResolverDropped)
	if len(dropped) != 1 || dropped[0].Location.Host != w.RewritingResolverAddr || !strings.Contains(dropped[0].Title, "rewrites NXDOMAIN") ||
		len(dropped[0].Evidence.DNS) != 1 {
		t.Errorf("resolver-dropped findings %+v", dropped)
	}
	if len(labtest.WithID(rep, dnsaudit.IDDanglingCNAME)) == 0 {
		t.Error("the honest resolver's verdicts are missing")
	}
	twin := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, dns.Resolution{})
	if got := labtest.WithID(twin, dnsaudit.IDResolverDropped); len(got) != 0 {
		t.Errorf("honest resolver reported dropped: %+v", got)
	}
}

// TestNoUsableResolverMarksEveryHost: when every resolver is dropped and
// there are no roots to resolve from, the scan's hosts say their DNS was
// not audited and why (error, never a missing or ok status), and the check
// is not assessed.
func TestNoUsableResolverMarksEveryHost(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, func(o *engine.Options) {
		o.Resolvers = []string{w.RewritingResolverAddr}
		o.DNSAudit = check.DNSAuditConfig{} // --dns-root none: nothing to fall back on
	}, dns.Resolution{})
	if len(rep.Hosts) == 0 {
		t.Fatal("no hosts in the report")
	}
	for _, h := range rep.Hosts {
		if h.DNS == nil || h.DNS.Status != finding.DNSError || !strings.Contains(h.DNS.Detail, "not audited: every configured resolver rewrites NXDOMAIN") {
			t.Errorf("host %s: DNS %+v, want error saying it was not audited and why", h.Name, h.DNS)
		}
	}
}
