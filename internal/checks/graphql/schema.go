package graphql

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	gql "github.com/plumbsec/plumb/internal/graphql"
	"github.com/plumbsec/plumb/internal/rules"

	"github.com/plumbsec/plumb/internal/words"
)

var references = []string{
	"https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
	"https://cheatsheetseries.owasp.org/cheatsheets/GraphQL_Cheat_Sheet.html",
}

// Schema finds GraphQL endpoints, names their server, and reports
// introspection and field suggestions left on.
type Schema struct{}

// Meta describes the check.
func (Schema) Meta() check.Meta {
	return check.Meta{
		ID: "data-exposure.graphql-schema", Title: "GraphQL schema exposed (introspection, field suggestions)",
		Category: finding.CatDataExposure, OWASP: "API8:2023", CWE: "CWE-200", Severity: finding.Medium, Phase: check.PhaseProbe,
		Description: "Finds GraphQL endpoints (spec operations that look like GraphQL, then /graphql, /api/graphql, /v1/graphql, " +
			"/graphql/v1, /query, /gql, /graphiql; POST, GET after a 405) and names the server (Apollo, Hasura, gqlgen, " +
			"graphql-core, graphql-java, …) from its answers to {__typename} and a misspelt keyword (inventory.graphql-endpoint, info). " +
			"Reports introspection answered (data-exposure.graphql-introspection) and validation errors that suggest field names " +
			"(data-exposure.graphql-field-suggestions), from which plumb rebuilds the schema when introspection is off. Every later GraphQL " +
			"check uses the schema learned here; URLs in its descriptions and in answers join the host graph.",
		Rules: []check.Rule{
			{ID: IDEndpoint, Title: "GraphQL endpoint", Category: finding.CatInventory, Severity: finding.Info, OWASP: "API9:2023", CWE: "CWE-1059",
				Remediation: endpointFix, Description: "A GraphQL endpoint answers on the target; the title names its server when " +
					"its answers match a fingerprint (the graphql-engines rule pack). Informational: it puts the endpoint in the inventory."},
			{ID: IDIntrospection, Title: "GraphQL introspection is enabled", Severity: finding.Medium, Remediation: introspectionFix,
				Description: "The endpoint answers the introspection query with its whole schema: every type, field, argument and " +
					"mutation, ready for an attacker to map."},
			{ID: IDSuggestions, Title: "GraphQL error messages suggest field names", Severity: finding.Low, CWE: "CWE-209",
				Remediation: suggestionsFix, Description: "Validation errors answer misspelt fields with \"Did you mean …\", " +
					"which rebuilds the schema even with introspection off (plumb does, within its budget)."},
		},
	}
}

// Run reports what discovery learned.
func (c Schema) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	return eachEndpoint(ctx, in, false, func(_ *state, ep *Endpoint) ([]finding.Finding, error) {
		out := []finding.Finding{c.endpoint(in, ep)}
		if f := c.introspection(in, ep); f != nil {
			out = append(out, *f)
		}
		if f := c.suggestions(in, ep); f != nil {
			out = append(out, *f)
		}
		return out, nil
	})
}

func (c Schema) endpoint(in *check.Input, ep *Endpoint) finding.Finding {
	f := newFinding(c.Meta(), IDEndpoint, "GraphQL endpoint", location(in, ep, "", ""))
	f.Confidence = finding.Confirmed
	engine := "an unidentified server"
	if ep.Engine != "" {
		engine = ep.Engine
		f.Title = "GraphQL endpoint (" + ep.Engine + ")"
	}
	schema := "no schema could be learned (introspection and suggestions are off)"
	if ep.Schema != nil {
		schema = fmt.Sprintf("its schema (from %s) has %d queries and %d mutations", ep.Source,
			len(gql.RootFields(ep.Schema.Schema, "query")), len(gql.RootFields(ep.Schema.Schema, "mutation")))
	}
	f.Evidence.Summary = fmt.Sprintf("%s answers GraphQL: %s; %s.", ep.Path, engine, schema)
	f.Evidence.HTTP = append(f.Evidence.HTTP, ep.Typename.evidence())
	if ep.Syntax != nil && ep.Syntax.resp != nil {
		f.Evidence.HTTP = append(f.Evidence.HTTP, ep.Syntax.evidence())
	}
	f.Remediation = endpointFix
	return f
}

func (c Schema) introspection(in *check.Input, ep *Endpoint) *finding.Finding {
	if ep.Source != "introspection" {
		return nil
	}
	s := ep.Schema
	f := newFinding(c.Meta(), IDIntrospection, "GraphQL introspection is enabled", location(in, ep, "", ""))
	f.Confidence = finding.Confirmed
	who := "with identity A's credential"
	if !in.HasCredentials {
		who = "without any credential"
	}
	f.Evidence.Summary = fmt.Sprintf("An introspection query sent %s returned the whole schema: %d types, %d queries, %d mutations "+
		"(e.g. %s). Anyone who can reach the endpoint can map every operation and argument.", who, len(userTypes(s)),
		len(gql.RootFields(s.Schema, "query")), len(gql.RootFields(s.Schema, "mutation")), strings.Join(firstFields(s, 6), ", "))
	f.Evidence.HTTP = []finding.HTTPExchange{ep.Introspection.evidence()}
	f.Remediation = introspectionFix
	return &f
}

