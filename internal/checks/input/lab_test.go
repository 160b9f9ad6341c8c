package input_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/input"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/provoke"
)

var all = []check.Check{input.DebugEndpoints{}, input.StackTraces{}, input.SQLErrors{}, input.DangerousMethods{}}

type want struct {
	id, method, path, param string
	sev                     finding.Severity
	conf                    finding.Confidence
}

// The vulnerable shop has every flaw; each finding is where the lab put it.
func TestInputChecksOnVulnShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, all...)
	wants := []want{
		{"input-validation.debug-endpoint", "GET", "/console", "", finding.High, finding.Confirmed},
		{"input-validation.debug-endpoint", "GET", "/api/v1/_debug", "", finding.High, finding.Confirmed},
		{"input-validation.stack-trace", "GET", "/api/v1/books/{id}", "id", finding.Medium, finding.Confirmed},
		{"input-validation.stack-trace", "GET", "/api/v1/reports/sales", "days", finding.Medium, finding.Confirmed},
		{"input-validation.sql-error", "GET", "/api/v1/search", "q", finding.High, finding.Firm},
		{"input-validation.http-methods", "TRACE", "/", "", finding.Low, finding.Confirmed},
		{"input-validation.http-methods", "OPTIONS", "/api/v1/books", "", finding.Low, finding.Firm},
	}
	// The two stack traces are one debug setting: one finding naming both.
	if len(rep.Findings) != len(wants)-1 {
		for _, f := range rep.Findings {
			t.Logf("%s %s %s %s: %s", f.ID, f.Location.Method, f.Location.Path, f.Location.Param, f.Title)
		}
		t.Errorf("%d findings, want %d", len(rep.Findings), len(wants)-1)
	}
	for _, wt := range wants {
		var got *finding.Finding
		for i, f := range rep.Findings {
			for _, l := range append([]finding.Location{f.Location}, f.Affected...) { // a grouped finding names its operations
				if f.ID == wt.id && l.Method == wt.method && l.Path == wt.path && l.Param == wt.param {
					got = &rep.Findings[i]
				}
			}
		}
		if got == nil {
			t.Errorf("missing %s %s %s", wt.id, wt.method, wt.path)
			continue
		}
		if got.Severity != wt.sev || got.Confidence != wt.conf {
			t.Errorf("%s %s: severity %v confidence %v, want %v %v", wt.id, wt.path, got.Severity, got.Confidence, wt.sev, wt.conf)
		}
		if got.Evidence.Summary == "" || len(got.Evidence.HTTP) == 0 {
			t.Errorf("%s %s: no evidence", wt.id, wt.path)
		}
		if strings.Contains(got.Evidence.Summary, w.Vuln.Token) {
			t.Errorf("%s: token in evidence", wt.id)
		}
	}
}

// The clean twin fixes every flaw: no finding, and the requests it took
// stay bounded.
func TestInputChecksOnCleanShop(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, nil, all...)
	for _, f := range rep.Findings {
		t.Errorf("clean twin: %s %s %s: %s", f.ID, f.Location.Method, f.Location.Path, f.Title)
	}
}

// A catch-all that answers 200 with a debugger-looking page everywhere
// (vulnshop's /mirror/) must not be reported: the random-path baseline
// vetoes the signature.
func TestDebugEndpointsCatchAll(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL+"/mirror", "", nil, input.DebugEndpoints{})
	for _, f := range rep.Findings {
		t.Errorf("catch-all reported: %s %s", f.ID, f.Location.Path)
	}
	// The same page at a real path is reported (the test can fail).
	rep = labtest.Scan(t, w, w.Vuln.BaseURL, "", nil, input.DebugEndpoints{})
	if _, ok := labtest.ByID(rep, "input-validation.debug-endpoint")["GET api.vulnshop.test/console"]; !ok {
		t.Errorf("debugger console not reported: %v", labtest.Locations(rep, "input-validation.debug-endpoint"))
	}
}

