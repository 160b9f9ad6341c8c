package bearer

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

func meta(id, title string, sev finding.Severity, cwe string, needs check.Needs, desc string, fix finding.Remediation) check.Meta {
	return check.Meta{ID: id, Title: title, Category: finding.CatAuthentication, OWASP: "API2:2023", CWE: cwe,
		Severity: sev, Needs: needs, Description: desc, Remediation: fix}
}

// grouped sets how the check's findings group: these checks test the
// API's one auth layer, so the operations that show a flaw are one finding.
func grouped(m check.Meta, by finding.GroupBy) check.Meta {
	m.Group = by
	return m
}

// QueryParamNames are the query parameters tried for a token, RFC 6750's
// access_token first.
var QueryParamNames = []string{"access_token", "token", "jwt", "auth", "api_key"}

// allNamesOps is how many operations get every name; the rest get
// access_token only, which bounds the check to about 5*3 + (n-3) requests.
const allNamesOps = 3

// QueryToken finds operations that accept the token in the query string,
// where it ends up in access logs, proxies and Referer headers.
type QueryToken struct{}

// Meta describes the check.
func (QueryToken) Meta() check.Meta {
	return grouped(meta("authentication.bearer-token-in-query", "Bearer token accepted in the query string", finding.Medium, "CWE-598",
		check.NeedSpec|check.NeedCredential,
		"Sends the user's token (only where the credential itself may go) as a query parameter ("+strings.Join(QueryParamNames, ", ")+
			") with no Authorization header: every name on the first 3 calibrated secured operations, access_token on the others. Accepting it invites clients to put tokens in "+
			"URLs, which are logged everywhere (RFC 6750 §2.3, RFC 9700 §4.3.2). One finding per query parameter name.", remedyQuery), finding.GroupHostParam)
}

// Run tries each parameter name on each usable oracle until one is accepted.
func (c QueryToken) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cal, err := Calibrate(ctx, in)
	if err != nil {
		return nil, err
	}
	tok := in.HTTP.BearerToken()
	if tok == "" {
		return nil, nil
	}
	var fs []finding.Finding
	for i, o := range cal.Usable() {
		names := QueryParamNames
		if i >= allNamesOps {
			names = names[:1] // the standard name only: query support is usually app-wide
		}
		for _, name := range names {
			u, err := url.Parse(o.URL)
			if err != nil || !in.HTTP.CanCarryCredential(o.URL) {
				break // the real token goes nowhere the credential itself may not go
			}
			q := u.Query()
			q.Set(name, tok)
			u.RawQuery = q.Encode()
			req := &netx.Request{URL: u.String()}
			resp, err := in.HTTP.Do(ctx, req)
			if err != nil {
				if fe := fatal(&Exchange{Err: err}); fe != nil {
					return fs, fe
				}
				continue
			}
			ok, conf := o.Accepts(resp)
			if !ok {
				continue
			}
			f := check.New(c.Meta(), fmt.Sprintf("%s %s accepts the token in the %s query parameter", o.Op.Method, o.Op.Path, name),
				location(in, o.Op))
			f.Location.Param = name
			f.Confidence = conf
			f.Evidence = finding.Evidence{
				Summary: fmt.Sprintf("With no Authorization header, ?%s=<token> got HTTP %d like the header does (HTTP %d); "+
					"without a token the operation answers HTTP %d.", name, resp.StatusCode, o.Valid.Status(), o.None.Status()),
				HTTP: append([]finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)}, evidence(in, o.None)...),
			}
			f.Remediation = remedyQuery
			fs = append(fs, f)
			break
		}
	}
	return fs, nil
}

// PlainHTTPToken finds APIs that process bearer tokens over plain HTTP.
// Only a dummy token is ever sent over http://.
type PlainHTTPToken struct{}

// Meta describes the check.
func (PlainHTTPToken) Meta() check.Meta {
	return grouped(meta("authentication.bearer-over-plain-http", "Bearer tokens processed over plain HTTP", finding.High, "CWE-319",
		check.NeedSpec,
		"Requests a secured operation at the http:// twin of the https target with a dummy token (never the real one). "+
			"An answer other than a redirect means a client that sends its token over http:// has it read in cleartext and "+
			"validated (RFC 6750 §5.3).", remedyPlainHTTP), finding.GroupHost)
}

