package encryption_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/encryption"
	"github.com/plumbsec/plumb/internal/engine"
)

// Each transport check against a lab target with the flaw and one without.
func TestTransportChecksAgainstLab(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	insecure := func(o *engine.Options) { o.Insecure = true }
	tests := []struct {
		name    string
		check   check.Check
		target  string
		mod     func(*engine.Options)
		want    int
		inTitle string
	}{
		{"plain http API", encryption.PlainHTTP{}, "http://api.vulnshop.test", nil, 1, "plain HTTP"},
		{"plain http redirecting to https", encryption.PlainHTTP{}, "http://api.cleanshop.test", nil, 0, ""},
		{"https API", encryption.PlainHTTP{}, w.Clean.BaseURL, nil, 0, ""},
		{"http twin serves content", encryption.NoRedirect{}, w.Vuln.BaseURL, nil, 1, "instead of redirecting"},
		{"http twin redirects", encryption.NoRedirect{}, w.Clean.BaseURL, nil, 0, ""},
		{"no HSTS", encryption.HSTS{}, w.Vuln.BaseURL, nil, 1, "No Strict-Transport-Security"},
		{"HSTS two years", encryption.HSTS{}, w.Clean.BaseURL, nil, 0, ""},
		{"expired certificate", encryption.Certificate{}, "https://expired.vulnshop.test", insecure, 1, "expired"},
		{"certificate for another name", encryption.Certificate{}, "https://wrongname.vulnshop.test", insecure, 1, "another host name"},
		{"self-signed certificate", encryption.Certificate{}, "https://selfsigned.vulnshop.test", insecure, 1, "self-signed"},
		{"valid certificate", encryption.Certificate{}, w.Clean.BaseURL, nil, 0, ""},
		{"valid certificate with --insecure", encryption.Certificate{}, w.Clean.BaseURL, insecure, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := labtest.Scan(t, w, tt.target, "", tt.mod, tt.check)
			got := labtest.WithID(rep, tt.check.Meta().ID)
			if len(got) != tt.want {
				t.Fatalf("%s on %s: %d findings, want %d: %+v", tt.check.Meta().ID, tt.target, len(got), tt.want, got)
			}
			if tt.want > 0 && !strings.Contains(got[0].Title, tt.inTitle) {
				t.Errorf("title %q does not say %q", got[0].Title, tt.inTitle)
			}
			for _, f := range got {
				if f.Evidence.Summary == "" {
					t.Errorf("finding without evidence: %+v", f)
				}
			}
		})
	}
}

func TestSpecDeclaringPlainHTTPServer(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	rep := labtest.Scan(t, w, w.Vuln.BaseURL, "", nil, encryption.PlainHTTP{})
	for _, f := range labtest.WithID(rep, "encryption.plain-http") {
		t.Errorf("vulnshop's spec declares only https servers, got %s", f.Title)
	}
	doc := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},
	"servers":[{"url":"https://api.vulnshop.test"},{"url":"http://api.vulnshop.test/v1"}],
	"security":[{"b":[]}],"components":{"securitySchemes":{"b":{"type":"http","scheme":"bearer"}}},
	"paths":{"/api/v1/me":{"get":{"responses":{"200":{"description":"ok"}}}}}}`
	path := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	rep = labtest.ScanTarget(t, w, engine.Target{URL: w.Vuln.BaseURL, Spec: path}, "", nil, encryption.PlainHTTP{})
	got := labtest.WithID(rep, "encryption.plain-http")
	if len(got) != 1 || !strings.Contains(got[0].Title, "http://api.vulnshop.test/v1") {
		t.Fatalf("want one finding for the http:// server, got %+v", got)
	}
}
