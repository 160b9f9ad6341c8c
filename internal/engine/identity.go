package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/plumbsec/plumb/internal/netx"
	"github.com/plumbsec/plumb/internal/reqgen"
	"github.com/plumbsec/plumb/internal/result"
)

// Login is a recipe to obtain an identity by logging in, so tokens need
// not be pasted: one request to the target's own origin, a JSON path into
// the answer, and how to send the token found there. The login request is
// the one state-changing-looking request plumb sends without
// --allow-writes, because the user asked for it explicitly.
type Login struct {
	Method    string // default POST
	Path      string // path on the target (/api/v1/login) or a URL on an in-scope origin
	Body      []byte // request body (from an environment variable)
	Form      bool   // Body is application/x-www-form-urlencoded, else JSON
	TokenPath string // dot path into the JSON answer: auth_token, data.token, tokens.0
	// Header is how the token is sent, with {token} standing for it.
	// Default "Authorization: Bearer {token}".
	Header string
}

// identities sets up identity A (a login replaces the anonymous client)
// and identity B.
func (s *scanner) identities(ctx context.Context, rep *result.Report) error {
	if s.opts.Login != nil {
		if len(s.opts.Credentials) > 0 {
			return fail(KindUsage, "give identity A either as a header or as a login recipe", fmt.Errorf("both credentials and a login recipe set identity A"))
		}
		creds, info, err := s.login(ctx, "A", s.opts.Login)
		if err != nil {
			return err
		}
		if s.http, err = s.base.WithIdentity(creds); err != nil {
			return fail(KindUsage, "", err)
		}
		rep.Identities = append(rep.Identities, info)
		s.noteLogin(rep, info)
	} else if len(s.opts.Credentials) > 0 {
		rep.Identities = append(rep.Identities, result.IdentityInfo{Name: "A", Source: "header"})
	}
	credsB := s.opts.CredentialsB
	infoB := result.IdentityInfo{Name: "B", Source: "header"}
	if s.opts.LoginB != nil {
		if len(credsB) > 0 {
			return fail(KindUsage, "give identity B either as a header or as a login recipe", fmt.Errorf("both credentials and a login recipe set identity B"))
		}
		var err error
		if credsB, infoB, err = s.login(ctx, "B", s.opts.LoginB); err != nil {
			return err
		}
	}
	if len(credsB) == 0 {
		return nil
	}
	if !s.http.HasCredentials() {
		return fail(KindUsage, "give identity A too (--header, --bearer-env or --login): B is compared with A", fmt.Errorf("identity B without identity A"))
	}
	if s.http.HasCredentials() && sameCreds(credsB, s.opts.Credentials) {
		return fail(KindUsage, "identity B must be a different user than identity A", fmt.Errorf("identity B has the same credential as identity A"))
	}
	var err error
	if s.httpB, err = s.base.WithIdentity(credsB); err != nil {
		return fail(KindUsage, "", err)
	}
	rep.Identities = append(rep.Identities, infoB)
	if infoB.Source == "login" {
		s.noteLogin(rep, infoB)
	}
	return nil
}

// noteLogin records, in a read-only scan, the login request that was
// nevertheless sent, so the mode line never hides a POST.
func (s *scanner) noteLogin(rep *result.Report, info result.IdentityInfo) {
	if s.opts.AllowWrites {
		return
	}
	rep.Notes = append(rep.Notes, result.Note{Stage: "login", Message: fmt.Sprintf(
		"read-only scan: %s was sent to obtain identity %s, as --login%s asked; no other state-changing request was sent",
		info.Login, info.Name, flagSuffix(info.Name))})
}

func sameCreds(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(b.Values(k), "\x00") != strings.Join(v, "\x00") {
			return false
		}
	}
	return true
}

