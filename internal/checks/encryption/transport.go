// Package encryption holds transport-security checks (OWASP API8:2023
// Security Misconfiguration): plain HTTP, missing HTTPS redirect, missing
// HSTS and invalid TLS certificates.
package encryption

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"

	"github.com/plumbsec/plumb/internal/words"
)

var refTransport = []string{"https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/"}

// get fetches the target's base URL without credentials.
// get fetches u without credentials; the root is fetched once per scan
// and shared with the other checks that read its headers.
func get(ctx context.Context, in *check.Input, u string) (*netx.Request, *netx.Response, error) {
	req := &netx.Request{Method: http.MethodGet, URL: u}
	resp, err := in.Fetch(ctx, in.HTTP, req, nil)
	return req, resp, err
}

// PlainHTTP reports an API served over plain HTTP, and spec servers that
// declare http:// for an API that takes credentials.
type PlainHTTP struct{}

// Meta describes the check.
func (PlainHTTP) Meta() check.Meta {
	return check.Meta{
		ID: "encryption.plain-http", Title: "API served over plain HTTP", Category: finding.CatEncryption,
		OWASP: "API8:2023", CWE: "CWE-319", Severity: finding.High,
		Description: "The target URL, or a server the OpenAPI document declares for an authenticated API, uses http://: " +
			"tokens and data cross the network readable and modifiable by anyone on the path.",
		Remediation: remedyHTTPS,
	}
}

// Run inspects the target scheme and the spec's servers.
func (c PlainHTTP) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	var fs []finding.Finding
	if in.Target.Scheme == "http" {
		req, resp, err := get(ctx, in, in.Target.String())
		// A redirect to https:// is the right answer on port 80, not a finding.
		if err == nil && !redirectsToHTTPS(resp) {
			f := check.New(c.Meta(), "The API answers over plain HTTP", finding.Location{Host: in.Target.Host})
			f.Confidence = finding.Confirmed
			f.Evidence = finding.Evidence{Summary: fmt.Sprintf("%s answered HTTP %d without TLS.", in.Target, resp.StatusCode),
				HTTP: []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)}}
			f.Remediation = remedyHTTPS
			fs = append(fs, f)
		}
	}
	if in.API == nil || !requiresAuth(in) {
		return fs, nil
	}
	for i, s := range in.API.Servers {
		u, err := url.Parse(s.URL)
		if err != nil || u.Scheme != "http" {
			continue
		}
		f := check.New(c.Meta(), fmt.Sprintf("The spec declares a plain-HTTP server for an authenticated API: %s", s.URL),
			finding.Location{Host: u.Host})
		f.Severity, f.Confidence = finding.Medium, finding.Firm
		f.Evidence.Summary = fmt.Sprintf("servers[%d] is %s; clients generated from this document send their tokens unencrypted.", i, s.URL)
		f.Remediation = remedyHTTPS
		fs = append(fs, f)
	}
	return fs, nil
}

func redirectsToHTTPS(resp *netx.Response) bool {
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return false
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	return err == nil && loc.Scheme == "https"
}

func requiresAuth(in *check.Input) bool {
	for _, op := range in.API.Operations {
		if op.RequiresAuth() {
			return true
		}
	}
	return false
}

// NoRedirect reports an HTTPS API whose http:// twin serves content
// instead of redirecting to HTTPS.
type NoRedirect struct{}

// Meta describes the check.
func (NoRedirect) Meta() check.Meta {
	return check.Meta{
		ID: "encryption.http-no-redirect", Title: "Plain HTTP does not redirect to HTTPS", Category: finding.CatEncryption,
		OWASP: "API8:2023", CWE: "CWE-319", Severity: finding.Medium,
		Description: "Requests the target's http:// URL (no credential is ever sent over it). Serving content instead of a " +
			"redirect to https:// lets a client that omits the scheme, or an attacker who strips it, talk to the API unencrypted.",
		Remediation: remedyHTTPS,
	}
}

// Run requests the http:// twin of an https:// target.
func (c NoRedirect) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	if in.Target.Scheme != "https" || (in.Target.Port() != "" && in.Target.Port() != "443") {
		return nil, nil
	}
	plain := *in.Target
	plain.Scheme = "http"
	req, resp, err := get(ctx, in, plain.String())
	if err != nil {
		if errors.Is(err, netx.ErrBudgetExhausted) {
			return nil, err
		}
		return nil, nil // nothing listening on port 80 is the right answer
	}
	if redirectsToHTTPS(resp) {
		return nil, nil
	}
	f := check.New(c.Meta(), fmt.Sprintf("http://%s answers %d instead of redirecting to HTTPS", plain.Host, resp.StatusCode),
		finding.Location{Host: in.Target.Host})
	f.Confidence = finding.Confirmed
	f.Evidence = finding.Evidence{Summary: fmt.Sprintf("GET %s returned HTTP %d with a %d-byte body and no redirect to https://.",
		plain.String(), resp.StatusCode, len(resp.Body)), HTTP: []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)}}
	f.Remediation = remedyHTTPS
	return []finding.Finding{f}, nil
}

// MinHSTSAge is the shortest Strict-Transport-Security max-age accepted
// (180 days, as browsers' preload rules and most guidance ask).
const MinHSTSAge = 180 * 24 * 3600

// HSTS reports a missing or short Strict-Transport-Security header.
type HSTS struct{}

// Meta describes the check.
func (HSTS) Meta() check.Meta {
	return check.Meta{
		ID: "encryption.hsts-missing", Title: "HSTS missing or too short", Category: finding.CatEncryption,
		OWASP: "API8:2023", CWE: "CWE-319", Severity: finding.Low,
		Description: "HTTPS responses should carry Strict-Transport-Security with max-age of at least 180 days so browsers " +
			"and HSTS-aware clients never downgrade to plain HTTP.",
		Remediation: remedyHSTS,
	}
}

