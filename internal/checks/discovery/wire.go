package discovery

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

// Bounds on the requests WireHosts sends.
const (
	maxSampleOps   = 32 // GET operations sampled for headers and bodies
	maxMetadataURL = 6  // metadata documents fetched (well-known, spec, discovered)
)

// wellKnown are the metadata documents looked for on the target's origin.
var wellKnown = []string{
	"/.well-known/openid-configuration",       // OIDC Discovery 1.0
	"/.well-known/oauth-authorization-server", // RFC 8414
	"/.well-known/oauth-protected-resource",   // RFC 9728
}

// WireHosts adds to the host graph every host the API's responses point
// at: OIDC/OAuth metadata endpoints and keys, Location/Link/CORS/CSP
// headers, URLs in JSON bodies, and the iss/jku/x5u of tokens (seen in
// responses, or the user's own token, decoded without verification).
type WireHosts struct{}

// Meta describes the check.
func (WireHosts) Meta() check.Meta {
	return check.Meta{
		ID: "inventory.wire-hosts", Title: "Host graph discovery from responses", Category: finding.CatInventory,
		OWASP: "API9:2023", CWE: "CWE-1059", Severity: finding.Info, Phase: check.PhaseProbe,
		Description: "Fetches OIDC discovery, OAuth authorization-server and protected-resource metadata (RFC 8414, RFC 9728) " +
			"from the target and the spec's openIdConnectUrl, samples GET operations, and adds every host they name to the host " +
			"graph with its role (jwks, issuer, token-endpoint, userinfo-endpoint, cors-origin, redirect-target, link-header, " +
			"csp-source, body-url, jwt-key-url) so the DNS audit covers it. Key sources and token-receiving endpoints are marked " +
			"as carrying credentials. It reports no finding itself; the DNS checks judge the hosts.",
		Rules: check.NoRules,
	}
}

type wireRun struct {
	in      *check.Input
	add     *adder
	target  string // target host, lower case
	fetched map[string]bool
	queue   []metaURL
}

type metaURL struct{ url, where string }

// Run fetches metadata and samples operations, sequentially: the per-host
// rate limit makes parallelism buy little here.
func (c WireHosts) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	r := &wireRun{in: in, target: strings.ToLower(in.Target.Hostname()), fetched: map[string]bool{}}
	r.add = newAdder(in.Hosts, nil)
	origin := *in.Target
	origin.Path, origin.RawQuery = "", ""
	for _, p := range wellKnown {
		r.queue = append(r.queue, metaURL{origin.String() + p, "well-known " + p})
	}
	r.queue = append(r.queue, specMetadata(in.API)...)
	for _, p := range in.HTTP.CredentialJWTs() {
		r.addRefs(jwtRefs(p, "the supplied token's"))
	}
	if err := r.drainMetadata(ctx); err != nil {
		return nil, err
	}
	if err := r.sample(ctx, in.BaseURL().String(), nil); err != nil {
		return nil, err
	}
	for _, op := range sampleOps(in.API, maxSampleOps) {
		u, ok := in.OperationURL(op)
		if !ok {
			continue
		}
		if err := r.sample(ctx, u, &op); err != nil {
			return nil, err
		}
	}
	// Sampled responses may have named more metadata (resource_metadata).
	return nil, r.drainMetadata(ctx)
}

// specMetadata lists the metadata documents the spec points at: its
// openIdConnectUrl / oauth2MetadataUrl values, and the OIDC discovery
// document of each token or authorization endpoint's origin.
func specMetadata(api *spec.API) []metaURL {
	if api == nil {
		return nil
	}
	var out []metaURL
	seen := map[string]bool{}
	for _, u := range api.URLs {
		switch u.Role {
		case spec.RoleOIDCDiscovery:
			out = append(out, metaURL{u.URL, "spec " + u.Where})
		case spec.RoleTokenEndpoint, spec.RoleAuthorizationEndpoint:
			p, err := url.Parse(u.URL)
			if err != nil || p.Host == "" || seen[p.Host] {
				continue
			}
			seen[p.Host] = true
			out = append(out, metaURL{p.Scheme + "://" + p.Host + "/.well-known/openid-configuration", "OIDC discovery of the spec's " + string(u.Role)})
		}
	}
	return out
}

