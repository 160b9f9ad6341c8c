// Package authentication holds checks of authentication enforcement
// (OWASP API2:2023 Broken Authentication).
package authentication

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/plumbsec/plumb/internal/check"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/spec"
)

// Unauthenticated finds operations the spec says require authentication
// that answer 2xx to a request without any credential.
type Unauthenticated struct{}

// Meta describes the check.
func (Unauthenticated) Meta() check.Meta {
	return check.Meta{
		ID:       "authentication.unauthenticated-access",
		Title:    "Secured operation answers without credentials",
		Category: finding.CatAuthentication,
		OWASP:    "API2:2023",
		CWE:      "CWE-306",
		Severity: finding.Critical,
		Needs:    check.NeedSpec,
		Description: "Requests every read-only operation whose OpenAPI security requirement demands a credential, " +
			"without any credential. A 2xx answer (that is not the API's catch-all page) means the operation is unprotected.",
		Remediation: remediation,
	}
}

// Run requests each secured GET/HEAD operation without credentials.
func (c Unauthenticated) Run(ctx context.Context, in *check.Input) ([]finding.Finding, error) {
	catchAll, err := catchAllBody(ctx, in)
	if err != nil {
		return nil, err
	}
	var (
		out = make([][]finding.Finding, len(in.API.Operations))
		g   errgroup.Group
	)
	g.SetLimit(4)
	for i, op := range in.API.Operations {
		if !op.RequiresAuth() {
			continue
		}
		if op.Method != http.MethodGet && op.Method != http.MethodHead {
			continue // coverage words the reason by the scan's mode
		}
		target, ok := in.OperationURL(op)
		if !ok {
			in.Coverage.Skip(op, "required header or cookie parameter")
			continue
		}
		g.Go(func() error {
			f, err := c.probe(ctx, in, op, target, catchAll)
			if err != nil {
				return err
			}
			if f != nil {
				out[i] = []finding.Finding{*f}
			}
			return nil
		})
	}
	err = g.Wait()
	var fs []finding.Finding
	for _, f := range out {
		fs = append(fs, f...)
	}
	return fs, err
}

func (c Unauthenticated) probe(ctx context.Context, in *check.Input, op spec.Operation, target string, catchAll []byte) (*finding.Finding, error) {
	req := &netx.Request{Method: op.Method, URL: target}
	resp, err := in.Fetch(ctx, in.HTTP, req, &op) // the bearer calibration asks the same
	if err != nil {
		if errors.Is(err, netx.ErrBudgetExhausted) || ctx.Err() != nil {
			return nil, err
		}
		return nil, nil // one failing operation is not the check failing
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil
	}
	if catchAll != nil && bytes.Equal(bytes.TrimSpace(resp.Body), catchAll) {
		return nil, nil
	}
	f := check.New(c.Meta(), fmt.Sprintf("%s %s answers %d without credentials", op.Method, op.Path, resp.StatusCode),
		finding.Location{Host: in.Target.Host, Method: op.Method, Path: op.Path})
	f.Confidence = finding.Firm
	if isJSON(resp.Header.Get("Content-Type")) && len(bytes.TrimSpace(resp.Body)) > 2 {
		f.Confidence = finding.Confirmed
	}
	f.Evidence = finding.Evidence{
		Summary: fmt.Sprintf("The spec requires %s for this operation; a request with no credential got HTTP %d with a %d-byte body.",
			describeSecurity(op), resp.StatusCode, len(resp.Body)),
		HTTP: []finding.HTTPExchange{in.HTTP.Evidence(req, resp, nil)},
	}
	f.Remediation = remediation
	return &f, nil
}

// catchAllBody fetches a path that cannot exist; if the API answers it
// with 2xx, that body is its catch-all page and is not evidence of an
// unprotected operation.
func catchAllBody(ctx context.Context, in *check.Input) ([]byte, error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	u := in.BaseURL()
	u.Path = strings.TrimSuffix(u.Path, "/") + "/plumb-" + hex.EncodeToString(b)
	resp, err := in.HTTP.Do(ctx, &netx.Request{Method: http.MethodGet, URL: u.String()})
	if err != nil {
		if errors.Is(err, netx.ErrBudgetExhausted) || ctx.Err() != nil {
			return nil, err
		}
		return nil, nil
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return bytes.TrimSpace(resp.Body), nil
	}
	return nil, nil
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

func describeSecurity(op spec.Operation) string {
	var alts []string
	for _, r := range op.Security {
		var names []string
		for _, s := range r.Schemes {
			names = append(names, s.Name)
		}
		alts = append(alts, strings.Join(names, " + "))
	}
	return strings.Join(alts, " or ")
}

var remediation = finding.Remediation{
	Summary: "Enforce authentication on every operation the API documents as secured, with one default-deny " +
		"authentication layer rather than per-route decorators that can be forgotten.",
	Snippets: []finding.Snippet{
		{Lang: "python-flask", Code: `@app.before_request
def require_token():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    try:
        g.user = jwt.decode(token, current_app.config["JWT_KEY"], algorithms=["HS256"])
    except jwt.PyJWTError:
        return {"error": "invalid_token"}, 401, {"WWW-Authenticate": "Bearer"}`},
		{Lang: "go", Code: `func requireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := verify(r.Header.Get("Authorization")); err != nil {
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
// mux.Handle("/api/", requireAuth(apiRoutes)) — deny by default`},
		{Lang: "node-express", Code: `app.use("/api", (req, res, next) => {
  if (PUBLIC.has(req.path)) return next();
  try { req.user = jwt.verify(bearer(req), KEY, { algorithms: ["HS256"] }); next(); }
  catch { res.set("WWW-Authenticate", "Bearer").status(401).json({ error: "invalid_token" }); }
});`},
	},
	References: []string{"https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/"},
}
