package discovery

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"regexp"
	"strings"

	"github.com/plumbsec/plumb/internal/hosts"
	"github.com/plumbsec/plumb/internal/netx"
)

// ref is one host reference found in a response, with the role it plays
// and whether the API's credentials (or trust in its tokens) flow there.
type ref struct {
	URL   string // absolute URL, or a bare host (CSP, error strings)
	Role  hosts.Role
	Where string // e.g. "Link header", "JSON body $.links.next"
	Creds bool
}

// Limits on what one response may contribute.
const (
	maxJSONStrings = 2000 // strings visited in one body
	maxRefsPerResp = 50
	maxJSONDepth   = 32
)

// cspDirectives name where a page may send requests or load code from.
var cspDirectives = map[string]bool{
	"default-src": true, "connect-src": true, "script-src": true, "frame-src": true,
	"img-src": true, "form-action": true, "frame-ancestors": true, "style-src": true,
	"font-src": true, "media-src": true, "worker-src": true, "report-uri": true,
}

// headerRefs extracts host references from response headers.
func headerRefs(h http.Header, base string) []ref {
	var out []ref
	if loc := h.Get("Location"); loc != "" {
		out = append(out, ref{URL: absolute(base, loc), Role: hosts.RoleRedirectTarget, Where: "Location header"})
	}
	for _, v := range h.Values("Link") {
		for _, u := range linkURLs(v) {
			out = append(out, ref{URL: absolute(base, u), Role: hosts.RoleLinkHeader, Where: "Link header"})
		}
	}
	for _, v := range h.Values("Access-Control-Allow-Origin") {
		if v = strings.TrimSpace(v); v != "*" && v != "null" {
			out = append(out, ref{URL: v, Role: hosts.RoleCORSOrigin, Where: "Access-Control-Allow-Origin header"})
		}
	}
	for _, name := range []string{"Content-Security-Policy", "Content-Security-Policy-Report-Only"} {
		for _, v := range h.Values(name) {
			for _, host := range cspHosts(v) {
				out = append(out, ref{URL: host, Role: hosts.RoleCSPSource, Where: name + " header"})
			}
		}
	}
	for _, v := range h.Values("WWW-Authenticate") {
		if u := authParam(v, "resource_metadata"); u != "" {
			out = append(out, ref{URL: u, Role: hosts.RoleResourceMetadata, Where: "WWW-Authenticate resource_metadata"})
		}
		for _, p := range []string{"authorization_uri", "error_uri", "as_uri"} {
			if u := authParam(v, p); u != "" {
				out = append(out, ref{URL: u, Role: hosts.RoleOAuthEndpoint, Where: "WWW-Authenticate " + p})
			}
		}
	}
	return out
}

func absolute(base, loc string) string {
	if b, err := urlParse(base); err == nil {
		if u, err := b.Parse(strings.TrimSpace(loc)); err == nil {
			return u.String()
		}
	}
	return loc
}

var linkRE = regexp.MustCompile(`<([^>]{1,1000})>`)

// linkURLs returns the targets of a Link header value (RFC 8288).
func linkURLs(v string) []string {
	var out []string
	for _, m := range linkRE.FindAllStringSubmatch(v, 20) {
		out = append(out, m[1])
	}
	return out
}

// cspHosts returns the host sources of the request-making directives of a
// CSP: "https://a.b", "a.b:443", "a.b/path". Wildcards and keywords are
// skipped: "*.b" names no one host.
func cspHosts(policy string) []string {
	var out []string
	for _, d := range strings.Split(policy, ";") {
		fields := strings.Fields(d)
		if len(fields) < 2 || !cspDirectives[strings.ToLower(fields[0])] {
			continue
		}
		for _, src := range fields[1:] {
			if strings.HasPrefix(src, "'") || strings.Contains(src, "*") || strings.HasSuffix(src, ":") {
				continue
			}
			if !strings.Contains(src, "://") {
				src = "https://" + src
			}
			out = append(out, src)
		}
	}
	return out
}

// authParam returns the value of one auth-param of a WWW-Authenticate
// challenge, quoted or not.
func authParam(v, name string) string {
	lv := strings.ToLower(v)
	i := strings.Index(lv, strings.ToLower(name)+"=")
	if i < 0 || (i > 0 && lv[i-1] != ' ' && lv[i-1] != ',') {
		return ""
	}
	rest := v[i+len(name)+1:]
	if strings.HasPrefix(rest, `"`) {
		if j := strings.IndexByte(rest[1:], '"'); j >= 0 {
			return rest[1 : 1+j]
		}
		return ""
	}
	if j := strings.IndexAny(rest, ", "); j >= 0 {
		return rest[:j]
	}
	return rest
}

// isJSON reports whether a response is JSON by content type or shape.
func isJSON(h http.Header, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil {
		if mt == "application/json" || strings.HasSuffix(mt, "+json") {
			return true
		}
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// jsonRefs walks a JSON body and returns absolute URLs in string values
// (role body-url) and JWTs found in string values.
func jsonRefs(body []byte) (refs []ref, jwts []string) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil, nil
	}
	budget := maxJSONStrings
	var walk func(v any, path string, depth int)
	walk = func(v any, path string, depth int) {
		if depth > maxJSONDepth || budget <= 0 || len(refs) >= maxRefsPerResp {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			for k, c := range t {
				walk(c, path+"."+k, depth+1)
			}
		case []any:
			for _, c := range t {
				walk(c, path+"[]", depth+1)
			}
		case string:
			budget--
			s := strings.TrimSpace(t)
			if _, ok := hostOfURL(s); ok {
				refs = append(refs, ref{URL: s, Role: hosts.RoleBodyURL, Where: "JSON body " + path})
			} else if jwtRE.MatchString(s) {
				jwts = append(jwts, s)
			}
		}
	}
	walk(v, "$", 0)
	return refs, jwts
}

// jwtRE finds compact JWS tokens (header and payload are JSON objects, so
// both start with "eyJ").
var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)

// findJWTs returns up to n JWTs in text (headers or body).
func findJWTs(text string, n int) []string {
	return jwtRE.FindAllString(text[:min(len(text), maxScan)], n)
}

// jwtRefs returns the hosts a token's trust depends on: an iss that is a
// URL (validators fetch ${iss}/.well-known/openid-configuration) and the
// jku/x5u key URLs of its header. The token is only decoded, never kept.
func jwtRefs(p netx.JWTParts, where string) []ref {
	var hdr, claims map[string]any
	_ = json.Unmarshal(p.Header, &hdr)
	_ = json.Unmarshal(p.Payload, &claims)
	var out []ref
	if iss, ok := claims["iss"].(string); ok {
		if _, ok := hostOfURL(iss); ok {
			out = append(out, ref{URL: iss, Role: hosts.RoleIssuer, Where: where + " claim iss", Creds: true})
		}
	}
	for _, k := range []string{"jku", "x5u"} {
		if u, ok := hdr[k].(string); ok {
			out = append(out, ref{URL: u, Role: hosts.RoleJWTKeyURL, Where: where + " header " + k, Creds: true})
		}
	}
	return out
}
