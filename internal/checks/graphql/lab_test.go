package graphql_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/graphql"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
	"github.com/plumbsec/plumb/internal/result"
)

var all = []check.Check{graphql.Schema{}, graphql.SensitiveFields{}, graphql.Unauthenticated{}, graphql.ObjectAccess{},
	graphql.Limits{}, graphql.CSRF{}, graphql.Errors{}}

func withB(tg lab.Target) func(*engine.Options) {
	return func(o *engine.Options) {
		o.CredentialsB = http.Header{"Authorization": {"Bearer " + tg.TokenB}}
	}
}

func dump(t *testing.T, rep *result.Report) {
	t.Helper()
	for _, f := range rep.Findings {
		t.Logf("%s %s %s %s: %s", f.Severity, f.Confidence, f.ID, f.Location, f.Title)
	}
	for _, e := range rep.Errors {
		t.Logf("error %s: %s", e.Stage, e.Message)
	}
}

func TestGraphQLDbg(t *testing.T) {
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, w.Vuln.Token, withB(w.Vuln), all...)
	dump(t, rep)
	rep = labtest.Scan(t, w, w.Clean.BaseURL, w.Clean.Token, withB(w.Clean), all...)
	t.Log("---- clean")
	dump(t, rep)
	_ = slices.Contains[[]string]
	_ = strings.Contains
	_ = finding.High
}
