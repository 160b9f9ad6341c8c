package input

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
)

// maxOptionsPaths bounds the OPTIONS requests of DangerousMethods.
const maxOptionsPaths = 8

// stateChanging are the methods worth flagging when advertised but
// undeclared.
var stateChanging = map[string]bool{"PUT": true, "PATCH": true, "DELETE": true, "POST": true}

// allowedMethods parses an Allow header value into upper-case methods.
func allowedMethods(v string) []string {
	var out []string
	for _, m := range strings.Split(v, ",") {
		m = strings.ToUpper(strings.TrimSpace(m))
		if m != "" && len(m) <= 16 && strings.IndexFunc(m, func(r rune) bool { return r < 'A' || r > 'Z' }) < 0 {
			out = append(out, m)
		}
	}
	return out
}

// DangerousMethods reports TRACE echoing requests and OPTIONS answers that
// advertise state-changing methods the spec does not declare.
type DangerousMethods struct{}

// Meta describes the check.
func (DangerousMethods) Meta() check.Meta {
	return check.Meta{
		ID: "input-validation.http-methods", Title: "Dangerous HTTP methods enabled", Category: finding.CatInputValidation,
		OWASP: "API8:2023", CWE: "CWE-749", Severity: finding.Low, Phase: check.PhaseProbe,
		Description: "Sends one TRACE (without credentials) with a marker header and reports it when the server echoes the " +
			"request back (cross-site tracing). With a spec, sends OPTIONS to up to 8 documented paths and reports Allow " +
			"headers that advertise PUT, PATCH, DELETE or POST where the spec declares no such operation — undocumented " +
			"write methods are untested attack surface. Paths whose Allow equals a random path's are ignored (a generic " +
			"answer says nothing about the route).",
		Remediation: methodsRemediation,
	}
}

// Run sends the TRACE and the OPTIONS requests.
func (c DangerousMethods) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	var out []finding.Finding
	f, err := c.trace(ctx, in)
	if err != nil {
		return nil, err
	}
	if f != nil {
		out = append(out, *f)
	}
	if in.API == nil {
		return out, nil
	}
	f, err = c.options(ctx, in)
	if f != nil {
		out = append(out, *f)
	}
	return out, err
}

func (c DangerousMethods) trace(ctx context.Context, in *check.Input) (*finding.Finding, error) {
	marker := "plumb-" + nonce()
	req := &netx.Request{Method: http.MethodTrace, URL: in.Target.String(), Header: http.Header{"X-Plumb-Trace": {marker}}}
	resp, err := in.HTTP.Do(ctx, req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, nil
	}
	body := string(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, marker) || !strings.Contains(body, "TRACE ") {
		return nil, nil
	}
	path := in.Target.EscapedPath()
	if path == "" {
		path = "/"
	}
	f := check.New(c.Meta(), "TRACE is enabled and echoes requests", finding.Location{Host: in.Target.Host, Method: http.MethodTrace, Path: path})
	f.Confidence = finding.Confirmed
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("TRACE %s answered 200 and echoed the request, including the marker header X-Plumb-Trace: %s. "+
			"An echo of request headers can expose cookies and Authorization headers added by browsers or proxies.",
			in.HTTP.Redactor().URL(req.URL), marker),
		HTTP: []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)},
	}
	f.Remediation = methodsRemediation
	return &f, nil
}

// routeKey is a path template with its parameters unnamed: /users/{}.
func routeKey(tmpl string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		j := strings.IndexByte(tmpl, '}')
		if i < 0 || j < i {
			b.WriteString(tmpl)
			return strings.TrimSuffix(b.String(), "/")
		}
		b.WriteString(tmpl[:i+1])
		tmpl = tmpl[j:]
	}
}

// options compares Allow headers with the spec's operations per path.
func (c DangerousMethods) options(ctx context.Context, in *check.Input) (*finding.Finding, error) {
	// Methods are declared per path template, whatever its parameters are
	// called (/users/{id} and /users/{userId} are one route), and by every
	// operation — also one whose URL plumb cannot build.
	declared := map[string]map[string]bool{}
	urls, names := map[string]string{}, map[string]string{}
	var paths []string
	for _, op := range in.API.Operations {
		k := routeKey(op.Path)
		if declared[k] == nil {
			declared[k] = map[string]bool{}
		}
		declared[k][op.Method] = true
		if op.Method == http.MethodGet {
			declared[k][http.MethodHead] = true // a GET route answers HEAD
		}
		if _, ok := urls[k]; !ok {
			if u, ok := in.OperationURL(op); ok {
				urls[k], names[k] = u, op.Path
				paths = append(paths, k)
			}
		}
	}
	sort.Strings(paths)
	random := strings.TrimSuffix(in.BaseURL().String(), "/") + "/plumb-" + nonce()
	generic := ""
	if r, err := in.HTTP.Do(ctx, &netx.Request{Method: http.MethodOptions, URL: random}); err == nil {
		generic = r.Header.Get("Allow")
	}
	var lines []string
	var exchanges []finding.HTTPExchange
	var first string
	for i, p := range paths {
		if i >= maxOptionsPaths {
			break
		}
		req := &netx.Request{Method: http.MethodOptions, URL: urls[p], WithCredentials: true}
		resp, err := in.HTTP.Do(ctx, req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		allow := resp.Header.Get("Allow")
		if allow == "" || (generic != "" && allow == generic) {
			continue
		}
		var extra []string
		for _, m := range allowedMethods(allow) {
			if stateChanging[m] && !declared[p][m] {
				extra = append(extra, m)
			}
		}
		if len(extra) == 0 {
			continue
		}
		if first == "" {
			first = names[p]
		}
		lines = append(lines, fmt.Sprintf("%s: Allow %q advertises %s, which the spec does not declare", names[p], allow, strings.Join(extra, ", ")))
		if len(exchanges) < 3 {
			exchanges = append(exchanges, in.HTTP.Evidence(req, resp, nil))
		}
	}
	if len(lines) == 0 {
		return nil, nil
	}
	f := check.New(c.Meta(), fmt.Sprintf("OPTIONS advertises undocumented write methods on %d path(s)", len(lines)),
		finding.Location{Host: in.Target.Host, Method: http.MethodOptions, Path: first})
	// Allow says what the router accepts, not that the handler works:
	// firm, not confirmed (no write is sent to prove it).
	f.Confidence = finding.Firm
	f.Evidence = finding.Evidence{Summary: strings.Join(lines, "\n"), HTTP: exchanges}
	f.Remediation = methodsRemediation
	return &f, nil
}

var methodsRemediation = finding.Remediation{
	Summary: "Disable TRACE at the server or proxy, and route only the methods each endpoint documents; remove or " +
		"document (and test) any other write method, and answer the rest with 405.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.route("/api/v1/books", methods=["GET"])   # list methods explicitly; Flask answers 405 for the rest
def list_books(): ...`},
		{Lang: "go", Code: `mux.HandleFunc("GET /api/v1/books", listBooks) // method patterns: other methods get 405`},
		{Lang: "node-express", Code: `app.get("/api/v1/books", listBooks); // not app.all(); nginx: if ($request_method = TRACE) { return 405; }`},
	},
	References: refMisconfig,
}
