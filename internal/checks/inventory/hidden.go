package inventory

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/rules"
	"github.com/plumbsec/plumb/internal/spec"
)

// Hidden-operation bounds: documented collections whose siblings are
// tried, and requests in all (baselines included).
const (
	maxHiddenCollections = 3
	maxHiddenProbes      = 40
)

// Packs HiddenOperations reads: its own wordlist, and the debug endpoints
// input-validation.debug-endpoint requests (never reported twice).
const (
	hiddenPack = "hidden-paths"
	debugPack  = "debug-endpoints"
)

// HiddenOperations requests undocumented siblings of documented
// collections (/api/v1/delivery/orders beside /api/v1/orders) and common
// admin, internal and debug paths, from the hidden-paths pack, without
// credentials first.
type HiddenOperations struct{}

// Meta describes the check.
func (HiddenOperations) Meta() check.Meta {
	return check.Meta{
		ID: "inventory.hidden-operation", Title: "Undocumented operation serves data", Category: finding.CatInventory,
		OWASP: "API9:2023", CWE: "CWE-1059", Severity: finding.High, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: fmt.Sprintf("Read-only (GET). Takes the hidden-paths pack's words and tries them at the root and under "+
			"the API's base path, before the last segment of up to %d documented collections (those that require a "+
			"credential and have a detail operation first) and after it; at most %d requests, a random sibling per place "+
			"first so a catch-all never matches. Each path is requested without credentials, and with identity A's when "+
			"that is refused. JSON carrying data (not an error) from a path the spec does not document is the finding: "+
			"high without credentials, medium with them. Paths the spec documents, other versions of documented paths "+
			"(inventory.undocumented-version) and the debug-endpoints pack's paths (input-validation.debug-endpoint) are "+
			"left to those.", maxHiddenCollections, maxHiddenProbes),
		Remediation: hiddenRemediation,
	}
}

// hiddenCand is one path to try.
type hiddenCand struct {
	rule    *rules.Rule
	path    string // relative to the target
	sibling string // the documented path it sits beside ("" at the root)
	group   string // its baseline group: the random sibling in the same place
}

