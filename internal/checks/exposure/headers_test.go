package exposure_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/exposure"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
)

func TestHeaderChecksAgainstLab(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	tests := []struct {
		check      check.Check
		vulnWant   int
		cleanWant  int
		needsToken bool
	}{
		{exposure.VersionDisclosure{}, 1, 0, false},
		{exposure.NoSniff{}, 1, 0, false},
		{exposure.CacheControl{}, 1, 0, true}, // one header policy, three operations
	}
	for _, tt := range tests {
		t.Run(tt.check.Meta().ID, func(t *testing.T) {
			t.Parallel()
			vt, ct := "", ""
			if tt.needsToken {
				vt, ct = w.Vuln.Token, w.Clean.Token
			}
			rep := labtest.Scan(t, w, w.Vuln.BaseURL, vt, nil, tt.check)
			if got := labtest.WithID(rep, tt.check.Meta().ID); len(got) != tt.vulnWant {
				t.Errorf("vulnshop: %d findings, want %d: %+v", len(got), tt.vulnWant, got)
			}
			rep = labtest.Scan(t, w, w.Clean.BaseURL, ct, nil, tt.check)
			if got := labtest.WithID(rep, tt.check.Meta().ID); len(got) != tt.cleanWant {
				t.Errorf("cleanshop: %d findings, want %d: %+v", len(got), tt.cleanWant, got)
			}
		})
	}
}

func TestVersionDisclosureNamesTheHeader(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, "", nil, exposure.VersionDisclosure{})
	got := labtest.WithID(rep, "data-exposure.version-disclosure")
	if len(got) != 1 || !strings.HasPrefix(got[0].Evidence.Summary, "Server: Werkzeug/2.0.2 Python/3.9.7\n") {
		t.Fatalf("want the Werkzeug header as evidence, got %+v", got)
	}
}

// TestVersionDisclosureReadsEveryResponse: signalshop sends X-Powered-By
// on its API routes only — GET / is silent — and the scan still reports
// it, with the operations that disclosed it; the clean twin sends none.
func TestVersionDisclosureReadsEveryResponse(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	mod := func(o *engine.Options) { o.AllowPlainHTTPCredentials = true }
	rep := labtest.Scan(t, w, w.Signal.BaseURL, w.Signal.Token, mod, exposure.VersionDisclosure{}, exposure.CacheControl{})
	got := labtest.WithID(rep, "data-exposure.version-disclosure")
	if len(got) != 1 || !strings.Contains(got[0].Title, "X-Powered-By: Python 3.10, FastAPI 0.95.1") {
		t.Fatalf("want X-Powered-By from the API routes, got %+v", got)
	}
	if !slices.ContainsFunc(got[0].Affected, func(l finding.Location) bool { return l.Path == "/api/me" }) ||
		slices.ContainsFunc(got[0].Affected, func(l finding.Location) bool { return l.Path == "/" }) {
		t.Errorf("affected operations %v: want the API routes, not GET /", got[0].Affected)
	}
	rep = labtest.Scan(t, w, w.SignalClean.BaseURL, w.SignalClean.Token, mod, exposure.VersionDisclosure{}, exposure.CacheControl{})
	if got := labtest.WithID(rep, "data-exposure.version-disclosure"); len(got) != 0 {
		t.Errorf("clean twin: %+v", got)
	}
}
