package engine_test

import (
	"net/url"

	"context"
	"golang.org/x/net/publicsuffix"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/cors"
	"github.com/plumbsec/plumb/internal/checks/discovery"
	"github.com/plumbsec/plumb/internal/checks/dns"
	"github.com/plumbsec/plumb/internal/checks/redirect"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/lab"
)

// scanWith scans one lab target with only the given checks.
func scanWith(t *testing.T, w *lab.World, tgt lab.Target, cs ...check.Check) *result.Report {
	t.Helper()
	o := labOptions(t, w, tgt.Token)
	o.Checks = cs
	rep, err := engine.Scan(context.Background(), engine.Target{URL: tgt.BaseURL}, o)
	if err != nil {
		t.Fatalf("scan %s: %v", tgt.Name, err)
	}
	return rep
}

func host(rep *result.Report, name string) (hosts.Host, bool) {
	for _, h := range rep.Hosts {
		if h.Name == name {
			return h, true
		}
	}
	return hosts.Host{}, false
}

func findingAt(rep *result.Report, id, hostOrPath string) *finding.Finding {
	for i, f := range rep.Findings {
		if f.ID == id && (f.Location.Host == hostOrPath || f.Location.Path == hostOrPath) {
			return &rep.Findings[i]
		}
		for _, l := range f.Affected { // a grouped finding stands at its host
			if f.ID == id && l.Path == hostOrPath {
				return &rep.Findings[i]
			}
		}
	}
	return nil
}

func TestWireHostsOnLab(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep := scanWith(t, w, w.Vuln, discovery.WireHosts{}, dns.Resolution{})
	for name, role := range map[string]hosts.Role{
		"keys.vulnshop.test":    hosts.RoleJWKS,
		"login.vulnshop.test":   hosts.RoleAuthorizationServer,
		"preview.vulnshop.test": hosts.RoleCORSOrigin,
		"api.vulnshop.test":     hosts.RoleIssuer, // the supplied token's iss and the metadata's issuer
	} {
		h, ok := host(rep, name)
		if !ok || !slices.Contains(h.Roles, role) {
			t.Errorf("host %s: want role %s, got %+v", name, role, h)
		}
	}
	if h, _ := host(rep, "keys.vulnshop.test"); !h.CarriesCredentials {
		t.Error("the jwks host decides which tokens are trusted; it must count as credential-carrying")
	}
	f := findingAt(rep, dns.IDDanglingCNAME, "keys.vulnshop.test")
	if f == nil || f.Severity != finding.Critical || !strings.Contains(f.Evidence.Summary, "mint tokens") {
		t.Errorf("dangling jwks host must be critical with its impact: %+v", f)
	}
	if f := findingAt(rep, dns.IDDanglingCNAME, "preview.vulnshop.test"); f == nil || f.Severity != finding.High ||
		!strings.Contains(f.Evidence.Summary, "allowed CORS origin") {
		t.Errorf("dangling allowed origin must be high: %+v", f)
	}

	clean := scanWith(t, w, w.Clean, discovery.WireHosts{}, dns.Resolution{})
	if h, ok := host(clean, "auth.cleanshop.test"); !ok || !slices.Contains(h.Roles, hosts.RoleJWKS) {
		t.Errorf("clean jwks host not discovered: %+v", h)
	}
	if len(clean.Findings) != 0 {
		t.Errorf("clean twin findings: %+v", clean.Findings)
	}
}

func TestUpstreamInErrorsOnLab(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	// Without the spec's x-upstream hint: the host must come from the wire.
	rep := scanWith(t, w, w.Vuln, discovery.UpstreamInErrors{}, dns.Resolution{})
	h, ok := host(rep, "metrics.vulnshop.test")
	if !ok || !slices.Contains(h.Roles, hosts.RoleUpstreamInError) || !h.CarriesCredentials {
		t.Fatalf("metrics upstream not in the graph as a credential-carrying upstream: %+v", h)
	}
	if f := findingAt(rep, "inventory.upstream-in-errors", "/api/v1/books/{id}"); f == nil || f.Confidence != finding.Confirmed {
		t.Errorf("leak finding missing: %+v", f)
	}
	f := findingAt(rep, dns.IDDanglingCNAME, "metrics.vulnshop.test")
	if f == nil || f.Severity != finding.Critical ||
		!strings.Contains(f.Evidence.Summary, "GET /api/v1/books/{id} sends a Bearer token to this host") {
		t.Errorf("dangling upstream must be critical and say so: %+v", f)
	}

	clean := scanWith(t, w, w.Clean, discovery.UpstreamInErrors{}, dns.Resolution{})
	if len(clean.Findings) != 0 {
		t.Errorf("clean twin findings: %+v", clean.Findings)
	}
	for _, h := range clean.Hosts {
		if slices.Contains(h.Roles, hosts.RoleUpstreamInError) {
			t.Errorf("clean twin leaked upstream %s", h.Name)
		}
	}
}

