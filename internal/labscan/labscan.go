// Package labscan points scans at the in-process lab exactly as a user
// would point them at a real host: --resolver, --connect-to, --cacert and a
// credential. plumb demo and the end-to-end tests of every check use it.
package labscan

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/netx"
)

// Rate is the per-host request rate used against the lab (--rate).
const Rate = 500

// Options returns engine options that run every check and reach the lab
// through its DNS server and connect-to rules, trusting its CA, with token
// as identity A ("" for none).
func Options(w *lab.World, token string) (engine.Options, error) {
	var cts []netx.ConnectTo
	for _, c := range w.ConnectTo {
		ct, err := netx.ParseConnectTo(c)
		if err != nil {
			return engine.Options{}, fmt.Errorf("lab connect-to %q: %w", c, err)
		}
		cts = append(cts, ct)
	}
	port, err := strconv.ParseUint(w.AuthorityPort, 10, 16)
	if err != nil {
		return engine.Options{}, fmt.Errorf("lab authority port %q: %w", w.AuthorityPort, err)
	}
	o := engine.Options{
		Resolvers: []string{w.DNSAddr}, ConnectTo: cts, RootCAs: w.CAPool,
		// The lab is on loopback and built for it: no need for the polite
		// default rate a real target gets.
		Rate:   Rate,
		Checks: catalog.Checks(),
		// The lab plays the root and TLD servers, so delegation walks stay on loopback.
		DNSAudit: check.DNSAuditConfig{Roots: []string{w.RootAddr}, AuthorityPort: uint16(port)},
	}
	if token != "" {
		o.Credentials = http.Header{"Authorization": {"Bearer " + token}}
	}
	return o, nil
}

// Start starts a lab for a test and closes it when the test ends.
func Start(t testing.TB) *lab.World {
	t.Helper()
	w, err := lab.Start(context.Background(), lab.Options{})
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// Scan scans target in the lab with only the given checks (all checks
// when none are given) and fails the test if the scan cannot run.
func Scan(t testing.TB, w *lab.World, target, token string, mod func(*engine.Options), checks ...check.Check) *engine.Report {
	t.Helper()
	return ScanTarget(t, w, engine.Target{URL: target}, token, mod, checks...)
}

// ScanTarget is Scan with a full target (e.g. a spec file).
func ScanTarget(t testing.TB, w *lab.World, target engine.Target, token string, mod func(*engine.Options), checks ...check.Check) *engine.Report {
	t.Helper()
	o, err := Options(w, token)
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) > 0 {
		o.Checks = checks
	}
	if mod != nil {
		mod(&o)
	}
	rep, err := engine.Scan(context.Background(), target, o)
	if err != nil {
		t.Fatalf("scan %s: %v", target.URL, err)
	}
	return rep
}

// WithID returns the findings with the given id.
func WithID(r *engine.Report, id string) []finding.Finding {
	var out []finding.Finding
	for _, f := range r.Findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}
