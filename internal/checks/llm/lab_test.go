package llm_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/llm"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/netx"
)

func startLab(t testing.TB) *lab.World {
	t.Helper()
	w, err := lab.Start(context.Background(), lab.Options{})
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// scan runs only the LLM check against a lab target, through the real
// network layer.
func scan(t testing.TB, w *lab.World, target lab.Target, token string, o check.LLMOptions) *engine.Report {
	t.Helper()
	var cts []netx.ConnectTo
	for _, c := range w.ConnectTo {
		ct, err := netx.ParseConnectTo(c)
		if err != nil {
			t.Fatal(err)
		}
		cts = append(cts, ct)
	}
	opts := engine.Options{Resolvers: []string{w.DNSAddr}, ConnectTo: cts, RootCAs: w.CAPool, Version: "test",
		Checks: []check.Check{llm.Check{}}, LLM: o, Rate: 1000}
	if token != "" {
		opts.Credentials = http.Header{"Authorization": {"Bearer " + token}}
	}
	rep, err := engine.Scan(context.Background(), engine.Target{URL: target.BaseURL}, opts)
	if err != nil {
		t.Fatalf("scan %s: %v", target.Name, err)
	}
	for _, e := range rep.Errors {
		t.Errorf("scan error: %s: %s", e.Stage, e.Message)
	}
	return rep
}

// found indexes findings by "probe-id path".
func found(rep *engine.Report) map[string]finding.Finding {
	m := map[string]finding.Finding{}
	for _, f := range rep.Findings {
		m[f.ID+" "+f.Location.Path] = f
	}
	return m
}

func dump(t testing.TB, rep *engine.Report) {
	t.Helper()
	for _, f := range rep.Findings {
		t.Logf("%-8s %-9s %-28s %-28s %s", f.Severity, f.Confidence, f.ID, f.Location.Path, strings.SplitN(f.Evidence.Summary, ". Prompt", 2)[0])
	}
	t.Logf("requests: %d", rep.Requests.HTTP)
}

func TestDebugDump(t *testing.T) {
	w := startLab(t)
	for _, tier := range []string{"quick", "standard", "deep"} {
		rep := scan(t, w, w.Vuln, w.Vuln.Token, check.LLMOptions{Tier: tier})
		t.Logf("=== vuln %s", tier)
		dump(t, rep)
		rep = scan(t, w, w.Clean, w.Clean.Token, check.LLMOptions{Tier: tier})
		t.Logf("=== clean %s", tier)
		dump(t, rep)
	}
}
