package engine_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/bola"
	"github.com/plumbsec/plumb/internal/checks/dns"
	"github.com/plumbsec/plumb/internal/checks/jwt"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/result"
	"github.com/plumbsec/plumb/internal/scope"
)

// signalOptions scans a signalshop twin as a user would: identities A and
// B by logging in (the answers wrap the token in a data envelope), every
// check, credentials allowed over the twins' plain HTTP.
func signalOptions(t *testing.T, w *lab.World) engine.Options {
	t.Helper()
	o := labOptions(t, w, "")
	o.AllowPlainHTTPCredentials = true
	o.Login = &engine.Login{Path: "/api/login", Body: []byte(`{"username":"carol","password":"carol-pass-1"}`), TokenPath: "data.access_token"}
	o.LoginB = &engine.Login{Path: "/api/login", Body: []byte(`{"username":"dave","password":"dave-pass-2"}`), TokenPath: "data.access_token"}
	o.LLM.Tier = "off"
	return o
}

func coverageRow(rep *result.Report, op string) (result.OperationCoverage, bool) {
	for _, r := range rep.Coverage.Operations {
		if r.Operation == op {
			return r, true
		}
	}
	return result.OperationCoverage{}, false
}

// TestReadOnlyScanNeverSendsStateChangingGET is the promise of read-only
// mode, asserted from the lab's own request log: signalshop's GET
// /api/admin/reset-db really wipes its store, and a full read-only scan
// sends nothing to that path — no GET, no HEAD, no OPTIONS, no version
// variant — while operations whose names merely look alike
// (sent-messages, settings) are still requested.
func TestReadOnlyScanNeverSendsStateChangingGET(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Signal.BaseURL}, signalOptions(t, w))
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	seen := map[string]bool{}
	for _, r := range w.Signal.Methods.Records() {
		if strings.Contains(r.Path, "reset-db") {
			t.Errorf("read-only scan sent %s %s", r.Method, r.Path)
		}
		switch r.Method {
		case http.MethodPut, http.MethodPatch, http.MethodDelete:
			t.Errorf("read-only scan sent %s %s", r.Method, r.Path)
		case http.MethodPost:
			if strings.HasPrefix(r.Path, "/api/") && r.Path != "/api/login" && r.Path != "/api/graphql" {
				t.Errorf("read-only scan sent %s %s", r.Method, r.Path) // GraphQL discovery's read-only queries go elsewhere
			}
		}
		seen[r.Method+" "+r.Path] = true
	}
	if n := w.Signal.Resets(); n != 0 {
		t.Errorf("the store was wiped %d times", n)
	}
	if !seen["GET /api/settings"] {
		t.Error("GET /api/settings (a name that contains 'set') was never requested")
	}
	sent := false
	for k := range seen {
		sent = sent || (strings.HasPrefix(k, "GET /api/users/") && strings.HasSuffix(k, "/sent-messages"))
	}
	if !sent {
		t.Error("GET /api/users/{id}/sent-messages was never requested")
	}
	row, ok := coverageRow(rep, "GET /api/admin/reset-db")
	if !ok || row.Outcome != "skipped" || !strings.Contains(row.Reason, `path word "reset"`) || !strings.Contains(row.Reason, "read-only scan never sends it") {
		t.Errorf("coverage of the reset: %+v", row)
	}
	if !hasNote(rep, "scope", "were not sent") {
		t.Errorf("no note says what the read-only scan left out: %+v", rep.Notes)
	}
}

func hasNote(rep *result.Report, stage, text string) bool {
	for _, n := range rep.Notes {
		if n.Stage == stage && strings.Contains(n.Message, text) {
			return true
		}
	}
	return false
}

// TestWritesModeCoverageSaysNoNeedForAllowWrites: with --allow-writes no
// coverage row may claim an operation needs it.
func TestWritesModeCoverageSaysNoNeedForAllowWrites(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	o := signalOptions(t, w)
	o.AllowWrites = true
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.SignalClean.BaseURL}, o)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	for _, r := range rep.Coverage.Operations {
		if strings.Contains(r.Reason, "allow-writes") {
			t.Errorf("writes-mode coverage says %q for %s", r.Reason, r.Operation)
		}
	}
	if row, _ := coverageRow(rep, "POST /api/admin/reset-db"); row.Outcome != "skipped" || row.Reason == "" {
		t.Errorf("coverage of the clean twin's POST reset: %+v", row)
	}
}

