package netx

import (
	"net/http"
	"net/url"
	"strings"
)

// BearerToken returns the token of the user's "Authorization: Bearer"
// credential, or "" when there is none. Checks that must place the token
// somewhere other than the Authorization header (a query parameter, a
// mutated copy) use it; they are responsible for sending it only to an
// in-scope https origin (see CanCarryCredential).
func (c *Client) BearerToken() string {
	for _, v := range c.cfg.Credentials.Values(http.CanonicalHeaderKey("Authorization")) {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " ")
		if ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(tok) != "" {
			return strings.TrimSpace(tok)
		}
	}
	return ""
}

// CanCarryCredential reports whether a credential (the user's token, or a
// token forged from a cracked secret) may be sent to rawURL: an in-scope
// origin over https. Plain-HTTP opt-in does not apply to hand-placed
// tokens: they never go over plain HTTP.
func (c *Client) CanCarryCredential(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return false
	}
	o := OriginOf(u)
	return o.Scheme == "https" && c.scope[o]
}
