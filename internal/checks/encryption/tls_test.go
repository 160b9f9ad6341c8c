package encryption_test

import (
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/encryption"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labtest"
)

func TestTLSChecksOnLabHosts(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t, lab.Options{})
	cs := []check.Check{encryption.LegacyTLS{}, encryption.WeakCiphers{}, encryption.Certificate{}}
	for _, tc := range []struct {
		host string
		want map[string]string // check id → substring of the title; absent ids must not fire
	}{
		{"legacytls.vulnshop.test", map[string]string{
			"encryption.tls-legacy-protocol": "TLS 1.0 and TLS 1.1",
			"encryption.tls-weak-cipher":     "weak cipher suite",
		}},
		{"expired.vulnshop.test", map[string]string{"encryption.tls-certificate": "expired"}},
		{"wrongname.vulnshop.test", map[string]string{"encryption.tls-certificate": "another host name"}},
		{"selfsigned.vulnshop.test", map[string]string{"encryption.tls-certificate": "self-signed"}},
		{"api.vulnshop.test", nil},
		{"api.cleanshop.test", nil},
		{"docs.vulnshop.test", nil},
	} {
		t.Run(tc.host, func(t *testing.T) {
			t.Parallel()
			o := labtest.Options(t, w, "", cs...)
			o.Insecure = true
			rep := labtest.Run(t, "https://"+tc.host, o)
			got := map[string]string{}
			for _, f := range rep.Findings {
				got[f.ID] = f.Title + " — " + f.Evidence.Summary
			}
			for id, sub := range tc.want {
				if !strings.Contains(got[id], sub) {
					t.Errorf("%s: want a finding containing %q, got %q", id, sub, got[id])
				}
			}
			for id, title := range got {
				if _, ok := tc.want[id]; !ok {
					t.Errorf("unexpected %s: %s", id, title)
				}
			}
			t.Logf("%s: %d requests/handshakes; %v", tc.host, rep.Requests.HTTP, got)
		})
	}
}