// login runs a recipe through the anonymous client. The body's values and
// the token join the redactor before anything can echo them.
func (s *scanner) login(ctx context.Context, name string, l *Login) (http.Header, result.IdentityInfo, error) {
	hint := "check the --login" + flagSuffix(name) + " recipe and the credentials in its body"
	u, err := s.loginURL(l.Path)
	if err != nil {
		return nil, result.IdentityInfo{}, fail(KindUsage, hint, fmt.Errorf("login %s: %w", name, err))
	}
	method := strings.ToUpper(l.Method)
	if method == "" {
		method = http.MethodPost
	}
	s.base.Redactor().Add(loginSecrets(l)...)
	ct := "application/json"
	if l.Form {
		ct = "application/x-www-form-urlencoded"
	}
	req := &netx.Request{Method: method, URL: u.String(), Body: l.Body, Header: http.Header{"Content-Type": {ct}, "Accept": {"application/json"}}}
	resp, err := s.base.Do(ctx, req)
	info := result.IdentityInfo{Name: name, Source: "login", Login: method + " " + s.base.Redactor().URL(u.String()),
		Note: "sent at the user's request (--login" + flagSuffix(name) + "), also in read-only mode"}
	if err != nil {
		return nil, info, fail(KindTarget, hint, fmt.Errorf("login %s: %w", name, err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, info, fail(KindTarget, hint, fmt.Errorf("login %s: %s answered %d", name, info.Login, resp.StatusCode))
	}
	tok, err := TokenAt(resp.Body, l.TokenPath)
	if err != nil {
		return nil, info, fail(KindTarget, hint, fmt.Errorf("login %s: %w", name, err))
	}
	s.base.Redactor().Add(tok)
	// The answer often names the user next to the token: the corpus
	// starts from what it says.
	known := reqgen.Identity{Name: name}
	if known.Learn(resp.Body, "the login answer") {
		if s.logins == nil {
			s.logins = map[string]reqgen.Identity{}
		}
		s.logins[name] = known
	}
	hdr := l.Header
	if hdr == "" {
		hdr = "Authorization: Bearer {token}"
	}
	hn, hv, ok := strings.Cut(hdr, ":")
	if !ok || !strings.Contains(hv, "{token}") {
		return nil, info, fail(KindUsage, "", fmt.Errorf("login %s: header template %q must look like 'Name: ... {token}'", name, hdr))
	}
	return http.Header{http.CanonicalHeaderKey(strings.TrimSpace(hn)): {strings.TrimSpace(strings.ReplaceAll(hv, "{token}", tok))}}, info, nil
}

func flagSuffix(name string) string {
	if name == "B" {
		return "-b"
	}
	return ""
}

// loginURL resolves the recipe's path against the target and refuses any
// origin credentials may not go to: the password is a credential too.
func (s *scanner) loginURL(p string) (*url.URL, error) {
	ref, err := url.Parse(strings.TrimSpace(p))
	if err != nil || p == "" {
		return nil, fmt.Errorf("login path %q is not a path or URL", p)
	}
	u := s.target.ResolveReference(ref)
	if !ref.IsAbs() && !strings.HasPrefix(ref.Path, "/") {
		u = s.target.JoinPath(ref.Path)
	}
	o := netx.OriginOf(u)
	if !s.base.InScope(o) {
		return nil, fmt.Errorf("login URL %s is not on the target's origin (or a --scope origin)", o)
	}
	if o.Scheme != "https" && !s.opts.AllowPlainHTTPCredentials {
		return nil, fmt.Errorf("login URL %s is plain http; --allow-http-credentials permits it", o)
	}
	return u, nil
}

// loginSecrets are the body and its values (passwords), for the redactor.
func loginSecrets(l *Login) []string {
	out := []string{string(l.Body)}
	if l.Form {
		if v, err := url.ParseQuery(string(l.Body)); err == nil {
			for k, vs := range v {
				if !identifierKey(k) {
					out = append(out, vs...)
				}
			}
		}
		return out
	}
	var m map[string]any
	if json.Unmarshal(l.Body, &m) == nil {
		for k, v := range m {
			if s, ok := v.(string); ok && !identifierKey(k) {
				out = append(out, s)
			}
		}
	}
	return out
}

// identifierKey reports whether a login field names who logs in (a user
// name or e-mail address) rather than proving it: its value stays readable,
// so the report can say whose identity a scan used. Every other field (a
// password, PIN, one-time code, client secret) is redacted.
func identifierKey(k string) bool {
	switch strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k)) {
	case "username", "user", "login", "email", "mail", "name", "userid", "account":
		return true
	}
	return false
}

// TokenAt follows a dot path (a.b.0.c) into a JSON document and returns
// the string found there (reqgen.TokenAt; checks that log in share it).
func TokenAt(body []byte, path string) (string, error) { return reqgen.TokenAt(body, path) }

// DefaultTokenPaths are tried, in order, when a login recipe names none.
var DefaultTokenPaths = reqgen.DefaultTokenPaths
