package authentication_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/checks/authentication"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
)

func TestUnauthenticatedAccess(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	c := authentication.Unauthenticated{}

	rep := labtest.Scan(t, w, w.Vuln.BaseURL, "", nil, c)
	byPath := map[string]finding.Finding{}
	for _, f := range labtest.WithID(rep, c.Meta().ID) {
		byPath[f.Location.Path] = f
	}
	// The two operations vulnshop leaves open although its spec secures them.
	for _, p := range []string{"/api/v1/users", "/api/v1/orders/{id}/receipt"} {
		f, ok := byPath[p]
		if !ok || f.Confidence != finding.Confirmed || f.Severity != finding.Critical {
			t.Fatalf("vulnshop: want a confirmed critical on GET %s, got %+v", p, byPath)
		}
		if len(f.Evidence.HTTP) != 1 || f.Evidence.HTTP[0].Status != 200 {
			t.Errorf("evidence should hold the 200 exchange: %+v", f.Evidence)
		}
	}
	if len(byPath) != 2 {
		t.Errorf("want exactly the two open operations, got %d: %v", len(byPath), byPath)
	}

	rep = labtest.Scan(t, w, w.Clean.BaseURL, "", nil, c)
	if got := labtest.WithID(rep, c.Meta().ID); len(got) != 0 {
		t.Fatalf("cleanshop: want no finding, got %+v", got)
	}
	if rep.Coverage.Answered4x == 0 {
		t.Errorf("cleanshop's secured operations should answer 401: %+v", rep.Coverage)
	}
}

// An API whose catch-all answers 200 for every path (an SPA shell) must not
// make every secured operation look unprotected.
func TestUnauthenticatedAccessIgnoresCatchAll(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	// docs.vulnshop.test serves the same small page on every path.
	doc := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},
	"security":[{"b":[]}],"components":{"securitySchemes":{"b":{"type":"http","scheme":"bearer"}}},
	"paths":{"/private/report":{"get":{"responses":{"200":{"description":"ok"}}}}}}`
	path := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	rep := labtest.ScanTarget(t, w, engine.Target{URL: "https://docs.vulnshop.test", Spec: path}, "", nil, authentication.Unauthenticated{})
	if got := labtest.WithID(rep, "authentication.unauthenticated-access"); len(got) != 0 {
		t.Fatalf("catch-all page reported as unprotected operation: %+v", got)
	}
}