// Run sends one dummy-token request over plain HTTP.
func (c PlainHTTPToken) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	if in.Target.Scheme != "https" || (in.Target.Port() != "" && in.Target.Port() != "443") {
		return nil, nil // an http target is encryption.plain-http's finding
	}
	cal, err := Calibrate(ctx, in)
	if err != nil {
		return nil, err
	}
	// An operation that answers a bad token with a clean 401 over https,
	// so the plain-HTTP answer is about the channel, not a crash.
	for _, o := range cal.Oracles {
		if !o.Rejects() || o.Garbage.Status() != http.StatusUnauthorized {
			continue
		}
		u, perr := url.Parse(o.URL)
		if perr != nil {
			continue
		}
		u.Scheme, u.Host = "http", u.Hostname()
		dummy := "plumbdummy" + strings.TrimPrefix(cal.Canary, "plumbcanary")
		req := &netx.Request{URL: u.String(), Header: bearerHeader(dummy)}
		resp, err := in.HTTP.Do(ctx, req)
		if err != nil {
			return nil, fatal(&Exchange{Err: err}) // nothing on port 80 is the right answer
		}
		if st := resp.StatusCode; st != http.StatusUnauthorized && st != http.StatusForbidden && !is2xx(st) {
			return nil, nil // a redirect (or anything that is not the API judging the token) is not this finding
		}
		f := check.New(c.Meta(), fmt.Sprintf("%s %s processes bearer tokens over plain HTTP (HTTP %d)", o.Op.Method, o.Op.Path, resp.StatusCode),
			location(in, o.Op))
		f.Location.Host = u.Host
		f.Confidence = finding.Confirmed
		f.Evidence = finding.Evidence{
			Summary: fmt.Sprintf("http://%s answered a request carrying a dummy bearer token with HTTP %d (WWW-Authenticate: %q) "+
				"instead of redirecting to https://: the token was received and evaluated in cleartext.", u.Host, resp.StatusCode,
				resp.Header.Get("WWW-Authenticate")),
			HTTP: []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)},
		}
		f.Remediation = remedyPlainHTTP
		return []finding.Finding{f}, nil
	}
	return nil, nil
}

// StatusCodes checks the RFC 6750 §3 rejection: 401 with a Bearer
// challenge for a missing or invalid token.
type StatusCodes struct{}

// Meta describes the check.
func (StatusCodes) Meta() check.Meta {
	return grouped(meta("authentication.bearer-challenge", "Token rejection without 401 and WWW-Authenticate: Bearer", finding.Low, "CWE-287",
		check.NeedSpec,
		"A request without a token, or with an invalid one, should get 401 with a WWW-Authenticate: Bearer challenge "+
			"(RFC 6750 §3, RFC 9110 §15.5.2). Other answers break clients' token refresh logic and hide what went wrong.", remedyChallenge), finding.GroupHost)
}

// Run reads the calibration: no requests of its own.
func (c StatusCodes) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	cal, err := Calibrate(ctx, in)
	if err != nil {
		return nil, err
	}
	var fs []finding.Finding
	for _, o := range cal.Oracles {
		if o.Valid != nil && !is2xx(o.Valid.Status()) {
			continue // the operation refuses the user's token too: nothing to compare
		}
		var problems []string
		for _, e := range []struct {
			what string
			ex   *Exchange
		}{{"no token", o.None}, {"an invalid token", o.Garbage}} {
			if p := challengeProblem(e.ex.Resp); p != "" {
				problems = append(problems, e.what+": "+p)
			}
		}
		if len(problems) == 0 {
			continue
		}
		f := check.New(c.Meta(), fmt.Sprintf("%s %s rejects tokens without a Bearer challenge", o.Op.Method, o.Op.Path), location(in, o.Op))
		f.Confidence = finding.Confirmed
		f.Evidence = finding.Evidence{Summary: strings.Join(problems, "; ") + ".", HTTP: evidence(in, o.None, o.Garbage)}
		f.Remediation = remedyChallenge
		fs = append(fs, f)
	}
	return fs, nil
}

// challengeProblem describes what is wrong with a rejection, or "" when it
// is right. Only 401 and 403 are judged: 2xx and 5xx are
// bearer-malformed-token's, and a 404 may deliberately hide the resource.
func challengeProblem(resp *netx.Response) string {
	if resp == nil || resp.StatusCode < 400 || resp.StatusCode >= 500 {
		return ""
	}
	ch := resp.Header.Get("WWW-Authenticate")
	hasBearer := strings.HasPrefix(strings.ToLower(strings.TrimSpace(ch)), "bearer")
	switch {
	case resp.StatusCode == http.StatusUnauthorized && !hasBearer:
		return fmt.Sprintf("HTTP 401 with WWW-Authenticate %q, want a Bearer challenge", ch)
	case resp.StatusCode == http.StatusForbidden && !hasBearer:
		return "HTTP 403 without a challenge, want 401 with WWW-Authenticate: Bearer"
	}
	return ""
}
