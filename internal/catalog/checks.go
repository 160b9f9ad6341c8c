package catalog

import (
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/checks/authentication"
	"github.com/plumbsec/plumb/internal/checks/bearer"
	"github.com/plumbsec/plumb/internal/checks/bfla"
	"github.com/plumbsec/plumb/internal/checks/bola"
	"github.com/plumbsec/plumb/internal/checks/consumption"
	"github.com/plumbsec/plumb/internal/checks/cors"
	"github.com/plumbsec/plumb/internal/checks/discovery"
	"github.com/plumbsec/plumb/internal/checks/dns"
	"github.com/plumbsec/plumb/internal/checks/encryption"
	"github.com/plumbsec/plumb/internal/checks/exposure"
	"github.com/plumbsec/plumb/internal/checks/graphql"
	"github.com/plumbsec/plumb/internal/checks/input"
	"github.com/plumbsec/plumb/internal/checks/inventory"
	"github.com/plumbsec/plumb/internal/checks/jwt"
	"github.com/plumbsec/plumb/internal/checks/llm"
	"github.com/plumbsec/plumb/internal/checks/property"
	"github.com/plumbsec/plumb/internal/checks/ratelimit"
	"github.com/plumbsec/plumb/internal/checks/redirect"
	"github.com/plumbsec/plumb/internal/checks/ssrf"
)

// Checks returns every check plumb runs, in catalog order. Adding a check
// means adding it here; there is no self-registration.
func Checks() []check.Check {
	return []check.Check{
		authentication.Unauthenticated{},
		bearer.QueryToken{},
		bearer.PlainHTTPToken{},
		bearer.StatusCodes{},
		bearer.MalformedToken{},
		bearer.Reflected{},
		bearer.SessionCookies{},
		jwt.Claims{},
		jwt.WeakSecret{},
		jwt.Forgery{},
		bola.ObjectAccess{},
		bfla.Privileged{},
		property.SensitiveFields{},
		property.MassAssignment{},
		encryption.PlainHTTP{},
		encryption.NoRedirect{},
		encryption.HSTS{},
		encryption.Certificate{},
		encryption.LegacyTLS{},
		encryption.WeakCiphers{},
		exposure.VersionDisclosure{},
		exposure.NoSniff{},
		exposure.CacheControl{},
		exposure.SecretValues{},
		exposure.PIIValues{},
		exposure.InternalAddresses{},
		discovery.WireHosts{},
		discovery.UpstreamInErrors{},
		cors.Policy{},
		input.DebugEndpoints{},
		input.StackTraces{},
		input.SQLErrors{},
		input.DangerousMethods{},
		ratelimit.NoRateLimit{},
		ratelimit.PageSize{},
		inventory.SpecExposed{},
		inventory.UndocumentedVersions{},
		inventory.DeprecatedServed{},
		inventory.NonProductionServers{},
		ssrf.ServerSideFetch{},
		consumption.PlainHTTPUpstream{},
		redirect.Redirects{},
		graphql.Schema{},
		graphql.SensitiveFields{},
		graphql.Unauthenticated{},
		graphql.ObjectAccess{},
		graphql.Limits{},
		graphql.CSRF{},
		graphql.Errors{},
		dns.Resolution{},
		llm.Check{},
	}
}
