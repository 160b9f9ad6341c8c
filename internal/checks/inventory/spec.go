package inventory

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"

	"github.com/plumbsec/plumb/internal/words"
)

// DeprecatedServed reports deprecated GET operations that still answer
// 2xx in the corpus.
type DeprecatedServed struct{}

// Meta describes the check.
func (DeprecatedServed) Meta() check.Meta {
	return check.Meta{
		ID: "inventory.deprecated-operation", Title: "Deprecated operation still served", Category: finding.CatInventory,
		OWASP: "API9:2023", CWE: "CWE-1059", Severity: finding.Low, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "Reports GET operations the spec marks deprecated: true that still answered 2xx in the corpus " +
			"(each GET operation requested once as identity A; no extra requests). Deprecated code paths tend to be left out of reviews and fixes.",
		Remediation: deprecatedRemediation,
	}
}

// Run reads identity A's corpus.
func (c DeprecatedServed) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cp, err := in.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	var out []finding.Finding
	for _, s := range cp.Samples {
		if !s.Op.Deprecated || !s.OK() {
			continue
		}
		f := check.New(c.Meta(), fmt.Sprintf("Deprecated %s %s still answers %d", s.Op.Method, s.Op.Path, s.Resp.StatusCode),
			finding.Location{Host: in.Target.Host, Method: s.Op.Method, Path: s.Op.Path})
		f.Confidence = finding.Confirmed
		f.Evidence = finding.Evidence{Summary: fmt.Sprintf("The spec marks %s %s deprecated; GET %s answered %d.", s.Op.Method, s.Op.Path,
			in.HTTP.Redactor().URL(s.Req.URL), s.Resp.StatusCode), HTTP: []finding.HTTPExchange{in.HTTP.Evidence(s.Req, s.Resp, nil)}}
		f.Remediation = deprecatedRemediation
		out = append(out, f)
	}
	return out, nil
}

// nonProd matches host labels and descriptions of non-production or
// legacy environments.
var nonProd = regexp.MustCompile(`(?i)^(?:staging|stage|stg|dev|develop|development|test|testing|qa|uat|sandbox|preprod|pre-prod|demo|legacy|old|beta|canary|internal)$`)

// NonProductionServers reports spec servers that name non-production or
// legacy environments.
type NonProductionServers struct{}

// Meta describes the check.
func (NonProductionServers) Meta() check.Meta {
	return check.Meta{
		ID: "inventory.non-production-server", Title: "Non-production or legacy server in the spec", Category: finding.CatInventory,
		OWASP: "API9:2023", CWE: "CWE-1059", Severity: finding.Low, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "Reports spec servers whose host name labels (split on dots and dashes; the top-level domain is " +
			"ignored) or description name a non-production or legacy environment (staging, dev, test, qa, uat, sandbox, " +
			"preprod, legacy, beta …). Such hosts usually run older code with weaker controls, yet clients send them " +
			"credentials. No requests.",
		Remediation: nonProductionRemediation,
	}
}

// Run reads the spec.
func (c NonProductionServers) Run(_ context.Context, in *check.Input) ([]finding.Finding, error) {
	var out []finding.Finding
	for _, s := range in.API.Servers {
		u, err := url.Parse(s.URL)
		if err != nil || u.Hostname() == "" {
			continue
		}
		word := envWord(u.Hostname(), s.Description)
		if word == "" {
			continue
		}
		f := check.New(c.Meta(), fmt.Sprintf("Spec lists %s server %s", word, u.Hostname()), finding.Location{Host: u.Host})
		f.Confidence = finding.Firm
		f.Evidence = finding.Evidence{Summary: fmt.Sprintf("servers entry %q (description %q) names %s.", s.URL, s.Description, words.A(word+" environment"))}
		f.Remediation = nonProductionRemediation
		out = append(out, f)
	}
	return out, nil
}

// envWord returns the environment word host or description names, or "".
func envWord(host, desc string) string {
	labels := strings.Split(strings.ToLower(host), ".")
	if len(labels) > 1 {
		labels = labels[:len(labels)-1] // the TLD (e.g. .test) names no environment
	}
	for _, l := range labels {
		for _, part := range strings.Split(l, "-") {
			if nonProd.MatchString(part) {
				return strings.ToLower(part)
			}
		}
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(desc), func(r rune) bool { return r < 'a' || r > 'z' }) {
		if nonProd.MatchString(w) {
			return w
		}
	}
	return ""
}

var deprecatedRemediation = finding.Remediation{
	Summary: "Set a sunset date (Deprecation and Sunset headers, RFC 9745 / RFC 8594), then remove the operation " +
		"and answer 410 Gone; until then keep it under the same tests and controls as current operations.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.get("/api/v1/catalog/legacy")
def legacy(): return {"error": "gone", "use": "/api/v1/catalog"}, 410`},
		{Lang: "go", Code: `w.Header().Set("Sunset", "Wed, 31 Dec 2025 23:59:59 GMT") // then: http.StatusGone`},
		{Lang: "node-express", Code: `app.get("/api/v1/catalog/legacy", (req, res) => res.status(410).json({ error: "gone" }));`},
	},
	References: refAPI9,
}

var nonProductionRemediation = finding.Remediation{
	Summary: "Publish only production servers in the public spec; retire legacy and staging hosts or put them behind " +
		"authentication at the network edge, and never let them accept production credentials.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `# apispec: list only the production server
spec = APISpec(title="shop", version="1.0", openapi_version="3.0.3", servers=[{"url": "https://api.example.com"}])`},
		{Lang: "go", Code: `// generate the public document with only the production server
doc.Servers = openapi3.Servers{{URL: "https://api.example.com"}}`},
		{Lang: "node-express", Code: `swaggerDoc.servers = [{ url: "https://api.example.com" }];`},
	},
	References: refAPI9,
}
