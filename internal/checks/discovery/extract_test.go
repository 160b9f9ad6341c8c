package discovery

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/netx"
)

func refHosts(refs []ref) map[string]hosts.Role {
	out := map[string]hosts.Role{}
	for _, r := range refs {
		h, ok := hostOfURL(r.URL)
		if ok {
			out[h] = r.Role
		}
	}
	return out
}

func TestHeaderRefs(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("Location", "/relative")
	h.Add("Link", `<https://cdn.shop.io/app.js>; rel=preload, <https://next.shop.io/p2>; rel="next"`)
	h.Set("Access-Control-Allow-Origin", "https://app.shop.io")
	h.Set("Content-Security-Policy", "default-src 'self'; connect-src https://events.shop.io *.wild.io api.shop.io:443; script-src 'nonce-x'")
	h.Set("WWW-Authenticate", `Bearer realm="x", resource_metadata="https://rs.shop.io/.well-known/oauth-protected-resource"`)
	got := refHosts(headerRefs(h, "https://target.shop.io/base"))
	want := map[string]hosts.Role{
		"target.shop.io": hosts.RoleRedirectTarget,
		"cdn.shop.io":    hosts.RoleLinkHeader,
		"next.shop.io":   hosts.RoleLinkHeader,
		"app.shop.io":    hosts.RoleCORSOrigin,
		"events.shop.io": hosts.RoleCSPSource,
		"api.shop.io":    hosts.RoleCSPSource,
		"rs.shop.io":     hosts.RoleResourceMetadata,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: role %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if _, ok := got["wild.io"]; ok {
		t.Error("a CSP wildcard must not become a host")
	}
	star := http.Header{"Access-Control-Allow-Origin": {"*"}}
	if refs := headerRefs(star, "https://t.io"); len(refs) != 0 {
		t.Errorf("ACAO * gave %v", refs)
	}
}

func TestAuthParam(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{
		`Bearer resource_metadata="https://a.io/m"`:          "https://a.io/m",
		`Bearer realm="x", resource_metadata=https://b.io/m`: "https://b.io/m",
		`Bearer xresource_metadata="https://c.io"`:           "",
		`Bearer resource_metadata="unterminated`:             "",
	} {
		if got := authParam(v, "resource_metadata"); got != want {
			t.Errorf("authParam(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestJSONAndJWTRefs(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("testdata", "bodies", "node_links.json"))
	if err != nil {
		t.Fatal(err)
	}
	refs, jwts := jsonRefs(b)
	got := refHosts(refs)
	if got["api.shop.io"] != hosts.RoleBodyURL || got["docs.shop.io"] != hosts.RoleBodyURL {
		t.Errorf("body URLs: %v", got)
	}
	if len(jwts) != 1 {
		t.Fatalf("jwts: %d", len(jwts))
	}
	p, ok := netx.DecodeJWT(jwts[0])
	if !ok {
		t.Fatal("token did not decode")
	}
	jr := jwtRefs(p, "test")
	jh := refHosts(jr)
	if jh["auth.shop.io"] != hosts.RoleIssuer || jh["keys.shop.io"] != hosts.RoleJWTKeyURL {
		t.Errorf("jwt refs: %v", jh)
	}
	for _, r := range jr {
		if !r.Creds {
			t.Errorf("%s must count as credential-relevant", r.URL)
		}
	}
	if refs, jwts := jsonRefs([]byte(`not json`)); refs != nil || jwts != nil {
		t.Error("garbage gave refs")
	}
}

func TestMetadataRefs(t *testing.T) {
	t.Parallel()
	body := []byte(`{"issuer":"https://id.shop.io","jwks_uri":"https://keys.shop.io/jwks","token_endpoint":"https://id.shop.io/token",
		"userinfo_endpoint":"https://id.shop.io/me","authorization_servers":["https://as.shop.io"],"end_session_endpoint":"https://id.shop.io/bye"}`)
	refs, servers, ok := metadataRefs(body, "test")
	if !ok || !slices.Equal(servers, []string{"https://as.shop.io"}) {
		t.Fatalf("ok=%v servers=%v", ok, servers)
	}
	roles := map[hosts.Role]bool{}
	for _, r := range refs {
		roles[r.Role] = true
		if r.Role == hosts.RoleJWKS && !r.Creds {
			t.Error("jwks must be credential-relevant")
		}
	}
	for _, r := range []hosts.Role{hosts.RoleIssuer, hosts.RoleJWKS, hosts.RoleTokenEndpoint, hosts.RoleUserinfoEndpoint, hosts.RoleAuthorizationServer} {
		if !roles[r] {
			t.Errorf("missing role %s", r)
		}
	}
	if _, _, ok := metadataRefs([]byte(`{"name":"x"}`), "t"); ok {
		t.Error("an unrelated object is not metadata")
	}
}

func TestAdderBound(t *testing.T) {
	t.Parallel()
	g := hosts.New()
	a := newAdder(g, func(h string) bool { return h == "skip.shop.io" })
	if a.add("skip.shop.io", hosts.RoleBodyURL, "", false) {
		t.Error("skipped host was added")
	}
	for i := range maxAdded + 10 {
		a.add("h"+string(rune('a'+i%26))+string(rune('a'+i/26))+".shop.io", hosts.RoleBodyURL, "", false)
	}
	if n := len(g.List()); n != maxAdded {
		t.Errorf("graph has %d hosts, want the bound %d", n, maxAdded)
	}
}
