package catalog_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labcatalog"
	"github.com/plumbsec/plumb/internal/labscan"
	"github.com/plumbsec/plumb/internal/labtest"
)

// emitted records which finding ids each check returned.
type emitted struct {
	mu sync.Mutex
	by map[string][]finding.Finding // check id → findings
}

// dnsScenarios names, as spec servers, lab hosts with every DNS flaw a
// scan can meet (see internal/lab/internet.go and zones.go).
const dnsScenarios = `openapi: 3.0.3
info: {title: DNS scenarios, version: "1"}
servers:
  - url: https://api.vulnshop.test
  - url: https://legacy-api.vulnshop.test
  - url: https://api.lamecorp.test
  - url: https://api.partial.test
  - url: https://shop.vulnshop.test
  - url: https://billing.vulnshop.test
  - url: https://nsdead.vulnshop.test
  - url: https://servfail.vulnshop.test
  - url: https://nothere.vulnshop.test
paths:
  /api/v1/books:
    get:
      responses: {"200": {description: ok}}
`

// recorder runs a check and records its findings under its id.
type recorder struct {
	check.Check
	out *emitted
}

func (r recorder) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	fs, err := r.Check.Run(ctx, in)
	r.out.mu.Lock()
	defer r.out.mu.Unlock()
	id := r.Meta().ID
	r.out.by[id] = append(r.out.by[id], fs...)
	return fs, err
}

// Every finding id a scan of the lab emits is a catalog rule, declared by
// the check that emitted it, with the rule's category, OWASP ids and CWE,
// at no more than the rule's default severity. The scans are as broad as
// the lab allows: identities A and B, --llm deep, an SSRF callback
// listener, read-only and with --allow-writes, the vulnerable, clean and
// hostile targets, and the lab hosts built for DNS and transport flaws.
func TestEveryLabFindingIsACatalogRule(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	cat := catalog.Default()
	out := &emitted{by: map[string][]finding.Finding{}}
	var checks []check.Check
	for _, c := range labcatalog.Checks() { // the catalog, with a short JWT keyspace
		checks = append(checks, recorder{Check: c, out: out})
	}
	specFile := filepath.Join(t.TempDir(), "dns-scenarios.yaml")
	if err := os.WriteFile(specFile, []byte(dnsScenarios), 0o600); err != nil {
		t.Fatal(err)
	}
	insecure := func(o *engine.Options) { o.Insecure = true }
	writes := func(o *engine.Options) { o.AllowWrites = true }
	impatient := func(o *engine.Options) { o.Timeout = time.Second } // the hostile site trickles and stalls
	scans := []struct {
		target   engine.Target
		tg       lab.Target // identities
		category finding.Category
		mod      func(*engine.Options)
	}{
		{engine.Target{URL: w.Vuln.BaseURL}, w.Vuln, "", nil},
		{engine.Target{URL: w.Vuln.BaseURL}, w.Vuln, "", writes},
		{engine.Target{URL: w.Clean.BaseURL}, w.Clean, "", nil},
		{engine.Target{URL: w.Hostile.BaseURL}, w.Hostile, "", impatient},
		// The DNS audit of a spec whose servers are the lab's DNS scenarios.
		{engine.Target{URL: w.Vuln.BaseURL, Spec: specFile}, w.Vuln, finding.CatDNS, nil},
		// Transport flaws live on hosts of their own.
		{engine.Target{URL: "http://api.vulnshop.test"}, lab.Target{}, finding.CatEncryption, nil},
		{engine.Target{URL: "https://expired.vulnshop.test"}, lab.Target{}, finding.CatEncryption, insecure},
		{engine.Target{URL: "https://legacytls.vulnshop.test"}, lab.Target{}, finding.CatEncryption, nil},
	}
	for _, sc := range scans {
		o, err := labscan.Options(w, sc.tg.Token)
		if err != nil {
			t.Fatal(err)
		}
		o.Version, o.CallbackURL, o.LLM = "test", lab.CallbackURL, check.LLMOptions{Tier: "deep"}
		if sc.tg.TokenB != "" {
			o.CredentialsB = http.Header{"Authorization": {"Bearer " + sc.tg.TokenB}}
		}
		o.Checks = nil
		for _, c := range checks {
			if sc.category == "" || c.Meta().Category == sc.category {
				o.Checks = append(o.Checks, c)
			}
		}
		if sc.mod != nil {
			sc.mod(&o)
		}
		if _, err := engine.Scan(context.Background(), sc.target, o); err != nil {
			t.Fatalf("scan %s: %v", sc.target.URL, err)
		}
	}

	seen := map[string]bool{}
	for checkID, fs := range out.by {
		for _, f := range fs {
			seen[f.ID] = true
			r, ok := cat.Rule(f.ID)
			switch {
			case !ok:
				t.Errorf("check %s emitted %s, which is not in the catalog", checkID, f.ID)
				continue
			case r.ID != f.ID:
				t.Errorf("check %s emitted the former id %s of %s", checkID, f.ID, r.ID)
			case r.Check != checkID:
				t.Errorf("check %s emitted %s, a rule of %s", checkID, f.ID, r.Check)
			}
			if f.Category != r.Category || f.OWASP != r.OWASP || f.OWASPLLM != r.OWASPLLM || f.CWE != r.CWE {
				t.Errorf("%s from %s: category/OWASP/OWASP LLM/CWE %s/%s/%s/%s, the catalog says %s/%s/%s/%s", f.ID, checkID,
					f.Category, f.OWASP, f.OWASPLLM, f.CWE, r.Category, r.OWASP, r.OWASPLLM, r.CWE)
			}
			if f.Severity > r.Severity {
				t.Errorf("%s from %s at %s: severity %s is above the rule's default %s", f.ID, checkID, f.Location, f.Severity, r.Severity)
			}
		}
	}

	// Guard against a narrow scan proving little: the rule-rich checks
	// must each have emitted several of their rules.
	for id, want := range map[string]int{"dns.resolution": 6, "llm.endpoint-security": 12, "data-exposure.cors": 3, "authentication.redirects": 2} {
		n := 0
		for _, r := range cat.RulesOf(id) {
			if seen[r.ID] {
				n++
			}
		}
		if n < want {
			t.Errorf("the lab scans emitted %d rules of %s; want at least %d", n, id, want)
		}
	}
	var missing []string
	for _, r := range cat.Rules() {
		if !seen[r.ID] {
			missing = append(missing, r.ID)
		}
	}
	sort.Strings(missing)
	t.Logf("lab scans emitted %d of %d rules; not emitted: %v", len(seen), len(cat.Rules()), missing)
	if len(seen) < len(cat.Rules())/2 {
		t.Errorf("the lab scans emitted only %d of %d rules", len(seen), len(cat.Rules()))
	}
	if !slices.Contains(missing, "dns.unowned-address") {
		t.Error("a scan emitted dns.unowned-address, which only plumb dns --owned-ips reports")
	}
}
