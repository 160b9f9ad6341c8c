package netx

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// JWTParts is the decoded header and payload (JSON) of a JWT. The signature
// is never kept, so the parts can be inspected but not replayed.
type JWTParts struct {
	Header  []byte
	Payload []byte
}

// DecodeJWT splits a compact JWS and base64url-decodes its header and
// payload without verifying anything. ok is false for anything that is not
// three dot-separated segments with decodable header and payload.
func DecodeJWT(tok string) (JWTParts, bool) {
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 || len(parts[0]) == 0 || len(parts[1]) == 0 {
		return JWTParts{}, false
	}
	h, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "="))
	if err != nil {
		return JWTParts{}, false
	}
	p, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return JWTParts{}, false
	}
	return JWTParts{Header: h, Payload: p}, true
}

// CredentialJWTs returns the decoded parts of every JWT among the user's
// credentials (Bearer tokens in Authorization). Checks read claims such as
// iss and jku this way without ever holding the token itself.
func (c *Client) CredentialJWTs() []JWTParts {
	var out []JWTParts
	for name, vs := range c.cfg.Credentials {
		if http.CanonicalHeaderKey(name) != "Authorization" {
			continue
		}
		for _, v := range vs {
			scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") {
				continue
			}
			if p, ok := DecodeJWT(tok); ok {
				out = append(out, p)
			}
		}
	}
	return out
}
