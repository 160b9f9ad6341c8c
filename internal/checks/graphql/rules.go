package graphql

import (
	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
)

// Rule ids the GraphQL checks emit besides their own check ids.
const (
	IDEndpoint      = "inventory.graphql-endpoint"
	IDIntrospection = "data-exposure.graphql-introspection"
	IDSuggestions   = "data-exposure.graphql-field-suggestions"
	IDDepth         = "rate-limiting.graphql-no-depth-limit"
	IDAliases       = "rate-limiting.graphql-alias-batching"
	IDBatch         = "rate-limiting.graphql-array-batching"
	IDGetQuery      = "authentication.graphql-get-query"
	IDMutationGet   = "authentication.graphql-mutation-over-get"
	IDFormPost      = "authentication.graphql-form-post"
	IDStackTrace    = "input-validation.graphql-stack-trace"
	IDDebug         = "input-validation.graphql-debug-extensions"
)

// The fixes each rule states (findings carry the same).
var (
	endpointFix      = finding.Remediation{Summary: "Keep the endpoint in the API inventory and scan it like the rest of the API.", References: references}
	introspectionFix = finding.Remediation{
		Summary: "Disable introspection in production (Apollo Server: introspection: false; graphql-yoga: useDisableIntrospection; " +
			"gqlgen: leave out the introspection extension; Hasura: disable it per role) and publish the schema to the clients that need it instead.",
		References: references,
	}
	suggestionsFix = finding.Remediation{
		Summary: "Turn suggestions off in production (Apollo Server 4: hideSchemaDetailsFromClientErrors; graphql-armor / " +
			"Envelop: blockFieldSuggestions; gqlgen: DisableSuggestion; Strawberry: MaskErrors or a validation rule without suggestions).",
		References: references,
	}
	sensitiveFix = finding.Remediation{
		Summary: "Remove the field from the schema, or resolve it only for the owner with an explicit authorization " +
			"check; never expose password hashes, tokens or secrets through the API.",
		References: []string{"https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/"},
	}
	unauthFix = finding.Remediation{
		Summary: "Require authentication in the resolver (or a schema directive such as @auth / @authenticated) for every field " +
			"that returns user data, and deny by default: new fields should need an explicit rule to be public.",
		References: []string{"https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/"},
	}
	mutationFix = finding.Remediation{
		Summary:    "Authenticate every mutation; deny by default at the resolver or gateway.",
		References: []string{"https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/"},
	}
	depthFix = finding.Remediation{
		Summary: "Reject queries nested deeper than the clients need (graphql-depth-limit, graphql-armor maxDepth, gqlgen " +
			"FixedComplexityLimit, Hasura/Apollo Router limits) and add a cost or complexity limit for list fields.",
		References: []string{"https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
			"https://cheatsheetseries.owasp.org/cheatsheets/GraphQL_Cheat_Sheet.html"},
	}
	csrfFix = finding.Remediation{
		Summary: "Accept operations only as POST with Content-Type: application/json (or require a custom header such as " +
			"Apollo's CSRF prevention: Apollo-Require-Preflight), never run mutations from GET, and prefer bearer tokens " +
			"or SameSite=Strict cookies.",
		References: []string{"https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/GraphQL_Cheat_Sheet.html"},
	}
	traceFix = finding.Remediation{
		Summary: "Run the server in production mode (NODE_ENV=production; Apollo Server: includeStacktraceInErrorResponses: " +
			"false; Graphene/Strawberry: no debug middleware) and mask unexpected errors with a generic message.",
		References: references,
	}
	debugFix = finding.Remediation{
		Summary: "Turn tracing and debug extensions off in production (Apollo tracing / cache-control plugins, " +
			"Lighthouse debug, Hot Chocolate tracing) or return them only to authorised operators.",
		References: references,
	}
)

// newFinding starts a finding of one of m's rules, with the rule's id,
// category, OWASP id, CWE and default severity.
func newFinding(m check.Meta, ruleID, title string, loc finding.Location) finding.Finding {
	f := check.New(m, title, loc)
	for _, r := range m.Emits() {
		if r.ID == ruleID {
			f.ID, f.Category, f.OWASP, f.CWE, f.Severity = r.ID, r.Category, r.OWASP, r.CWE, r.Severity
		}
	}
	return f
}