// Requests each check sends to the lab (reported, and bounded).
func TestRequestCounts(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	counts := map[string]int{}
	for _, c := range all {
		w.Vuln.Methods.Reset()
		labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, c)
		counts[c.Meta().ID] = len(w.Vuln.Methods.Records())
	}
	t.Logf("requests per check on vulnshop (incl. the spec fetch): %v", counts)
	for id, n := range counts {
		limit := 25
		switch id {
		case "input-validation.debug-endpoint":
			// Every path at the root, the application ones again under the
			// spec's base path (/api/v1), and a baseline per prefix.
			limit = 40
		case "input-validation.stack-trace":
			// It reads the scan's provocation (bounded by provoke.MaxPerScan)
			// and sends a baseline per operation that showed a trace.
			limit = provoke.MaxPerScan + 8
		}
		if n > limit {
			t.Errorf("%s sent %d requests (limit %d)", id, n, limit)
		}
	}
}

// TestDeclaredMethodsPerRouteTemplate: signalshop answers OPTIONS on
// /api/notes/101 with "Allow: DELETE, GET, HEAD"; the spec declares the
// DELETE as /api/notes/{noteId} and the GET as /api/notes/{id} — one route
// template, so nothing is undeclared.
func TestDeclaredMethodsPerRouteTemplate(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Signal.BaseURL, w.Signal.Token, func(o *engine.Options) { o.AllowPlainHTTPCredentials = true }, input.DangerousMethods{})
	if fs := labtest.WithID(rep, "input-validation.http-methods"); len(fs) != 0 {
		t.Errorf("undeclared-method findings on declared methods: %+v", fs)
	}
	options := false
	for _, r := range w.Signal.Methods.Records() {
		options = options || (r.Method == "OPTIONS" && strings.HasPrefix(r.Path, "/api/notes/"))
	}
	if !options {
		t.Error("the check never asked OPTIONS of /api/notes/{id}")
	}
}

// The undocumented settings dump under the spec's base path (/api/v1) is
// found by content; its secrets are reported masked and by name only, and
// every host it names joins the graph with its setting's role.
func TestSettingsDumpHarvest(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, nil, input.DebugEndpoints{})
	f, ok := labtest.ByID(rep, "input-validation.debug-endpoint")["GET api.vulnshop.test/api/v1/_debug"]
	if !ok {
		t.Fatalf("dump not reported: %v", labtest.Locations(rep, "input-validation.debug-endpoint"))
	}
	for _, secret := range []string{"flask-insecure-7Hq2vLx9Pw3Zr8Tn", "Pg-Pr0d-2024-xk", "Rabbit-2024-q7"} {
		if strings.Contains(fmt.Sprintf("%+v", f), secret) {
			t.Errorf("secret %q in the finding", secret)
		}
	}
	if !strings.Contains(f.Evidence.Summary, "SECRET_KEY = ****(sha256:") {
		t.Errorf("secrets not named: %s", f.Evidence.Summary)
	}
	want := map[string]hosts.Role{
		"partners.vulnshop.test": hosts.RoleCORSOrigin, "sso-keys.vulnshop.test": hosts.RoleJWKS,
		"db.vulnshop.test": hosts.RoleDatabase, "cache.vulnshop.test": hosts.RoleCache, "queue.vulnshop.test": hosts.RoleQueue,
		"hooks.vulnshop.test": hosts.RoleWebhook, "metrics.vulnshop.test": hosts.RoleUpstream,
	}
	for _, h := range rep.Hosts {
		if r, ok := want[h.Name]; ok && slices.Contains(h.Roles, r) && strings.Contains(strings.Join(h.Sources, " "), "/api/v1/_debug") {
			delete(want, h.Name)
		}
	}
	if len(want) != 0 {
		t.Errorf("hosts missing from the graph: %v (graph: %+v)", want, rep.Hosts)
	}
	// The clean twin serves no dump, also not under its base path.
	clean := labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, nil, input.DebugEndpoints{})
	if len(clean.Findings) != 0 {
		t.Errorf("clean twin: %+v", clean.Findings)
	}
}