func TestCORSOnLab(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep := scanWith(t, w, w.Vuln, cors.Policy{})
	for id, sev := range map[string]finding.Severity{
		cors.IDReflected:      finding.High,
		cors.IDNullOrigin:     finding.High,
		cors.IDPreflightAuthz: finding.Low,
	} {
		f := findingAt(rep, id, "/api/v1/profile")
		if f == nil || f.Severity != sev || f.Confidence != finding.Confirmed {
			t.Errorf("%s: want %s confirmed, got %+v", id, sev, f)
		}
	}
	if h, ok := host(rep, "preview.vulnshop.test"); !ok || !slices.Contains(h.Roles, hosts.RoleCORSOrigin) {
		t.Errorf("static allowed origin not in the graph: %+v", h)
	}
	for _, h := range rep.Hosts {
		if strings.HasSuffix(h.Name, "evil.test") {
			t.Errorf("probe origin %s leaked into the host graph", h.Name)
		}
	}
	// The partner allow-list (a regular expression with unescaped dots,
	// matched at the start only) accepts look-alikes, plain http and any
	// subdomain, with credentials; the variants are derived from the
	// target's host and never name a domain anyone could own.
	f := findingAt(rep, cors.IDBypass, "/api/v1/cart")
	if f == nil || f.Severity != finding.High {
		t.Fatalf("cart allow-list bypass: %+v", f)
	}
	for _, o := range []string{"https://api.vulnshop.test.evil.test", "https://evil_vulnshop.test", "https://api_vulnshop.test"} {
		if !strings.Contains(f.Evidence.Summary, o+" (") || !strings.Contains(f.Evidence.Summary, "with Access-Control-Allow-Credentials") {
			t.Errorf("bypass evidence lacks %s: %s", o, f.Evidence.Summary)
		}
	}
	for id, sev := range map[string]finding.Severity{cors.IDAnySubdomain: finding.Medium, cors.IDInsecureOrigin: finding.Medium} {
		if f := findingAt(rep, id, "/api/v1/cart"); f == nil || f.Severity != sev {
			t.Errorf("%s on the cart: want %s, got %+v", id, sev, f)
		}
	}
	clean := scanWith(t, w, w.Clean, cors.Policy{})
	if len(clean.Findings) != 0 {
		t.Errorf("clean twin findings: %+v", clean.Findings)
	}
}

// Probe origins are names nobody can register: under .test, or with an
// underscore in the registrable label.
func TestCORSVariantsAreUnownable(t *testing.T) {
	t.Parallel()
	for _, o := range cors.Variants("api.example.com", []string{"app.partner.co.uk"}, "n0nce") {
		if o == "null" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil {
			t.Fatalf("%s: %v", o, err)
		}
		h := u.Hostname()
		reg, err := publicsuffix.EffectiveTLDPlusOne(h)
		ownable := err == nil && !strings.Contains(reg, "_") && !strings.HasSuffix(h, ".test")
		// The target's own names (its subdomains, its http twin) belong to its owner.
		own := strings.HasSuffix(h, "example.com") && !strings.Contains(h, "_") || h == "app.partner.co.uk"
		if ownable && !own {
			t.Errorf("probe origin %s names %s, which someone could register", o, reg)
		}
	}
}

func TestRedirectsOnLab(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep := scanWith(t, w, w.Vuln, redirect.Redirects{})
	if f := findingAt(rep, redirect.IDOpen, "/api/v1/auth/return"); f == nil || f.Location.Param != "next" || f.Confidence != finding.Confirmed {
		t.Errorf("open redirect on next: %+v", f)
	}
	if f := findingAt(rep, redirect.IDCrossOrigin, "/api/v1/export"); f == nil || f.Severity != finding.Low {
		t.Errorf("export lure: %+v", f)
	}
	if h, ok := host(rep, "collector.evil.test"); !ok || !slices.Contains(h.Roles, hosts.RoleRedirectTarget) || h.CarriesCredentials {
		t.Errorf("redirect target: %+v", h)
	}
	if len(w.Collector.Requests()) != 0 {
		t.Errorf("the check followed a redirect to the collector: %+v", w.Collector.Requests())
	}
	clean := scanWith(t, w, w.Clean, redirect.Redirects{})
	if len(clean.Findings) != 0 {
		t.Errorf("clean twin findings: %+v", clean.Findings)
	}
}