// Run builds the candidates and requests them.
func (c HiddenOperations) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	pack, err := rules.Load(hiddenPack)
	if err != nil {
		return nil, err
	}
	skip := map[string]bool{}
	for _, op := range in.API.Operations {
		skip[op.Path] = true
	}
	if dbg, err := rules.Load(debugPack); err == nil {
		for _, r := range dbg.Rules {
			skip[strings.TrimSuffix(r.Path, "/")] = true
		}
	}
	run := &hiddenRun{c: c, in: in, base: basePath(in), baselines: map[string]*netx.Response{}}
	var out []finding.Finding
	sent := 0
	for _, cd := range candidates(pack, in.API, run.base, skip) {
		if sent >= maxHiddenProbes {
			break
		}
		f, n, err := run.try(ctx, cd)
		sent += n
		if err != nil {
			return out, err
		}
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

// basePath is the API's base path (the spec server's), "" at the root.
func basePath(in *check.Input) string {
	p := strings.TrimSuffix(in.BaseURL().Path, "/")
	if t := strings.TrimSuffix(in.Target.Path, "/"); strings.HasPrefix(p, t) {
		return strings.TrimPrefix(p, t)
	}
	return p
}

// candidates lists the paths, root ones first, then per collection.
func candidates(pack *rules.Pack, api *spec.API, base string, skip map[string]bool) []hiddenCand {
	var out []hiddenCand
	seen := map[string]bool{}
	add := func(cd hiddenCand) {
		if !seen[cd.path] && !skip[cd.path] && !skip[strings.TrimPrefix(cd.path, base)] {
			seen[cd.path] = true
			out = append(out, cd)
		}
	}
	for _, r := range pack.Rules {
		if r.Meta["place"] != "root" {
			continue
		}
		add(hiddenCand{rule: r, path: r.Path, group: "/"})
		if base != "" {
			add(hiddenCand{rule: r, path: base + r.Path, group: base + "/"})
		}
	}
	for _, col := range collections(api) {
		dir, last := col[:strings.LastIndex(col, "/")], col[strings.LastIndex(col, "/"):]
		for _, r := range pack.Rules {
			switch r.Meta["place"] {
			case "prefix":
				add(hiddenCand{rule: r, path: dir + r.Path + last, sibling: col, group: dir + "/*" + last})
			case "suffix":
				add(hiddenCand{rule: r, path: col + r.Path, sibling: col, group: col + "/"})
			}
		}
	}
	return out
}

// collections picks the documented GET collections worth a sibling:
// those that require a credential and have a detail operation first; no
// self paths, no admin areas, no versioned twins.
func collections(api *spec.API) []string {
	type col struct {
		path  string
		score int
	}
	detail := map[string]bool{}
	for _, op := range api.Operations {
		if op.Method == http.MethodGet && strings.HasSuffix(op.Path, "}") {
			detail[op.Path[:strings.LastIndex(op.Path, "/")]] = true
		}
	}
	var cs []col
	for _, op := range api.Operations {
		if op.Method != http.MethodGet || strings.Contains(op.Path, "{") || reqgen.IsSelf(op.Path) || strings.Count(op.Path, "/") < 1 ||
			strings.Contains(strings.ToLower(op.Path), "admin") {
			continue
		}
		s := 0
		if op.RequiresAuth() {
			s += 2
		}
		if detail[op.Path] {
			s++
		}
		cs = append(cs, col{op.Path, s})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	var out []string
	for _, c := range cs[:min(len(cs), maxHiddenCollections)] {
		out = append(out, c.path)
	}
	return out
}

type hiddenRun struct {
	c         HiddenOperations
	in        *check.Input
	base      string
	baselines map[string]*netx.Response // per group: a random sibling's answer (nil: none)
}

// target is the target URL without a trailing slash or query.
func (r *hiddenRun) target() string {
	u := *r.in.Target
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimSuffix(u.String(), "/")
}

// baseline returns the answer to a random path of the candidate's group,
// once per group; the number of requests it sent.
func (r *hiddenRun) baseline(ctx context.Context, cd hiddenCand) (*netx.Response, int, error) {
	if b, ok := r.baselines[cd.group]; ok {
		return b, 0, nil
	}
	rnd := "plumb-" + nonce()
	p := strings.Replace(cd.group, "*", rnd, 1)
	if strings.HasSuffix(p, "/") {
		p += rnd
	}
	resp, err := r.in.HTTP.Do(ctx, &netx.Request{Method: http.MethodGet, URL: r.target() + p})
	if err != nil {
		return nil, 1, err
	}
	r.baselines[cd.group] = resp
	return resp, 1, nil
}

// try requests one candidate, anonymously and then as A.
func (r *hiddenRun) try(ctx context.Context, cd hiddenCand) (*finding.Finding, int, error) {
	in := r.in
	b, n, err := r.baseline(ctx, cd)
	if err != nil {
		return nil, n, reqgen.FatalOnly(ctx, err)
	}
	u := r.target() + cd.path
	anonReq := &netx.Request{Method: http.MethodGet, URL: u}
	anon, err := in.HTTP.Do(ctx, anonReq)
	n++
	if err != nil {
		return nil, n, reqgen.FatalOnly(ctx, err)
	}
	req, resp, withCreds := anonReq, anon, false
	if reqgen.Denied(anon) && in.HasCredentials {
		req = &netx.Request{Method: http.MethodGet, URL: u, WithCredentials: true}
		if resp, err = in.HTTP.Do(ctx, req); err != nil {
			return nil, n + 1, reqgen.FatalOnly(ctx, err)
		}
		n++
		withCreds = true
	}
	if !servesData(cd.rule, resp) || (b != nil && reqgen.OK2xx(b) && reqgen.SameBody(b.Body, resp.Body)) {
		return nil, n, nil
	}
	return r.finding(cd, req, resp, anon, withCreds), n, nil
}

// servesData reports a 2xx JSON answer with data (the rule's content)
// that is not an error object.
func servesData(rule *rules.Rule, resp *netx.Response) bool {
	if !reqgen.OK2xx(resp) || !rule.Confirm(resp.Body, resp.Header.Get("Content-Type")) {
		return false
	}
	if obj := reqgen.FirstObject(resp.Body); obj != nil {
		data := false
		for k := range obj {
			switch strings.ToLower(k) {
			case "error", "errors", "message", "status", "detail", "code", "title", "type", "msg", "success", "ok":
			default:
				data = true
			}
		}
		return data
	}
	return true // a non-empty array (the rule's content saw a key inside)
}

func (r *hiddenRun) finding(cd hiddenCand, req *netx.Request, resp, anon *netx.Response, withCreds bool) *finding.Finding {
	in := r.in
	beside := "at the root"
	if cd.sibling != "" {
		beside = "beside the documented " + cd.sibling
	}
	f := check.New(r.c.Meta(), fmt.Sprintf("Undocumented GET %s serves data without credentials (%s)", cd.path, cd.rule.Title),
		finding.Location{Host: in.Target.Host, Method: http.MethodGet, Path: cd.path})
	f.Confidence = finding.Confirmed
	summary := fmt.Sprintf("GET %s, which the spec does not document (%s), answered %d with JSON data to a request without "+
		"any credential; a random path in the same place did not. Undocumented operations miss the reviews, tests and "+
		"controls of documented ones.", in.HTTP.Redactor().URL(req.URL), beside, resp.StatusCode)
	ex := []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)}
	if withCreds {
		f.Title = fmt.Sprintf("Undocumented GET %s serves data (%s)", cd.path, cd.rule.Title)
		f.Severity, f.Confidence = finding.Medium, finding.Firm
		summary = fmt.Sprintf("GET %s, which the spec does not document (%s), refused a request without credentials (%d) but "+
			"answered identity A with JSON data (%d); a random path in the same place did not. Check that it is meant to "+
			"exist and to serve A.", in.HTTP.Redactor().URL(req.URL), beside, anon.StatusCode, resp.StatusCode)
		ex = append([]finding.HTTPExchange{in.HTTP.Evidence(&netx.Request{Method: http.MethodGet, URL: req.URL}, anon, nil)}, ex...)
	}
	f.Evidence = finding.Evidence{Summary: summary, HTTP: ex}
	f.Remediation = hiddenRemediation
	return &f
}

var hiddenRemediation = finding.Remediation{
	Summary: "Remove operations nobody documents, or document them and give them the same authentication and " +
		"authorization as the rest of the API; serve internal and partner tools on a separate, non-public listener; keep " +
		"an inventory of every route the application registers (compare it with the OpenAPI document in CI).",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `# CI: every registered route must be documented
documented = set(load_openapi()["paths"])
for rule in app.url_map.iter_rules():
    assert to_openapi_path(rule.rule) in documented, f"undocumented route {rule.rule}"`},
		{Lang: "go", Code: `// internal tools on their own listener, never on the public mux
go func() { _ = http.ListenAndServe("127.0.0.1:9090", internalMux) }()
_ = http.ListenAndServe(":8080", publicMux)`},
		{Lang: "node-express", Code: `// one router per audience; the partner router needs its own credential
app.use("/api/v1", auth, publicRouter);
app.use("/api/v1/delivery", auth, requireRole("courier"), deliveryRouter);`},
	},
	References: []string{
		"https://owasp.org/API-Security/editions/2023/en/0xa9-improper-inventory-management/",
		"https://cwe.mitre.org/data/definitions/1059.html",
	},
}
