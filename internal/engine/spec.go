package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/result"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/safetext"
	"github.com/plumbsec/plumb/internal/spec"
)

// DiscoveryPaths are the locations tried, in order, when no --spec is given.
var DiscoveryPaths = []string{
	"/openapi.json", "/openapi.yaml", "/swagger.json", "/swagger.yaml",
	"/v3/api-docs", "/v2/api-docs", "/.well-known/openapi", "/.well-known/openapi.json",
	"/api-docs", "/swagger/v1/swagger.json", "/api/openapi.json", "/docs/openapi.json",
}

// loadSpec loads the given document, or discovers one on the target. A
// given document that cannot be used is fatal; discovery that finds
// nothing is not (checks that need a spec are skipped with a reason).
func (s *scanner) loadSpec(ctx context.Context, source string, rep *result.Report) error {
	opts := spec.LoadOptions{AllowRemoteRefs: s.opts.AllowRemoteRefs, Fetch: s.fetch}
	if source != "" {
		api, err := spec.Load(ctx, source, opts)
		if err == nil && len(api.Operations) == 0 {
			// The document loads, but a scan of it would be an empty one.
			err = fmt.Errorf("%w: %s", spec.ErrNoOperations, api.Warnings[len(api.Warnings)-1])
		}
		if err != nil {
			return fail(KindSpec, "fix the document, or scan without --spec to let plumb discover one", fmt.Errorf("spec: %w", err))
		}
		s.useSpec(api, rep, false)
		return nil
	}
	for _, p := range DiscoveryPaths {
		u := s.target.ResolveReference(&url.URL{Path: strings.TrimSuffix(s.target.Path, "/") + p})
		resp, err := s.http.Do(ctx, &netx.Request{Method: http.MethodGet, URL: u.String(), WithCredentials: true})
		attempt := result.SpecAttempt{URL: u.String()}
		switch {
		case errors.Is(err, netx.ErrBudgetExhausted) || ctx.Err() != nil:
			attempt.Result = "not tried: scan stopped"
		case err != nil:
			attempt.Result = "error: " + safetext.Quote(s.http.Redactor().String(err.Error()), 400)
		case resp.StatusCode != http.StatusOK:
			attempt.Status, attempt.Result = resp.StatusCode, "not found"
		case resp.Truncated:
			// A prefix of a YAML document is often a valid, smaller one.
			attempt.Status, attempt.Result = resp.StatusCode, fmt.Sprintf("not loaded: larger than the response size cap (%d bytes)", s.opts.MaxBodyBytes)
			rep.Errors = append(rep.Errors, result.Error{Stage: "spec", Message: fmt.Sprintf(
				"the document at %s is larger than the response size cap of %d bytes and was not loaded; raise --max-body or pass it with --spec", s.http.Redactor().URL(u.String()), s.opts.MaxBodyBytes)})
		default:
			attempt.Status = resp.StatusCode
			api, perr := spec.Parse(ctx, resp.Body, u.String(), opts)
			if perr == nil && len(api.Operations) == 0 {
				perr = fmt.Errorf("%w: %s", spec.ErrNoOperations, api.Warnings[len(api.Warnings)-1])
			}
			if perr != nil {
				attempt.Result = "not an OpenAPI document: " + safetext.Quote(firstLine(perr.Error()), 400)
				break
			}
			attempt.Result = "loaded"
			rep.Spec.Tried = append(rep.Spec.Tried, attempt)
			s.useSpec(api, rep, true)
			return nil
		}
		rep.Spec.Tried = append(rep.Spec.Tried, attempt)
		if attempt.Result == "not tried: scan stopped" {
			break
		}
	}
	msg := fmt.Sprintf("no OpenAPI document found at %d common locations; pass --spec for a deeper scan", len(rep.Spec.Tried))
	if ctx.Err() != nil {
		msg = fmt.Sprintf("spec discovery stopped after %d locations: %s", len(rep.Spec.Tried), stopReason(ctx))
	}
	rep.Errors = append(rep.Errors, result.Error{Stage: "spec", Message: msg})
	return nil
}

func (s *scanner) useSpec(api *spec.API, rep *result.Report, discovered bool) {
	s.api = api
	s.cov = check.NewCoverage(len(api.Operations))
	rep.Spec.Source = api.Source
	rep.Spec.Version = api.Version
	rep.Spec.Title = api.Title
	rep.Spec.Operations = len(api.Operations)
	rep.Spec.Discovered = discovered
	rep.Spec.Warnings = slices.Clone(api.Warnings)
}

// fetch retrieves a spec or a remote $ref through the safe client. The
// credential goes along only where scope allows it.
func (s *scanner) fetch(ctx context.Context, u string) ([]byte, error) {
	resp, err := s.http.Do(ctx, &netx.Request{Method: http.MethodGet, URL: u, WithCredentials: true, FollowRedirects: true})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", s.http.Redactor().String(u), resp.StatusCode)
	}
	if resp.Truncated {
		return nil, fmt.Errorf("GET %s: document larger than the response size cap", s.http.Redactor().String(u))
	}
	return resp.Body, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// LoadSpec loads a document through the same safe network layer a scan
// uses (for `plumb spec`). Credentials, if any, go only to the document's
// own origin and --scope origins.
func LoadSpec(ctx context.Context, source string, o Options) (*spec.API, error) {
	o.defaults()
	var scope []netx.Origin
	if u, err := url.Parse(source); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		scope = append(scope, netx.OriginOf(u))
	}
	_, client, err := newNet(o, append(scope, o.ExtraScope...))
	if err != nil {
		return nil, err
	}
	s := &scanner{opts: o, http: client}
	api, err := spec.Load(ctx, source, spec.LoadOptions{AllowRemoteRefs: o.AllowRemoteRefs, Fetch: s.fetch})
	if err != nil {
		return nil, fail(KindSpec, "", fmt.Errorf("spec: %w", err))
	}
	return api, nil
}

// annotateSources records where each finding's operation is defined in
// the OpenAPI document, for SARIF locations.
func annotateSources(fs []finding.Finding, api *spec.API) {
	if api == nil {
		return
	}
	byOp := map[string]spec.Origin{}
	for _, op := range api.Operations {
		if op.Origin.Line > 0 && op.Origin.File != "" {
			byOp[op.Method+" "+op.Path] = op.Origin
		}
	}
	for i := range fs {
		l := fs[i].Location
		if l.Method == "" && len(fs[i].Affected) > 0 {
			l = fs[i].Affected[0] // a grouped finding: its first operation
		}
		if o, ok := byOp[l.Method+" "+l.Path]; ok && l.Method != "" {
			fs[i].Source = &finding.Source{File: o.File, Line: o.Line}
		}
	}
}
