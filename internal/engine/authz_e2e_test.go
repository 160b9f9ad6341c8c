package engine_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
)

// scanAuthz scans a lab target with identity A and, when withB, identity B.
func scanAuthz(t *testing.T, w *lab.World, tg lab.Target, withB, writes bool) *engine.Report {
	t.Helper()
	o := labOptions(t, w, tg.Token)
	if withB {
		o.CredentialsB = http.Header{"Authorization": {"Bearer " + tg.TokenB}}
	}
	o.AllowWrites = writes
	rep, err := engine.Scan(context.Background(), engine.Target{URL: tg.BaseURL}, o)
	if err != nil {
		t.Fatalf("scan %s: %v", tg.Name, err)
	}
	return rep
}

// find returns the finding of check id at method+path, or nil.
func find(r *engine.Report, id, method, path string) *finding.Finding {
	for i, f := range r.Findings {
		if f.ID == id && f.Location.Method == method && f.Location.Path == path {
			return &r.Findings[i]
		}
	}
	return nil
}

func dump(t *testing.T, r *engine.Report) {
	t.Helper()
	for _, f := range r.Findings {
		t.Logf("%-45s %-8s %-9s %s %s", f.ID, f.Severity, f.Confidence, f.Location, f.Title)
	}
	for _, e := range r.Errors {
		t.Logf("error %s: %s", e.Stage, e.Message)
	}
	t.Logf("requests %d duration %dms coverage %+v", r.Requests.HTTP, r.DurationMS, r.Coverage)
}

func TestAuthzDump(t *testing.T) {
	w := startLab(t)
	dump(t, scanAuthz(t, w, w.Vuln, true, true))
	dump(t, scanAuthz(t, w, w.Clean, true, true))
}