// sampleOps picks GET operations, secured ones first (their responses are
// where tokens and token infrastructure show up).
func sampleOps(api *spec.API, n int) []spec.Operation {
	if api == nil {
		return nil
	}
	var secured, open []spec.Operation
	for _, op := range api.Operations {
		if op.Method != http.MethodGet {
			continue
		}
		if op.RequiresAuth() {
			secured = append(secured, op)
		} else {
			open = append(open, op)
		}
	}
	secured = append(secured, open...)
	all := secured
	return all[:min(len(all), n)]
}

func (r *wireRun) drainMetadata(ctx context.Context) error {
	for len(r.queue) > 0 {
		m := r.queue[0]
		r.queue = r.queue[1:]
		if r.fetched[m.url] || len(r.fetched) >= maxMetadataURL {
			continue
		}
		r.fetched[m.url] = true
		resp, err := r.in.HTTP.Do(ctx, &netx.Request{Method: http.MethodGet, URL: m.url})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue // absent metadata is normal; a dead host is the DNS audit's job
		}
		if resp.StatusCode != http.StatusOK || !isJSON(resp.Header, resp.Body) {
			continue
		}
		refs, servers, ok := metadataRefs(resp.Body, m.where+" ("+r.in.HTTP.Redactor().URL(m.url)+")")
		if !ok {
			continue
		}
		r.addRefs(refs)
		for _, as := range servers {
			r.queue = append(r.queue, metaURL{strings.TrimSuffix(as, "/") + "/.well-known/openid-configuration", "authorization server metadata"})
		}
	}
	return nil
}

// sample requests one URL on the target (with credentials: it is in scope)
// and harvests its headers, JSON body and tokens.
func (r *wireRun) sample(ctx context.Context, u string, op *spec.Operation) error {
	resp, err := r.in.Fetch(ctx, r.in.HTTP, &netx.Request{Method: http.MethodGet, URL: u, WithCredentials: true}, op)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return nil
	}
	where := "GET " + r.in.Target.Path
	if op != nil {
		where = "GET " + op.Path
	}
	var refs []ref
	for _, x := range headerRefs(resp.Header, u) {
		x.Where = x.Where + " of " + where
		refs = append(refs, x)
	}
	var tokens []string
	if isJSON(resp.Header, resp.Body) {
		jr, jt := jsonRefs(resp.Body)
		for _, x := range jr {
			x.Where += " of " + where
			refs = append(refs, x)
		}
		tokens = jt
	}
	tokens = append(tokens, findJWTs(headerText(resp.Header), 4)...)
	for i, t := range tokens {
		if p, ok := netx.DecodeJWT(t); ok && i < 4 {
			refs = append(refs, jwtRefs(p, "a token in the response of "+where)...)
		}
	}
	for _, x := range refs {
		if x.Role == hosts.RoleResourceMetadata {
			r.queue = append(r.queue, metaURL{x.URL, "protected resource metadata named in " + x.Where})
		}
	}
	r.addRefs(refs)
	return nil
}

func headerText(h http.Header) string {
	var b strings.Builder
	for k, vs := range h {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	return b.String()
}

// addRefs adds references to the graph. References back to the target
// itself only add information for metadata roles (the target is also the
// issuer, say); a Link to itself adds nothing.
func (r *wireRun) addRefs(refs []ref) {
	for _, x := range refs {
		h, ok := hostOfURL(x.URL)
		if !ok {
			h, ok = ValidHost(x.URL)
		}
		if !ok {
			continue
		}
		if h == r.target && !x.Creds {
			continue
		}
		r.add.add(h, x.Role, r.in.HTTP.Redactor().String(x.Where), x.Creds)
	}
}