// TestExcludeKeepsOperationsOutOfReach: --exclude takes an operation out of
// every check's reach, URLs built by hand included.
func TestExcludeKeepsOperationsOutOfReach(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	o := signalOptions(t, w)
	p, err := scope.ParsePattern("GET /api/notes/*")
	if err != nil {
		t.Fatal(err)
	}
	o.Exclude = []scope.Pattern{p}
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Signal.BaseURL}, o)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	for _, r := range w.Signal.Methods.Records() {
		if strings.HasPrefix(r.Path, "/api/notes/") && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			t.Errorf("excluded operation requested: %s %s", r.Method, r.Path)
		}
	}
	if row, _ := coverageRow(rep, "GET /api/notes/{id}"); row.Outcome != "skipped" || !strings.Contains(row.Reason, "--exclude") {
		t.Errorf("coverage of the excluded operation: %+v", row)
	}
}

// TestTwoScansGiveTheSameFindings: two consecutive scans of the same lab
// target report the same findings — same fingerprints, severities and
// confidences — however the requests raced.
func TestTwoScansGiveTheSameFindings(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	vuln := labOptions(t, w, w.Vuln.Token)
	vuln.CredentialsB = http.Header{"Authorization": {"Bearer " + w.Vuln.TokenB}}
	vuln.CallbackURL = lab.CallbackURL
	for _, tc := range []struct {
		target string
		o      engine.Options
	}{{w.Vuln.BaseURL, vuln}, {w.Signal.BaseURL, signalOptions(t, w)}} {
		var runs [2]map[string]string
		for i := range runs {
			rep, err := engine.Scan(context.Background(), engine.Target{URL: tc.target}, tc.o)
			if err != nil {
				t.Fatalf("scan %d of %s: %v", i, tc.target, err)
			}
			runs[i] = map[string]string{}
			for _, f := range rep.Findings {
				runs[i][f.Fingerprint] = f.ID + " " + f.Location.String() + " " + f.Severity.String() + " " + f.Confidence.String()
			}
		}
		for fp, a := range runs[0] {
			if b, ok := runs[1][fp]; !ok || a != b {
				t.Errorf("%s: first scan %s, second %q", tc.target, a, b)
			}
		}
		for fp, b := range runs[1] {
			if _, ok := runs[0][fp]; !ok {
				t.Errorf("%s: only the second scan has %s", tc.target, b)
			}
		}
		t.Logf("%s: %d findings in both scans", tc.target, len(runs[0]))
	}
}

// TestIdentitiesBehindEnvelopes: signalshop names its users only inside
// envelopes — the login answer's {"data": {"user": {...}}} and GET
// /api/me's JSON:API {"data": {"id", "attributes"}} — and wraps its notes
// in {"data": …}. plumb learns who A and B are and confirms the BOLA on
// GET /api/notes/{id}, saying whose object it is; the clean twin checks
// owners and has none.
func TestIdentitiesBehindEnvelopes(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Signal.BaseURL}, signalOptions(t, w))
	if err != nil {
		t.Fatal(err)
	}
	var bola *finding.Finding
	for i, f := range rep.Findings {
		if f.ID == "bola.object-level-authorization" && f.Location.Path == "/api/notes/{id}" {
			bola = &rep.Findings[i]
		}
	}
	if bola == nil || bola.Confidence != finding.Confirmed {
		t.Fatalf("BOLA on GET /api/notes/{id}: %+v", bola)
	}
	for _, want := range []string{"belongs to identity A (id 7", "learned from the login answer and GET /api/me", `owner_id is "7"`, "identity B (id 8"} {
		if !strings.Contains(bola.Evidence.Summary, want) {
			t.Errorf("BOLA evidence lacks %q: %s", want, bola.Evidence.Summary)
		}
	}
	for _, id := range rep.Identities {
		u := id.User
		if u == nil || u.Role != "user" || (id.Name == "A" && u.ID != "7") || (id.Name == "B" && u.ID != "8") || len(u.From) != 2 {
			t.Errorf("identity %s: learned %+v", id.Name, u)
		}
	}
	clean, err := engine.Scan(context.Background(), engine.Target{URL: w.SignalClean.BaseURL}, signalOptions(t, w))
	if err != nil {
		t.Fatal(err)
	}
	if hasID(clean, "bola.object-level-authorization") {
		t.Errorf("the clean twin checks owners: %+v", clean.Findings)
	}
}

