package llm

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/plumbsec/plumb/internal/labtest"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/netx"
)

// labRunner builds a runner on the real network layer, pointed at a lab
// target with identity A's token.
func labRunner(t *testing.T, w *lab.World, tg lab.Target) *runner {
	t.Helper()
	res, err := netx.NewResolver(netx.ResolverConfig{Servers: []string{w.DNSAddr}})
	if err != nil {
		t.Fatal(err)
	}
	var cts []netx.ConnectTo
	for _, c := range w.ConnectTo {
		ct, err := netx.ParseConnectTo(c)
		if err != nil {
			t.Fatal(err)
		}
		cts = append(cts, ct)
	}
	u, _ := url.Parse(tg.BaseURL)
	client, err := netx.NewClient(netx.Config{Resolver: res, ConnectTo: cts, RootCAs: w.CAPool, Rate: -1,
		Credentials: http.Header{"Authorization": {"Bearer " + tg.Token}}, Scope: []netx.Origin{netx.OriginOf(u)}})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return &runner{in: &check.Input{Target: u, HTTP: client, HasCredentials: true}, cat: cat, tier: TierStandard}
}

// TestCrossSession: identity A plants a code, identity B asks for it. The
// vulnerable assistant shares memory across users; the hardened one has
// none to share. Without identity B the probe sends nothing.
func TestCrossSession(t *testing.T) {
	t.Parallel()
	w := labtest.Start(t)
	for _, tc := range []struct {
		target lab.Target
		want   bool
	}{
		{w.Vuln, true},
		{w.Clean, false},
	} {
		r := labRunner(t, w, tc.target)
		ep := &Endpoint{URL: tc.target.BaseURL + "/api/v1/assistant/chat", Path: "/api/v1/assistant/chat",
			Dialect: DialectApp, PromptField: "messages", Reply: ReplyPath{Path: []string{"choices", "0", "message", "content"}}}
		if tc.target.Name == "cleanshop" {
			ep.Reply = ReplyPath{Path: []string{"answer"}}
		}
		if err := r.crossSession(context.Background(), ep, nil); err != nil || ep.Spent != 0 {
			t.Fatalf("without identity B: err %v, %d requests", err, ep.Spent)
		}
		b, err := r.in.HTTP.WithIdentity(http.Header{"Authorization": {"Bearer " + tc.target.TokenB}})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.crossSession(context.Background(), ep, b); err != nil {
			t.Fatal(err)
		}
		if got := len(r.out) == 1 && r.out[0].ID == "llm.leak.cross-session"; got != tc.want {
			t.Errorf("%s: cross-session finding = %v, want %v (%+v)", tc.target.Name, got, tc.want, r.out)
		}
	}
}
