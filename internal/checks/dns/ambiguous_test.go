package dns_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/idna"

	"github.com/plumbsec/plumb/internal/checks/dns"
	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/labtest"
)

// TestAmbiguousHostsInAScan: a spec whose servers name a look-alike of the
// target's domain (punycode), the target's domain under another TLD and a
// single-label host: each is reported with what makes it ambiguous, in the
// findings and in the host graph; the target's own sibling (the twin) is not.
func TestAmbiguousHostsInAScan(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	lookAlike, err := idna.Lookup.ToASCII("api.cleanshоp.test") // Cyrillic о
	if err != nil {
		t.Fatal(err)
	}
	doc := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},
	"servers":[{"url":"https://` + lookAlike + `"},{"url":"https://api.cleanshop.com"},{"url":"https://metrics:8443"},{"url":"https://auth.cleanshop.test"}],
	"security":[{"b":[]}],"components":{"securitySchemes":{"b":{"type":"http","scheme":"bearer"}}},
	"paths":{"/ping":{"get":{"responses":{"200":{"description":"ok"}}}}}}`
	path := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	rep := labtest.ScanTarget(t, w, engine.Target{URL: w.Clean.BaseURL, Spec: path}, w.Clean.Token, nil, dns.Resolution{})
	want := map[string]string{lookAlike: dnsaudit.AmbLookAlike, "api.cleanshop.com": dnsaudit.AmbOtherTLD, "metrics": dnsaudit.AmbSingleLabel}
	got := map[string]string{}
	for _, f := range labtest.WithID(rep, dnsaudit.IDAmbiguousName) {
		got[f.Location.Host] = f.Evidence.Summary
		if f.Location.Host == lookAlike && f.Severity != finding.High {
			t.Errorf("credentials flow to a look-alike: severity %s, want high", f.Severity)
		}
	}
	for host, kind := range want {
		if !strings.Contains(got[host], kind) {
			t.Errorf("%s: finding %q, want %s", host, got[host], kind)
		}
	}
	if _, ok := got["auth.cleanshop.test"]; ok {
		t.Errorf("the target's own domain reported ambiguous: %s", got["auth.cleanshop.test"])
	}
	for _, h := range rep.Hosts {
		amb := h.DNS != nil && len(h.DNS.Ambiguity) > 0
		if _, ok := want[h.Name]; ok != amb {
			t.Errorf("host graph %s: ambiguity %v", h.Name, h.DNS)
		}
	}
	if !slices.ContainsFunc(rep.Hosts, func(h hosts.Host) bool { return h.Name == "metrics" }) {
		t.Error("the single-label host is not in the graph")
	}
}
