package hosts

import (
	"testing"

	"github.com/plumbsec/plumb/internal/finding"
)

func TestGraphMergesRolesAndKeepsCredentialsSticky(t *testing.T) {
	t.Parallel()
	g := New()
	g.Add("API.Example.test.", RoleAPIServer, "/servers/0/url", true)
	g.Add("api.example.test", RoleRedirectTarget, "redirect", false)
	g.Add("", RoleTarget, "", true)
	g.SetDNS("api.example.test", DNSSummary{Status: finding.DNSOK})
	hs := g.List()
	if len(hs) != 1 {
		t.Fatalf("want 1 host, got %d: %+v", len(hs), hs)
	}
	h := hs[0]
	if h.Name != "api.example.test" || !h.CarriesCredentials || len(h.Roles) != 2 || h.DNS == nil || h.DNS.Status != finding.DNSOK {
		t.Fatalf("unexpected host %+v", h)
	}
	h.Roles[0] = "mutated"
	if got, _ := g.Get("api.example.test"); got.Roles[0] == "mutated" {
		t.Fatal("List must return copies")
	}
}
