package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/result"

	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labcatalog"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/report"
)

// scanAuthz scans a lab target with identity A and, when withB, identity B.
func scanAuthz(t *testing.T, w *lab.World, tg lab.Target, withB, writes bool) *result.Report {
	t.Helper()
	o := labOptions(t, w, tg.Token)
	if withB {
		o.CredentialsB = http.Header{"Authorization": {"Bearer " + tg.TokenB}}
	}
	o.AllowWrites = writes
	// LLM probes may POST text (invariant 3); their limits are tested in
	// internal/checks/llm. Here every non-safe method must be a real write.
	o.LLM.Tier = "off"
	rep, err := engine.Scan(context.Background(), engine.Target{URL: tg.BaseURL}, o)
	if err != nil {
		t.Fatalf("scan %s: %v", tg.Name, err)
	}
	return rep
}

// find returns the finding of check id at method+path, or nil.
func find(r *result.Report, id, method, path string) *finding.Finding {
	for i, f := range r.Findings {
		if f.ID == id && f.Location.Method == method && f.Location.Path == path {
			return &r.Findings[i]
		}
	}
	return nil
}

type want struct {
	id, method, path string
	conf             finding.Confidence
}

func expect(t *testing.T, rep *result.Report, wants []want) {
	t.Helper()
	for _, w := range wants {
		f := find(rep, w.id, w.method, w.path)
		switch {
		case f == nil:
			t.Errorf("missing %s on %s %s; got %v", w.id, w.method, w.path, keys(ids(rep)))
		case f.Confidence != w.conf:
			t.Errorf("%s on %s %s: confidence %s, want %s (%s)", w.id, w.method, w.path, f.Confidence, w.conf, f.Evidence.Summary)
		case len(f.Evidence.HTTP) == 0 || f.Evidence.Summary == "" || len(f.Remediation.Snippets) < 3:
			t.Errorf("%s on %s %s lacks evidence or remediation", w.id, w.method, w.path)
		}
	}
}

// With two identities and --allow-writes every authorization flaw of the
// lab is found, BOLA and mass assignment confirmed.
func TestAuthzFlawsFoundWithTwoIdentitiesAndWrites(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep := scanAuthz(t, w, w.Vuln, true, true)
	expect(t, rep, []want{
		{"bola.object-level-authorization", "GET", "/api/v1/orders/{id}", finding.Confirmed},
		{"bola.object-level-authorization", "GET", "/api/v1/users/{username}", finding.Confirmed},
		{"bola.object-level-authorization", "GET", "/api/v1/orders/{id}/receipt", finding.Confirmed},
		{"bola.object-level-authorization", "GET", "/api/v1/invoice", finding.Confirmed},
		{"bfla.privileged-operation", "GET", "/api/v1/admin/users", finding.Confirmed},
		{"bfla.privileged-operation", "HEAD", "/api/v1/admin/stats", finding.Firm},
		{"property-authorization.sensitive-fields", "GET", "/api/v1/account", finding.Confirmed},
		{"property-authorization.sensitive-fields", "GET", "/api/v1/admin/users", finding.Confirmed},
		{"property-authorization.mass-assignment", "PATCH", "/api/v1/account", finding.Confirmed},
		{"property-authorization.mass-assignment", "POST", "/api/v1/register", finding.Confirmed},
		{"property-authorization.mass-assignment", "POST", "/api/v1/orders", finding.Confirmed},
		{"bola.object-write", "PUT", "/api/v1/orders/{id}", finding.Confirmed},
		{"bola.object-write", "DELETE", "/api/v1/orders/{id}", finding.Confirmed},
		{"bola.object-write", "DELETE", "/api/v1/users/{username}", finding.Confirmed},
		{"bola.account-takeover", "PUT", "/api/v1/users/{username}/email", finding.Confirmed},
		{"bola.account-takeover", "PUT", "/api/v1/users/{username}/password", finding.Confirmed},
		{"bola.account-takeover", "PUT", "/api/v1/profile", finding.Confirmed},
		{"bfla.privileged-write", "PUT", "/api/v1/users/{username}/role", finding.Confirmed},
	})
	if rep.Mode != "writes" || len(rep.Identities) != 2 {
		t.Errorf("mode %s identities %+v", rep.Mode, rep.Identities)
	}
	// The secrets found are redacted in every rendering.
	for _, f := range report.Formats() {
		var buf bytes.Buffer
		if err := f.New(report.Options{}).Render(&buf, rep); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"$2b$12$KIXQJhZp8cYc7wCq3Ydu0eQ0iRzYjJfTqvO2w1x8zS2Gm3rX1lW9a", "ak_live_9e8d7c6b5a403f21", w.Vuln.TokenB} {
			if strings.Contains(buf.String(), secret) {
				t.Errorf("%s output contains secret %.12s…", f.Name, secret)
			}
		}
	}
	// Mass assignment restored identity A afterwards.
	me := fetchJSON(t, w, w.Vuln, "/api/v1/account")
	if me["is_admin"] != false || me["role"] != "customer" {
		t.Errorf("identity A was not restored: %v", me)
	}
	t.Logf("vulnshop, A+B, --allow-writes: %d requests, %d ms, %d findings", rep.Requests.HTTP, rep.DurationMS, len(rep.Findings))
}

