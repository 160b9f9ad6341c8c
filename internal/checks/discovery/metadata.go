package discovery

import (
	"encoding/json"
	"net/url"

	"github.com/plumbsec/plumb/internal/hosts"
)

func urlParse(s string) (*url.URL, error) { return url.Parse(s) }

// metadataField maps an OAuth/OIDC metadata member (RFC 8414, OIDC
// Discovery 1.0, RFC 9728) to a role and whether credentials (or trust in
// tokens) flow to it. Key sources count as credential-carrying: a dangling
// jwks_uri host lets anyone mint tokens the API accepts.
var metadataFields = []struct {
	Key   string
	Role  hosts.Role
	Creds bool
}{
	{"issuer", hosts.RoleIssuer, true},
	{"jwks_uri", hosts.RoleJWKS, true},
	{"token_endpoint", hosts.RoleTokenEndpoint, true},
	{"authorization_endpoint", hosts.RoleAuthorizationEndpoint, true},
	{"userinfo_endpoint", hosts.RoleUserinfoEndpoint, true},
	{"introspection_endpoint", hosts.RoleOAuthEndpoint, true},
	{"revocation_endpoint", hosts.RoleOAuthEndpoint, true},
	{"registration_endpoint", hosts.RoleOAuthEndpoint, true},
	{"device_authorization_endpoint", hosts.RoleOAuthEndpoint, true},
	{"pushed_authorization_request_endpoint", hosts.RoleOAuthEndpoint, true},
	{"end_session_endpoint", hosts.RoleOAuthEndpoint, false},
	{"resource", hosts.RoleAPIServer, true},
}

// metadataRefs reads an OAuth/OIDC/protected-resource metadata document.
// ok is false when body is not a JSON object with at least one known member.
func metadataRefs(body []byte, where string) (refs []ref, authServers []string, ok bool) {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return nil, nil, false
	}
	for _, f := range metadataFields {
		if s, isStr := m[f.Key].(string); isStr {
			if _, valid := hostOfURL(s); valid {
				refs = append(refs, ref{URL: s, Role: f.Role, Where: where + " " + f.Key, Creds: f.Creds})
			}
		}
	}
	if as, isList := m["authorization_servers"].([]any); isList {
		for i, v := range as {
			if s, isStr := v.(string); isStr && i < 8 {
				if _, valid := hostOfURL(s); valid {
					refs = append(refs, ref{URL: s, Role: hosts.RoleAuthorizationServer, Where: where + " authorization_servers", Creds: true})
					authServers = append(authServers, s)
				}
			}
		}
	}
	return refs, authServers, len(refs) > 0
}
