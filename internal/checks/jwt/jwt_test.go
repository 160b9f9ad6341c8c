package jwt_test

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/jwt"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
)

func all() []check.Check { return []check.Check{jwt.Claims{}, jwt.WeakSecret{}, jwt.Forgery{}} }

func TestJWTChecksOnVulnerableLab(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t, lab.Options{})
	rep := labtest.Run(t, w.Vuln.BaseURL, labtest.Options(t, w, w.Vuln.Token, all()...))
	h := "api.vulnshop.test"
	want := map[string][]string{
		"authentication.jwt-weak-secret": {h + " [credential]"}, // one secret signs both tokens: one finding
		"authentication.jwt-forgery": {
			"GET " + h + "/api/v1/jwt/noexp [expired-accepted]",
			"GET " + h + "/api/v1/jwt/none [alg-none]",
			"GET " + h + "/api/v1/jwt/unverified [signature-not-verified]",
		},
		"authentication.jwt-claims": {
			h + " [credential/aud-iss]", h + " [credential/lifetime]",
			h + " [response-1/aud-iss]", h + " [response-1/exp]", h + " [response-1/key-urls]", h + " [response-1/sensitive]",
		},
	}
	for id, locations := range want {
		if got := labtest.Locations(rep, id); strings.Join(got, "|") != strings.Join(locations, "|") {
			t.Errorf("%s:\n got %q\nwant %q", id, got, locations)
		}
	}
	for _, f := range rep.Findings {
		if f.Evidence.Summary == "" {
			t.Errorf("%s has no evidence", f.ID)
		}
		if f.ID == "authentication.jwt-forgery" && (len(f.Evidence.HTTP) != 2 || !strings.Contains(f.Evidence.Summary, "Forged header {")) {
			t.Errorf("forgery finding lacks the forged header or the baseline: %+v", f.Evidence)
		}
		if f.ID == "authentication.jwt-weak-secret" && f.Severity != finding.Critical {
			t.Errorf("weak secret is %s, want critical", f.Severity)
		}
		if strings.Contains(f.Evidence.Summary, "$2b$") {
			t.Errorf("%s evidence shows a password hash from the claims", f.ID)
		}
	}
	t.Logf("vulnshop: %d requests", rep.Requests.HTTP)
}

func TestJWTChecksOnCleanTwin(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t, lab.Options{})
	rep := labtest.Run(t, w.Clean.BaseURL, labtest.Options(t, w, w.Clean.Token, all()...))
	for _, f := range rep.Findings {
		t.Errorf("clean twin: %s %s: %s", f.ID, f.Location, f.Title)
	}
	t.Logf("cleanshop: %d requests", rep.Requests.HTTP)
}