// The whole scan: hosts[] carries the roles, every dangling host that
// receives credentials is critical, and the credential reaches no other
// host than the target (the lab collector records everything it gets).
func TestTokenGraphFullScan(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Vuln.BaseURL}, labOptions(t, w, w.Vuln.Token))
	if err != nil {
		t.Fatal(err)
	}
	roles := map[hosts.Role]bool{}
	for _, h := range rep.Hosts {
		for _, r := range h.Roles {
			roles[r] = true
		}
		if h.CarriesCredentials && h.DNS != nil && h.DNS.Status == finding.DNSVulnerable {
			if f := findingAt(rep, dns.IDDanglingCNAME, h.Name); f == nil || f.Severity != finding.Critical {
				t.Errorf("claimable credential host %s is not critical: %+v", h.Name, f)
			}
		}
	}
	for _, r := range []hosts.Role{hosts.RoleJWKS, hosts.RoleCORSOrigin, hosts.RoleUpstreamInError, hosts.RoleRedirectTarget, hosts.RoleTokenEndpoint} {
		if !roles[r] {
			t.Errorf("hosts[] lacks role %s", r)
		}
	}
	if w.Collector.Saw(w.Vuln.Token) {
		t.Error("the collector received the credential")
	}
	for _, r := range w.Collector.Requests() {
		if r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
			t.Errorf("collector got credentials-like headers: %v", r.Header)
		}
	}
}

type noop struct{}

func (noop) Meta() check.Meta {
	return check.Meta{ID: "test.noop", Category: finding.CatInventory, Severity: finding.Info}
}
func (noop) Run(context.Context, *check.Input) ([]finding.Finding, error) { return nil, nil }

// Each token-graph check stays within a small, fixed request budget on
// the lab (run with -v to see the numbers).
func TestTokenGraphRequestsPerCheck(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	for _, tgt := range []lab.Target{w.Vuln, w.Clean} {
		base := scanWith(t, w, tgt, noop{}).Requests.HTTP // preflight and spec discovery
		for _, c := range []check.Check{discovery.WireHosts{}, discovery.UpstreamInErrors{}, cors.Policy{}, redirect.Redirects{}} {
			n := scanWith(t, w, tgt, c).Requests.HTTP - base
			t.Logf("%s on %s: %d requests", c.Meta().ID, tgt.Name, n)
			// cors: at most 1+32 endpoints, then on 2 of them at most 14
			// allow-list variants (its own caps).
			if n <= 0 || n > 61 {
				t.Errorf("%s on %s sent %d requests; want 1..61", c.Meta().ID, tgt.Name, n)
			}
		}
	}
}

// Allow-lists checked by prefix or suffix, and a wildcard with
// credentials, served by extra lab sites (each with a cookie, so the API
// has ambient credentials).
func TestCORSAllowListTricks(t *testing.T) {
	t.Parallel()
	zone, err := lab.ParseZone("trick.test.", "@ 300 IN SOA ns1.trick.test. h.trick.test. 1 3600 600 86400 60",
		"prefix A 127.0.0.1", "suffix A 127.0.0.1", "wildcard A 127.0.0.1", "strict A 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	site := func(name string, allow func(origin string) (string, bool)) lab.Site {
		return lab.Site{Host: name + ".trick.test", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s1"})
			if acao, ok := allow(r.Header.Get("Origin")); ok {
				w.Header().Set("Access-Control-Allow-Origin", acao)
				w.Header().Set("Access-Control-Allow-Credentials", "true")
			}
			_, _ = w.Write([]byte(`{"ok":true}`))
		})}
	}
	w := labtest.Start(t, lab.Options{ExtraZones: []lab.Zone{zone}, ExtraSites: []lab.Site{
		site("prefix", func(o string) (string, bool) { return o, strings.HasPrefix(o, "https://prefix.trick.test") }),
		site("suffix", func(o string) (string, bool) { return o, strings.HasSuffix(o, "trick.test") }),
		site("wildcard", func(string) (string, bool) { return "*", true }),
		site("strict", func(o string) (string, bool) { return o, o == "https://app.trick.test" }),
	}})
	// A suffix check also trusts plain http and every subdomain.
	for name, want := range map[string][]string{
		"prefix":   {cors.IDBypass},
		"suffix":   {cors.IDBypass, cors.IDAnySubdomain, cors.IDInsecureOrigin},
		"wildcard": {cors.IDWildcardCreds},
		"strict":   nil,
	} {
		rep := scanWith(t, w, lab.Target{Name: name, BaseURL: "https://" + name + ".trick.test"}, cors.Policy{})
		var got []string
		for _, f := range rep.Findings {
			got = append(got, f.ID)
			if f.ID == cors.IDBypass && f.Severity != finding.High {
				t.Errorf("%s: bypass with cookies and credentials should be high: %s", name, f.Severity)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: findings %v, want %v", name, got, want)
		}
	}
}