func (c Schema) suggestions(in *check.Input, ep *Endpoint) *finding.Finding {
	if ep.Recon == nil || len(ep.Recon.Suggested) == 0 {
		return nil
	}
	f := newFinding(c.Meta(), IDSuggestions, "GraphQL error messages suggest field names", location(in, ep, "", ""))
	f.Confidence = finding.Confirmed
	names := ep.Recon.Suggested
	sort.Strings(names)
	summary := fmt.Sprintf("Validation errors answer misspelt fields with \"Did you mean …\", naming %d real fields (%s). "+
		"The message was: %q.", len(names), strings.Join(names[:min(8, len(names))], ", "), ep.Recon.Evidence)
	if ep.Source == "suggestions" {
		summary += fmt.Sprintf(" Introspection is off, yet plumb rebuilt %d queries from the suggestions alone.", len(gql.RootFields(ep.Schema.Schema, "query")))
	}
	f.Evidence.Summary = summary
	if ep.ReconEx != nil {
		f.Evidence.HTTP = []finding.HTTPExchange{ep.ReconEx.evidence()}
	}
	f.Remediation = suggestionsFix
	return &f
}

func userTypes(s *gql.Schema) []string {
	var out []string
	for n, d := range s.Types {
		if !d.BuiltIn && !strings.HasPrefix(n, "__") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func firstFields(s *gql.Schema, n int) []string {
	var out []string
	for _, f := range gql.RootFields(s.Schema, "query") {
		if len(out) < n {
			out = append(out, "query "+f.Name)
		}
	}
	for _, f := range gql.RootFields(s.Schema, "mutation") {
		if len(out) < n {
			out = append(out, "mutation "+f.Name)
		}
	}
	return out
}

// SensitiveFields reports schema fields whose names say they hold secrets
// or personal identifiers.
type SensitiveFields struct{}

// Meta describes the check.
func (SensitiveFields) Meta() check.Meta {
	return check.Meta{
		ID: "property-authorization.graphql-sensitive-field", Title: "GraphQL schema exposes sensitive fields",
		Category: finding.CatPropertyAuthz, OWASP: "API3:2023", CWE: "CWE-213", Severity: finding.Medium, Phase: check.PhaseProbe,
		Description: "Reads the schema learned by data-exposure.graphql-schema and reports output fields named like secrets or " +
			"identifiers (the credential rules of the sensitive-keys pack: password, password hash, API key, secret, token; " +
			"and the personal-identifiers pack: SSN, national id, payment card): one finding per type and field. Sends no " +
			"request of its own.",
		Remediation: sensitiveFix,
	}
}

// Field-name rules: the credential rules of sensitive-keys (password,
// password hash, API key, secret, token; rules that also need the value
// are left out: a schema has none) and personal-identifiers (SSN, card).
var fieldRules = sync.OnceValues(func() ([]*rules.Rule, error) {
	var out []*rules.Rule
	for _, name := range []string{"sensitive-keys", "personal-identifiers"} {
		p, err := rules.Load(name)
		if err != nil {
			return nil, err
		}
		for _, r := range p.Rules {
			if !r.HasValue() && (p.Name != "sensitive-keys" || r.Meta["class"] == "credential") {
				out = append(out, r)
			}
		}
	}
	return out, nil
})

// sensitive returns the rule a field name matches, if any.
func sensitive(name string) (*rules.Rule, bool) {
	rs, err := fieldRules()
	if err != nil {
		return nil, false
	}
	for _, r := range rs {
		if r.MatchKey(name) {
			return r, true
		}
	}
	return nil, false
}

// Run lists the sensitive fields of every learned schema.
func (c SensitiveFields) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	return eachEndpoint(ctx, in, true, func(_ *state, ep *Endpoint) ([]finding.Finding, error) {
		var out []finding.Finding
		for _, tn := range userTypes(ep.Schema) {
			def := ep.Schema.Types[tn]
			if def.Kind != "OBJECT" && def.Kind != "INTERFACE" {
				continue
			}
			for _, fd := range def.Fields {
				rule, ok := sensitive(fd.Name)
				if !ok {
					continue
				}
				f := check.New(c.Meta(), fmt.Sprintf("GraphQL type %s exposes %s", tn, fd.Name), location(in, ep, "type "+tn+"."+fd.Name, ""))
				f.Confidence = finding.Firm
				f.Evidence.Summary = fmt.Sprintf("The schema (from %s) lets clients select %s.%s: %s, %s (rule %s/%s). A field "+
					"like this belongs on no client-facing type; any caller who can reach %s can ask for it.",
					ep.Source, tn, fd.Name, fd.Type.String(), words.A(rule.Title), rule.Pack(), rule.ID, words.A(tn))
				x := ep.Introspection
				if ep.Source == "suggestions" {
					x = ep.ReconEx
				}
				if x != nil && x.resp != nil {
					f.Evidence.HTTP = []finding.HTTPExchange{x.evidence()}
				}
				f.Remediation = sensitiveFix
				out = append(out, f)
			}
		}
		return out, nil
	})
}