// Run inspects the target's response headers.
func (c HSTS) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	if in.Target.Scheme != "https" {
		return nil, nil
	}
	req, resp, err := get(ctx, in, in.Target.String())
	if err != nil {
		return nil, err
	}
	h := resp.Header.Get("Strict-Transport-Security")
	age := hstsMaxAge(h)
	if age >= MinHSTSAge {
		return nil, nil
	}
	title := "No Strict-Transport-Security header"
	if h != "" {
		title = fmt.Sprintf("Strict-Transport-Security max-age=%d is shorter than 180 days", age)
	}
	f := check.New(c.Meta(), title, finding.Location{Host: in.Target.Host})
	f.Confidence = finding.Confirmed
	f.Evidence = finding.Evidence{Summary: fmt.Sprintf("GET %s: Strict-Transport-Security: %q", in.Target, h),
		HTTP: []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)}}
	f.Remediation = remedyHSTS
	return []finding.Finding{f}, nil
}

func hstsMaxAge(h string) int {
	for _, part := range strings.Split(h, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(k, "max-age") {
			n, err := strconv.Atoi(strings.Trim(v, `"`))
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// Certificate verifies the target's certificate independently of
// --insecure: chain, name and validity period.
type Certificate struct{}

// Meta describes the check.
func (Certificate) Meta() check.Meta {
	return check.Meta{
		ID: "encryption.tls-certificate", Title: "TLS certificate invalid", Category: finding.CatEncryption,
		OWASP: "API8:2023", CWE: "CWE-295", Severity: finding.High,
		Description: "Verifies the certificate the target presents (trusted chain, host name, validity period) even when " +
			"--insecure let the scan proceed, and warns when it expires within 14 days.",
		Remediation: remedyCert,
	}
}

// Run inspects the TLS state of a request to the target.
func (c Certificate) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	if in.Target.Scheme != "https" {
		return nil, nil
	}
	_, resp, err := get(ctx, in, in.Target.String())
	if err != nil || resp.TLS == nil || len(resp.TLS.PeerCertificates) == 0 {
		return nil, err
	}
	certs := resp.TLS.PeerCertificates
	now := in.Now()
	opts := x509.VerifyOptions{DNSName: in.Target.Hostname(), Roots: in.RootCAs, Intermediates: x509.NewCertPool(), CurrentTime: now}
	for _, ic := range certs[1:] {
		opts.Intermediates.AddCert(ic)
	}
	leaf := certs[0]
	loc := finding.Location{Host: in.Target.Host}
	if _, verr := leaf.Verify(opts); verr != nil {
		problem := certProblem(verr)
		if selfSigned(leaf) {
			problem = "self-signed"
		}
		f := check.New(c.Meta(), "TLS certificate does not verify: "+problem, loc)
		f.Confidence = finding.Confirmed
		f.Evidence.Summary = fmt.Sprintf("Certificate for %v issued by %q, valid %s to %s: %v", leaf.DNSNames, leaf.Issuer.CommonName,
			leaf.NotBefore.Format(time.DateOnly), leaf.NotAfter.Format(time.DateOnly), verr)
		f.Remediation = remedyCert
		return []finding.Finding{f}, nil
	}
	if left := leaf.NotAfter.Sub(now); left < 14*24*time.Hour {
		f := check.New(c.Meta(), "TLS certificate expires in "+words.Count(int(left.Hours()/24), "day"), loc)
		f.Severity, f.Confidence = finding.Medium, finding.Confirmed
		f.Evidence.Summary = "Certificate valid until " + leaf.NotAfter.Format(time.RFC3339)
		f.Remediation = remedyCert
		return []finding.Finding{f}, nil
	}
	return nil, nil
}

func certProblem(err error) string {
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	var ce x509.CertificateInvalidError
	switch {
	case errors.As(err, &he):
		return "issued for another host name"
	case errors.As(err, &ce) && ce.Reason == x509.Expired:
		return "expired or not yet valid"
	case errors.As(err, &ue):
		return "not issued by a trusted authority"
	}
	return err.Error()
}

var remedyHTTPS = finding.Remediation{
	Summary: "Serve the API only over HTTPS, redirect http:// to https:// (or close port 80), and declare only https:// servers in the OpenAPI document.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.before_request
def https_only():
    if not request.is_secure and not current_app.debug:
        return redirect(request.url.replace("http://", "https://", 1), code=308)`},
		{Lang: "go", Code: `go http.ListenAndServe(":80", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "https://"+r.Host+r.URL.RequestURI(), http.StatusPermanentRedirect)
}))`},
		{Lang: "node-express", Code: `app.use((req, res, next) => req.secure ? next() : res.redirect(308, "https://" + req.headers.host + req.originalUrl));`},
	},
	References: refTransport,
}

var remedyHSTS = finding.Remediation{
	Summary: "Send Strict-Transport-Security: max-age=63072000; includeSubDomains on every HTTPS response.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.after_request
def hsts(resp):
    resp.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return resp`},
		{Lang: "go", Code: `w.Header().Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")`},
		{Lang: "node-express", Code: `app.use(require("helmet").hsts({ maxAge: 63072000, includeSubDomains: true }));`},
	},
	References: refTransport,
}

var remedyCert = finding.Remediation{
	Summary:    "Install a certificate from a trusted CA that covers the API's host name, and automate its renewal (e.g. ACME).",
	References: refTransport,
}
