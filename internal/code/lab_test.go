package code_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/code"
	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/netx"
)

// labAuditor audits names through the lab's resolver, walking
// delegations from the lab's root, as `plumb code --resolver --dns-root` does.
func labAuditor(t *testing.T, w *lab.World) *dnsaudit.Auditor {
	t.Helper()
	res, err := netx.NewResolver(netx.ResolverConfig{Servers: []string{w.DNSAddr}, Timeout: time.Second, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.ParseUint(w.AuthorityPort, 10, 16)
	if err != nil {
		t.Fatal(err)
	}
	a, err := dnsaudit.New(context.Background(), dnsaudit.Options{Resolver: res, Roots: []string{w.RootAddr}, AuthorityPort: uint16(port),
		ProbeZone: "test", IgnoreInternal: true})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// want is one finding a fixture must produce: rule, file (relative to the
// fixture) and line.
type want struct {
	rule string
	file string
	line int
	sev  finding.Severity
}

// Each vulnerable fixture yields every pattern at its file:line, and a
// credential sent to the lab's claimable metrics host is critical, with
// the DNS evidence; each clean twin yields nothing above low and its
// metrics host resolves.
func TestFixturesAgainstLabDNS(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	aud := labAuditor(t, w)
	cases := []struct {
		dir      string
		want     []want
		credHost string // the metrics host and its strongest link
		link     string
	}{
		{"flask-vuln", []want{
			{code.RuleCredentialsToClaimable, "config.py", 7, finding.Critical},
			// The lab's billing host is a CNAME into an unregistered domain.
			{code.RuleCredentialsToClaimable, "config.py", 8, finding.Critical},
			{code.RuleHardcodedSecret, "config.py", 9, finding.High},
			{code.RuleNoTimeout, "app.py", 21, finding.Medium},
			{code.RuleDestinationFromEnv, "app.py", 21, finding.Low},
			{code.RuleCredentialsOverHTTP, "app.py", 27, finding.High},
			{code.RuleTLSVerifyDisabled, "app.py", 27, finding.High},
			{code.RuleDestinationFromInput, "app.py", 34, finding.High},
			{code.RuleAuthRedirect, "app.py", 41, finding.High},
		}, "metrics.vulnshop.test", "likely"},
		{"node-vuln", []want{
			{code.RuleCredentialsToClaimable, "src/upstreams.ts", 9, finding.Critical},
			{code.RuleCredentialsToClaimable, "src/upstreams.ts", 17, finding.Critical},
			{code.RuleHardcodedSecret, "src/upstreams.ts", 18, finding.High},
			{code.RuleTLSVerifyDisabled, "src/upstreams.ts", 19, finding.High},
			{code.RuleCredentialsOverHTTP, "src/upstreams.ts", 22, finding.High},
			{code.RuleNoTimeout, "src/upstreams.ts", 22, finding.Medium},
			{code.RuleDestinationFromInput, "src/upstreams.ts", 25, finding.High},
			{code.RuleAuthRedirect, "src/upstreams.ts", 32, finding.High},
		}, "metrics.vulnshop.test", "confirmed"},
		{"go-vuln", []want{
			{code.RuleCredentialsToClaimable, "main.go", 11, finding.Critical},
			{code.RuleCredentialsToClaimable, "main.go", 46, finding.Critical},
			{code.RuleTLSVerifyDisabled, "main.go", 13, finding.High},
			{code.RuleNoTimeout, "main.go", 13, finding.Medium},
			{code.RuleNoTimeout, "main.go", 29, finding.Medium},
			{code.RuleDestinationFromInput, "main.go", 29, finding.High},
			{code.RuleAuthRedirect, "main.go", 40, finding.High},
			{code.RuleHardcodedSecret, "main.go", 48, finding.High},
			{code.RuleCredentialsOverHTTP, "main.go", 56, finding.High},
		}, "metrics.vulnshop.test", "confirmed"},
		// The URL in another file: a constant of the Go package (as good as
		// the same file), a constant a Python module imports (likely).
		{"split-go-vuln", []want{{code.RuleCredentialsToClaimable, "consts.go", 4, finding.Critical}}, "metrics.vulnshop.test", "confirmed"},
		{"split-py-vuln", []want{{code.RuleCredentialsToClaimable, "reporting/upstream.py", 2, finding.Critical}}, "metrics.vulnshop.test", "likely"},
		{"split-go-clean", nil, "metrics.cleanshop.test", "confirmed"},
		{"split-py-clean", nil, "metrics.cleanshop.test", "likely"},
		{"flask-clean", nil, "metrics.cleanshop.test", "likely"},
		{"node-clean", nil, "metrics.cleanshop.test", "confirmed"},
		{"go-clean", nil, "metrics.cleanshop.test", "confirmed"},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			root := "testdata/" + tc.dir
			rep, err := code.Scan(context.Background(), []string{root}, code.Options{DNS: aud})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Errors) > 0 {
				t.Errorf("file errors: %+v", rep.Errors)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, fmt.Sprintf("%s %s:%d %s", f.ID, f.Location.File, f.Location.Line, f.Severity))
				if tc.want == nil && f.Severity > finding.Low {
					t.Errorf("clean twin: %s at %s:%d is %s: %s", f.ID, f.Location.File, f.Location.Line, f.Severity, f.Evidence.Summary)
				}
			}
			for _, wn := range tc.want {
				s := fmt.Sprintf("%s %s/%s:%d %s", wn.rule, root, wn.file, wn.line, wn.sev)
				if !slices.Contains(got, s) {
					t.Errorf("missing %s\n got %q", s, got)
				}
			}
			if tc.want != nil && len(got) != len(tc.want) {
				t.Errorf("%d findings, want %d: %q", len(got), len(tc.want), got)
			}
			h := host(rep, tc.credHost)
			if h == nil {
				t.Fatalf("host %s not found in %+v", tc.credHost, rep.Hosts)
			}
			wantDNS := "vulnerable"
			if tc.want == nil {
				wantDNS = "ok"
			}
			if !h.CarriesCredentials || h.Link != tc.link || string(h.DNS.Status) != wantDNS {
				t.Errorf("%s: carries %v link %q dns %+v; want true %q %s", h.Name, h.CarriesCredentials, h.Link, h.DNS, tc.link, wantDNS)
			}
			for _, f := range rep.Findings {
				if f.ID == code.RuleCredentialsToClaimable && (len(f.Evidence.DNS) == 0 || f.Location.Host == "") {
					t.Errorf("critical finding without DNS evidence or host: %+v", f)
				}
			}
		})
	}
}

