package netx

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// minSecretLen is the shortest value the Redactor will mask: shorter ones
// would mangle ordinary output ("on", "1") without protecting anything.
const minSecretLen = 4

// Mask replaces a secret with a short, stable, non-reversible tag so two
// different secrets can still be told apart in a report.
func Mask(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "****(sha256:" + hex.EncodeToString(sum[:3]) + ")"
}

// Redactor masks known secret values, and values of secret-looking headers
// and query parameters. It is safe for concurrent use.
type Redactor struct {
	mu       sync.RWMutex
	secrets  map[string]bool
	replacer *strings.Replacer // rebuilt lazily after Add
	maxLen   int               // longest pattern, for excerpt windows
}

// NewRedactor returns a Redactor seeded with secrets.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{secrets: make(map[string]bool)}
	r.Add(secrets...)
	return r
}

// Add registers more secrets; values shorter than 4 bytes are ignored.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) >= minSecretLen && !r.secrets[s] {
			r.secrets[s] = true
			r.replacer = nil
		}
	}
}

// addCredential registers a header value and the parts of it that are
// secrets on their own: the token after an auth scheme, the decoded
// user:password of Basic auth and the password, cookie values.
func (r *Redactor) addCredential(name, value string) {
	r.Add(value)
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization":
		scheme, tok, ok := strings.Cut(strings.TrimSpace(value), " ")
		if !ok {
			return
		}
		tok = strings.TrimSpace(tok)
		r.Add(tok)
		if strings.EqualFold(scheme, "basic") {
			if dec, err := base64.StdEncoding.DecodeString(tok); err == nil {
				_, pass, _ := strings.Cut(string(dec), ":")
				r.Add(string(dec), pass)
			}
		}
	case "Cookie":
		for _, c := range strings.Split(value, ";") {
			if _, v, ok := strings.Cut(c, "="); ok {
				r.Add(strings.TrimSpace(v))
			}
		}
	}
}

// variants are the forms a secret may take on the wire.
func variants(s string) []string {
	b := []byte(s)
	return []string{
		s,
		url.QueryEscape(s),
		url.PathEscape(s),
		base64.StdEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b),
	}
}

func (r *Redactor) getReplacer() (*strings.Replacer, int) {
	r.mu.RLock()
	rep, n := r.replacer, r.maxLen
	r.mu.RUnlock()
	if rep != nil {
		return rep, n
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.replacer != nil {
		return r.replacer, r.maxLen
	}
	type pair struct{ old, mask string }
	var pairs []pair
	seen := make(map[string]bool)
	for s := range r.secrets {
		m := Mask(s)
		for _, v := range variants(s) {
			if len(v) >= minSecretLen && !seen[v] {
				seen[v] = true
				pairs = append(pairs, pair{v, m})
			}
		}
	}
	// Longest first: the replacer tries patterns in argument order, and a
	// secret containing another must win.
	sort.Slice(pairs, func(i, j int) bool {
		if len(pairs[i].old) != len(pairs[j].old) {
			return len(pairs[i].old) > len(pairs[j].old)
		}
		return pairs[i].old < pairs[j].old
	})
	args := make([]string, 0, 2*len(pairs))
	r.maxLen = 0
	for _, p := range pairs {
		args = append(args, p.old, p.mask)
		r.maxLen = max(r.maxLen, len(p.old))
	}
	r.replacer = strings.NewReplacer(args...)
	return r.replacer, r.maxLen
}

// String masks every occurrence of every secret in s, raw, URL-encoded or
// base64-encoded.
func (r *Redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	rep, _ := r.getReplacer()
	return rep.Replace(s)
}

// window is how far past an excerpt's end a secret may start and still
// overlap it.
func (r *Redactor) window() int {
	_, n := r.getReplacer()
	return n
}

// secretParam reports whether a query parameter name carries a secret.
func secretParam(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "key", "code", "sig", "signature", "auth", "jwt", "session", "sid", "pass", "pwd":
		return true
	}
	for _, w := range []string{"token", "secret", "password", "passwd", "api_key", "apikey", "api-key", "access_key", "private_key"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// secretHeader reports whether a header's value should be masked whole.
func secretHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "www-authenticate", "proxy-authenticate", "authentication-info":
		return false // challenges are evidence, not secrets
	}
	for _, w := range []string{"token", "secret", "auth", "api-key", "apikey", "api_key", "password", "session", "credential", "signature"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// URL masks the password in userinfo and the values of secret-looking
// query and fragment parameters, then applies String.
func (r *Redactor) URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return r.String(raw)
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), Mask(p))
		}
	}
	u.RawQuery = maskParams(u.RawQuery)
	if u.Fragment != "" {
		u.RawFragment = maskParams(u.EscapedFragment())
		u.Fragment, _ = url.PathUnescape(u.RawFragment)
	}
	return r.String(u.String())
}

// maskParams masks secret values in a raw a=b&c=d string, keeping order.
func maskParams(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if ok && v != "" && secretParam(name) {
			dv, err := url.QueryUnescape(v)
			if err != nil {
				dv = v
			}
			parts[i] = k + "=" + url.QueryEscape(Mask(dv))
		}
	}
	return strings.Join(parts, "&")
}

// Header returns a redacted copy of h: auth headers keep their scheme word,
// cookies keep their names, secret-looking headers are masked whole, and
// known secrets are masked everywhere else.
func (r *Redactor) Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		nv := make([]string, len(vs))
		for i, v := range vs {
			nv[i] = r.headerValue(ck, v)
		}
		out[k] = nv
	}
	return out
}

func (r *Redactor) headerValue(name, v string) string {
	if v == "" {
		return v
	}
	switch name {
	case "Authorization", "Proxy-Authorization":
		if scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " "); ok {
			return scheme + " " + Mask(strings.TrimSpace(tok))
		}
		return Mask(v)
	case "Cookie":
		return maskCookies(v, ";", false)
	case "Set-Cookie":
		return r.String(maskCookies(v, ";", true))
	}
	if secretHeader(name) {
		return Mask(v)
	}
	return r.String(v)
}

// maskCookies masks name=value pairs; with onlyFirst (Set-Cookie) the
// attributes after the first pair are kept.
func maskCookies(v, sep string, onlyFirst bool) string {
	parts := strings.Split(v, sep)
	for i, p := range parts {
		if onlyFirst && i > 0 {
			break
		}
		name, val, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(val) == "" {
			continue
		}
		parts[i] = name + "=" + Mask(strings.TrimSpace(val))
	}
	return strings.Join(parts, sep)
}
