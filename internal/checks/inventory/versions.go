package inventory

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

// UndocumentedVersions reports other versions of documented paths that
// answer (e.g. /api/v0/books next to the documented /api/v1/books).
type UndocumentedVersions struct{}

// Meta describes the check.
func (UndocumentedVersions) Meta() check.Meta {
	return check.Meta{
		ID: "inventory.undocumented-version", Title: "Undocumented API version answers", Category: finding.CatInventory,
		OWASP: "API9:2023", CWE: "CWE-1059", Severity: finding.Medium, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "For parameterless GET operations whose path has a version segment (/v1/), requests the neighbouring " +
			"versions the spec does not document (v0, v(n-1), v(n+1)); reports one that answers 2xx while a random path under " +
			"the same version prefix does not (so a catch-all cannot match). Old versions usually miss the fixes and " +
			"controls of the current one.",
		Remediation: versionRemediation,
	}
}

// maxVersionProbes bounds UndocumentedVersions' candidates (each costs
// up to two requests).
const maxVersionProbes = 8

// versionSeg matches a version path segment such as /v1/.
var versionSeg = regexp.MustCompile(`/v(\d{1,2})/`)

type versionCand struct {
	docPath, path, prefix string
	newer, private        bool // sort keys: older versions and public operations first
}

// Run probes at most maxVersionProbes candidates.
func (c UndocumentedVersions) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	documented := map[string]bool{}
	for _, op := range in.API.Operations {
		documented[op.Path] = true
	}
	var cands []versionCand
	seen := map[string]bool{}
	for _, op := range in.API.Operations {
		if op.Method != http.MethodGet || strings.Contains(op.Path, "{") {
			continue
		}
		loc := versionSeg.FindStringSubmatchIndex(op.Path)
		if loc == nil {
			continue
		}
		n, _ := strconv.Atoi(op.Path[loc[2]:loc[3]])
		for _, v := range []int{0, n - 1, n + 1} {
			if v < 0 || v == n {
				continue
			}
			p := op.Path[:loc[0]] + "/v" + strconv.Itoa(v) + "/" + op.Path[loc[1]:]
			if documented[p] || seen[p] {
				continue
			}
			seen[p] = true
			cands = append(cands, versionCand{docPath: op.Path, path: p, prefix: op.Path[:loc[0]] + "/v" + strconv.Itoa(v) + "/",
				newer: v > n, private: !anonymous(op)})
		}
	}
	// Older versions linger more than unreleased ones, and public
	// operations answer whatever the credential; then one candidate per
	// version prefix in turn, so the cap spreads over versions.
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.newer != b.newer {
			return !a.newer
		}
		if a.private != b.private {
			return !a.private
		}
		return a.path < b.path
	})
	cands = spread(cands)
	base := strings.TrimSuffix(in.BaseURL().String(), "/")
	var out []finding.Finding
	vetoed := map[string]bool{}
	for i, cd := range cands {
		if i >= maxVersionProbes {
			break
		}
		if vetoed[cd.prefix] {
			continue
		}
		req := &netx.Request{Method: http.MethodGet, URL: base + cd.path, WithCredentials: true}
		resp, err := in.HTTP.Do(ctx, req)
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			continue
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			continue
		}
		// Confirm against a random path under the same version prefix.
		rnd, err := in.HTTP.Do(ctx, &netx.Request{Method: http.MethodGet, URL: base + cd.prefix + "plumb-" + nonce(), WithCredentials: true})
		if err != nil || (rnd.StatusCode >= 200 && rnd.StatusCode < 300) {
			vetoed[cd.prefix] = true
			continue
		}
		f := check.New(c.Meta(), fmt.Sprintf("Undocumented %s answers (documented: %s)", cd.path, cd.docPath),
			finding.Location{Host: in.Target.Host, Method: http.MethodGet, Path: cd.path})
		f.Confidence = finding.Confirmed
		f.Evidence = finding.Evidence{
			Summary: fmt.Sprintf("GET %s answered %d although the spec documents only %s; a random path under %s answered %d.",
				in.HTTP.Redactor().URL(req.URL), resp.StatusCode, cd.docPath, cd.prefix, rnd.StatusCode),
			HTTP: []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)},
		}
		f.Remediation = versionRemediation
		out = append(out, f)
	}
	return out, nil
}

var versionRemediation = finding.Remediation{
	Summary: "Retire old API versions (answer 410 Gone) or document and secure them like the current one; keep an " +
		"inventory of every version and host that serves the API.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.route("/api/v0/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def v0_gone(rest): return {"error": "api_version_retired"}, 410`},
		{Lang: "go", Code: `mux.HandleFunc("/api/v0/", func(w http.ResponseWriter, r *http.Request) {
	http.Error(w, ` + "`" + `{"error":"api_version_retired"}` + "`" + `, http.StatusGone)
})`},
		{Lang: "node-express", Code: `app.all("/api/v0/*", (req, res) => res.status(410).json({ error: "api_version_retired" }));`},
	},
	References: refAPI9,
}

// spread reorders cands round-robin over their version prefixes.
func spread(cands []versionCand) []versionCand {
	byPrefix := map[string][]versionCand{}
	var prefixes []string
	for _, c := range cands {
		if _, ok := byPrefix[c.prefix]; !ok {
			prefixes = append(prefixes, c.prefix)
		}
		byPrefix[c.prefix] = append(byPrefix[c.prefix], c)
	}
	out := make([]versionCand, 0, len(cands))
	for len(out) < len(cands) {
		for _, p := range prefixes {
			if q := byPrefix[p]; len(q) > 0 {
				out = append(out, q[0])
				byPrefix[p] = q[1:]
			}
		}
	}
	return out
}

// anonymous says whether the spec lets anonymous callers use op.
func anonymous(op spec.Operation) bool {
	if len(op.Security) == 0 {
		return true
	}
	for _, r := range op.Security {
		if len(r.Schemes) == 0 {
			return true
		}
	}
	return false
}
