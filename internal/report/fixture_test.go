package report

import (
	"time"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/score"
	"github.com/plumbsec/plumb/internal/suppress"
)

// evilEvidence is attacker-controlled text a hostile API could put in a
// response; every renderer must keep it inert.
const evilEvidence = `<script>document.title="pwned"</script><img src=x onerror=alert(1)>`

// fixture is a deterministic report exercising every renderer feature:
// all severities, a spec source line, DNS and HTTP evidence, a suppressed
// finding, a baseline diff and hosts in several DNS states.
func fixture() *result.Report {
	fs := []finding.Finding{
		{
			ID: "dns.dangling-cname", Title: "Token URL host legacy-auth.example.test has a dangling CNAME",
			Severity: finding.Critical, Confidence: finding.Confirmed, Category: finding.CatDNS, OWASP: "API8:2023", CWE: "CWE-350",
			Location: finding.Location{Host: "legacy-auth.example.test"},
			Evidence: finding.Evidence{Summary: "CNAME legacy-auth.example.test → old-app.cloudhost.test, which is NXDOMAIN",
				DNS: []finding.DNSAnswer{{Name: "legacy-auth.example.test", Type: "CNAME", Server: "127.0.0.1:53", Rcode: "NOERROR", Answer: []string{"old-app.cloudhost.test."}},
					{Name: "old-app.cloudhost.test", Type: "A", Server: "127.0.0.1:53", Rcode: "NXDOMAIN"}}},
			Remediation:   finding.Remediation{Summary: "Delete the dangling CNAME record. Or claim the target again.", References: []string{"https://developer.mozilla.org/en-US/docs/Web/Security/Subdomain_takeovers"}},
			BaselineState: result.StateNew,
		},
		{
			ID: "authentication.unauthenticated-access", Title: "GET /users/{id} answers without a credential",
			Severity: finding.High, Confidence: finding.Confirmed, Category: finding.CatAuthentication, OWASP: "API2:2023", CWE: "CWE-306",
			Location: finding.Location{Host: "api.example.test", Method: "GET", Path: "/users/{id}"},
			Source:   &finding.Source{File: "openapi.yaml", Line: 42},
			Evidence: finding.Evidence{Summary: "200 with a JSON body and no Authorization header",
				HTTP: []finding.HTTPExchange{{Method: "GET", URL: "https://api.example.test/users/1", Status: 200,
					Headers: map[string][]string{"Content-Type": {"text/html"}}, Body: evilEvidence}}},
			Remediation: finding.Remediation{Summary: "Require authentication on every operation the spec secures.",
				Snippets: []finding.Snippet{{Lang: "python-flask", Code: "@app.get('/users/<id>')\n@jwt_required()\ndef user(id): ..."}}},
			BaselineState: result.StateNew,
		},
		{
			ID: "data-exposure.version-disclosure", Title: "Response headers disclose software versions: Server: Werkzeug/2.2.3",
			Severity: finding.Low, Confidence: finding.Confirmed, Category: finding.CatDataExposure, OWASP: "API8:2023", CWE: "CWE-200",
			Location:      finding.Location{Host: "api.example.test"},
			Evidence:      finding.Evidence{Summary: "Server: Werkzeug/2.2.3 Python/3.11.2"},
			Remediation:   finding.Remediation{Summary: "Remove version numbers from Server and X-Powered-By headers."},
			Suppressed:    true,
			Suppression:   &finding.Suppression{Reason: "Accepted until the gateway migration", Expires: "2099-12-31", By: "check", Entry: ".plumb.yaml:7"},
			BaselineState: result.StateUnchanged,
		},
		{
			ID: "data-exposure.cors-origin-reflected", Title: "Any origin is allowed: the Origin header is reflected (and 2 more operations)",
			Severity: finding.Low, Confidence: finding.Confirmed, Category: finding.CatDataExposure, OWASP: "API8:2023", CWE: "CWE-942",
			Location: finding.Location{Host: "api.example.test"},
			Affected: []finding.Location{{Host: "api.example.test", Method: "GET", Path: "/orders"},
				{Host: "api.example.test", Method: "GET", Path: "/users/{id}"}, {Host: "api.example.test", Method: "GET", Path: "/users/me"}},
			Evidence:      finding.Evidence{Summary: "Access-Control-Allow-Origin echoed https://plumb-cors.evil.test.\nSeen on 3 operations: GET /orders, GET /users/{id}, GET /users/me."},
			Remediation:   finding.Remediation{Summary: "Allow a fixed list of origins."},
			BaselineState: result.StateNew,
		},
		{
			ID: "encryption.hsts-missing", Title: "HTTPS responses lack Strict-Transport-Security",
			Severity: finding.Low, Confidence: finding.Firm, Category: finding.CatEncryption, OWASP: "API8:2023", CWE: "CWE-319",
			Location:      finding.Location{Host: "api.example.test"},
			Evidence:      finding.Evidence{Summary: "GET / returned no Strict-Transport-Security header"},
			Remediation:   finding.Remediation{Summary: "Send Strict-Transport-Security: max-age=31536000 on every HTTPS response."},
			BaselineState: result.StateUnchanged,
		},
	}
	fs = finding.Normalize(fs)
	for i := range fs { // Normalize recomputes fingerprints; keep the fixture's extras
		if fs[i].ID == "authentication.unauthenticated-access" {
			fs[i].Source = &finding.Source{File: "openapi.yaml", Line: 42}
		}
	}
	assessed := map[finding.Category]bool{finding.CatAuthentication: true, finding.CatDNS: true, finding.CatEncryption: true, finding.CatDataExposure: true}
	why := map[finding.Category]string{finding.CatBOLA: "bola.object-level-authorization not-assessed: none of its 12 request(s) was answered: 12 timed out after 10s"}
	sc := score.Compute(finding.Active(fs), assessed, why)
	fixed := finding.Finding{ID: "encryption.plain-http", Title: "The API answers over plain HTTP", Severity: finding.High, Confidence: finding.Confirmed,
		Category: finding.CatEncryption, Location: finding.Location{Host: "api.example.test"}, Fingerprint: finding.ComputeFingerprint("encryption.plain-http", finding.Location{Host: "api.example.test"})}
	r := &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          result.Tool{Name: "plumb", Version: "v1.0.0-test"},
		Target:        "https://api.example.test",
		StartedAt:     time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC),
		DurationMS:    1234,
		Mode:          "read-only",
		Score:         sc.Score, Grade: sc.Grade, CappedBy: sc.CappedBy, Categories: sc.Categories,
		Findings: fs,
		Hosts: []hosts.Host{
			{Name: "api.example.test", Roles: []hosts.Role{hosts.RoleTarget, hosts.RoleAPIServer}, CarriesCredentials: true,
				DNS: &hosts.DNSSummary{Status: finding.DNSOK, Addrs: []string{"127.0.0.10"}}},
			{Name: "legacy-auth.example.test", Roles: []hosts.Role{hosts.RoleTokenEndpoint}, CarriesCredentials: true,
				DNS: &hosts.DNSSummary{Status: finding.DNSDangling, CNAMEs: []string{"old-app.cloudhost.test"}, Detail: "CNAME target old-app.cloudhost.test does not exist"}},
			{Name: "docs.example.test", Roles: []hosts.Role{"docs"}, DNS: &hosts.DNSSummary{Status: finding.DNSError, Detail: "SERVFAIL from 127.0.0.1:53"}},
		},
		Spec:     result.SpecInfo{Source: "openapi.yaml", Version: "3.0.3", Title: "Example", Operations: 12},
		Coverage: result.Coverage{Imported: 12, Requested: 10, Answered2x: 6, Answered4x: 3, Answered404: 1, Skipped: []result.Skipped{{Operation: "DELETE /users/{id}", Reason: "needs --allow-writes"}, {Operation: "POST /users", Reason: "needs --allow-writes"}}},
		Checks: []result.CheckRun{{ID: "authentication.unauthenticated-access", Status: "ran", Findings: 1}, {ID: "dns.resolution", Status: "ran", Findings: 1},
			{ID: "bola.object-level-authorization", Status: "not-assessed", Reason: why[finding.CatBOLA][len("bola.object-level-authorization not-assessed: "):]}},
		Requests: result.RequestStats{HTTP: 57, Budget: 2000},
		Errors:   []result.Error{},
		Notes:    []result.Note{{Stage: "scope", Message: "read-only scan: 1 GET/HEAD operation(s) whose names say they change state were not sent"}},
		Suppressions: &suppress.Summary{Config: ".plumb.yaml", Entries: 3, Suppressed: 1,
			Expired: []suppress.EntryRef{{Entry: ".plumb.yaml:12", Match: "check encryption.hsts-missing", Reason: "waiting for the CDN", Expires: "2026-01-31", Matches: 1}},
			Unused:  []suppress.EntryRef{{Entry: ".plumb.yaml:17", Match: "fingerprint 0123456789abcdef0123456789abcdef", Reason: "old finding"}}},
		Diff: &result.Diff{Baseline: "baseline.json", BaselineStartedAt: time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC),
			New: 3, Unchanged: 2, Fixed: 1, FixedFindings: []finding.Finding{fixed}},
	}
	r.GradeBasis = r.Basis()
	return r
}
