package authentication_test

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/checks/authentication"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
)

func writes(o *engine.Options) { o.AllowWrites = true }

// Vulnshop's reset tells unknown addresses apart, its login is slower for
// existing accounts, and neither its login nor its PIN limits guesses;
// cleanshop answers alike, works alike and locks out. Every wrong
// password and code goes to plumb's throw-away account, which is gone
// afterwards; alice and bob never see a failed login.
func TestAbuseChecksOnLab(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, writes, authentication.AccountEnumeration{}, authentication.BruteForce{})
	want := map[string]finding.Confidence{
		"authentication.account-enumeration POST api.vulnshop.test/api/v1/password-reset":           finding.Confirmed,
		"authentication.account-enumeration POST api.vulnshop.test/api/v1/login":                    finding.Firm,
		"authentication.no-brute-force-protection POST api.vulnshop.test/api/v1/login":              finding.Firm,
		"authentication.no-brute-force-protection POST api.vulnshop.test/api/v1/payments/pin [pin]": finding.Firm,
	}
	got := map[string]finding.Finding{}
	for _, f := range rep.Findings {
		got[f.ID+" "+f.Location.String()] = f
	}
	for k, conf := range want {
		f, ok := got[k]
		switch {
		case !ok:
			t.Errorf("missing %s; got %v", k, keys(got))
		case f.Confidence != conf:
			t.Errorf("%s: confidence %s, want %s: %s", k, f.Confidence, conf, f.Evidence.Summary)
		case !strings.Contains(f.Evidence.Summary, "plumb"):
			t.Errorf("%s: the evidence does not name plumb's throw-away account: %s", k, f.Evidence.Summary)
		}
	}
	if len(rep.ChangesNotUndone) != 0 {
		t.Errorf("vulnshop: changes not undone: %+v", rep.ChangesNotUndone)
	}
	for _, tg := range []lab.Target{w.Vuln, w.Clean} {
		for _, real := range []string{"alice", "bob", "admin"} {
			if n := tg.Failures()["login:"+real] + tg.Failures()["pin:"+real]; n != 0 {
				t.Errorf("%s: %d wrong passwords or PINs for the real account %s", tg.Name, n, real)
			}
		}
	}
	clean := labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, writes, authentication.AccountEnumeration{}, authentication.BruteForce{})
	for _, f := range clean.Findings {
		t.Errorf("clean twin: %s %s: %s", f.ID, f.Location, f.Evidence.Summary)
	}
	if len(clean.ChangesNotUndone) != 0 {
		t.Errorf("cleanshop: changes not undone: %+v", clean.ChangesNotUndone)
	}
	t.Logf("vulnshop: %d requests; cleanshop: %d requests", rep.Requests.HTTP, clean.Requests.HTTP)
	if len(w.Vuln.Failures()) == 0 {
		t.Error("the lab counted no failure at all: the assertion above proves nothing")
	}
}

func keys(m map[string]finding.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