// The clean twin: the same scan finds nothing above info in the three
// authorization categories and still gets an A.
func TestAuthzCleanTwinStaysClean(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep := scanAuthz(t, w, w.Clean, true, true)
	for _, f := range rep.Findings {
		switch f.Category {
		case finding.CatBOLA, finding.CatBFLA, finding.CatPropertyAuthz:
			if f.Severity > finding.Info {
				t.Errorf("false positive on the clean twin: %s %s: %s", f.ID, f.Location, f.Evidence.Summary)
			}
		}
	}
	if rep.Grade != "A" {
		t.Errorf("clean twin grade %s (score %d), want A", rep.Grade, rep.Score)
	}
	ran := map[string]bool{}
	for _, c := range rep.Checks {
		ran[c.ID] = c.Status == "ran"
	}
	for _, id := range []string{"bola.object-level-authorization", "bfla.privileged-operation", "property-authorization.sensitive-fields",
		"property-authorization.mass-assignment", "bola.write-access", "bfla.privileged-write"} {
		if !ran[id] {
			t.Errorf("%s did not run on the clean twin; the test proves nothing", id)
		}
	}
	t.Logf("cleanshop, A+B, --allow-writes: %d requests, %d ms", rep.Requests.HTTP, rep.DurationMS)
}

// Without identity B, adjacent-id probing still finds the order BOLA, but
// only as tentative; mass assignment is skipped without --allow-writes.
func TestAuthzOneIdentityReadOnly(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	rep := scanAuthz(t, w, w.Vuln, false, false)
	expect(t, rep, []want{
		{"bola.object-level-authorization", "GET", "/api/v1/orders/{id}", finding.Tentative},
		{"bfla.privileged-operation", "GET", "/api/v1/admin/users", finding.Confirmed},
	})
	for _, c := range rep.Checks {
		if c.ID == "property-authorization.mass-assignment" && c.Status != "skipped" {
			t.Errorf("mass assignment %s without --allow-writes", c.Status)
		}
	}
	if find(rep, "bola.object-level-authorization", "GET", "/api/v1/users/{username}") != nil {
		t.Error("BOLA on /users/{username} claimed without a second identity or adjacent ids")
	}
}

// safeMethod reports requests a read-only scan may send: GET, HEAD,
// OPTIONS, TRACE, and POSTs of GraphQL documents to /graphql (checked
// against the lab's GraphQL log by readOnlyGraphQL).
func safeMethod(r lab.MethodRecord) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return r.Method == http.MethodPost && r.Path == "/graphql"
}

// readOnlyGraphQL fails the test if the lab's GraphQL endpoint received a
// mutation other than mutation{__typename} (which runs no mutation field).
func readOnlyGraphQL(t *testing.T, tg lab.Target) {
	t.Helper()
	recs := tg.GraphQL.Records()
	if len(recs) == 0 {
		t.Error("the lab's GraphQL endpoint logged nothing: the GraphQL checks did not run")
	}
	for _, r := range recs {
		if r.Operation == "mutation" && (len(r.Fields) != 1 || r.Fields[0] != "__typename") {
			t.Errorf("read-only scan sent a GraphQL mutation: %+v", r)
		}
	}
}

// Invariant 3: without --allow-writes the lab receives only GET, HEAD and
// OPTIONS (and GraphQL queries), from every check plumb has, with two
// identities; with it, the writes do arrive (so the recorder is not blind).
func TestNoWritesWithoutAllowWrites(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	scanAuthz(t, w, w.Vuln, true, false)
	recs := w.Vuln.Methods.Records()
	if len(recs) < 20 {
		t.Fatalf("the lab recorded only %d requests", len(recs))
	}
	for _, r := range recs {
		if !safeMethod(r) {
			t.Errorf("read-only scan sent %s %s", r.Method, r.Path)
		}
	}
	readOnlyGraphQL(t, w.Vuln)
	w.Vuln.Methods.Reset()
	scanAuthz(t, w, w.Vuln, true, true)
	writes := 0
	for _, r := range w.Vuln.Methods.Records() {
		if !safeMethod(r) {
			writes++
		}
	}
	if writes == 0 {
		t.Error("--allow-writes scan sent no write; the recorder or the check is broken")
	}
}

