package discovery

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/plumbsec/plumb/internal/netx"
)

func seedBodies(f *testing.F) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "bodies", "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed corpus in testdata/bodies (err %v)", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, r := range errorRules(f).Rules {
		for _, s := range r.Positive {
			f.Add([]byte(s.Text))
		}
	}
}

// Extractors read untrusted bodies: they must never panic and must only
// return hosts that pass ValidHost.
func FuzzUpstreamHosts(f *testing.F) {
	seedBodies(f)
	p := errorRules(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, l := range upstreamHosts(p, b) {
			if h, ok := ValidHost(l.Host); !ok || h != l.Host {
				t.Fatalf("invalid host %q from %q", l.Host, b)
			}
		}
	})
}

func FuzzBodyAndHeaders(f *testing.F) {
	seedBodies(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		refs, jwts := jsonRefs(b)
		if len(refs) > maxRefsPerResp {
			t.Fatalf("%d refs", len(refs))
		}
		for _, j := range append(jwts, findJWTs(string(b), 4)...) {
			if p, ok := netx.DecodeJWT(j); ok {
				_ = jwtRefs(p, "fuzz")
			}
		}
		_, _, _ = metadataRefs(b, "fuzz")
		s := string(b)
		h := http.Header{"Link": {s}, "Content-Security-Policy": {s}, "Www-Authenticate": {s}, "Location": {s}, "Access-Control-Allow-Origin": {s}}
		_ = headerRefs(h, "https://t.io/")
	})
}
