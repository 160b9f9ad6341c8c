// Package inventory holds the improper-inventory checks (OWASP
// API9:2023): a spec anyone can download, undocumented API versions that
// still answer, deprecated operations still served, and non-production or
// legacy servers listed in the spec.
package inventory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

var refAPI9 = []string{"https://owasp.org/API-Security/editions/2023/en/0xa9-improper-inventory-management/"}

// specPaths are where API documents are commonly published.
var specPaths = []string{"/openapi.json", "/swagger.json", "/v3/api-docs", "/swagger/v1/swagger.json", "/api-docs", "/openapi.yaml"}

// SpecExposed reports an API document served to anonymous callers.
type SpecExposed struct{}

// Meta describes the check.
func (SpecExposed) Meta() check.Meta {
	return check.Meta{
		ID: "inventory.spec-exposed", Title: "API document publicly available", Category: finding.CatInventory,
		OWASP: "API9:2023", CWE: "CWE-200", Severity: finding.Info, Phase: check.PhaseProbe,
		Description: "Requests the usual OpenAPI/Swagger locations without credentials and reports the first that serves " +
			"an API document (a JSON object with openapi or swagger and paths). Informational: fine for a public API, a map " +
			"of every operation for an attacker otherwise.",
		Remediation: specExposedRemediation,
	}
}

// Run stops at the first document found (at most len(specPaths) requests).
func (c SpecExposed) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	base := origin(in.Target)
	for _, p := range specPaths {
		req := &netx.Request{Method: http.MethodGet, URL: base + p}
		resp, err := in.HTTP.Do(ctx, req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if resp.StatusCode != http.StatusOK || !isSpec(resp.Body) {
			continue
		}
		f := check.New(c.Meta(), "API document served to anonymous callers at "+p, finding.Location{Host: in.Target.Host, Method: http.MethodGet, Path: p})
		f.Confidence = finding.Confirmed
		ex := in.HTTP.Evidence(req, resp, nil)
		ex.Body = ""
		f.Evidence = finding.Evidence{Summary: fmt.Sprintf("GET %s without credentials answered 200 with an OpenAPI/Swagger document (%d bytes).",
			in.HTTP.Redactor().URL(req.URL), len(resp.Body)), HTTP: []finding.HTTPExchange{ex}}
		f.Remediation = specExposedRemediation
		return []finding.Finding{f}, nil
	}
	return nil, nil
}

// isSpec says whether b is a JSON OpenAPI/Swagger document.
func isSpec(b []byte) bool {
	var doc map[string]json.RawMessage
	if json.Unmarshal(b, &doc) != nil {
		return false
	}
	_, oa := doc["openapi"]
	_, sw := doc["swagger"]
	_, paths := doc["paths"]
	return (oa || sw) && paths
}

func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

func nonce() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var specExposedRemediation = finding.Remediation{
	Summary: "If the API is not public, serve its document only to authenticated developers (or not at all in " +
		"production), and keep it in your inventory so every version and server it lists is maintained.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.get("/openapi.json")
@require_role("developer")
def openapi(): return send_file("openapi.json")`},
		{Lang: "go", Code: `mux.Handle("GET /openapi.json", requireRole("developer", specHandler))`},
		{Lang: "node-express", Code: `app.get("/openapi.json", requireRole("developer"), (req, res) => res.sendFile(specPath));`},
	},
	References: refAPI9,
}