// A login recipe per identity replaces pasted tokens: JSON for A, a form
// for B. The only POSTs a read-only scan sends are the two logins.
func TestLoginRecipes(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	o := labOptions(t, w, "")
	o.Login = &engine.Login{Path: "/api/v1/login", Body: []byte(`{"username":"alice","password":"alice123"}`), TokenPath: "auth_token"}
	o.LoginB = &engine.Login{Path: "/api/v1/login", Body: []byte(`username=bob&password=bob123`), Form: true}
	o.LLM.Tier = "off" // LLM probes' text-only POSTs are tested in internal/checks/llm
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Vuln.BaseURL}, o)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	expect(t, rep, []want{{"bola.object-level-authorization", "GET", "/api/v1/orders/{id}", finding.Confirmed}})
	if len(rep.Identities) != 2 || rep.Identities[0].Source != "login" || !strings.HasPrefix(rep.Identities[1].Login, "POST https://api.vulnshop.test/api/v1/login") {
		t.Errorf("identities %+v", rep.Identities)
	}
	posts := 0
	for _, r := range w.Vuln.Methods.Records() {
		if !safeMethod(r) {
			if r.Method != http.MethodPost || r.Path != "/api/v1/login" {
				t.Errorf("read-only scan sent %s %s", r.Method, r.Path)
			}
			posts++
		}
	}
	readOnlyGraphQL(t, w.Vuln)
	if posts != 2 {
		t.Errorf("%d login POSTs, want 2", posts)
	}
	notes := 0
	for _, e := range rep.Notes {
		if e.Stage == "login" && strings.Contains(e.Message, "read-only scan: POST https://api.vulnshop.test/api/v1/login") {
			notes++
		}
	}
	if notes != 2 {
		t.Errorf("the report does not say the read-only scan sent 2 logins: %+v", rep.Notes)
	}
	for _, e := range rep.Errors {
		if e.Stage == "login" {
			t.Errorf("a login sent at the user's request is a note, not an error: %+v", e)
		}
	}
	b, _ := json.Marshal(rep)
	for _, secret := range []string{"alice123", "bob123"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("report contains the password %s", secret)
		}
	}
}

func TestLoginFailuresAreClear(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	for _, tc := range []struct {
		login *engine.Login
		kind  engine.Kind
		msg   string
	}{
		{&engine.Login{Path: "/api/v1/login", Body: []byte(`{"username":"alice","password":"wrong"}`)}, engine.KindTarget, "answered 401"},
		{&engine.Login{Path: "/api/v1/login", Body: []byte(`{"username":"alice","password":"alice123"}`), TokenPath: "data.jwt"}, engine.KindTarget, `no "data"`},
		{&engine.Login{Path: "https://collector.evil.test/login", Body: []byte(`{}`)}, engine.KindUsage, "not on the target's origin"},
	} {
		o := labOptions(t, w, "")
		o.Login = tc.login
		_, err := engine.Scan(context.Background(), engine.Target{URL: w.Vuln.BaseURL}, o)
		if engine.KindOf(err) != tc.kind || err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("login %s: err %v (kind %d), want kind %d with %q", tc.login.Path, err, engine.KindOf(err), tc.kind, tc.msg)
		}
	}
	if len(w.Collector.Requests()) != 0 {
		t.Error("an out-of-scope login reached the collector")
	}
}

// Schemathesis-style warning: most authenticated corpus requests of an
// identity answered 401/403 means its credential is wrong.
func TestWrongCredentialsWarn(t *testing.T) {
	t.Parallel()
	w := startLab(t)
	o := labOptions(t, w, w.Clean.Token) // cleanshop's token does not verify on vulnshop
	o.CredentialsB = http.Header{"Authorization": {"Bearer not-a-token"}}
	o.Checks = labcatalog.Checks()
	rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Vuln.BaseURL}, o)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range rep.Errors {
		if e.Stage == "auth" {
			got = append(got, e.Message)
		}
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], "identity A:") || !strings.HasPrefix(got[1], "identity B:") {
		t.Errorf("auth warnings %q", got)
	}
	ok := scanAuthz(t, w, w.Vuln, true, false)
	for _, e := range ok.Errors {
		if e.Stage == "auth" {
			t.Errorf("warning with working credentials: %s", e.Message)
		}
	}
}

func fetchJSON(t *testing.T, w *lab.World, tg lab.Target, path string) map[string]any {
	t.Helper()
	o := labOptions(t, w, tg.Token)
	res, err := netx.NewResolver(netx.ResolverConfig{Servers: o.Resolvers})
	if err != nil {
		t.Fatal(err)
	}
	c, err := netx.NewClient(netx.Config{Resolver: res, ConnectTo: o.ConnectTo, RootCAs: o.RootCAs, Credentials: o.Credentials,
		Scope: []netx.Origin{{Scheme: "https", Host: strings.TrimPrefix(tg.BaseURL, "https://"), Port: 443}}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(context.Background(), &netx.Request{URL: tg.BaseURL + path, WithCredentials: true})
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return out
}

// BenchmarkAuthzScan: a full scan of the vulnerable lab with two
// identities and --allow-writes, rate limit lifted, so the number is
// plumb's own cost plus loopback round trips.
func BenchmarkAuthzScan(b *testing.B) {
	w, err := lab.Start(context.Background(), lab.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	o := labOptions(b, w, w.Vuln.Token)
	o.CredentialsB = http.Header{"Authorization": {"Bearer " + w.Vuln.TokenB}}
	o.AllowWrites, o.Rate = true, 100000
	var reqs int
	for b.Loop() {
		rep, err := engine.Scan(context.Background(), engine.Target{URL: w.Vuln.BaseURL}, o)
		if err != nil {
			b.Fatal(err)
		}
		reqs = rep.Requests.HTTP
	}
	b.ReportMetric(float64(reqs), "requests/scan")
}
