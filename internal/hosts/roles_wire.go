package hosts

// Roles learned on the wire (OIDC/OAuth metadata, response headers and
// bodies, tokens, error pages), next to the spec-derived roles in hosts.go.
const (
	RoleJWKS                Role = "jwks"                 // serves the keys tokens are verified with
	RoleIssuer              Role = "issuer"               // token issuer; validators fetch its metadata
	RoleUserinfoEndpoint    Role = "userinfo-endpoint"    // receives access tokens
	RoleOAuthEndpoint       Role = "oauth-endpoint"       // introspection, revocation, registration, …
	RoleAuthorizationServer Role = "authorization-server" // RFC 9728 authorization_servers
	RoleResourceMetadata    Role = "resource-metadata"    // RFC 9728 metadata document
	RoleCORSOrigin          Role = "cors-origin"          // an origin allowed to read responses
	RoleCSPSource           Role = "csp-source"           // a Content-Security-Policy host source
	RoleLinkHeader          Role = "link-header"          // a Link response header target
	RoleBodyURL             Role = "body-url"             // an absolute URL in a response body
	RoleJWTKeyURL           Role = "jwt-key-url"          // a JWT header jku/x5u
	RoleGraphQLSchema       Role = "graphql-schema"       // a URL in a GraphQL schema's descriptions
)

// KeySourceRoles decide which tokens the API trusts: whoever controls such a
// host can mint tokens the API accepts.
var KeySourceRoles = []Role{RoleJWKS, RoleIssuer, RoleJWTKeyURL, RoleOIDCDiscovery}
