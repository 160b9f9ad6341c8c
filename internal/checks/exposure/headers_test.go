package exposure_test

import (
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/exposure"
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
	if len(got) != 1 || got[0].Evidence.Summary != "Server: Werkzeug/2.0.2 Python/3.9.7" {
		t.Fatalf("want the Werkzeug header as evidence, got %+v", got)
	}
}
