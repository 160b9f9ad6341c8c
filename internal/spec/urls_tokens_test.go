package spec

import (
	"context"
	"testing"
)

// OpenAPI 3.2 adds two URLs tokens depend on; both must get a role and the
// device endpoint must count as receiving credentials.
func TestOpenAPI32TokenURLs(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"openapi":"3.2.0","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}},
"components":{"securitySchemes":{"o":{"type":"oauth2","oauth2MetadataUrl":"https://meta.shop.io/.well-known/oauth-authorization-server",
"flows":{"deviceAuthorization":{"deviceAuthorizationUrl":"https://device.shop.io/device","tokenUrl":"https://id.shop.io/token","scopes":{}}}}}}}`)
	api, err := Parse(context.Background(), doc, "t.json", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]HostRef{}
	for _, h := range api.Hosts() {
		got[h.Host] = h
	}
	if h := got["meta.shop.io"]; len(h.Roles) != 1 || h.Roles[0] != RoleOIDCDiscovery {
		t.Errorf("oauth2MetadataUrl: %+v", h)
	}
	if h := got["device.shop.io"]; len(h.Roles) != 1 || h.Roles[0] != RoleAuthorizationEndpoint || !h.CarriesCredentials {
		t.Errorf("deviceAuthorizationUrl: %+v", h)
	}
}