// TestForgeriesFollowTheCredentialsScope: on a plain-HTTP API, forged JWTs
// go where the credential goes — there with --allow-http-credentials (and
// the unverified signature is found on every operation, as one finding),
// nowhere without it, and then the check says it could not assess rather
// than that it ran and found nothing.
func TestForgeriesFollowTheCredentialsScope(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	o := labOptions(t, w, w.Signal.Token)
	o.Checks = []check.Check{jwt.Forgery{}}
	o.AllowPlainHTTPCredentials = true
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Signal.BaseURL}, o)
	if err != nil {
		t.Fatal(err)
	}
	var forged []finding.Finding
	for _, f := range rep.Findings {
		if f.ID == "authentication.jwt-forgery" {
			forged = append(forged, f)
		}
	}
	if len(forged) != 1 || forged[0].Location.Param != "signature-not-verified" || len(forged[0].Affected) < 3 {
		t.Errorf("want one signature-not-verified finding over the secured operations, got %+v", forged)
	}
	o.AllowPlainHTTPCredentials = false
	rep, err = engine.Scan(context.Background(), engine.Target{URL: w.Signal.BaseURL}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 0 || len(rep.Checks) != 1 || rep.Checks[0].Status != "not-assessed" ||
		!strings.Contains(rep.Checks[0].Reason, "--allow-http-credentials") {
		t.Errorf("without --allow-http-credentials: findings %+v, checks %+v", rep.Findings, rep.Checks)
	}
}

// TestIPLiteralTargetAsksNoResolver: a target given as an IP address has
// no DNS to audit; with --dns-root none and a resolver that never answers,
// the scan asks it nothing and says why DNS was not assessed, instead of
// "no DNS resolver answered".
func TestIPLiteralTargetAsksNoResolver(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	o := labOptions(t, w, "")
	o.Resolvers = []string{"127.0.0.1:9"} // nothing answers there
	o.DNSAudit = check.DNSAuditConfig{}   // --dns-root none
	o.Checks = []check.Check{dns.Resolution{}}
	rep, err := engine.Scan(context.Background(), engine.Target{URL: "http://" + w.HTTPAddr}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Checks) != 1 || rep.Checks[0].Status != "not-assessed" || !strings.Contains(rep.Checks[0].Reason, "is an IP address") {
		t.Errorf("dns check: %+v", rep.Checks)
	}
	for _, e := range rep.Errors {
		if strings.Contains(e.Message, "resolver") {
			t.Errorf("error about resolvers for an IP-literal target: %+v", e)
		}
	}
	for _, h := range rep.Hosts {
		if h.DNS == nil || h.DNS.Status != finding.DNSSkipped {
			t.Errorf("host %s: DNS %+v, want skipped", h.Name, h.DNS)
		}
	}
}

// TestNoDNSRootSaysWhatWasNotChecked: --dns-root none skips delegation
// walks; the report says so rather than implying they were done.
func TestNoDNSRootSaysWhatWasNotChecked(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	o := labOptions(t, w, "")
	o.DNSAudit = check.DNSAuditConfig{}
	o.Checks = []check.Check{dns.Resolution{}}
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Signal.BaseURL}, o)
	if err != nil {
		t.Fatal(err)
	}
	if !hasNote(rep, "dns", "--dns-root none") || rep.Checks[0].Status != "ran" {
		t.Errorf("notes %+v, checks %+v", rep.Notes, rep.Checks)
	}
}

// TestBrokenRefDegradesOneOperation: signalshop's document has one $ref
// to the wrong kind of object (GET /api/settings's 200 response points to
// a schema); the spec loads, the warning names that operation, and the
// operation is still requested.
func TestBrokenRefDegradesOneOperation(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	o := signalOptions(t, w)
	o.Checks = []check.Check{bola.ObjectAccess{}} // it builds the corpus: every GET requested
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Signal.BaseURL}, o)
	if err != nil {
		t.Fatal(err)
	}
	named := false
	for _, warn := range rep.Spec.Warnings {
		named = named || strings.Contains(warn, "points to a schema where a response belongs") && strings.HasSuffix(warn, "degrades GET /api/settings")
	}
	if !named || rep.Spec.Operations == 0 {
		t.Errorf("spec %d operations, warnings %q", rep.Spec.Operations, rep.Spec.Warnings)
	}
	if row, _ := coverageRow(rep, "GET /api/settings"); row.Outcome != "2xx" {
		t.Errorf("GET /api/settings: %+v", row)
	}
	clean, err := engine.Scan(context.Background(), engine.Target{URL: w.SignalClean.BaseURL}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(clean.Spec.Warnings) != 0 {
		t.Errorf("the clean twin's document warns: %q", clean.Spec.Warnings)
	}
}
