package netx

import (
	"net/http"
	"net/url"
	"strings"
)

// BearerToken returns the token of the user's "Authorization: Bearer"
// credential, or "" when there is none. Checks that must place the token
// somewhere other than the Authorization header (a query parameter, a
// mutated copy) use it; they are responsible for sending it only where
// the credential itself may go (see CanCarryCredential).
func (c *Client) BearerToken() string {
	for _, v := range c.cfg.Credentials.Values(http.CanonicalHeaderKey("Authorization")) {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " ")
		if ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(tok) != "" {
			return strings.TrimSpace(tok)
		}
	}
	return ""
}

// CanCarryCredential reports whether a credential (the user's token, a
// copy of it placed elsewhere, or a token forged from it) may be sent to
// rawURL: by the same rule as the credential itself — an in-scope origin,
// over https unless plain HTTP was allowed (AllowPlainHTTPCredentials).
func (c *Client) CanCarryCredential(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return false
	}
	o := OriginOf(u)
	return c.scope[o] && (o.Scheme == "https" || c.cfg.AllowPlainHTTPCredentials)
}

// ContainsCredential reports whether s carries one of the client's own
// credentials: a credential header's value, or the token after its auth
// scheme. An out-of-band listener uses it to prove that a request it
// received carried the scan's credential (the target forwarded it).
func (c *Client) ContainsCredential(s string) bool {
	for name, vs := range c.cfg.Credentials {
		for _, v := range vs {
			v = strings.TrimSpace(v)
			if len(v) >= minSecretLen && strings.Contains(s, v) {
				return true
			}
			if http.CanonicalHeaderKey(name) != "Authorization" {
				continue
			}
			if _, tok, ok := strings.Cut(v, " "); ok && len(strings.TrimSpace(tok)) >= minSecretLen && strings.Contains(s, strings.TrimSpace(tok)) {
				return true
			}
		}
	}
	return false
}
