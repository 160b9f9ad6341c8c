package lab

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// The attack family's flaws answer as documented, and the clean twin
// refuses each of them. Requests that change data run on their own world,
// since the cases run in parallel.
func TestAttackFamily(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	c := newClient(t, w)
	v, cl := w.Vuln, w.Clean
	bobV, bobC := v.TokenB, cl.TokenB
	q := url.QueryEscape
	runHTTPCases(t, c, []httpCase{
		{name: "vuln cart CORS look-alike", url: v.BaseURL + "/api/v1/cart", token: v.Token, status: 200,
			headers: map[string]string{"Access-Control-Allow-Origin": ""}},
		{name: "vuln order owner from body", method: "POST", url: v.BaseURL + "/api/v1/orders", token: v.Token,
			body: `{"item":"x","user":"bob","total":0.01}`, status: 201, contains: []string{`"user": "bob"`, `"total": 0.01`}},
		{name: "clean order owner ignored", method: "POST", url: cl.BaseURL + "/api/v1/orders", token: cl.Token,
			body: `{"item":"x","user":"bob","total":0.01}`, status: 201, contains: []string{`"user": "alice"`, `"total": 19.9`}},
		{name: "vuln B edits A's order", method: "PUT", url: v.BaseURL + "/api/v1/orders/1", token: bobV,
			body: `{"item":"The Go Programming Language"}`, status: 200},
		{name: "clean B cannot edit A's order", method: "PUT", url: cl.BaseURL + "/api/v1/orders/1", token: bobC,
			body: `{"item":"x"}`, status: 404},
		{name: "clean B cannot delete A's order", method: "DELETE", url: cl.BaseURL + "/api/v1/orders/1", token: bobC, status: 404},
		{name: "vuln B sets A's e-mail", method: "PUT", url: v.BaseURL + "/api/v1/users/alice/email", token: bobV,
			body: `{"email":"alice@vulnshop.test"}`, status: 200},
		{name: "clean B cannot set A's e-mail", method: "PUT", url: cl.BaseURL + "/api/v1/users/alice/email", token: bobC,
			body: `{"email":"x@example.com"}`, status: 403},
		{name: "clean B cannot set A's password", method: "PUT", url: cl.BaseURL + "/api/v1/users/alice/password", token: bobC,
			body: `{"password":"longenough"}`, status: 403},
		{name: "clean customer cannot change roles", method: "PUT", url: cl.BaseURL + "/api/v1/users/bob/role", token: bobC,
			body: `{"role":"manager"}`, status: 403},
		{name: "clean profile refuses another username", method: "PUT", url: cl.BaseURL + "/api/v1/profile", token: bobC,
			body: `{"username":"alice","email":"x@example.com"}`, status: 403},
		{name: "clean B cannot close A's account", method: "DELETE", url: cl.BaseURL + "/api/v1/users/alice", token: bobC, status: 403},
		{name: "vuln reset tells unknown addresses", method: "POST", url: v.BaseURL + "/api/v1/password-reset",
			body: `{"email":"nobody@example.com"}`, status: 404, contains: []string{"No account"}},
		{name: "clean reset says the same", method: "POST", url: cl.BaseURL + "/api/v1/password-reset",
			body: `{"email":"nobody@example.com"}`, status: 202},
		{name: "vuln ping runs injected commands", url: v.BaseURL + "/api/v1/tools/ping?host=" + q("x;printf %s ab cd"), token: v.Token,
			status: 200, contains: []string{"abcd"}},
		{name: "vuln ping runs substitutions", url: v.BaseURL + "/api/v1/tools/ping?host=" + q("$(echo zz9)"), token: v.Token,
			status: 200, contains: []string{"PING zz9 "}},
		{name: "clean ping refuses a command line", url: cl.BaseURL + "/api/v1/tools/ping?host=" + q("x;id"), token: cl.Token, status: 400},
		{name: "clean ping answers a host", url: cl.BaseURL + "/api/v1/tools/ping?host=partner.test", token: cl.Token, status: 200,
			contains: []string{"PING partner.test"}},
	})
}

// The lab's timing flaws are real delays: the backtracking model and an
// injected sleep (kept small and few: this is the lab's own test).
func TestAttackFamilyDelays(t *testing.T) {
	t.Parallel()
	if d := backtrackCost(strings.Repeat("a", 30) + "!"); d < 2*time.Second || d > maxBacktrack {
		t.Errorf("backtracking cost of a 30-letter run: %s", d)
	}
	for _, s := range []string{"alice@vulnshop.test", "a!", strings.Repeat("a", 8) + "!"} {
		if d := backtrackCost(s); d != 0 {
			t.Errorf("backtrackCost(%q) = %s, want 0", s, d)
		}
	}
	t0 := time.Now()
	if out := miniShell("nslookup x`sleep 0.2`"); !strings.Contains(out, "Name:\tx") {
		t.Errorf("substitution output: %q", out)
	}
	if d := time.Since(t0); d < 200*time.Millisecond {
		t.Errorf("an injected sleep 0.2 took %s", d)
	}
	if got := shellCommands(`a; b | c && 'd e' "f"`); len(got) != 4 || strings.Join(got[3], "|") != "d e|f" {
		t.Errorf("shellCommands = %q", got)
	}
}

// State changes with the data and with nothing else.
func TestAttackStoreState(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	c := newClient(t, w)
	before := string(w.Vuln.State())
	if !strings.Contains(before, `"username":"alice"`) || !strings.Contains(before, `"password":"alice123"`) {
		t.Fatalf("state: %s", before)
	}
	do(t, c, "GET", w.Vuln.BaseURL+"/api/v1/orders", w.Vuln.Token, "")
	if string(w.Vuln.State()) != before {
		t.Error("a read changed the state")
	}
	do(t, c, "PUT", w.Vuln.BaseURL+"/api/v1/users/bob/email", w.Vuln.Token, `{"email":"b@example.com"}`)
	if string(w.Vuln.State()) == before {
		t.Error("a write did not change the state")
	}
}