func host(r *code.Report, name string) *code.Host {
	for i := range r.Hosts {
		if r.Hosts[i].Name == name {
			return &r.Hosts[i]
		}
	}
	return nil
}

// countingAuditor records the names it is asked to audit.
type countingAuditor struct {
	a     code.Auditor
	mu    sync.Mutex
	names []string
}

func (c *countingAuditor) Audit(ctx context.Context, name string) *dnsaudit.Result {
	c.mu.Lock()
	c.names = append(c.names, name)
	c.mu.Unlock()
	return c.a.Audit(ctx, name)
}

// A host DNSSkip refuses is never audited: the report says why, and its
// DNS cannot make a finding; the others are audited as usual. Progress
// counts the files read, then the names audited.
func TestScanSkipsRefusedHostsAndReportsProgress(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	aud := &countingAuditor{a: labAuditor(t, w)}
	var prog []code.Progress
	rep, err := code.Scan(context.Background(), []string{"testdata/flask-vuln"}, code.Options{DNS: aud,
		DNSSkip: func(h string) string {
			if h == "metrics.vulnshop.test" {
				return "outside the allow-list"
			}
			return ""
		},
		Progress: func(p code.Progress) { prog = append(prog, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(aud.names, "metrics.vulnshop.test") || !slices.Contains(aud.names, "billing.vulnshop.test") {
		t.Errorf("audited %v", aud.names)
	}
	h := host(rep, "metrics.vulnshop.test")
	if h == nil || h.DNS.Status != finding.DNSSkipped || h.DNS.Detail != "not audited: outside the allow-list" {
		t.Fatalf("skipped host: %+v", h)
	}
	for _, f := range rep.Findings {
		if f.Location.Host == "metrics.vulnshop.test" && f.ID == code.RuleCredentialsToClaimable {
			t.Errorf("a finding from the DNS of a host not audited: %+v", f)
		}
	}
	if b := host(rep, "billing.vulnshop.test"); b == nil || b.DNS.Status == finding.DNSSkipped {
		t.Errorf("billing host: %+v", b)
	}
	var reads, dns int
	for i, p := range prog {
		switch p.Stage {
		case "read":
			reads++
			if dns > 0 || p.Done != reads {
				t.Errorf("progress %d: %+v after %d reads, %d dns", i, p, reads, dns)
			}
		case "dns":
			dns++
			if p.Done != dns || p.Total != len(aud.names) {
				t.Errorf("progress %d: %+v, %d names audited", i, p, len(aud.names))
			}
		}
	}
	if reads != rep.Files.Scanned || dns != len(aud.names) {
		t.Errorf("%d read and %d dns updates for %d files and %d names", reads, dns, rep.Files.Scanned, len(aud.names))
	}
}
