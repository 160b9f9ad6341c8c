package ratelimit

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

// hugePage is the page size PageSize asks for.
const hugePage = "100000"

// maxPageOps bounds the operations PageSize probes (two requests each).
const maxPageOps = 4

// Thresholds: the big page must be this many times the default page and
// at least minBigBody bytes, so a server that clamps to a sane maximum
// (e.g. 100 items instead of 20) does not count.
const (
	minRatio   = 10
	minBigBody = 20 << 10
)

var pageParam = regexp.MustCompile(`(?i)^(?:limit|per_?page|page_?size|size|count|max_?results|top|\$top|take|first|rows)$`)

// PageSize reports page-size parameters the server does not bound.
type PageSize struct{}

// Meta describes the check.
func (PageSize) Meta() check.Meta {
	return check.Meta{
		ID: "rate-limiting.unbounded-page-size", Title: "Unbounded page size", Category: finding.CatRateLimiting,
		OWASP: "API4:2023", CWE: "CWE-770", Severity: finding.Medium, Needs: check.NeedSpec, Phase: check.PhaseProbe,
		Description: "For GET operations with a numeric page-size query parameter (limit, per_page, page_size, size, count, " +
			"max_results, top, take, first, rows), requests the default page and a page of " + hugePage + "; reports when the " +
			"big page is 2xx, at least 10 times larger and at least 20 KiB (or hits plumb's body cap): one request can make " +
			"the server read and serialise as much as an attacker asks for.",
		Remediation: pageRemediation,
	}
}

// Run probes up to maxPageOps operations.
func (c PageSize) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	var out []finding.Finding
	n := 0
	for _, op := range in.API.Operations {
		if n >= maxPageOps {
			break
		}
		p, ok := pageParamOf(op)
		if !ok {
			continue
		}
		base, ok := in.OperationURL(op)
		if !ok {
			continue
		}
		n++
		f, err := c.probe(ctx, in, op, p, base)
		if err != nil {
			return out, err
		}
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

func pageParamOf(op spec.Operation) (spec.Param, bool) {
	if op.Method != http.MethodGet {
		return spec.Param{}, false
	}
	for _, p := range op.Params {
		if p.In != "query" || !pageParam.MatchString(p.Name) {
			continue
		}
		if p.Schema == nil || p.Schema.Type == "integer" || p.Schema.Type == "number" || p.Schema.Type == "" {
			return p, true
		}
	}
	return spec.Param{}, false
}

func (c PageSize) probe(ctx context.Context, in *check.Input, op spec.Operation, p spec.Param, base string) (*finding.Finding, error) {
	small := &netx.Request{Method: http.MethodGet, URL: base, WithCredentials: true}
	sresp, err := in.Fetch(ctx, in.HTTP, small, &op) // often the corpus's request
	if err != nil {
		return nil, ctxErr(ctx)
	}
	if sresp.StatusCode < 200 || sresp.StatusCode > 299 {
		return nil, nil
	}
	u, perr := url.Parse(base)
	if perr != nil {
		return nil, nil //nolint:nilerr // base came from OperationURL; an unparsable one is just not probed
	}
	q := u.Query()
	q.Set(p.Name, hugePage)
	u.RawQuery = q.Encode()
	big := &netx.Request{Method: http.MethodGet, URL: u.String(), WithCredentials: true}
	bresp, err := in.HTTP.Do(ctx, big)
	if err != nil {
		return nil, ctxErr(ctx)
	}
	in.Coverage.Requested(op, bresp.StatusCode)
	ls, lb := len(sresp.Body), len(bresp.Body)
	grew := bresp.Truncated || (lb >= minBigBody && lb >= minRatio*max(ls, 1))
	if bresp.StatusCode < 200 || bresp.StatusCode > 299 || !grew {
		return nil, nil
	}
	f := check.New(c.Meta(), fmt.Sprintf("%s=%s is honoured by %s %s", p.Name, hugePage, op.Method, op.Path),
		finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path, Param: p.Name})
	f.Severity = finding.Low
	if bresp.Truncated || lb >= 100*max(ls, 1) {
		f.Severity = finding.Medium
	}
	f.Confidence = finding.Confirmed
	size := fmt.Sprintf("%d bytes", lb)
	if bresp.Truncated {
		size = fmt.Sprintf("more than %d bytes (plumb stopped reading)", lb)
	}
	red := in.HTTP.Redactor()
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("GET %s answered %d with %d bytes; GET %s answered %d with %s.",
			red.URL(small.URL), sresp.StatusCode, ls, red.URL(big.URL), bresp.StatusCode, size),
		HTTP: []finding.HTTPExchange{in.HTTP.Evidence(big, bresp, nil)},
	}
	f.Remediation = pageRemediation
	return &f, nil
}

func ctxErr(ctx context.Context) error { return ctx.Err() }

var pageRemediation = finding.Remediation{
	Summary: "Clamp page sizes server-side (e.g. at most 100 items), reject larger values with 400, and document the " +
		"maximum in the spec (maximum: 100).",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `limit = request.args.get("limit", default=20, type=int)
if not 1 <= limit <= 100:
    return {"error": "limit must be between 1 and 100"}, 400`},
		{Lang: "go", Code: `limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
if err != nil || limit < 1 || limit > 100 {
	http.Error(w, ` + "`" + `{"error":"invalid_limit"}` + "`" + `, http.StatusBadRequest)
	return
}`},
		{Lang: "node-express", Code: `const limit = Math.min(Math.max(parseInt(req.query.limit ?? "20", 10) || 20, 1), 100);`},
	},
	References: refAPI4,
}
