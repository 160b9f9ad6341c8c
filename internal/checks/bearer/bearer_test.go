package bearer_test

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/bearer"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
)

func all() []check.Check {
	return []check.Check{bearer.QueryToken{}, bearer.PlainHTTPToken{}, bearer.StatusCodes{}, bearer.MalformedToken{},
		bearer.Reflected{}, bearer.SessionCookies{}}
}

// Each check finds exactly the lab endpoints built with its flaw.
func TestBearerChecksOnVulnerableLab(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t, lab.Options{})
	rep := labtest.Run(t, w.Vuln.BaseURL, labtest.Options(t, w, w.Vuln.Token, all()...))
	h := "api.vulnshop.test"
	want := map[string][]string{
		"authentication.bearer-token-in-query":  {"GET " + h + "/api/v1/jwt/query [access_token]"},
		"authentication.bearer-challenge":       {"GET " + h + "/api/v1/jwt/forbidden"},
		"authentication.bearer-malformed-token": {"GET " + h + "/api/v1/jwt/crash [parser-crash]"},
		"authentication.bearer-token-reflected": {"GET " + h + "/api/v1/jwt/reflect"},
		"authentication.session-cookie-flags":   {"GET " + h + "/api/v1/jwt/session [session]"},
	}
	for id, locations := range want {
		if got := labtest.Locations(rep, id); strings.Join(got, "|") != strings.Join(locations, "|") {
			t.Errorf("%s: got %q, want %q", id, got, locations)
		}
	}
	// The plain-HTTP finding is about the API, whichever 401-ing operation
	// carried the dummy token.
	if got := labtest.Locations(rep, "authentication.bearer-over-plain-http"); len(got) != 1 || !strings.Contains(got[0], "api.vulnshop.test/") {
		t.Errorf("bearer-over-plain-http: got %q, want one finding", got)
	}
	for _, f := range rep.Findings {
		if f.Evidence.Summary == "" || len(f.Evidence.HTTP) == 0 {
			t.Errorf("%s has no evidence", f.ID)
		}
		if f.ID == "authentication.bearer-malformed-token" && f.Severity != finding.Medium {
			t.Errorf("a 500 on a garbage token is medium, got %s", f.Severity)
		}
	}
	t.Logf("vulnshop: %d requests", rep.Requests.HTTP)
}

func TestBearerChecksOnCleanTwin(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t, lab.Options{})
	rep := labtest.Run(t, w.Clean.BaseURL, labtest.Options(t, w, w.Clean.Token, all()...))
	for _, f := range rep.Findings {
		t.Errorf("clean twin: %s %s: %s", f.ID, f.Location, f.Title)
	}
	t.Logf("cleanshop: %d requests", rep.Requests.HTTP)
}
